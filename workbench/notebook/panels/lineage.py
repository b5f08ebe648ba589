"""Lineage: from a model version back to its data and forward to its decisions."""

from __future__ import annotations

import ipywidgets as widgets

from workbench.api import WorkbenchApi
from workbench.api.fetch import fetch_lineage
from workbench.core.fetched import LineageData
from workbench.notebook.panels.base import Panel
from workbench.notebook.views import markup


class LineagePanel(Panel):
    """A version picker above the selected version's lineage tree."""

    TITLE = "Lineage"
    RELOAD_ON = ("model.", "alias.")

    def __init__(self, api: WorkbenchApi, *, live: bool = True, closable: bool = True) -> None:
        self._pinned: int | None = None
        super().__init__(api, live=live, closable=closable)

    def build(self) -> list[widgets.Widget]:
        self.picker = widgets.Dropdown(description="Version", options=[], value=None)
        """The version whose lineage is shown."""
        self.tree = widgets.HTML()
        """The lineage tree."""
        self.picker.observe(self._picked, names="value")
        return [self.picker, self.tree]

    def load(self) -> LineageData:
        return fetch_lineage(self.api, self._pinned)

    def show(self, data: LineageData) -> None:
        with self.fill():
            self.picker.options = [(f"v{m.version} {m.candidate}", m.version) for m in data.models]
            self.picker.value = data.version
        self.tree.value = (
            markup.block(markup.tree(data.tree))
            if data.tree
            else markup.note("No model versions yet: lineage starts at a registered model.")
        )

    def _picked(self, change: dict[str, object]) -> None:
        if not self.filling and change["new"] is not None:
            self._pinned = self.picker.value
            self.refresh()
