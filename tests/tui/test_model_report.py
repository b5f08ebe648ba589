"""The quality report from the Models screen: key ``r`` opens it for the selected version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from sklearn.datasets import load_diabetes
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent

from workbench.api import WorkbenchApi, connect
from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import init_workspace
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.model_report import ModelReportScreen
from workbench.tui.screens.models import ModelsScreen
from workbench.tui.widgets.quality_plots import CurvePlot, ImportancePlot

from ..model_reports import forget_report, record_report
from .pilot import open_screen, plain, settle

pytestmark = pytest.mark.anyio


async def open_report(pilot: Pilot[None], *keys: str) -> ModelReportScreen:
    await open_screen(pilot, "4", ModelsScreen)
    await pilot.press(*keys)
    return await open_screen(pilot, "r", ModelReportScreen)


async def test_the_report_of_the_selected_version_shows_its_parts(api: WorkbenchApi) -> None:
    report = record_report(api.engine, 2)  # type: ignore[attr-defined]
    assert report.roc is not None and report.confusion is not None
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_report(pilot)
        assert screen.version == 2 and screen.report == report
        summary = plain(screen.query_one("#report-summary", Static))
        assert f"roc_auc {report.roc.area:.4f}" in summary and "1500 test rows" in summary
        assert screen.query_one("#report-roc", CurvePlot).points == len(report.roc.x)
        importance = screen.query_one("#report-importance", ImportancePlot)
        assert importance.columns == tuple(i.column for i in report.importances)

        tabs = screen.query_one("#report-tabs", TabbedContent)
        assert tabs.active == "tab-curves"
        await pilot.press("m")
        assert tabs.active == "tab-confusion"
        table = screen.query_one("#report-confusion", DataTable)
        cells = [int(str(table.get_cell_at((r, c)))) for r in range(2) for c in (1, 2)]
        assert cells == [n for row in report.confusion.counts for n in row]
        assert table.border_title == "1500 test rows at threshold 0.5"
        assert tabs.get_tab("tab-residuals").display is False, "binary has no residuals"

        await pilot.press("escape")
        assert isinstance(app.screen, ModelsScreen)
        await settle(pilot)


async def test_a_version_without_a_report_says_so(api: WorkbenchApi) -> None:
    forget_report(api.engine, 1)  # type: ignore[attr-defined]
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_report(pilot, "down")
        assert screen.version == 1 and screen.report is None
        assert "v1 has no quality report" in plain(screen.query_one("#report-summary", Static))
        tabs = screen.query_one("#report-tabs", TabbedContent)
        assert all(tabs.get_tab(t).display is False for t in ("tab-curves", "tab-importance"))
        await pilot.press("i")  # no tab to switch to: nothing happens, nothing breaks
        await settle(pilot)


@pytest.fixture
def regression_api(tmp_path: Path) -> Iterator[WorkbenchApi]:
    """A workspace trained on scikit-learn's diabetes data (target ``y``), one ridge version."""
    data = load_diabetes()
    path = tmp_path / "diabetes.csv"
    pl.DataFrame(data.data, schema=list(data.feature_names)).with_columns(
        pl.Series("y", data.target)
    ).write_csv(path)
    settings = with_overrides(WorkbenchConfig(), "train", candidates=["ridge"])
    settings = with_overrides(settings, "gate", threshold=1000.0)  # rmse at most 1000
    root = init_workspace(tmp_path / "ws", target="y", config=settings).root
    with connect(root) as api:
        assert api.run(data=str(path)).status == "success"
        record_report(api.engine, 1, data=path, rows=150)  # type: ignore[attr-defined]
        yield api


async def test_a_regression_report_shows_residuals_not_curves(
    regression_api: WorkbenchApi,
) -> None:
    app = WorkbenchApp(regression_api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_report(pilot)
        assert screen.report is not None and screen.report.residuals is not None
        tabs = screen.query_one("#report-tabs", TabbedContent)
        assert tabs.active == "tab-residuals"
        assert tabs.get_tab("tab-curves").display is False
        assert f"rmse {screen.report.residuals.rmse:.4g}" in plain(
            screen.query_one("#report-summary", Static)
        )
        await pilot.press("i")
        assert tabs.active == "tab-importance"
        await settle(pilot)
