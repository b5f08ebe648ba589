"""A live task table while a run executes, fed by engine events.

The engine publishes ``task.started`` / ``task.finished`` events from its worker
threads; this subscriber only updates a dict and lets rich's Live redraw, so it never
slows the run down.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.live import Live
from rich.table import Table

from workbench.api import WorkbenchApi
from workbench.cli.output import is_plain
from workbench.core.records import EventRecord

_ICON = {
    "running": "[yellow]⠿ running[/]",
    "success": "[green]✔ success[/]",
    "cached": "[green]✔ cached[/]",
    "failed": "[red]✘ failed[/]",
    "timed_out": "[red]✘ timed out[/]",
    "skipped": "[dim]- skipped[/]",
    "upstream_failed": "[dim]- upstream failed[/]",
    "cancelled": "[dim]- cancelled[/]",
}


class _TaskBoard:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str]] = {}
        self.lock = threading.Lock()

    def on_event(self, event: EventRecord) -> None:
        task = event.payload.get("task")
        if not task or not event.kind.startswith("task."):
            return
        with self.lock:
            if event.kind == "task.started":
                self.rows[task] = ("running", "")
            elif event.kind == "task.finished":
                duration = event.payload.get("duration_s")
                self.rows[task] = (
                    event.payload.get("status", "success"),
                    f"{duration:.2f}s" if isinstance(duration, int | float) else "",
                )

    def table(self) -> Table:
        table = Table(title="Run progress", expand=False)
        table.add_column("task")
        table.add_column("status")
        table.add_column("duration", justify="right")
        with self.lock:
            for task, (status, duration) in self.rows.items():
                table.add_row(task, _ICON.get(status, status), duration)
        return table


@contextmanager
def run_progress(api: WorkbenchApi, console: Console) -> Iterator[None]:
    """Show each task's status live while the block runs (plain lines when not a TTY)."""
    board = _TaskBoard()
    unsubscribe = api.subscribe(board.on_event)
    if is_plain(console):  # no cursor to move: the finished board once, as plain columns
        try:
            yield
        finally:
            unsubscribe()
            console.print(board.table())
        return
    try:
        with Live(board.table(), console=console, refresh_per_second=8, transient=False) as live:
            stop = threading.Event()

            def refresh() -> None:
                while not stop.wait(0.125):
                    live.update(board.table())

            painter = threading.Thread(target=refresh, daemon=True, name="cli-progress")
            painter.start()
            try:
                yield
            finally:
                stop.set()
                painter.join(timeout=1)
                live.update(board.table())
    finally:
        unsubscribe()
