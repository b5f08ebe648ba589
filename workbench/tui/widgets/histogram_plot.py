"""Reference vs current histogram of one column, from a stored drift report."""

from __future__ import annotations

from typing import Any

from textual_plotext import PlotextPlot


def shares(counts: list[int]) -> list[float]:
    """Counts as shares of their total (two samples of different sizes compare)."""
    total = sum(counts) or 1
    return [c / total for c in counts]


def bin_labels(histogram: dict[str, Any]) -> list[str]:
    """Category names, or the lower edge of each numeric bin."""
    if histogram.get("labels"):
        return [str(label) for label in histogram["labels"]]
    edges = histogram.get("edges") or []
    return [f"{edge:.3g}" for edge in edges[:-1]]


class HistogramPlot(PlotextPlot):
    """Side-by-side bars: the reference (training data) and the current data."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.column: str | None = None
        """The column drawn, if any."""

    def draw(self, column: dict[str, Any] | None) -> None:
        """Plot one column of a drift report (``DriftReport.to_dict()["columns"][i]``)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.column = column["column"] if column else None
        if column is None or not column.get("histogram"):
            plt.title("no column histogram yet")
            self.refresh()
            return
        histogram = column["histogram"]
        labels = bin_labels(histogram)
        plt.multiple_bar(
            labels,
            [shares(list(histogram["reference"])), shares(list(histogram["current"]))],
            labels=["reference", "current"],  # type: ignore[call-arg]  # the stub lags the code
        )
        verdict = "drift" if column.get("drifted") else "no drift"
        plt.title(f"{column['column']}: {column['method']} {column['statistic']:.3g} ({verdict})")
        self.refresh()
