"""Run pipeline tasks on a Dask ``distributed`` cluster (``executor = "dask://host:port"``).

:class:`DaskExecutor` keeps the scheduler (ready tasks, trigger rules, retries, timeouts,
cancellation: :mod:`workbench.dag.scheduler` and :mod:`workbench.dag.rules`) in this
process and sends each attempt to the cluster with ``client.submit``: the task's function
with its resolved arguments (upstream results, run inputs), wrapped by
:func:`workbench.dag.remote.run_remote`. Results come back to this process, where the
scheduler settles them exactly as it does for threads. One run's traffic goes through
a :class:`~workbench.dag.courier.Courier`; this module connects and checks the cluster.

Hooks. A task on a worker cannot call this process's hooks, so its ``ctx`` records the
tracking calls (metrics, params, artifacts) and they travel back with the result; the
courier replays them, in order, before it reports the result. We chose this over
distributed's Queue or pub/sub because it needs no extra cluster state, loses nothing,
keeps each task's calls in order and before its ``on_task_end``, and costs no extra round
trip. The price: metrics arrive when the attempt ends, not live; a hook that raises fails
the attempt at replay time (as it would have failed the task inside it); calls made by
an attempt that timed out are dropped with its result. ``on_task_start`` is called here
as the attempt is handed to the cluster; ``ctx.log`` records and ``print`` output are
kept on the worker and replayed here with the result (see below).

Cancellation and timeouts. An attempt whose task takes ``ctx`` gets a
``distributed.Event``; the scheduler sets it on timeout or run cancellation, and the
remote ``ctx.cancelled`` / ``ctx.wait`` read it (one scheduler round trip per look). An
attempt whose task cannot hear (no ``ctx``) has its future cancelled instead, so a run
cancelled while such tasks wait in the cluster's queue ends at once.
Timeouts are the scheduler's timers, counted from the hand-off; a timed-out attempt's
future is cancelled (``future.cancel``), which frees it if it has not started; a running
function cannot be killed, as with threads. A stopped attempt leaves one small named
event on the Dask scheduler, so a function that looks late still sees it.

Where tasks run. A task whose arguments include an engine-side resource (the registry
sink, the store: :mod:`workbench.dag.placement`), or declared ``@task(where="engine")``,
runs on a thread of this process; every other task goes to the cluster. Workers need
the same ``workbench`` version (checked when the executor connects:
:mod:`workbench.dag.workers`), not the pipeline's code: a pipeline module the workers
cannot import travels by value with each task (:mod:`workbench.dag.shipping`). Every
argument of a cluster task must pickle: one that does not fails the attempt with a
message naming the parameter.

Where each attempt runs is reported to ``on_task_worker``: the worker announces the
start on a per-run event topic, and the address comes back with the result too. What a
task says on a worker (``ctx.log``, ``print``) comes back with its result and is
replayed into this process's task loggers (:func:`workbench.dag.remote.replay_logs`).

Lost workers. The executor listens to the scheduler's ``remove-worker`` events: an
attempt running on a worker that dies or leaves fails at once as *lost* (its future is
cancelled so Dask does not also run it again behind our back), and the scheduler tries
it again, even past the task's ``retries`` (``LOST_RETRIES``), on the workers left.
"""

from __future__ import annotations

import logging
import weakref
from types import ModuleType
from typing import Any

from workbench.core.errors import PipelineError
from workbench.dag.attempt import RunState, describe_error
from workbench.dag.courier import Courier
from workbench.dag.executor import Executor
from workbench.dag.records import RunOutcome
from workbench.dag.scheduler import Reporter, Scheduler
from workbench.dag.workers import check_workers

_log = logging.getLogger(__name__)

INSTALL_HINT = "the dask executor needs the 'distributed' package: pip install 'workbench[dask]'"
"""The error message when ``distributed`` cannot be imported."""


def import_distributed() -> ModuleType:
    """The ``distributed`` module.

    Raises:
        PipelineError: It is not installed (the message says what to install).
    """
    try:
        import distributed
    except ImportError as exc:
        raise PipelineError(INSTALL_HINT) from exc
    return distributed


