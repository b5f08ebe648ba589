"""One model version's quality report: curves, calibration, confusion, residuals, importance.

Pushed over the Models screen (key ``r``); Escape goes back. The report is fetched once
(it never changes for a version) and each part gets its own tab; tabs that do not apply
to the version's task are hidden.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from workbench.core.quality import QualityReport
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets.quality_plots import CurvePlot, ImportancePlot, ResidualPlot

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi

TABS = ("tab-curves", "tab-calibration", "tab-confusion", "tab-residuals", "tab-importance")
"""Every tab, in order."""

_TASK_TABS = {
    "binary": ("tab-curves", "tab-calibration", "tab-confusion", "tab-importance"),
    "multiclass": ("tab-calibration", "tab-confusion", "tab-importance"),
    "regression": ("tab-residuals", "tab-importance"),
}


def summary_text(version: int, report: QualityReport | None) -> Text:
    """The line above the tabs: what the report was computed on, and its headline numbers."""
    if report is None:
        return Text(
            f"v{version} has no quality report: versions registered before reports were "
            "recorded have none",
            style="yellow",
        )
    text = Text(f"v{version} ", style="bold")
    text.append(f"{report.task}, {report.rows} test rows")
    if report.threshold is not None:
        text.append(f", threshold {report.threshold:.3g} for {report.positive_label!r}")
    for name, curve in (("roc_auc", report.roc), ("average_precision", report.precision_recall)):
        if curve is not None:
            text.append(f"  {name} ", style="dim")
            text.append(f"{curve.area:.4f}", style="bold")
    if report.residuals is not None:
        text.append("  rmse ", style="dim")
        text.append(f"{report.residuals.rmse:.4g}", style="bold")
    return text


class ModelReportScreen(WorkbenchScreen):
    """The quality report of one model version."""

    MODE = "models"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the models table"),
        Binding("c", "show_tab('tab-curves')", "Curves", tooltip="ROC and precision-recall"),
        Binding("k", "show_tab('tab-calibration')", "Calibration"),
        Binding("m", "show_tab('tab-confusion')", "Confusion", tooltip="At the threshold"),
        Binding("i", "show_tab('tab-importance')", "Importance", tooltip="Top input columns"),
    ]
    DEFAULT_CSS = """
    ModelReportScreen #report-summary { height: auto; padding: 0 1; }
    ModelReportScreen #report-tabs { height: 1fr; }
    ModelReportScreen #report-curves CurvePlot { width: 1fr; }
    ModelReportScreen #report-confusion { height: auto; max-height: 100%; }
    """

    def __init__(self, version: int) -> None:
        super().__init__()
        self.version = version
        """The model version shown."""
        self.report: QualityReport | None = None
        """What was fetched (None until loaded, or when the version has no report)."""

    def compose_body(self) -> ComposeResult:
        yield Static(f"v{self.version}: loading the quality report", id="report-summary")
        with TabbedContent(id="report-tabs"):
            with TabPane("Curves", id="tab-curves"), Horizontal(id="report-curves"):
                yield CurvePlot(id="report-roc")
                yield CurvePlot(id="report-pr")
            with TabPane("Calibration", id="tab-calibration"):
                yield CurvePlot(id="report-calibration")
            with TabPane("Confusion", id="tab-confusion"):
                yield DataTable(id="report-confusion", cursor_type="none")
            with TabPane("Residuals", id="tab-residuals"):
                yield ResidualPlot(id="report-residuals")
            with TabPane("Importance", id="tab-importance"):
                yield ImportancePlot(id="report-importance")

    def load(self, api: WorkbenchApi) -> QualityReport | None:
        return api.model_report(self.version)

    def show(self, data: Any) -> None:
        report: QualityReport | None = data
        self.report = report
        self.query_one("#report-summary", Static).update(summary_text(self.version, report))
        tabs = self.query_one("#report-tabs", TabbedContent)
        shown = _TASK_TABS.get(report.task, TABS) if report is not None else ()
        for tab in TABS:
            if tab in shown:
                tabs.show_tab(tab)
            else:
                tabs.hide_tab(tab)
        if report is None:
            return
        if tabs.active not in shown:
            tabs.active = shown[0]
        self.query_one("#report-roc", CurvePlot).draw_curve(
            "ROC", report.roc, ("false positive rate", "true positive rate")
        )
        self.query_one("#report-pr", CurvePlot).draw_curve(
            "precision-recall", report.precision_recall, ("recall", "precision")
        )
        self.query_one("#report-calibration", CurvePlot).draw_calibration(report.calibration)
        self.query_one("#report-residuals", ResidualPlot).draw(report.residuals)
        self.query_one("#report-importance", ImportancePlot).draw(
            report.importances, report.importance_metric
        )
        self._confusion(report)

    def _confusion(self, report: QualityReport) -> None:
        table = self.query_one("#report-confusion", DataTable)
        table.clear(columns=True)
        confusion = report.confusion
        if confusion is None:
            return
        table.add_column("true \\ predicted", key="truth")
        for label in confusion.labels:
            table.add_column(label, key=label)
        for i, (label, row) in enumerate(zip(confusion.labels, confusion.counts, strict=True)):
            table.add_row(
                Text(label, style="bold"),
                *(
                    Text(str(c), style="bold green" if i == j else "", justify="right")
                    for j, c in enumerate(row)
                ),
                key=label,
            )
        at = f" at threshold {report.threshold:.3g}" if report.threshold is not None else ""
        table.border_title = f"{confusion.total} test rows{at}"

    def action_show_tab(self, tab: str) -> None:
        """Switch to a tab, if it applies to this version's task."""
        tabs = self.query_one("#report-tabs", TabbedContent)
        if self.report is not None and tab in _TASK_TABS.get(self.report.task, TABS):
            tabs.active = tab

    def action_back(self) -> None:
        """Back to the Models screen."""
        self.dismiss()
