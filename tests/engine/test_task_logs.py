"""Task logs through the engine: ``ctx.log`` lines, retries and tracebacks per task run."""

from __future__ import annotations

from pathlib import Path

from workbench.core.workspace import Workspace
from workbench.engine.engine import Engine
from workbench.engine.runs.task_logs import task_log_path

from .helpers import set_config

PIPELINE = """
import polars as pl
from workbench.dag import Pipeline, TaskContext, task


@task
def count(frame: pl.DataFrame, ctx: TaskContext) -> int:
    ctx.log.info("counted %d rows", frame.height)
    ctx.log.debug("not kept: below INFO")
    return frame.height


@task(retries=1, retry_delay=0)
def explode(count: int, ctx: TaskContext) -> None:
    ctx.log.warning("attempt %d about to fail", ctx.attempt)
    raise ValueError(f"no luck with {count} rows")


pipeline = Pipeline("logs", count >> explode, inputs=("frame",))
"""


def test_task_logs_hold_what_tasks_said_the_retries_and_the_traceback(
    workspace: Workspace, small_sample: Path
) -> None:
    (workspace.root / "pipeline.py").write_text(PIPELINE)
    set_config(workspace, "pipeline", path="pipeline.py")
    with Engine(workspace) as engine:
        dataset = engine.ingest(small_sample, move=False).dataset
        assert dataset is not None
        run = engine.run([dataset.id])
        assert run.status == "failed"
    count = task_log_path(workspace.logs, run.id, "count").read_text()
    assert "INFO counted 4000 rows" in count
    assert "below INFO" not in count
    explode = task_log_path(workspace.logs, run.id, "explode").read_text()
    assert "attempt 1 about to fail" in explode and "attempt 2 about to fail" in explode
    assert "attempt 1 failed, retrying: ValueError: no luck with 4000 rows" in explode
    assert "ERROR Traceback (most recent call last)" in explode
    assert explode.rstrip().endswith("ValueError: no luck with 4000 rows")
