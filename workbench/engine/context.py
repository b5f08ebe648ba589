"""What an engine stage may be handed instead of the whole :class:`Engine`.

A stage gets the few things it uses (the workspace, a settings section, a repository of
the store, ``emit``) and callables for the arrows back into the loop (``execute`` a run,
``approve`` a version), so each stage can be built and tested on its own and
``engine/engine.py`` shows every arrow of the loop where it wires them.
"""

from __future__ import annotations

from typing import Any, Protocol

from workbench.core.config import WorkbenchConfig
from workbench.core.records import EventRecord, RunRecord


class Emit(Protocol):
    """Append an event to the log and publish it (the engine's ``emit``)."""

    def __call__(self, kind: str, message: str, level: str = "info", **payload: Any) -> EventRecord:
        """Record and announce one event of a catalogued ``kind``."""


class ExecuteRun(Protocol):
    """Run the pipeline on datasets and wait (the runs stage's ``execute_run``)."""

    def __call__(
        self,
        dataset_ids: list[int] | None,
        trigger: str,
        config: WorkbenchConfig | None = None,
        *,
        use_cache: bool = True,
    ) -> RunRecord:
        """The finished run."""
