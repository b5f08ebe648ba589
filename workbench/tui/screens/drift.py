"""Drift: the latest drift report per column, a column's histograms, metric history.

The left panel lists every column of the newest stored drift report (method, statistic,
threshold, verdict; target apart); the chosen column's reference and current histograms
are drawn below it from the stored bins, so nothing is recomputed. The right panel plots
a metric across model versions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Select, Static

from workbench.core.drift_report import DriftReport
from workbench.core.records import ModelVersionRecord
from workbench.core.vocabulary import metric_names
from workbench.tui.formatting import ago, level_text
from workbench.tui.messages import EventArrived
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets.histogram_plot import HistogramPlot
from workbench.tui.widgets.metric_plot import MetricPlot

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi


class DriftScreen(WorkbenchScreen):
    """Drift reports on the left, a metric across model versions on the right."""

    MODE = "drift"
    RELOAD_ON = ("model.registered", "drift")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("m", "choose_metric", "Metric", tooltip="Choose the metric to plot"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.models: list[ModelVersionRecord] = []
        """Versions fetched last."""
        self.report: DriftReport | None = None
        """The newest stored drift report, if any."""

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="drift-body"):
            with Vertical(id="drift-left", classes="panel") as left:
                left.border_title = "Latest drift report"
                yield Static("", id="drift-reports")
                yield Select[str]([], prompt="column", id="drift-column", allow_blank=True)
                yield HistogramPlot(id="drift-histogram")
            with Vertical(id="drift-history", classes="panel") as history:
                history.border_title = "Metric history"
                yield Select[str]([], prompt="metric", id="drift-metric", allow_blank=True)
                yield MetricPlot(id="drift-plot")

    def load(self, api: WorkbenchApi) -> tuple[list[ModelVersionRecord], DriftReport | None]:
        reports = api.drift_reports(limit=1)
        return api.models(), (api.drift_report(reports[0].id) if reports else None)

    def show(self, data: Any) -> None:
        self.models, self.report = data
        self._columns()
        select = self.query_one("#drift-metric", Select)
        names = metric_names([m.metrics for m in self.models])
        current = select.value if select.value in names else (names[0] if names else None)
        select.set_options([(n, n) for n in names])
        if current is not None:
            select.value = current
        self._plot()
        self._reports()

    def _plot(self) -> None:
        value = self.query_one("#drift-metric", Select).value
        metric = value if isinstance(value, str) else None
        self.query_one("#drift-plot", MetricPlot).draw(self.models, metric)

    def _columns(self) -> None:
        """Fill the column chooser from the report, drifted columns first."""
        columns = self.report.columns if self.report is not None else ()
        ordered = sorted(columns, key=lambda c: (not c.drifted, c.column))
        select = self.query_one("#drift-column", Select)
        names = [c.column for c in ordered]
        select.set_options([(n, n) for n in names])
        if names:
            select.value = names[0]
        self._histogram()

    def _histogram(self) -> None:
        value = self.query_one("#drift-column", Select).value
        columns = self.report.columns if self.report is not None else ()
        column = next((c for c in columns if c.column == value), None)
        self.query_one("#drift-histogram", HistogramPlot).draw(column)

    def _report_table(self, report: DriftReport) -> Table:
        table = Table(expand=True, box=None)
        for header in ("column", "method", "statistic", "threshold", "PSI", ""):
            table.add_column(header)
        rows = [(c.column, c) for c in report.columns]
        if report.target is not None:
            rows.append((f"{report.target.column} (target)", report.target))
        for name, c in rows:
            table.add_row(
                name,
                c.method,
                f"{c.statistic:.3g}",
                f"{c.threshold:.3g}",
                f"{c.psi:.2f}",
                Text("drift", style="bold red") if c.drifted else Text("ok", style="green"),
            )
        return table

    def _reports(self) -> None:
        if self.report is not None:
            report = self.report
            verdict = "dataset drift" if report.dataset_drift else "no dataset drift"
            head = Text(
                f"{verdict}: {report.share_drifted:.0%} of columns drifted",
                style="bold red" if report.dataset_drift else "bold green",
            )
            self.query_one("#drift-reports", Static).update(Group(head, self._report_table(report)))
            return
        now = self.workbench.clock()
        events = self.workbench.event_log.of_kind("drift")[-8:]
        lines: list[Text] = [
            Text.assemble(f"{ago(e.ts, now):>10}  ", level_text(e.level, e.message))
            for e in reversed(events)
        ]
        if not lines:
            lines.append(Text("No drift report yet.", style="bold"))
            lines.append(
                Text(
                    "Reports appear here when the drift monitor compares new data or "
                    "predictions with the reference; per-column histograms follow once "
                    "the engine reports them.",
                    style="dim",
                )
            )
        self.query_one("#drift-reports", Static).update(Group(*lines))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "drift-column":
            self._histogram()
        else:
            self._plot()

    def event_arrived(self, message: EventArrived) -> None:
        if message.event.kind.startswith("drift") and self.report is None:
            self._reports()

    def log_replayed(self) -> None:
        self._reports()

    def action_choose_metric(self) -> None:
        """Open the metric chooser."""
        select = self.query_one("#drift-metric", Select)
        select.focus()
        select.action_show_overlay()
