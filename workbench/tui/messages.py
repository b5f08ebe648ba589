"""Messages the TUI passes around, named for what already happened.

Workers (engine calls on threads) and the engine's event callback never touch widgets:
they post one of these, and the handler on the UI thread updates what is shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.message import Message

from workbench.core.records import EventRecord, ModelVersionRecord, RunRecord, ServerInfo

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi


class ApiConnected(Message):
    """The workspace is open: the api is ready to answer."""

    def __init__(self, api: WorkbenchApi, train_on: str | None = None) -> None:
        super().__init__()
        self.api = api
        """The connected api (the app owns it and closes it on exit)."""
        self.train_on = train_on
        """A data file to train on at once (the demo), or None."""


class EventArrived(Message):
    """The engine published an event (delivered from an engine thread)."""

    def __init__(self, event: EventRecord) -> None:
        super().__init__()
        self.event = event
        """The event."""


class EventsLoaded(Message):
    """The recent event log was read at start-up (replayed quietly: no toasts)."""

    def __init__(self, events: list[EventRecord]) -> None:
        super().__init__()
        self.events = events
        """Events, oldest first."""


class DataLoaded(Message):
    """A screen's data came back from the engine."""

    def __init__(self, data: Any) -> None:
        super().__init__()
        self.data = data
        """Whatever the screen's ``load`` returned."""


class ActionFailed(Message):
    """An engine call raised; the app shows the reason in an error screen."""

    def __init__(self, action: str, reason: str, bug: bool = False, fatal: bool = False) -> None:
        super().__init__()
        self.action = action
        """What the user (or the screen) was trying to do."""
        self.reason = reason
        """The error's message, written for a person."""
        self.bug = bug
        """True when it was not a WorkbenchError (a bug to report, not a user mistake)."""
        self.fatal = fatal
        """True when the TUI cannot go on (the workspace could not be opened)."""


class RunFinished(Message):
    """A run started from the TUI came back."""

    def __init__(self, run: RunRecord) -> None:
        super().__init__()
        self.run = run
        """The run as it ended."""


class ModelDecided(Message):
    """A model version was approved, rejected, promoted or rolled back to."""

    def __init__(self, verb: str, model: ModelVersionRecord) -> None:
        super().__init__()
        self.verb = verb
        """approved | rejected | promoted | rolled back."""
        self.model = model
        """The version as it is now."""


class ModelApproved(ModelDecided):
    """A candidate was approved and is now production."""


class ModelRejected(ModelDecided):
    """A candidate was rejected."""


class ModelPromoted(ModelDecided):
    """An approved version was pointed at by production."""


class ProductionRolledBack(ModelDecided):
    """Production went back to the previous version."""


class WatchStarted(Message):
    """The engine watches incoming/ (and serves production when there is one)."""

    def __init__(self, server: ServerInfo | None) -> None:
        super().__init__()
        self.server = server
        """Where the scoring server answers, or None until a version is production."""


class WatchPaused(Message):
    """The engine stopped taking files from incoming/ (``w`` again resumes)."""

    def __init__(self, was_watching: bool) -> None:
        super().__init__()
        self.was_watching = was_watching
        """Whether it was watching when asked to pause."""


class WatchOpened(Message):
    """The app asked the engine it opened to watch as the workspace's settings say."""

    def __init__(self, watching: bool) -> None:
        super().__init__()
        self.watching = watching
        """Whether it watches now (false: ``[watch] on_open = false``)."""


class DashboardPainted(Message):
    """The dashboard showed fresh data and the screen was refreshed (benchmarks wait on it)."""
