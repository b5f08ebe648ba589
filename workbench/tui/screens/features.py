"""Features: the materialised views (freshness, rows, null shares) and one entity's
history of one feature, plotted with plotext like the other screens' charts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Footer, Input, Static
from textual_plotext import PlotextPlot

from workbench.core import feature_summary
from workbench.core.fetched import FeaturesData
from workbench.core.records import FeatureLookup
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets.nav_bar import NavBar

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi

VIEW_COLUMNS = ("view", "entity", "rows", "entities", "newest", "ttl", "nulls")
"""What the views table shows of each (see :data:`feature_summary.COLUMNS`)."""


class FeaturesScreen(WorkbenchScreen):
    """A table of views; type an entity key to plot its first feature over time."""

    MODE = "features"
    RELOAD_ON = ("features.",)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k", "focus_key", "Entity", tooltip="Type an entity key to plot"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.key = ""
        """The entity whose history is plotted."""
        self.plotted: tuple[str, list[float]] = ("", [])
        """What the plot shows: the feature and its values, oldest first."""

    def compose(self) -> ComposeResult:
        # Key 8 and the command palette open it; its tab is shown here only, so the other
        # screens' tab bars (and their snapshots) stay as they were.
        from workbench.tui.app import MORE_SCREENS, SCREENS

        yield NavBar((*SCREENS, *MORE_SCREENS), self.MODE)
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield DataTable(id="features-views", cursor_type="row")
        yield Input(placeholder="entity key (enter to plot its history)", id="features-key")
        yield Static("", id="features-latest")
        yield PlotextPlot(id="features-plot")

    def on_mount(self) -> None:
        table = self.query_one("#features-views", DataTable)
        for column in VIEW_COLUMNS:
            table.add_column(column, key=column)

    def load(self, api: WorkbenchApi) -> FeaturesData:
        from workbench.api.fetch import fetch_features  # imports the engine: the worker's job

        return fetch_features(api, self.key)  # the entity in the first view

    def show(self, data: Any) -> None:
        table = self.query_one("#features-views", DataTable)
        table.clear()
        for v in data.views:
            table.add_row(*feature_summary.cells(v, VIEW_COLUMNS))
        if not data.views:
            empty = "no feature views yet: set [features] path in workbench.toml"
            table.add_row(empty, *[""] * (len(VIEW_COLUMNS) - 1))
        self._plot(data.lookup)

    def _plot(self, lookup: FeatureLookup | None) -> None:
        plot = self.query_one("#features-plot", PlotextPlot)
        latest = self.query_one("#features-latest", Static)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if lookup is None or not lookup.history:
            latest.update("" if lookup is None else f"no stored features for {lookup.key}")
            plt.title("type an entity key above to plot its history")
            plot.refresh()
            return
        first = lookup.history[0]
        numeric = [k for k, v in first.items() if isinstance(v, int | float) and k != "timestamp"]
        latest.update(
            f"{lookup.view} {lookup.key} latest: "
            + ", ".join(f"{k}={v}" for k, v in (lookup.latest or {}).items() if k in numeric)
        )
        if numeric:
            name = numeric[0]
            xs = list(range(len(lookup.history)))
            values = [float(r[name] or 0) for r in lookup.history]
            self.plotted = (name, values)
            plt.plot(xs, values, marker="braille")
            plt.title(f"{name} of {lookup.key}, oldest to newest of {len(xs)} rows")
        plot.refresh()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.key = event.value.strip()
        self.reload()

    def action_focus_key(self) -> None:
        """Put the cursor in the entity key box."""
        self.query_one("#features-key", Input).focus()
