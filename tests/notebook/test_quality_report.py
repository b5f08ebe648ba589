"""The Models panel draws the selected version's quality report (widget traits, no browser)."""

from __future__ import annotations

import html
import re

import polars as pl
from sklearn.datasets import load_diabetes

from tests.model_reports import forget_report, record_report
from tests.notebook.conftest import wait_for_trait
from workbench.api import WorkbenchApi
from workbench.notebook import models_panel
from workbench.notebook.panels.quality_report import ReportView
from workbench.notebook.views.charts import bar_list, unit_curve
from workbench.training import fit_candidate, plan_features, split_frame
from workbench.training.quality import quality_report

BINARY_PARTS = ("roc", "precision_recall", "calibration", "confusion", "importance")


def test_the_selected_versions_report_is_drawn_and_another_version_says_it_has_none(
    api: WorkbenchApi,
) -> None:
    report = record_report(api.engine, 2)  # type: ignore[attr-defined]
    forget_report(api.engine, 1)  # type: ignore[attr-defined]
    assert report.roc is not None and report.confusion is not None
    models = models_panel(api, live=False)
    assert (models.report.version, models.report.parts) == (2, BINARY_PARTS)
    shown = html.unescape(models.report.value)
    assert f"roc_auc {report.roc.area:.4f}" in shown
    assert f"Confusion matrix at threshold 0.5 ({report.rows} rows)" in shown
    assert all(i.column in shown for i in report.importances)
    assert shown.count("<svg") == 4  # three curves and the importance bars
    counts = [int(c) for c in re.findall(r'text-align:right">(\d+)</td>', models.report.value)]
    assert counts == [n for row in report.confusion.counts for n in row]

    models.picker.value = 1
    assert (models.report.version, models.report.parts) == (1, ())
    assert "no quality report" in models.report.value
    models.close()


def test_a_report_recorded_later_reaches_an_open_panel(api: WorkbenchApi) -> None:
    forget_report(api.engine, 2)  # type: ignore[attr-defined]
    models = models_panel(api, live=True)
    try:
        assert (models.report.version, models.report.parts) == (2, ())
        record_report(api.engine, 2)  # type: ignore[attr-defined]  # emits model.reported
        wait_for_trait(models.report, "parts", lambda parts: parts == BINARY_PARTS)
    finally:
        models.close()


def test_charts_draw_every_point_and_no_bar_for_a_negative_importance() -> None:
    curve = unit_curve([0.0, 0.2, 1.0], [0.0, 0.7, 1.0], title="ROC", x_label="x", y_label="y")
    drawn = re.findall(r'<polyline points="([^"]+)" fill="none" stroke="#1e88e5"', curve)
    assert len(drawn) == 1 and len(drawn[0].split()) == 3
    bars = bar_list([("amount", 0.2), ("noise", -0.01)], title="importance")
    widths = [float(w) for w in re.findall(r'<rect x="150" y="[\d.]+" width="([\d.]+)"', bars)]
    assert widths[0] > 0 and widths[1] == 0
    assert unit_curve([], [], title="t", x_label="x", y_label="y") == ""


def test_a_regression_report_draws_residuals_and_importance_only() -> None:
    data = load_diabetes()
    frame = pl.DataFrame(data.data, schema=list(data.feature_names)).with_columns(
        pl.Series("y", data.target)
    )
    train, test = split_frame(frame, "y", "regression", 0.25, 0)
    model = fit_candidate("ridge", "regression", plan_features(train, "y"), train, "y", {}, 0)
    report = quality_report(model.estimator, test.drop("y"), test["y"], "regression")
    assert report.residuals is not None
    view = ReportView().show(3, report)
    assert (view.version, view.parts) == (3, ("residuals", "importance"))
    assert f"rmse {report.residuals.rmse:.4g}" in view.value
    assert view.value.count("<svg") == 2
    histogram = next(svg for svg in view.value.split("<svg") if "rows by residual" in svg)
    bars = re.findall(r"<rect [^>]*><title>[^:]+: (\d+)</title>", histogram)
    assert sum(map(int, bars)) == test.height  # the histogram counts every test row
