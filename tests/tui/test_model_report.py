"""The quality report from the Models screen: key ``r`` opens it for the selected version."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static, TabbedContent

from workbench.api import WorkbenchApi
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.model_report import ModelReportScreen
from workbench.tui.screens.models import ModelsScreen
from workbench.tui.widgets.quality_plots import CurvePlot, ImportancePlot

from ..model_reports import record_report
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
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_report(pilot, "down")
        assert screen.version == 1 and screen.report is None
        assert "v1 has no quality report" in plain(screen.query_one("#report-summary", Static))
        tabs = screen.query_one("#report-tabs", TabbedContent)
        assert all(tabs.get_tab(t).display is False for t in ("tab-curves", "tab-importance"))
        await pilot.press("i")  # no tab to switch to: nothing happens, nothing breaks
        await settle(pilot)
