"""The Features screen: the views with freshness and null shares, one entity's history."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from workbench.tui.app import WorkbenchApp
from workbench.tui.screens.features import FeaturesScreen

from .fixed_api import FixedApi
from .pilot import open_screen, plain, settle, wait_until

pytestmark = pytest.mark.anyio


async def test_features_screen_lists_views_and_plots_an_entitys_history() -> None:
    app = WorkbenchApp(FixedApi())
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_screen(pilot, "8", FeaturesScreen)
        table = screen.query_one("#features-views", DataTable)
        row = [str(cell) for cell in table.get_row_at(0)]
        assert row[0].startswith("customer_activity") and row[2] == "24,995"
        assert "mean_amount_7d 2%" in row[6]  # the null share a person should see

        await pilot.press("k")
        await pilot.press(*"cust-0090", "enter")
        await wait_until(pilot, lambda: screen.loads >= 2, "the entity's history")
        await settle(pilot)
        latest = plain(screen.query_one("#features-latest", Static))
        assert "cust-0090" in latest and "n_tx_last_24h=3" in latest
        assert screen.query_one("#features-plot", PlotextPlot).display
        name, values = screen.plotted
        assert name == "n_tx_last_24h" and values[:4] == [1.0, 2.0, 3.0, 0.0] and len(values) == 31
