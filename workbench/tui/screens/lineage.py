"""Lineage: from a model version back to its data, forward to decisions and aliases."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Select, Tree
from textual.widgets.tree import TreeNode

from workbench.core.fetched import LineageData
from workbench.core.records import LineageNode
from workbench.tui.messages import DataLoaded
from workbench.tui.screens.base import WorkbenchScreen

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi

KIND_STYLES = {
    "dataset": "cyan",
    "feature_view": "cyan",
    "run": "yellow",
    "task_run": "dim",
    "model_version": "bold green",
    "approval": "magenta",
    "alias": "bold blue",
    "deployment": "blue",
    "prediction": "dim",
    "param": "dim",
    "metric": "dim",
}
"""Colour per node kind, so the eye separates data, runs and decisions."""


class LineageScreen(WorkbenchScreen):
    """A tree per model version; choose the version at the top."""

    MODE = "lineage"
    RELOAD_ON = ("model.", "alias.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("v", "choose_version", "Version", tooltip="Choose the model version"),
        Binding("e", "expand_all", "Expand", tooltip="Expand every node"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Select[int]([], prompt="model version", id="lineage-version", allow_blank=True)
        tree: Tree[LineageNode] = Tree("no model version yet", id="lineage-tree")
        tree.show_root = True
        yield tree

    def reload(self) -> None:
        """Fetch the tree of the version chosen now (read here, not on the worker thread)."""
        wanted = self.workbench.lineage_version

        def load(api: WorkbenchApi) -> LineageData:
            from workbench.api.fetch import fetch_lineage  # imports the engine: the worker's job

            return fetch_lineage(api, wanted)

        self.workbench.call_engine(
            self,
            load,
            DataLoaded,
            "loading the lineage",
            group="load",
            exclusive=True,
        )

    def show(self, data: Any) -> None:
        select = self.query_one("#lineage-version", Select)
        with self.prevent(Select.Changed):
            select.set_options([(f"v{m.version}", m.version) for m in data.models])
            if data.version is not None:
                select.value = data.version
        tree = self.query_one("#lineage-tree", Tree)
        tree.clear()
        if data.tree is None:
            tree.root.set_label("no model version yet: train one with n on the dashboard")
            return
        tree.root.set_label(_label(data.tree))
        tree.root.data = data.tree
        _grow(tree.root, data.tree)
        tree.root.expand()

    def on_select_changed(self, event: Select.Changed) -> None:
        if isinstance(event.value, int):
            self.workbench.lineage_version = event.value
            self.reload()

    def action_choose_version(self) -> None:
        """Open the version chooser."""
        select = self.query_one("#lineage-version", Select)
        select.focus()
        select.action_show_overlay()

    def action_expand_all(self) -> None:
        """Open every branch."""
        self.query_one("#lineage-tree", Tree).root.expand_all()


def _label(node: LineageNode) -> Text:
    return Text.assemble((f"{node.kind} ", KIND_STYLES.get(node.kind, "")), node.label)


GROUPED = {"task_run": "tasks", "param": "params", "metric": "metrics"}
"""Leaf kinds folded under one collapsed branch each, so data and decisions stay in view."""


def _grow(parent: TreeNode[LineageNode], node: LineageNode) -> None:
    groups: dict[str, list[LineageNode]] = {}
    for child in node.children:
        if child.kind in GROUPED and not child.children:
            groups.setdefault(child.kind, []).append(child)
        elif child.children:
            _grow(parent.add(_label(child), data=child, expand=True), child)
        else:
            parent.add_leaf(_label(child), data=child)
    for kind, members in groups.items():
        branch = parent.add(Text(f"{GROUPED[kind]} ({len(members)})", style="dim"))
        for member in members:
            branch.add_leaf(Text(member.label, style=KIND_STYLES.get(kind, "")), data=member)
