"""kill -9 of the engine mid-approval: every decision is all there or not there at all.

An approval writes the approval row, the version's status, the alias moves and the
deployment history in one transaction. A child process approves candidates one after
another and is killed at a different moment each round; after each kill the store must
hold exactly the decisions that committed, with aliases and deployments agreeing.
"""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import pytest
import sklearn

from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine

from ..children import Child

pytestmark = pytest.mark.slow

CANDIDATES = 24

CHILD = r"""
import sys
from pathlib import Path
from workbench.core.workspace import open_workspace
from workbench.engine.engine import Engine

with Engine(open_workspace(Path(sys.argv[1]))) as engine:
    print("ready", flush=True)
    for model in sorted(engine.store.registry.list(status="candidate"), key=lambda m: m.version):
        engine.approve(model.version, comment=f"round approval of {model.version}")
        print(f"approved {model.version}", flush=True)
"""


def _approve_until_killed(ws: Workspace, after: int) -> list[int]:
    """Start an approving owner, kill -9 it once ``after`` approvals were reported."""
    child = Child([sys.executable, "-c", CHILD, str(ws.root)])
    try:
        child.wait_for("approved ", times=after)
    finally:
        child.stop(signal.SIGKILL)
    return [int(line.split()[1]) for line in child.lines if line.startswith("approved ")]


def _check_consistent(engine: Engine, must_be_approved: list[int]) -> list[int]:
    """Aliases, statuses, approval rows and deployments agree; returns approved versions."""
    registry = engine.store.registry
    approved = sorted(m.version for m in registry.list(status="approved"))
    assert set(must_be_approved) <= set(approved), "a reported approval was lost"
    decisions = registry.approvals()
    assert sorted(a.version for a in decisions if a.decision == "approve") == approved
    for model in registry.list(status="candidate"):
        assert not registry.approvals(model.version), f"{model.version} half-decided"
    production = registry.alias("production")
    assert production is not None and production.version == approved[-1]
    if len(approved) > 1:
        previous = registry.alias("previous")
        assert previous is not None and previous.version == approved[-2]
    open_production = [
        d
        for v in approved
        for d in registry.deployments(v)
        if d[0] == "production" and d[2] is None
    ]
    assert len(open_production) == 1, f"one open production deployment: {open_production}"
    return approved


def test_kill_9_mid_approval_leaves_each_decision_whole(
    workspace: Workspace, small_sample: Path
) -> None:
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        [model] = engine.store.registry.list(run_id=run.id)
        for _ in range(CANDIDATES - 1):  # more candidates of the same model to decide on
            engine.store.registry.register(
                run_id=run.id,
                candidate=model.candidate,
                artifact_sha256=model.artifact_sha256,
                metrics=model.metrics,
                signature=model.signature,
                gate_passed=True,
                sklearn_version=sklearn.__version__,
            )
    approved: list[int] = []
    for after in (1, 3, 2, 5):
        reported = _approve_until_killed(workspace, after)
        with Engine(workspace) as engine:
            now = _check_consistent(engine, reported)
        assert len(now) >= len(approved) + after
        approved = now
