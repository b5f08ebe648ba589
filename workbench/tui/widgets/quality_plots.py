"""The plots of a quality report, drawn in the terminal with plotext.

Each widget is given one part of a :class:`QualityReport` and redraws itself; with
nothing to draw it says so in its title rather than showing an empty frame.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from textual_plotext import PlotextPlot

from workbench.core.quality import Calibration, Curve, Importance, Residuals


class CurvePlot(PlotextPlot):
    """One curve over the unit square, with the reference line a useless model draws."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.points = 0
        """How many points are drawn (tests read it)."""

    def draw(
        self,
        title: str,
        x: Sequence[float],
        y: Sequence[float],
        *,
        labels: tuple[str, str],
        reference: tuple[tuple[float, float], tuple[float, float]] | None = None,
    ) -> None:
        """Plot ``(x, y)`` as a line; ``reference`` is a dashed segment (e.g. the diagonal)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.points = len(x)
        # plotext puts the y label under the plot, beside the x label: one title reads better
        plt.title(f"{title}: {labels[1]} by {labels[0]}" if x else title)
        plt.xlim(0.0, 1.0)
        plt.ylim(0.0, 1.0)
        if reference is not None:
            (x0, y0), (x1, y1) = reference
            plt.plot([x0, x1], [y0, y1], marker="dot", color="gray")
        if x:
            plt.plot(list(x), list(y), marker="braille", color="cyan")
        self.refresh()

    def draw_curve(self, title: str, curve: Curve | None, labels: tuple[str, str]) -> None:
        """Plot a ROC (diagonal reference) or precision-recall curve."""
        if curve is None:
            self.draw(f"{title}: not defined for this task", (), (), labels=labels)
            return
        diagonal = ((0.0, 0.0), (1.0, 1.0)) if labels[0] == "false positive rate" else None
        self.draw(title, curve.x, curve.y, labels=labels, reference=diagonal)

    def draw_calibration(self, calibration: Calibration | None) -> None:
        """Observed share against predicted probability; the diagonal is perfect calibration."""
        if calibration is None:
            self.draw("calibration: regression has none", (), (), labels=("", ""))
            return
        brier = f", Brier {calibration.brier:.4f}" if calibration.brier is not None else ""
        self.draw(
            f"calibration of the {calibration.of}{brier}",
            calibration.predicted,
            calibration.observed,
            labels=("predicted probability", "observed share"),
            reference=((0.0, 0.0), (1.0, 1.0)),
        )


class ImportancePlot(PlotextPlot):
    """Permutation importance as horizontal bars, most important on top."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns: tuple[str, ...] = ()
        """The columns drawn, most important first."""

    def draw(self, importances: Sequence[Importance], metric: str) -> None:
        """Bars of each column's mean importance (negative ones drawn as zero)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.columns = tuple(i.column for i in importances)
        if not importances:
            plt.title("no permutation importance in this report")
            self.refresh()
            return
        change = "rise in" if metric == "rmse" else "drop in"
        plt.title(f"permutation importance: {change} {metric} when a column is shuffled")
        ordered = list(reversed(importances))  # plotext draws the first bar at the bottom
        plt.bar(
            [i.column[:24] for i in ordered],
            [max(i.mean, 0.0) for i in ordered],
            orientation="horizontal",
            color="cyan",
            width=0.6,
        )
        self.refresh()


class ResidualPlot(PlotextPlot):
    """The histogram of a regression's residuals (truth minus prediction)."""

    def draw(self, residuals: Residuals | None) -> None:
        """Bars per residual bin, labelled by the bin's centre."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if residuals is None:
            plt.title("residuals: regression only")
            self.refresh()
            return
        edges = residuals.edges
        centres = [(a + b) / 2 for a, b in itertools.pairwise(edges)]
        plt.title(
            f"rows by residual (truth - prediction): mean {residuals.mean:.4g}, "
            f"rmse {residuals.rmse:.4g}"
        )
        plt.bar(centres, list(residuals.counts), color="cyan")
        self.refresh()
