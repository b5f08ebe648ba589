"""What an engine stage may be handed instead of the whole :class:`Engine`.

A stage gets the few things it uses (the workspace, a settings section or a getter of the
settings, a repository of the store, ``emit``) and callables for the arrows back into
the loop (``execute`` a run, ``approve`` a version, ``ingest`` a file), so each stage can
be built and tested on its own and ``engine/engine.py`` shows every arrow of the loop
where it wires them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from workbench.core.config import WorkbenchConfig
from workbench.core.records import EventRecord, RunRecord

CurrentConfig = Callable[[], WorkbenchConfig]
"""The engine's settings as they are now. A stage calls it at each use and keeps nothing,
so settings the engine replaces (``engine.config = ...``) apply from the next use on."""

Submit = Callable[[str], bool]
"""Ask the run queue for a run with this trigger (the queue's ``submit``); False when it
merged into a run already waiting."""


class Emit(Protocol):
    """Append an event to the log and publish it (the engine's ``emit``)."""

    def __call__(self, kind: str, message: str, level: str = "info", **payload: Any) -> EventRecord:
        """Record and announce one event of a catalogued ``kind``."""


class ExecuteRun(Protocol):
    """Run the pipeline on datasets and wait (the runs stage's ``Runner.execute``)."""

    def __call__(
        self,
        dataset_ids: list[int] | None,
        trigger: str,
        config: WorkbenchConfig | None = None,
        *,
        use_cache: bool = True,
    ) -> RunRecord:
        """The finished run."""


class RequestRetrain(Protocol):
    """Queue a retrain for the signals the settings listen to, within the guardrails (the
    drift monitor's ``request_retrain``)."""

    def __call__(self, signals: list[str], submit: Callable[[str], object]) -> bool:
        """Whether ``submit`` was called (with the trigger the signals make)."""
