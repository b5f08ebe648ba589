"""A metric across model versions, drawn in the terminal with plotext."""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

from workbench.core.records import ModelVersionRecord


def metric_points(
    models: Sequence[ModelVersionRecord], metric: str
) -> tuple[list[int], list[float]]:
    """(versions, values) of ``metric``, oldest version first, skipping versions without it."""
    pairs = sorted((m.version, m.metrics[metric]) for m in models if metric in m.metrics)
    return [v for v, _ in pairs], [value for _, value in pairs]


class MetricPlot(PlotextPlot):
    """One metric per model version, so a person sees whether retraining helps."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.points: tuple[list[int], list[float]] = ([], [])
        """What is drawn: versions and values."""

    def draw(self, models: Sequence[ModelVersionRecord], metric: str | None) -> None:
        """Plot ``metric`` for ``models`` (or an empty frame when there is nothing)."""
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        self.points = metric_points(models, metric) if metric else ([], [])
        versions, values = self.points
        plt.title(f"{metric} by model version" if metric else "no metrics yet")
        plt.xlabel("model version")
        if versions:
            plt.plot(versions, values, marker="braille")
            plt.scatter(versions, values, marker="dot")
            plt.xticks([float(v) for v in versions], [f"v{v}" for v in versions])
        self.refresh()
