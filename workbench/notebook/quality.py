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
from workbench.notebook import markup
from workbench.notebook.charts import bar_list, count_bars, unit_curve
from workbench.notebook.markup import Safe


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
    """The names of the parts drawn and the HTML drawing them."""
    parts: list[str] = []
    charts: list[object] = []
    if report.roc is not None:
        parts.append("roc")
        charts.append(
            unit_curve(
                report.roc.x,
                report.roc.y,
                title=f"ROC (roc_auc {report.roc.area:.4f})",
                x_label="false positive rate",
                y_label="true positive rate",
            )
        )
    if report.precision_recall is not None:
        parts.append("precision_recall")
        curve = report.precision_recall
        charts.append(
            unit_curve(
                curve.x,
                curve.y,
                title=f"Precision-recall (AP {curve.area:.4f})",
                x_label="recall",
                y_label="precision",
                diagonal=False,
            )
        )
    if report.calibration is not None:
        parts.append("calibration")
        brier = report.calibration.brier
        shown = f", Brier {brier:.4f}" if brier is not None else ""
        charts.append(
            unit_curve(
                report.calibration.predicted,
                report.calibration.observed,
                title=f"Calibration{shown}",
                x_label=f"predicted probability ({report.calibration.of})",
                y_label="observed share",
            )
        )
    below: list[object] = []
    if report.confusion is not None:
        parts.append("confusion")
        below.append(_confusion(report.confusion, report.threshold))
    if report.residuals is not None:
        parts.append("residuals")
        r = report.residuals
        labels = [f"{(a + b) / 2:.3g}" for a, b in itertools.pairwise(r.edges)]
        below.append(
            markup.heading(
                f"Residuals (truth - prediction): mean {r.mean:.4g}, "
                f"rmse {r.rmse:.4g}, mae {r.mae:.4g}"
            )
        )
        below.append(count_bars(labels, r.counts, title="rows by residual"))
    if report.importances:
        parts.append("importance")
        change = "rise in" if report.importance_metric == "rmse" else "drop in"
        below.append(
            markup.heading(
                f"Permutation importance: {change} {report.importance_metric} when a column is "
                f"shuffled (top {len(report.importances)} of {report.columns})"
            )
        )
        below.append(
            bar_list(
                [(i.column, i.mean) for i in report.importances], title="permutation importance"
            )
        )
    head = f"Quality report of v{version}: {report.task}, {report.rows} test rows"
    if report.threshold is not None:
        head += f", threshold {report.threshold:.3g} for {report.positive_label!r}"
    row = Safe(
        '<div style="display:flex;flex-wrap:wrap;gap:12px">'
        + "".join(f"<div>{chart}</div>" for chart in charts)
        + "</div>"
    )
    return tuple(parts), markup.block(markup.heading(head), row, *below)


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
