"""One metric of one run over its steps (a learning curve), drawn in the terminal.

A metric row of the run screen can stand for several keys (``random_forest.roc_auc``
and ``logistic_regression.roc_auc`` share the row ``roc_auc``), so the plot takes one
series per key, each labelled with its column. Most metrics are logged once, at step
0: such a series is drawn as a single point, and the title says so, so an empty-looking
plot is not mistaken for a missing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual.app import RenderResult
from textual_plotext import PlotextPlot

from workbench.core.formatting import aware, metric_value
from workbench.core.records import MetricRecord

MAX_STEP_TICKS = 12
"""With at most this many distinct steps, each gets its own tick (whole steps only)."""

FRAME_ROWS = 5
"""Rows of the widget that are not plot area: title, frame top and bottom, ticks, label."""


@dataclass(frozen=True)
class Series:
    """The points of one metric key in a run, in step order."""

    key: str
    """The metric's full key, e.g. ``curve.roc_auc``."""
    label: str
    """What the legend calls it (the metrics table's column, e.g. ``curve``)."""
    steps: tuple[int, ...]
    """Step of each point, ascending."""
    values: tuple[float, ...]
    """Value of each point."""


def series_of(key: str, label: str, points: Sequence[MetricRecord]) -> Series:
    """The points of ``key`` ordered by step (a step logged twice: by time)."""
    ordered = sorted(points, key=lambda p: (p.step, aware(p.ts)))
    return Series(key, label, tuple(p.step for p in ordered), tuple(p.value for p in ordered))


def history_title(metric: str, series: Sequence[Series]) -> str:
    """The plot's title: the metric, and which series are a single point (kept short:
    plotext drops a title wider than the plot)."""
    drawn = [s for s in series if s.steps]
    if not drawn:
        return f"{metric}: no points logged"
    singles = [s for s in drawn if len(s.steps) == 1]
    if len(drawn) == 1 and singles:
        only = singles[0]
        return f"{metric}: one point, step {only.steps[0]} = {metric_value(only.values[0])}"
    if len(singles) == len(drawn):
        return f"{metric}: one point each, step {drawn[0].steps[0]}"
    title = f"{metric} by step"
    if singles:
        title += f" ({', '.join(s.label for s in singles)}: one point)"
    return title


def y_limits(values: Sequence[float], legend_rows: int, plot_rows: int) -> tuple[float, float]:
    """The y range: the values with a margin, and room above them for the legend.

    plotext writes the legend over the top-left corner, which is where a curve starts
    and where points logged once at step 0 sit; the headroom keeps them visible.
    """
    low, high = min(values), max(values)
    pad = (high - low) * 0.05 if high > low else max(abs(low) * 0.05, 1e-3)
    low, high = low - pad, high + pad
    if legend_rows:
        usable = max(plot_rows - legend_rows - 1, 1)
        high += (high - low) * (legend_rows + 1) / usable
    return low, high


class HistoryPlot(PlotextPlot):
    """A metric's values over the steps of one run, one line per key."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.metric: str | None = None
        """The metric row drawn, if any."""
        self.series: tuple[Series, ...] = ()
        """What is drawn, one entry per key."""
        self.title = ""
        """The title on display (it says when a series is a single point)."""

    def points(self, key: str) -> list[tuple[int, float]]:
        """The (step, value) points drawn for ``key`` (empty when it is not drawn)."""
        for series in self.series:
            if series.key == key:
                return list(zip(series.steps, series.values, strict=True))
        return []

    def draw(self, metric: str | None, series: Sequence[Series]) -> None:
        """Plot ``series`` of ``metric`` (or an empty frame saying what to do)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.metric = metric
        self.series = tuple(series)
        self.title = history_title(metric, series) if metric else "no metrics logged yet"
        plt.title(self.title)
        plt.xlabel("step")
        drawn = [s for s in self.series if s.steps]
        steps = sorted({step for s in drawn for step in s.steps})
        for item in drawn:
            label = item.label if len(drawn) > 1 else None  # one series: the title names it
            if len(item.steps) > 1:
                plt.plot(item.steps, item.values, marker="braille", label=label)
                plt.scatter(item.steps, item.values, marker="dot")
            else:
                plt.scatter(item.steps, item.values, marker="●", label=label)
        if steps:
            low, high = steps[0], steps[-1]
            if low == high:  # one step only: give the point room instead of a zero-wide axis
                plt.xlim(low - 1, high + 1)
            if len(steps) <= MAX_STEP_TICKS:
                plt.xticks([float(s) for s in steps], [str(s) for s in steps])
        self.refresh()

    def render(self) -> RenderResult:
        drawn = [s for s in self.series if s.steps]
        if drawn:  # here, where the size is known: the legend's headroom depends on it
            values = [v for s in drawn for v in s.values]
            legend = len(drawn) if len(drawn) > 1 else 0
            self.plt.ylim(*y_limits(values, legend, self.size.height - FRAME_ROWS))
        return super().render()
