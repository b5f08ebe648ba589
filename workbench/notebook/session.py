"""What ``workbench.connect()`` returns: the api, plus its panels as methods.

``wb = workbench.connect(); wb.panel()`` is the notebook's front door. Every api method
(``wb.runs()``, ``wb.approve(3)``, ...) is the api's own, reached through attribute
delegation; the panel methods build ipywidgets views on that same api, in-process or
attached to another engine alike.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from workbench.api import WorkbenchApi
from workbench.api import connect as connect_api
from workbench.api.owner import OwnerApi
from workbench.notebook.views.frames import runs_frame

# the package re-exports a function named ``panel``, which hides the module of that name
panels = importlib.import_module("workbench.notebook.panels.tabbed")


class Workbench:
    """A connected workspace for notebook use."""

    def __init__(self, api: WorkbenchApi) -> None:
        self.api = api
        """The api every call goes through."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.api, name)

    def panel(self, *, live: bool = True) -> Any:
        """The tabbed panel: Runs, Models, Data, Drift, Lineage, Features; live by default."""
        return panels.panel(self.api, live=live)

    def runs_panel(self, *, live: bool = True) -> Any:
        """The Runs tab alone."""
        return panels.runs_panel(self.api, live=live)

    def models_panel(self, *, live: bool = True) -> Any:
        """The Models tab alone (approve, reject, promote, rollback)."""
        return panels.models_panel(self.api, live=live)

    def data_panel(self, *, live: bool = True) -> Any:
        """The Data tab alone (validation, quarantine)."""
        return panels.data_panel(self.api, live=live)

    def drift_panel(self, *, live: bool = True) -> Any:
        """The Drift tab alone (per-column table, histograms, metric history)."""
        return panels.drift_panel(self.api, live=live)

    def lineage_panel(self, *, live: bool = True) -> Any:
        """The Lineage tab alone."""
        return panels.lineage_panel(self.api, live=live)

    def features_panel(self, *, live: bool = True) -> Any:
        """The Features tab alone (views; ``wb.features(view, key)`` for one entity)."""
        return panels.features_panel(self.api, live=live)

    def close(self) -> None:
        """Release the workspace (or detach from the engine that owns it)."""
        self.api.close()

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _repr_html_(self) -> str:
        return runs_frame(self.api, limit=10)._repr_html_()


def connect(path: str | Path = ".", *, watch: bool = True) -> Workbench:
    """The workspace at ``path``, in-process or attached to its running engine.

    A notebook that opens the engine itself owns the workspace, and a front end that
    owns it watches ``incoming/`` and serves production (as the TUI and
    ``workbench watch`` do) unless ``[watch] on_open = false``; ``wb.unwatch()`` pauses
    and ``wb.watch()`` resumes. Attached to another process's engine, that process
    decides.

    Args:
        path: The workspace folder.
        watch: False: do not watch on open even when the settings say so.
    """
    api = connect_api(path)
    if watch and isinstance(api, OwnerApi):
        try:
            api.watch_on_open()
        except BaseException:
            api.close()
            raise
    return Workbench(api)
