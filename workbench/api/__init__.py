"""The api layer: the one interface the CLI, TUI and notebook call.

:func:`connect` is how every front end opens a workspace: it attaches to the engine
another process runs (through its control API) or starts one in this process and
publishes that API for the next comer. Either way the caller gets a
:class:`WorkbenchApi` and cannot tell the difference.
"""

from __future__ import annotations

from workbench.api.interface import WorkbenchApi, operations
from workbench.api.local import LocalApi
from workbench.api.owner import OwnerApi, connect
from workbench.core.records import RunDetail, WorkspaceStatus

__all__ = [
    "LocalApi",
    "OwnerApi",
    "RunDetail",
    "WorkbenchApi",
    "WorkspaceStatus",
    "connect",
    "operations",
]
