"""The run's DAG as a timeline: one row per task with status, attempts, cache and a bar.

The api reports task runs, not the edges between them, so the graph is drawn the way
Airflow's grid and Dagster's timeline do: tasks in start order, each with a bar placed
where it ran within the run, which makes the parallel branches visible. A task whose
result was reused from an earlier run says which run, when the event log still knows.
On a Dask executor a ``worker`` column says where each attempt ran (``engine`` for the
tasks kept on the engine); on threads there is no such column.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from workbench.core.records import TaskRunRecord
from workbench.core.vocabulary import TaskState, terminal_style
from workbench.tui.formatting import seconds, status_text

BAR_WIDTH = 24
"""Characters of the timeline column."""

GLYPHS: dict[str, str] = {
    TaskState.SUCCESS: "✔",
    TaskState.CACHED: "↺",
    TaskState.RUNNING: "▶",
    TaskState.FAILED: "✘",
    TaskState.TIMED_OUT: "✘",
    TaskState.UPSTREAM_FAILED: "⊘",
    TaskState.SKIPPED: "·",
    TaskState.CANCELLED: "·",
}
"""One character per task status, so the column reads at a glance in monochrome too."""


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _bar(task: TaskRunRecord, start: datetime, total: float, now: datetime) -> Text:
    if task.started_at is None or total <= 0:
        return Text("")
    begin = (_utc(task.started_at) - start).total_seconds()
    end = (_utc(task.finished_at or now) - start).total_seconds()
    left = int(BAR_WIDTH * begin / total)
    width = max(1, round(BAR_WIDTH * (end - begin) / total))
    width = min(width, BAR_WIDTH - min(left, BAR_WIDTH - 1))
    style = terminal_style(task.status)
    return Text(" " * left) + Text("█" * width, style=style)


def _cache_cell(task: TaskRunRecord) -> Text:
    if task.status != TaskState.CACHED:
        return Text("-", style="dim")
    source = task.cached_from
    style = terminal_style(TaskState.CACHED)
    return Text(f"from run {source}" if source is not None else "reused", style=style)


def worker_text(worker: str | None) -> Text:
    """Where a task's attempts ran, oldest first: ``127.0.0.1:40001 → 127.0.0.1:40002``."""
    if not worker:
        return Text("-", style="dim")
    places = [w.strip().removeprefix("tcp://") for w in worker.split(",")]
    return Text(" → ".join(places), style="dim" if places == ["engine"] else "")


def timeline_table(tasks: Sequence[TaskRunRecord], now: datetime) -> Table:
    """A rich table of the tasks in start order with a bar per task.

    Args:
        tasks: The run's task runs (a cached one says which run's result it reused).
        now: The end of a bar still running.
    """
    table = Table(expand=True, box=None, pad_edge=False, header_style="bold")
    table.add_column("", width=1)
    table.add_column("task", ratio=2, no_wrap=True, overflow="ellipsis")
    table.add_column("status", no_wrap=True)
    table.add_column("tries", justify="right")
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("cache", no_wrap=True)
    placed = any(t.worker for t in tasks)
    if placed:
        table.add_column("worker", no_wrap=True, overflow="ellipsis")
    table.add_column("timeline", width=BAR_WIDTH, no_wrap=True)
    started = [_utc(t.started_at) for t in tasks if t.started_at is not None]
    ended = [_utc(t.finished_at or now) for t in tasks if t.started_at is not None]
    start = min(started, default=now)
    total = (max(ended, default=now) - start).total_seconds()
    order = sorted(tasks, key=lambda t: (t.started_at is None, t.started_at and _utc(t.started_at)))
    for task in order:
        style = terminal_style(task.status)
        cells: list[Text | str] = [
            Text(GLYPHS.get(task.status, "?"), style=style),
            task.task,
            status_text(task.status),
            str(task.attempts),
            seconds(task.duration_s),
            _cache_cell(task),
        ]
        if placed:
            cells.append(worker_text(task.worker))
        table.add_row(*cells, _bar(task, start, total, now))
    return table


class TaskTimeline(Static):
    """Shows a run's tasks; call :meth:`show_tasks` again as they progress."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__("no tasks yet", id=id)
        self.tasks: tuple[TaskRunRecord, ...] = ()
        """The tasks on display."""

    def show_tasks(self, tasks: Sequence[TaskRunRecord], now: datetime) -> None:
        """Redraw with these tasks."""
        self.tasks = tuple(tasks)
        self.update(timeline_table(tasks, now) if tasks else "no tasks yet")
