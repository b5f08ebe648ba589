"""Runs: every run in a live table, filtered and sorted; Enter opens one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input

from workbench.core.records import ModelVersionRecord, RunRecord
from workbench.tui.formatting import (
    ago,
    key_metric,
    metric_value,
    span,
    status_text,
)
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.run_detail import RunDetailScreen

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi

COLUMNS = ("run", "status", "trigger", "datasets", "created", "duration", "metric")
"""Column keys of the runs table, also the sort keys."""


@dataclass(frozen=True)
class RunsData:
    """Runs and the key metric each one reached."""

    runs: list[RunRecord]
    """Newest first."""
    metrics: dict[int, tuple[str, float]]
    """Run id -> best key metric of the models it registered."""


def runs_key_metrics(models: list[ModelVersionRecord]) -> dict[int, tuple[str, float]]:
    """The best key metric per run, from the models each run registered."""
    by_run: dict[int, list[ModelVersionRecord]] = {}
    for model in models:
        by_run.setdefault(model.run_id, []).append(model)
    found: dict[int, tuple[str, float]] = {}
    for run_id, group in by_run.items():
        merged = {f"{m.version}.{k}": v for m in group for k, v in m.metrics.items()}
        metric = key_metric(merged)
        if metric is not None:
            found[run_id] = metric
    return found


class RunsScreen(WorkbenchScreen):
    """A live table of runs with a filter box; Enter shows the run's tasks."""

    MODE = "runs"
    RELOAD_ON = ("run.", "model.registered")
    RUN_LIMIT = 500
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_run", "Open", tooltip="Show the run's tasks and metrics"),
        Binding("slash", "filter", "Filter", key_display="/", tooltip="Filter runs by text"),
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column"),
        Binding("n", "new_run", "New run", tooltip="Train on the training window now"),
        Binding("escape", "clear_filter", "Clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = RunsData([], {})
        """What was fetched last."""
        self.sort_key = "run"
        """Column the table is sorted by."""
        self.sort_reverse = True
        """Newest (or largest) first."""

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="filter: status, trigger, dataset or run id", id="runs-filter")
        table: DataTable[Any] = DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        for key in COLUMNS:
            table.add_column(key.title(), key=key)
        yield table

    def on_mount(self) -> None:
        self.query_one("#runs-table", DataTable).focus()

    def load(self, api: WorkbenchApi) -> RunsData:
        return RunsData(api.runs(limit=self.RUN_LIMIT), runs_key_metrics(api.models()))

    def show(self, data: Any) -> None:
        self.data = data
        self._fill()

    # table --------------------------------------------------------------------------

    @property
    def table(self) -> DataTable[Any]:
        """The runs table."""
        return self.query_one("#runs-table", DataTable)

    def visible_runs(self) -> list[RunRecord]:
        """Runs passing the filter, in the chosen order."""
        needle = self.query_one("#runs-filter", Input).value.strip().lower()
        runs = [r for r in self.data.runs if not needle or needle in self._haystack(r)]
        return sorted(runs, key=self._sort_value, reverse=self.sort_reverse)

    def _haystack(self, run: RunRecord) -> str:
        datasets = " ".join(map(str, run.dataset_ids))
        return f"{run.id} {run.status} {run.trigger} {run.pipeline} {datasets}".lower()

    def _sort_value(self, run: RunRecord) -> Any:
        now = self.workbench.clock()
        if self.sort_key == "duration":
            end = run.finished_at or now
            return (end - run.started_at).total_seconds() if run.started_at else -1.0
        if self.sort_key == "metric":
            metric = self.data.metrics.get(run.id)
            return metric[1] if metric else float("-inf")
        values = {
            "run": run.id,
            "status": run.status,
            "trigger": run.trigger,
            "datasets": len(run.dataset_ids),
            "created": run.created_at.timestamp(),
        }
        return values[self.sort_key]

    def _fill(self) -> None:
        table = self.table
        selected = self.selected_run_id()
        now = self.workbench.clock()
        table.clear()
        for run in self.visible_runs():
            metric = self.data.metrics.get(run.id)
            table.add_row(
                Text(str(run.id), justify="right"),
                status_text(run.status),
                run.trigger,
                ",".join(map(str, run.dataset_ids)) or "-",
                ago(run.created_at, now),
                span(run.started_at, run.finished_at, now),
                f"{metric[0]} {metric_value(metric[1])}" if metric else "-",
                key=str(run.id),
            )
        sort_label = f"{self.sort_key} {'↓' if self.sort_reverse else '↑'}"
        table.border_title = f"{table.row_count} run(s), sorted by {sort_label}"
        if selected is not None and str(selected) in table.rows:
            table.move_cursor(row=table.get_row_index(str(selected)))

    def selected_run_id(self) -> int | None:
        """The run under the cursor."""
        table = self.table
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key.value is not None else None

    # actions ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_run()

    def action_open_run(self) -> None:
        """Show the selected run's tasks, params and metrics."""
        run_id = self.selected_run_id()
        if run_id is not None:
            self.app.push_screen(RunDetailScreen(run_id))

    def action_filter(self) -> None:
        """Put the cursor in the filter box."""
        self.query_one("#runs-filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Empty the filter and go back to the table."""
        self.query_one("#runs-filter", Input).value = ""
        self.table.focus()

    def action_cycle_sort(self) -> None:
        """Sort by the next column (newest/largest first)."""
        self.sort_key = COLUMNS[(COLUMNS.index(self.sort_key) + 1) % len(COLUMNS)]
        self.sort_reverse = self.sort_key in ("run", "created", "duration", "metric")
        self._fill()

    def action_new_run(self) -> None:
        """Train on the training window now."""
        self.workbench.start_run()
