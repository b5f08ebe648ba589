"""Re-running a run from its reproducibility record, and comparing runs side by side."""

from __future__ import annotations

from workbench.core.config import config_from_dict
from workbench.core.errors import WorkbenchError
from workbench.core.records import MetricMatch, Reproduction, RunComparison
from workbench.engine.context import ExecuteRun
from workbench.store import Store
from workbench.store.runs import RunRepo

TIMING_SUFFIXES = ("fit_seconds", "_seconds", "duration_s")


def reproduce(store: Store, execute: ExecuteRun, run_id: int) -> Reproduction:
    """Run again on the recorded data hashes with the recorded settings and compare.

    Every task runs, cached or not: the point is to recompute (``execute`` is the runs
    stage's ``Runner.execute``, called with ``use_cache=False``).

    Raises:
        WorkbenchError: No such run, no record, or a recorded dataset is gone or changed.
    """
    original = store.runs.get(run_id)
    record = store.runs.repro(run_id)
    if original is None or record is None:
        raise WorkbenchError(f"run {run_id} has no reproducibility record to replay")
    ids = []
    for item in record["datasets"]:
        dataset = store.datasets.get(item["id"])
        if dataset is None or dataset.sha256 != item["sha256"]:
            raise WorkbenchError(f"dataset {item['id']} of run {run_id} is gone or changed")
        ids.append(dataset.id)
    config = config_from_dict(record["config"], f"run {run_id} record")
    rerun = execute(ids, f"reproduce:{run_id}", config, use_cache=False)
    before, after = store.runs.metrics(run_id), store.runs.metrics(rerun.id)
    matches = tuple(
        MetricMatch(key, before.get(key), after.get(key), before.get(key) == after.get(key))
        for key in sorted(set(before) | set(after))
        if not key.endswith(TIMING_SUFFIXES)
    )
    new_record = store.runs.repro(rerun.id) or {}
    return Reproduction(
        original=original,
        rerun=rerun,
        metrics=matches,
        identical=bool(matches) and all(m.equal for m in matches),
        code_changed=new_record.get("code_hash") != record.get("code_hash"),
    )


def compare(runs: RunRepo, run_ids: list[int]) -> RunComparison:
    """Params and metrics of the runs side by side.

    Raises:
        WorkbenchError: A run does not exist.
    """
    for run_id in run_ids:
        if runs.get(run_id) is None:
            raise WorkbenchError(f"there is no run {run_id}")
    params = [runs.params(r) for r in run_ids]
    metrics = [runs.metrics(r) for r in run_ids]
    return RunComparison(
        run_ids=tuple(run_ids),
        params={k: tuple(p.get(k) for p in params) for k in sorted(set().union(*params))},
        metrics={k: tuple(m.get(k) for m in metrics) for k in sorted(set().union(*metrics))},
    )
