"""Drift: the monitor's reports and, until it reports per column, model metric history.

The api does not yet expose drift reports or column histograms; the screen shows drift
events from the log and the key metric across model versions (real data), and says so
plainly instead of drawing made-up numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Select, Static

from workbench.core.records import ModelVersionRecord
from workbench.tui.formatting import KEY_METRICS, ago, level_text
from workbench.tui.messages import EventArrived
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets.metric_plot import MetricPlot

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi


def metric_names(models: list[ModelVersionRecord]) -> list[str]:
    """Every metric any version has, the preferred ones first."""
    names = {k for m in models for k in m.metrics}
    preferred = [n for n in KEY_METRICS if n in names]
    return preferred + sorted(names - set(preferred))


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

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="drift-body"):
            reports = Static("", id="drift-reports", classes="panel")
            reports.border_title = "Drift reports"
            yield reports
            with Vertical(id="drift-history", classes="panel") as history:
                history.border_title = "Metric history"
                yield Select[str]([], prompt="metric", id="drift-metric", allow_blank=True)
                yield MetricPlot(id="drift-plot")

    def load(self, api: WorkbenchApi) -> list[ModelVersionRecord]:
        return api.models()

    def show(self, data: Any) -> None:
        self.models = data
        select = self.query_one("#drift-metric", Select)
        names = metric_names(self.models)
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

    def _reports(self) -> None:
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
        self._plot()

    def event_arrived(self, message: EventArrived) -> None:
        if message.event.kind.startswith("drift"):
            self._reports()

    def log_replayed(self) -> None:
        self._reports()

    def action_choose_metric(self) -> None:
        """Open the metric chooser."""
        select = self.query_one("#drift-metric", Select)
        select.focus()
        select.action_show_overlay()
