"""Task logs: ``.workbench/logs/run-N/TASK.log``, one file per task run.

What a task says through ``ctx.log`` (a standard :mod:`logging` logger) and the traceback
of a failed attempt land in the task's file, as Airflow keeps a log per task instance, so
the TUI's run screen and ``workbench`` users can read why a task did what it did after
the run, even after a restart. On a Dask executor what a task said and printed on its
worker comes back with its result and is filed here too, stamped with the time it was
said (``print`` output as ``STDOUT``/``STDERR`` lines).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

from workbench.core.errors import WorkbenchError, WorkspaceError
from workbench.core.records import TaskLog
from workbench.core.workspace import Workspace
from workbench.dag.context import TASK_LOGGER
from workbench.store.runs import RunRepo

MAX_LOG_BYTES = 256 * 1024
"""A longer task log is returned by its end: the traceback is at the bottom."""


def task_log_path(logs: Path, run_id: int, task: str) -> Path:
    """Where one task run's log lives (``task`` is a task name, checked by the DAG)."""
    return logs / f"run-{run_id}" / f"{task}.log"


class TaskLogWriter(logging.Handler):
    """Writes one run's task log records and tracebacks to the tasks' files.

    Attach it for the duration of a run (a context manager): records of ``ctx.log`` whose
    ``run_id`` is this run's go to ``run-N/TASK.log``; records of other runs running at
    the same time are theirs to write.
    """

    def __init__(self, logs: Path, run_id: int, level: int = logging.INFO) -> None:
        super().__init__(level)
        self._logs = logs
        self._run_id = run_id
        self._lock_files = threading.Lock()
        self.setFormatter(logging.Formatter("%(message)s"))

    def write(
        self, task: str, text: str, level: str = "INFO", when: datetime | None = None
    ) -> None:
        """Append ``text`` (a message or a traceback) to ``task``'s log, time-stamped.

        ``when`` is the time it was said (a worker's record arrives after the fact);
        now by default.
        """
        path = task_log_path(self._logs, self._run_id, task)
        stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with self._lock_files:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(f"{stamp} {level} {text.rstrip()}\n")

    def emit(self, record: logging.LogRecord) -> None:
        if str(getattr(record, "run_id", "")) != str(self._run_id):
            return
        try:
            text = self.format(record)
            when = datetime.fromtimestamp(record.created, UTC)
            self.write(str(getattr(record, "task", "run")), text, record.levelname, when)
        except Exception:
            self.handleError(record)

    def __enter__(self) -> TaskLogWriter:
        logger = logging.getLogger(TASK_LOGGER)
        if logger.level == logging.NOTSET or logger.level > self.level:
            logger.setLevel(self.level)  # INFO from tasks is worth keeping in their file
        logger.addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger(TASK_LOGGER).removeHandler(self)


# task logs -----------------------------------------------------------------------------


def checked_task_log_path(workspace: Workspace, run_id: int, task: str) -> Path:
    """The log file of ``task`` in run ``run_id``, refusing names that lead anywhere else.

    Raises:
        WorkspaceError: ``task`` is not a plain file name (``..``, a slash, a NUL) or the
            path leaves the workspace (through a symlink, say).
    """
    folder = workspace.logs.relative_to(workspace.root) / f"run-{run_id}"
    if not task or task in (".", "..") or any(c in task for c in "/\\\x00"):
        raise WorkspaceError(
            f"task name {task!r} is not a plain name: task logs are read only from "
            f"{folder.as_posix()}/, one file per task"
        )
    path = workspace.inside(folder / f"{task}.log")
    if path.parent != workspace.inside(folder):
        raise WorkspaceError(f"the log of task {task!r} leads out of {folder.as_posix()}/")
    return path


def read_task_log(
    workspace: Workspace,
    runs: RunRepo,
    run_id: int,
    task: str,
    max_bytes: int = MAX_LOG_BYTES,
) -> TaskLog:
    """The log of a task of a run, or its last ``max_bytes`` when it is longer.

    Raises:
        WorkspaceError: The task name would lead out of the run's log folder.
        WorkbenchError: There is no such run, or the run has no task of that name.
    """
    path = checked_task_log_path(workspace, run_id, task)
    if runs.get(run_id) is None:
        raise WorkbenchError(f"there is no run {run_id}")
    names = [t.task for t in runs.tasks(run_id)]
    if task not in names:
        shown = ", ".join(names) or "none yet"
        raise WorkbenchError(f"run {run_id} has no task {task!r}; its tasks: {shown}")
    relative = path.relative_to(workspace.root).as_posix()
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            truncated = size > max_bytes
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except FileNotFoundError:
        return TaskLog(run_id, task, relative, "", 0, False)
    except OSError as exc:
        raise WorkbenchError(f"cannot read the log {relative}: {exc}") from exc
    if truncated and b"\n" in data:
        data = data.split(b"\n", 1)[1]  # start at a whole line
    return TaskLog(run_id, task, relative, data.decode("utf-8", errors="replace"), size, truncated)