class DaskExecutor(Executor):
    """Runs each task attempt on a Dask cluster; the scheduling stays in this process.

    Args:
        address: The Dask scheduler, such as ``"tcp://10.0.0.5:8786"`` (or an in-process
            ``inproc://`` address of a ``LocalCluster``).
        max_parallel: Attempts in flight at once; None uses the cluster's thread count,
            read at the start of each run.
        connect_timeout: Seconds to wait for the scheduler before giving up.
        check_versions: Ask every worker for its workbench and Python versions on
            connecting, and refuse a cluster whose workers differ from this process.

    Raises:
        PipelineError: ``distributed`` is not installed, the scheduler cannot be
            reached (the message names the address), or a worker runs another
            workbench or Python version (the message names the worker).
    """

    def __init__(
        self,
        address: str,
        *,
        max_parallel: int | None = None,
        connect_timeout: float = 10.0,
        check_versions: bool = True,
    ) -> None:
        distributed = import_distributed()
        if max_parallel is not None and (
            isinstance(max_parallel, bool) or not isinstance(max_parallel, int) or max_parallel < 1
        ):
            raise PipelineError(f"max_parallel must be a whole number >= 1, got {max_parallel!r}")
        try:
            client = distributed.Client(address, timeout=connect_timeout, set_as_default=False)
        except (OSError, ValueError, TypeError) as exc:
            raise PipelineError(
                f"cannot reach the Dask scheduler at {address!r}: {describe_error(exc)}; "
                "start one (`dask scheduler`) or set executor = 'threads'"
            ) from exc
        try:
            if check_versions:
                check_workers(client, address)
        except BaseException:
            client.close()
            raise
        self.address = address
        """The scheduler address."""
        self.max_parallel = max_parallel
        """Attempts in flight at most; None means the cluster's thread count."""
        self.client = client
        """The ``distributed.Client`` (not the default client of the process)."""
        self.cluster: Any = None
        """The ``LocalCluster`` this executor started and will shut down, if any."""
        self._couriers: weakref.WeakSet[Courier] = weakref.WeakSet()
        client.subscribe_topic("all", self._cluster_event)
        self._finalizer = weakref.finalize(self, _shut, client, None)

    @property
    def dashboard_link(self) -> str | None:
        """The Dask dashboard's URL (where to watch the workers), if it serves one."""
        try:
            link = self.client.dashboard_link
        except Exception:
            return None
        return str(link) if link else None

    def _cluster_event(self, event: tuple[float, Any]) -> None:
        """Scheduler events (on the client's loop): tell runs about workers that left."""
        _, message = event
        if isinstance(message, dict) and message.get("action") == "remove-worker":
            for courier in list(self._couriers):
                courier.worker_lost(str(message.get("worker")), message)

    @classmethod
    def local(
        cls, n_workers: int = 2, *, threads_per_worker: int = 1, processes: bool = False
    ) -> DaskExecutor:
        """An executor on a fresh ``LocalCluster`` that it owns and closes with itself.

        ``processes=False`` (the default) keeps the workers in this process: quick to
        start and light, but they share the GIL, so it suits testing the Dask path and
        tasks that release the GIL. With ``processes=True`` a script must guard its
        entry point with ``if __name__ == "__main__":``.

        Raises:
            PipelineError: ``distributed`` is not installed or the cluster did not start.
        """
        distributed = import_distributed()
        if isinstance(n_workers, bool) or not isinstance(n_workers, int) or n_workers < 1:
            raise PipelineError(f"n_workers must be a whole number >= 1, got {n_workers!r}")
        try:
            cluster = distributed.LocalCluster(
                n_workers=n_workers,
                threads_per_worker=threads_per_worker,
                processes=processes,
                dashboard_address="127.0.0.1:0",  # its HTTP server: loopback, any free port
            )
        except Exception as exc:
            raise PipelineError(f"could not start a local Dask cluster: {exc}") from exc
        try:
            executor = cls(
                cluster.scheduler_address,
                max_parallel=n_workers * threads_per_worker,
                check_versions=processes,  # in-process workers are this very process
            )
        except BaseException:
            cluster.close()
            raise
        executor.cluster = cluster
        executor._finalizer.detach()
        executor._finalizer = weakref.finalize(executor, _shut, executor.client, cluster)
        return executor

    def _execute(self, run: RunState) -> RunOutcome:
        if not self._finalizer.alive:
            raise PipelineError(f"this DaskExecutor ({self.address}) is closed")
        parallel = self.max_parallel
        if parallel is None:
            parallel = max(1, sum(self.client.nthreads().values()))

        distributed = import_distributed()

        def courier(report: Reporter) -> Courier:
            made = Courier(self.client, run, report, distributed)
            self._couriers.add(made)
            return made

        return Scheduler(run, courier, parallel).execute()

    def close(self) -> None:
        """Disconnect from the cluster, and shut it down if this executor started it."""
        self._finalizer()

    def __repr__(self) -> str:
        owned = ", local cluster" if self.cluster is not None else ""
        return f"DaskExecutor({self.address!r}{owned})"


def _shut(client: Any, cluster: Any) -> None:
    """Close the client, then the cluster this executor started (if any)."""
    try:
        try:  # or the scheduler would send this client's own leaving to a closed socket
            client.unsubscribe_topic("all")
        except Exception:
            _log.debug("dask: could not unsubscribe from cluster events", exc_info=True)
        client.close()
    finally:
        if cluster is not None:
            cluster.close()
