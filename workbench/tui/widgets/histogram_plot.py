"""Reference vs current histogram of one column, from a stored drift report."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from workbench.core.drift_report import ColumnDrift, Histogram


def shares(counts: tuple[int, ...]) -> list[float]:
    """Counts as shares of their total (two samples of different sizes compare)."""
    total = sum(counts) or 1
    return [c / total for c in counts]


def bin_labels(histogram: Histogram) -> list[str]:
    """Category names, or the lower edge of each numeric bin."""
    if histogram.labels:
        return list(histogram.labels)
    return [f"{edge:.3g}" for edge in (histogram.edges or ())[:-1]]


class HistogramPlot(PlotextPlot):
    """Side-by-side bars: the reference (training data) and the current data."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.column: str | None = None
        """The column drawn, if any."""

    def draw(self, column: ColumnDrift | None) -> None:
        """Plot one column of a drift report."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.column = column.column if column else None
        if column is None:
            plt.title("no column histogram yet")
            self.refresh()
            return
        histogram = column.histogram
        labels = bin_labels(histogram)
        plt.multiple_bar(
            labels,
            [shares(histogram.reference), shares(histogram.current)],
            labels=["reference", "current"],  # type: ignore[call-arg]  # the stub lags the code
        )
        verdict = "drift" if column.drifted else "no drift"
        plt.title(f"{column.column}: {column.method} {column.statistic:.3g} ({verdict})")
        self.refresh()
