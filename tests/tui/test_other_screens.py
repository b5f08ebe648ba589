"""Data, Lineage and Drift show what the api has: datasets, trees, metric history."""

from __future__ import annotations

import asyncio
from pathlib import Path

import polars as pl
import pytest
from textual.widgets import DataTable, Static, Tree

from workbench.api import WorkbenchApi
from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.data import DataScreen
from workbench.tui.screens.drift import DriftScreen
from workbench.tui.screens.lineage import LineageScreen
from workbench.tui.screens.models import ModelsScreen
from workbench.tui.widgets.histogram_plot import HistogramPlot
from workbench.tui.widgets.metric_plot import MetricPlot

from .pilot import open_screen, plain, settle, wait_until

pytestmark = pytest.mark.anyio


async def test_data_screen_shows_columns_and_quarantine_reasons(
    api: WorkbenchApi, tmp_path: Path
) -> None:
    bad = tmp_path / "no_target.csv"
    bad.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "3", DataScreen)
        columns = screen.query_one("#columns-table", DataTable)
        assert "is_fraud" in [str(columns.get_row_at(i)[0]) for i in range(columns.row_count)]
        outcome = await asyncio.to_thread(api.ingest, str(bad), False)
        assert outcome.status == "quarantined" and outcome.dataset is not None
        table = screen.query_one("#datasets-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2, "the quarantined file")
        row = table.get_row(str(outcome.dataset.id))
        assert str(row[2]) == "quarantined"
        assert str(row[6]), "the reason is shown"
        await settle(pilot)


async def test_lineage_opens_on_the_version_chosen_in_models(api: WorkbenchApi) -> None:
    api.approve(1, "ok")
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_screen(pilot, "4", ModelsScreen)
        await pilot.press("down", "l")
        screen = app.screen
        assert isinstance(screen, LineageScreen)
        await wait_until(pilot, lambda: screen.loads > 0, "the lineage")
        tree = screen.query_one(Tree)
        assert "model version 1" in str(tree.root.label)
        kinds = {child.data.kind for child in tree.root.children if child.data is not None}
        assert {"run", "approval", "alias"} <= kinds
        await settle(pilot)


async def test_drift_screen_plots_the_key_metric_per_version(api: WorkbenchApi) -> None:
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "5", DriftScreen)
        versions, values = screen.query_one(MetricPlot).points
        assert versions == [1, 2]
        assert values == [m.metrics["roc_auc"] for m in reversed(api.models())]
        await settle(pilot)


async def test_drift_screen_lists_the_latest_report_and_draws_a_column_histogram(
    api: WorkbenchApi, tmp_path: Path
) -> None:
    february = tmp_path / "february.csv"
    sample = Path(__file__).resolve().parents[2] / "sample_data"
    pl.read_csv(sample / "transactions_2026_02_drifted.csv", n_rows=3000).write_csv(february)
    api.approve(1, "baseline")
    api.drift(str(february))
    app = WorkbenchApp(api)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_screen(pilot, "5", DriftScreen)
        await wait_until(pilot, lambda: screen.report is not None, "the drift report")
        text = plain(screen.query_one("#drift-reports", Static))
        assert "amount" in text and "is_fraud (target)" in text
        histogram = screen.query_one(HistogramPlot)
        assert screen.report is not None
        drifted = [c.column for c in screen.report.columns if c.drifted]
        assert histogram.column == min(drifted), "the first drifted column by name is drawn"
        await settle(pilot)
