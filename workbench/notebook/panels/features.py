"""Features: the materialised views, and one entity's stored values and history."""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from workbench.api.fetch import fetch_features
from workbench.core import feature_summary
from workbench.core.fetched import FeaturesData
from workbench.core.records import FeatureLookup
from workbench.notebook.panels.base import Panel, RecordTable
from workbench.notebook.views import markup

HISTORY_ROWS = 20
"""An entity's newest feature rows shown under its latest values."""

VIEW_COLUMNS = ("view", "entity", "features", "rows", "entities", "newest", "nulls")
"""What the views table shows of each (see :data:`feature_summary.COLUMNS`)."""


class FeaturesPanel(Panel):
    """The views (freshness, rows, null shares); type a key to see that entity's values."""

    TITLE = "Features"
    RELOAD_ON = ("features.",)

    def build(self) -> list[widgets.Widget]:
        self.table = RecordTable()
        """One row per view, keyed by view name."""
        self.view = widgets.Dropdown(description="View", options=[], value=None)
        """The view an entity is looked up in."""
        self.key = widgets.Text(description="Entity", placeholder="entity key, then Enter")
        """The entity key to look up."""
        self.entity = widgets.HTML()
        """The entity's latest values and newest rows."""
        self.key.observe(lambda _: self.refresh(), names="value")
        self.view.observe(lambda _: self.refresh(), names="value")
        return [self.table, widgets.HBox([self.view, self.key]), self.entity]

    def load(self) -> FeaturesData:
        return fetch_features(self.api, self.key.value.strip(), self.view.value)

    def show(self, data: FeaturesData) -> None:
        rows: list[tuple[Any, tuple[object, ...]]] = [
            (v.name, feature_summary.cells(v, VIEW_COLUMNS)) for v in data.views
        ]
        right = (VIEW_COLUMNS.index("rows"), VIEW_COLUMNS.index("entities"))
        empty = "no feature views: set [features] path"
        self.table.show(list(VIEW_COLUMNS), rows, right=right, empty=empty)
        names = [v.name for v in data.views]
        if list(self.view.options) != names:
            with self.view.hold_trait_notifications():
                self.view.options = names
        self.entity.value = _entity(data.lookup)


def _entity(lookup: FeatureLookup | None) -> str:
    if lookup is None:
        return ""
    if not lookup.history:
        return markup.note(f"No stored features for {lookup.key} in {lookup.view}.")
    newest = list(reversed(lookup.history))[:HISTORY_ROWS]
    headers = list(newest[0])
    cells = [tuple("-" if v is None else v for v in row.values()) for row in newest]
    return markup.block(
        markup.heading(f"{lookup.view}: {lookup.key}"), markup.table(headers, cells)
    )
