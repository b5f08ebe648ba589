"""The tabbed panel (Runs, Models, Data, Drift, Lineage, Features) and one function per
panel.

``panel(api)`` is what ``wb.panel()`` shows; ``runs_panel(api)`` and friends show one
tab alone. The tabbed panel holds one subscription and hands each batch of events to
every tab, so five tabs cost one feed thread, and closing the panel (its Close button or
``.close()``) ends the subscription and the thread.
"""

from __future__ import annotations

import threading

import ipywidgets as widgets

from workbench.api import WorkbenchApi, WorkspaceStatus
from workbench.core.errors import WorkbenchError
from workbench.core.records import EventRecord
from workbench.notebook.panels.base import Panel
from workbench.notebook.panels.data import DataPanel
from workbench.notebook.panels.drift import DriftPanel
from workbench.notebook.panels.features import FeaturesPanel
from workbench.notebook.panels.lineage import LineagePanel
from workbench.notebook.panels.live import LiveFeed
from workbench.notebook.panels.models import ModelsPanel
from workbench.notebook.panels.runs import RunsPanel
from workbench.notebook.views import markup
from workbench.notebook.views.results import ServingView


class WorkbenchPanel(widgets.VBox):
    """The workspace at a glance above one tab per part of the loop.

    Args:
        api: The api every tab reads from and acts through.
        live: Follow the api's events and refresh the tabs by themselves.
    """

    def __init__(self, api: WorkbenchApi, *, live: bool = True) -> None:
        self.api = api
        """The api of every tab."""
        self.closed = False
        """True once closed."""
        self.feed: LiveFeed | None = None
        """The one subscription feeding every tab."""
        self._lock = threading.Lock()
        self.header = widgets.HTML()
        """Workspace, datasets, runs, production version and whether it is served, pending
        approvals."""
        self.runs = RunsPanel(api, live=False, closable=False)
        """The Runs tab."""
        self.models = ModelsPanel(api, live=False, closable=False)
        """The Models tab."""
        self.data = DataPanel(api, live=False, closable=False)
        """The Data tab."""
        self.drift = DriftPanel(api, live=False, closable=False)
        """The Drift tab."""
        self.lineage = LineagePanel(api, live=False, closable=False)
        """The Lineage tab."""
        self.features = FeaturesPanel(api, live=False, closable=False)
        """The Features tab."""
        tabs: list[Panel] = [
            self.runs,
            self.models,
            self.data,
            self.drift,
            self.lineage,
            self.features,
        ]
        self.tabs = {tab.TITLE: tab for tab in tabs}
        """Each tab by its title, in order."""
        self.tab = widgets.Tab(children=list(self.tabs.values()), titles=tuple(self.tabs))
        self.close_button = widgets.Button(description="Close", icon="times")
        self.close_button.on_click(lambda _: self.close())
        super().__init__(children=[widgets.HBox([self.header, self.close_button]), self.tab])
        self._header()
        if live:
            self.feed = LiveFeed(api, self.events_arrived, "workbench-panel").start()

    def events_arrived(self, events: list[EventRecord]) -> None:
        """A batch from the feed: the header and every tab the events concern refresh."""
        if self.closed:
            return
        self._header()
        for tab in self.tabs.values():
            tab.events_arrived(events)

    def _header(self) -> None:
        with self._lock:
            try:
                status = self.api.status()
                serving = ServingView(self.api.serving_status())
            except WorkbenchError as exc:
                self.header.value = markup.error(str(exc))
                return
            self.header.value = markup.block(_status_line(status, serving))

    def close(self) -> None:
        """Stop following events and close every tab."""
        self.closed = True
        if self.feed is not None:
            self.feed.stop()
            self.feed = None
        for tab in self.tabs.values():
            tab.close()
        for child in (self.header, self.close_button, self.tab, *self.children):
            child.close()
        super().close()


def _status_line(status: WorkspaceStatus, serving: ServingView) -> markup.Safe:
    production = f"v{status.production}" if status.production is not None else "none yet"
    parts = [
        markup.Safe(f"<b>{markup.esc(status.root)}</b>"),
        markup.esc(f"target {status.target}"),
        markup.esc(f"{status.datasets} dataset(s), {status.quarantined} quarantined"),
        markup.esc(f"{status.runs} run(s)"),
        markup.join([markup.esc(f"production {production} "), serving.badge()]),
        markup.badge("candidate", f"{status.pending_approvals} awaiting approval")
        if status.pending_approvals
        else markup.esc("nothing awaiting approval"),
    ]
    return markup.join(parts, " · ")


def panel(api: WorkbenchApi, *, live: bool = True) -> WorkbenchPanel:
    """The tabbed panel: Runs, Models, Data, Drift, Lineage (what ``wb.panel()`` shows)."""
    return WorkbenchPanel(api, live=live)


def runs_panel(api: WorkbenchApi, *, live: bool = True) -> RunsPanel:
    """The Runs tab alone: the live runs table and a run's DAG progress."""
    return RunsPanel(api, live=live)


def models_panel(api: WorkbenchApi, *, live: bool = True) -> ModelsPanel:
    """The Models tab alone: candidate vs production, approve, reject, promote, rollback."""
    return ModelsPanel(api, live=live)


def data_panel(api: WorkbenchApi, *, live: bool = True) -> DataPanel:
    """The Data tab alone: datasets, validation, quarantine."""
    return DataPanel(api, live=live)


def drift_panel(api: WorkbenchApi, *, live: bool = True) -> DriftPanel:
    """The Drift tab alone: drift reports, per-column results, metric history."""
    return DriftPanel(api, live=live)


def lineage_panel(api: WorkbenchApi, *, live: bool = True) -> LineagePanel:
    """The Lineage tab alone: a model version's lineage tree."""
    return LineagePanel(api, live=live)


def features_panel(api: WorkbenchApi, *, live: bool = True) -> FeaturesPanel:
    """The Features tab alone: feature views and one entity's stored values."""
    return FeaturesPanel(api, live=live)
