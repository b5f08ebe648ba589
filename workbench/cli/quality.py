"""``workbench models N --report``: a model version's quality report as rich tables.

The report's curves are long lists of points, which a terminal table cannot show; the
command prints their areas and a few threshold points, and ``--json`` gives every point.
"""

from __future__ import annotations

from rich.bar import Bar
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from workbench.core.quality import Calibration, ConfusionMatrix, Curve, QualityReport, Residuals

BAR_WIDTH = 30
"""Characters of the longest importance bar."""


def report_view(version: int, report: QualityReport) -> Group:
    """Everything in ``report``, one table per part, in reading order."""
    parts: list[RenderableType] = [Text(_headline(version, report), style="bold")]
    if report.roc is not None or report.precision_recall is not None:
        parts.append(curves_table(report))
    if report.confusion is not None:
        parts.append(confusion_table(report.confusion, report.threshold))
    if report.calibration is not None:
        parts.append(calibration_table(report.calibration))
    if report.residuals is not None:
        parts.append(residuals_table(report.residuals))
    parts.append(importance_table(report))
    return Group(*parts)


def _headline(version: int, report: QualityReport) -> str:
    line = f"model version {version}: {report.task}, {report.rows} test rows"
    if report.threshold is not None:
        line += f", threshold {report.threshold:.3g} for class {report.positive_label!r}"
    return line


def curves_table(report: QualityReport) -> Group:
    """Area under each curve and the point of each nearest the decision threshold."""
    table = Table()
    for column in ("curve", "area", "points", "x", "y", "at threshold"):
        table.add_column(column, justify="left" if column == "curve" else "right")
    for name, area_name, axes, curve in (
        ("ROC", "roc_auc", ("fpr", "tpr"), report.roc),
        ("precision-recall", "average_precision", ("recall", "precision"), report.precision_recall),
    ):
        if curve is None:
            continue
        x, y, at = _at_threshold(curve, report.threshold)
        table.add_row(
            name,
            f"{area_name} {curve.area:.4f}",
            str(len(curve.x)),
            f"{axes[0]} {x:.3f}",
            f"{axes[1]} {y:.3f}",
            "-" if at is None else f"{at:.3f}",
        )
    return _titled("Curves", table)


def _at_threshold(curve: Curve, threshold: float | None) -> tuple[float, float, float | None]:
    """The stored point whose threshold is nearest ``threshold`` (0.5 if None)."""
    wanted = 0.5 if threshold is None else threshold
    options = [(abs(t - wanted), i) for i, t in enumerate(curve.thresholds) if t is not None]
    if not options:
        return curve.x[-1], curve.y[-1], None
    i = min(options)[1]
    return curve.x[i], curve.y[i], curve.thresholds[i]


def confusion_table(confusion: ConfusionMatrix, threshold: float | None) -> Group:
    """Counts by true class (rows) and predicted class (columns)."""
    title = "Confusion matrix" + (f" at threshold {threshold:.3g}" if threshold is not None else "")
    table = Table()
    table.add_column("true \\ predicted")
    for label in confusion.labels:
        table.add_column(label, justify="right")
    for i, (label, row) in enumerate(zip(confusion.labels, confusion.counts, strict=True)):
        cells = [Text(str(c), style="green" if i == j else "") for j, c in enumerate(row)]
        table.add_row(label, *cells)
    return _titled(title, table)


def calibration_table(calibration: Calibration) -> Group:
    """Mean predicted probability against the observed share, bin by bin."""
    title = f"Calibration ({calibration.of})"
    if calibration.brier is not None:
        title += f", Brier {calibration.brier:.4f}"
    table = Table()
    for column in ("predicted", "observed", "rows"):
        table.add_column(column, justify="right")
    for predicted, observed, count in zip(
        calibration.predicted, calibration.observed, calibration.counts, strict=True
    ):
        table.add_row(f"{predicted:.3f}", f"{observed:.3f}", str(count))
    return _titled(title, table)


def residuals_table(residuals: Residuals) -> Group:
    """Bias, spread and quantiles of truth minus prediction."""
    table = Table()
    table.add_column("statistic")
    table.add_column("value", justify="right")
    for name, value in (
        ("mean", residuals.mean),
        ("std", residuals.std),
        ("mae", residuals.mae),
        ("rmse", residuals.rmse),
        *residuals.quantiles.items(),
    ):
        table.add_row(name, f"{value:.4g}")
    return _titled("Residuals (truth - prediction)", table)


def importance_table(report: QualityReport) -> Group | Text:
    """The input columns the model leans on, as bars scaled to the most important one."""
    if not report.importances:
        return Text("no permutation importance in this report", style="dim")
    change = "rise in" if report.importance_metric == "rmse" else "drop in"
    title = (
        f"Permutation importance: {change} {report.importance_metric} when shuffled "
        f"(top {len(report.importances)} of {report.columns} columns, "
        f"{report.importance_rows} rows x {report.importance_repeats})"
    )
    table = Table()
    table.add_column("column")
    table.add_column("importance", justify="right")
    table.add_column("", width=BAR_WIDTH)
    peak = max(*(i.mean for i in report.importances), 1e-12)
    for item in report.importances:
        size = max(item.mean, 0.0) / peak * BAR_WIDTH
        table.add_row(
            item.column,
            f"{item.mean:.4f} ± {item.std:.4f}",
            Bar(BAR_WIDTH, 0, size, width=BAR_WIDTH, color="cyan"),
        )
    return _titled(title, table)


def _titled(title: str, table: Table) -> Group:
    """A heading line above ``table`` (a table's own title wraps to the table's width)."""
    return Group(Text(""), Text(title, style="bold"), table)
