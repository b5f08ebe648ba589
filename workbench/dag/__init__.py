"""The DAG engine: tasks wired with ``>>``, checked pipelines, a threaded executor.

Write tasks as plain functions, wire them as in Airflow, run them as in kedro::

    @task
    def ingest(dataset): ...

    @task(retries=2, timeout=600)
    def train(ingest, ctx): ...

    pipeline = Pipeline("tabular", ingest >> train, inputs=("dataset",))
    outcome = ThreadExecutor().run(pipeline, run_id="r1", inputs={"dataset": path})

``make_executor("dask://host:port")`` runs the same pipeline on a Dask cluster instead
(:class:`DaskExecutor`, needs the optional ``distributed`` package).

A parameter named after an upstream task receives its return value, ``ctx`` receives
the :class:`TaskContext`, other parameters are run inputs or keep their defaults. The
package depends only on the standard library and ``workbench.core``, plus ``distributed``
for the Dask executor, imported only when one is made.
"""

from workbench.dag.cache import MemoryCache, TaskCache, cache_key
from workbench.dag.context import TaskContext
from workbench.dag.dask_backend import DaskExecutor
from workbench.dag.executor import Executor, ThreadExecutor, make_executor
from workbench.dag.flow import Flow
from workbench.dag.hooks import RunHooks
from workbench.dag.pipeline import Pipeline
from workbench.dag.records import RunOutcome, RunStatus, TaskOutcome, TaskStatus
from workbench.dag.results import result_type
from workbench.dag.task import Task, TaskOptions, TriggerRule, task

__all__ = [
    "DaskExecutor",
    "Executor",
    "Flow",
    "MemoryCache",
    "Pipeline",
    "RunHooks",
    "RunOutcome",
    "RunStatus",
    "Task",
    "TaskCache",
    "TaskContext",
    "TaskOptions",
    "TaskOutcome",
    "TaskStatus",
    "ThreadExecutor",
    "TriggerRule",
    "cache_key",
    "make_executor",
    "result_type",
    "task",
]
