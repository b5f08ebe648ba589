"""Data: ingested datasets with their validation status, quarantine reasons, columns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from workbench.core.records import DatasetRecord
from workbench.core.vocabulary import DatasetStatus, validation_verdict
from workbench.tui.formatting import ago, status_text
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.table_cursor import cursor_key

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi


class DataScreen(WorkbenchScreen):
    """Datasets (accepted and quarantined) above the columns of the selected one."""

    MODE = "data"
    RELOAD_ON = ("dataset.", "contract.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5", "refresh", "Refresh", tooltip="Fetch the datasets again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.datasets: list[DatasetRecord] = []
        """What was fetched last, newest first."""

    def compose_body(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(
            id="datasets-table", cursor_type="row", zebra_stripes=True
        )
        for key in ("id", "name", "validation", "rows", "columns", "ingested", "reason"):
            table.add_column(key.title(), key=key)
        yield table
        columns: DataTable[Any] = DataTable(id="columns-table", cursor_type="row")
        columns.add_columns("column", "dtype")
        columns.border_title = "Columns"
        yield columns

    def on_mount(self) -> None:
        self.query_one("#datasets-table", DataTable).focus()

    def load(self, api: WorkbenchApi) -> list[DatasetRecord]:
        return api.datasets()

    def show(self, data: Any) -> None:
        self.datasets = data
        reasons = self.workbench.event_log.quarantine_reasons()
        now = self.workbench.clock()
        table = self.query_one("#datasets-table", DataTable)
        table.clear()
        for dataset in self.datasets:
            table.add_row(
                Text(str(dataset.id), justify="right"),
                dataset.name,
                status_text(validation_verdict(dataset.status)),
                Text(f"{dataset.rows:,}", justify="right"),
                Text(str(len(dataset.columns)), justify="right"),
                ago(dataset.ingested_at, now),
                Text(reasons.get(dataset.id, ""), style="red"),
                key=str(dataset.id),
            )
        quarantined = sum(1 for d in self.datasets if d.status == DatasetStatus.QUARANTINED)
        table.border_title = f"{len(self.datasets)} dataset(s), {quarantined} quarantined"
        self._show_columns()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "datasets-table":
            self._show_columns()

    def _show_columns(self) -> None:
        table = self.query_one("#datasets-table", DataTable)
        columns = self.query_one("#columns-table", DataTable)
        columns.clear()
        key = cursor_key(table)
        if key is None:
            columns.border_title = "Columns"
            return
        dataset = next((d for d in self.datasets if str(d.id) == key), None)
        if dataset is None:
            return
        columns.border_title = f"Columns of {dataset.name}"
        for name, dtype in dataset.columns.items():
            columns.add_row(name, dtype)

    def action_refresh(self) -> None:
        self.reload()
