"""A model version's quality report as charts in the Models tab.

ROC, precision-recall and calibration curves, the confusion matrix at the threshold,
the residual histogram of a regression, and permutation importance as bars: the same
parts the TUI and ``workbench models N --report`` show, drawn as inline SVG.
"""

from __future__ import annotations

import itertools
from typing import Self

import ipywidgets as widgets
import traitlets

from workbench.core.quality import ConfusionMatrix, QualityReport
from workbench.notebook.views import markup
from workbench.notebook.views.charts import bar_list, count_bars, unit_curve
from workbench.notebook.views.markup import Safe


class ReportView(widgets.HTML):
    """The quality report of one version; its traits say what is shown (tests read them)."""

    version = traitlets.Int(None, allow_none=True, help="The version whose report is shown.")
    parts = traitlets.Tuple(help="The parts drawn: roc, precision_recall, calibration, ...")

    def show(self, version: int | None, report: QualityReport | None) -> Self:
        """Draw ``report`` (None: say the version has none)."""
        with self.hold_sync():
            self.version = version
            if version is None:
                self.parts, self.value = (), ""
            elif report is None:
                self.parts = ()
                self.value = markup.block(
                    markup.heading(f"Quality report of v{version}"),
                    markup.note(
                        "no quality report: versions registered before reports were "
                        "recorded have none"
                    ),
                )
            else:
                parts, html = report_html(version, report)
                self.parts, self.value = parts, html
        return self

    def failed(self, version: int, message: str) -> None:
        """The report could not be fetched: say why in place of the charts."""
        with self.hold_sync():
            self.version, self.parts = version, ()
            self.value = markup.error(f"quality report of v{version}: {message}")


def report_html(version: int, report: QualityReport) -> tuple[tuple[str, ...], Safe]:
    """The names of the parts drawn and the HTML drawing them.

    The curves sit side by side (they wrap on a narrow notebook); the confusion matrix,
    residuals and importance follow below them.
    """
    charts = _curves(report)
    below = _details(report)
    head = f"Quality report of v{version}: {report.task}, {report.rows} test rows"
    if report.threshold is not None:
        head += f", threshold {report.threshold:.3g} for {report.positive_label!r}"
    row = Safe(
        '<div style="display:flex;flex-wrap:wrap;gap:12px">'
        + "".join(f"<div>{chart}</div>" for _, chart in charts)
        + "</div>"
    )
    parts = tuple(name for name, _ in (*charts, *below))
    return parts, markup.block(markup.heading(head), row, *(html for _, html in below))


def _curves(report: QualityReport) -> list[tuple[str, Safe]]:
    """ROC, precision-recall and calibration charts, those the report has."""
    charts = []
    if report.roc is not None:
        title = f"ROC (roc_auc {report.roc.area:.4f})"
        charts.append(
            (
                "roc",
                unit_curve(
                    report.roc.x,
                    report.roc.y,
                    title=title,
                    x_label="false positive rate",
                    y_label="true positive rate",
                ),
            )
        )
    if (curve := report.precision_recall) is not None:
        title = f"Precision-recall (AP {curve.area:.4f})"
        chart = unit_curve(
            curve.x, curve.y, title=title, x_label="recall", y_label="precision", diagonal=False
        )
        charts.append(("precision_recall", chart))
    if (calibration := report.calibration) is not None:
        brier = f", Brier {calibration.brier:.4f}" if calibration.brier is not None else ""
        chart = unit_curve(
            calibration.predicted,
            calibration.observed,
            title=f"Calibration{brier}",
            x_label=f"predicted probability ({calibration.of})",
            y_label="observed share",
        )
        charts.append(("calibration", chart))
    return charts


def _details(report: QualityReport) -> list[tuple[str, Safe]]:
    """The confusion matrix, the residual histogram and the importance bars it has."""
    found = []
    if report.confusion is not None:
        found.append(("confusion", _confusion(report.confusion, report.threshold)))
    if (r := report.residuals) is not None:
        labels = [f"{(a + b) / 2:.3g}" for a, b in itertools.pairwise(r.edges)]
        heading = markup.heading(
            f"Residuals (truth - prediction): mean {r.mean:.4g}, rmse {r.rmse:.4g}, mae {r.mae:.4g}"
        )
        bars = count_bars(labels, r.counts, title="rows by residual")
        found.append(("residuals", Safe(heading + bars)))
    if report.importances:
        change = "rise in" if report.importance_metric == "rmse" else "drop in"
        heading = markup.heading(
            f"Permutation importance: {change} {report.importance_metric} when a column is "
            f"shuffled (top {len(report.importances)} of {report.columns})"
        )
        bars = bar_list(
            [(i.column, i.mean) for i in report.importances], title="permutation importance"
        )
        found.append(("importance", Safe(heading + bars)))
    return found


def _confusion(confusion: ConfusionMatrix, threshold: float | None) -> Safe:
    at = f" at threshold {threshold:.3g}" if threshold is not None else ""
    rows = [
        (f"true {label}", *(str(c) for c in counts))
        for label, counts in zip(confusion.labels, confusion.counts, strict=True)
    ]
    table = markup.table(
        ["", *(f"predicted {label}" for label in confusion.labels)],
        rows,
        right=range(1, len(confusion.labels) + 1),
    )
    return Safe(markup.heading(f"Confusion matrix{at} ({confusion.total} rows)") + table)
