"""A run's tasks beside the log of the one selected: where a failed task says why.

The widget never asks the engine for anything: it says which task was picked
(:class:`TaskLogs.TaskSelected`) and shows whatever log the screen hands back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import DataTable, Log

from workbench.core.records import TaskRunRecord
from workbench.core.vocabulary import first_log_task, terminal_style
from workbench.tui.table_cursor import cursor_key
from workbench.tui.widgets.task_timeline import GLYPHS

if TYPE_CHECKING:
    from workbench.core.records import TaskLog


def log_lines(log: TaskLog) -> list[str]:
    """What the log pane shows for ``log``: its text, or why there is none."""
    if not log.text:
        return [
            f"{log.task} has no log: {log.path} is absent or empty.",
            "What a task logs (ctx.log) and a failed attempt's traceback are kept there; "
            "this one said nothing (a cached task did not run).",
        ]
    lines = log.text.rstrip("\n").split("\n")
    if log.truncated:
        head = f"… the end of a {log.size:,}-byte log; the whole of it is in {log.path}"
        return [head, *lines]
    return lines


class TaskLogs(Horizontal):
    """Tasks of a run on the left, the selected task's log on the right."""

    class TaskSelected(Message):
        """A person moved to another task: its log is wanted."""

        def __init__(self, task: str) -> None:
            super().__init__()
            self.task = task
            """The task picked."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.selected: str | None = None
        """The task whose log is (or is about to be) shown."""
        self.log_shown: TaskLog | None = None
        """The log on display."""

    def compose(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(id="task-log-tasks", cursor_type="row")
        table.add_column("task", key="task")
        yield table
        yield Log(id="task-log-text", highlight=False)

    @property
    def table(self) -> DataTable[Any]:
        """The task list."""
        return self.query_one("#task-log-tasks", DataTable)

    @property
    def text(self) -> Log:
        """The log pane."""
        return self.query_one("#task-log-text", Log)

    def show_tasks(self, tasks: Sequence[TaskRunRecord]) -> None:
        """List ``tasks`` in run order, keeping the selection (the first failure at first)."""
        names = [t.task for t in tasks]
        wanted = self.selected if self.selected in names else first_log_task(tasks)
        table = self.table
        table.clear()
        for task in tasks:
            glyph = GLYPHS.get(task.status, "?")
            style = terminal_style(task.status)
            table.add_row(Text.assemble((glyph, style), " ", task.task), key=task.task)
        self.selected = wanted
        if wanted is not None:
            table.move_cursor(row=names.index(wanted))

    def show_log(self, log: TaskLog) -> None:
        """Show ``log`` if it is the selected task's (an older answer is dropped)."""
        if log.task != self.selected:
            return
        self.log_shown = log
        pane = self.text
        pane.clear()
        pane.write_lines(log_lines(log))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        # the cursor as it is now, not the row the message names (see table_cursor)
        key = cursor_key(self.table)
        if key is not None and key != self.selected:
            self.selected = key
            self.post_message(self.TaskSelected(key))
