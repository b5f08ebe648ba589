"""The Workbench TUI: one app, one screen per concept, the engine behind the api.

The app owns the connection to the workspace (an :class:`~workbench.api.WorkbenchApi`,
in-process or remote: it cannot tell), relays the engine's events to the screens and
renders every failure as an error screen. Engine calls run in thread workers through
:meth:`WorkbenchApp.call_engine`; nothing here blocks the UI thread.

Start-up is kept short (issue 8: a painted dashboard in under a second): the dashboard
is the first screen and the only one imported with the app (the others are imported when
first shown), the engine opens in a worker, and an engine opened here publishes its
control API only once the dashboard has painted.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar, cast, runtime_checkable

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.theme import Theme
from textual.widget import Widget
from textual.worker import Worker, get_current_worker

from workbench.core.errors import WorkbenchError
from workbench.tui.event_log import EventLog, toast_for
from workbench.tui.formatting import Clock, utc_now
from workbench.tui.messages import (
    ActionFailed,
    ApiConnected,
    DashboardPainted,
    EventArrived,
    EventsLoaded,
    RunFinished,
    WatchOpened,
)
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.confirm import ConfirmScreen
from workbench.tui.screens.dashboard import DashboardScreen
from workbench.tui.screens.error import ErrorScreen
from workbench.tui.theme_choice import remember_theme, starting_theme

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi

log = logging.getLogger(__name__)

T = TypeVar("T")

SCREENS: tuple[tuple[str, str, str], ...] = (
    ("dashboard", "1", "Dashboard"),
    ("runs", "2", "Runs"),
    ("data", "3", "Data"),
    ("models", "4", "Models"),
    ("drift", "5", "Drift"),
    ("lineage", "6", "Lineage"),
    ("events", "7", "Events"),
)
"""Mode name, key and title of each main screen, in navigation order."""

MORE_SCREENS: tuple[tuple[str, str, str], ...] = (("features", "8", "Features"),)
"""Screens on a key and in the palette whose tab shows on their own screen only (the
feature store's screen matters to workspaces that have one)."""

BACKLOG_KEEP = 1000
"""Events the TUI keeps in memory (the Events screen pages older ones from the store)."""

PUBLISH_LATEST_S = 3.0
"""Publish the control API this long after connecting even if the dashboard never painted
(other processes stop waiting for an unpublished owner after ``PUBLISH_GRACE_S``, 5 s)."""


def _lazy_screen(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A mode's screen factory that imports the screen's module when first shown.

    The other screens' modules (data tables, plots) cost a tenth of a second or more to
    import; start-up shows the dashboard only.
    """

    def make() -> Screen[Any]:
        screen_type = getattr(importlib.import_module(f"workbench.tui.screens.{module}"), name)
        return cast("Screen[Any]", screen_type())

    return make


@runtime_checkable
class _Publishes(Protocol):
    """An api on an engine opened here whose control API can be published later."""

    def publish(self) -> object: ...


class WorkbenchApp(App[None]):
    """The ``workbench`` terminal UI.

    Args:
        api: An open api to show (the caller keeps ownership and closes it).
        connector: Opens the api in a worker at start-up (the app then owns and closes it);
            used by :func:`workbench.tui.run_tui` so the first frame paints at once.
        folder: Where the welcome screen offers ``init`` and the demo when there is no api.
        clock: The current time (UTC); tests freeze it for snapshots.
    """

    CSS_PATH = Path(__file__).with_name("workbench.tcss")
    TITLE = "Workbench"

    DEFAULT_MODE: ClassVar[str] = "dashboard"
    """The first screen is the dashboard, its panels "loading…" until the api connects
    (a splash screen first would cost a second screen switch before the data shows)."""

    MODES: ClassVar[dict[str, Any]] = {
        "dashboard": DashboardScreen,
        "runs": _lazy_screen("runs", "RunsScreen"),
        "data": _lazy_screen("data", "DataScreen"),
        "models": _lazy_screen("models", "ModelsScreen"),
        "drift": _lazy_screen("drift", "DriftScreen"),
        "lineage": _lazy_screen("lineage", "LineageScreen"),
        "events": _lazy_screen("events", "EventsScreen"),
        "features": _lazy_screen("features", "FeaturesScreen"),
        "welcome": _lazy_screen("welcome", "WelcomeScreen"),
    }

    BINDINGS: ClassVar[list[BindingType]] = [
        *(Binding(key, f"show('{mode}')", title, show=False) for mode, key, title in SCREENS),
        *(Binding(key, f"show('{mode}')", title, show=False) for mode, key, title in MORE_SCREENS),
        Binding("q", "quit", "Quit"),
    ]

    def __init__(
        self,
        api: WorkbenchApi | None = None,
        *,
        connector: Callable[[], WorkbenchApi] | None = None,
        folder: Path | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__()
        self.api: WorkbenchApi | None = api
        """The workspace's api, once connected."""
        self.folder = folder or Path.cwd()
        """The folder the welcome screen creates a workspace in."""
        self.clock = clock
        """Source of "now" for relative times."""
        self.event_log = EventLog(BACKLOG_KEEP)
        """Recent events, merged from the replay and the live stream."""
        self.lineage_version: int | None = None
        """The model version the Lineage screen shows (set by the Models screen)."""
        self._connector = connector
        self._owns_api = False
        self._publishing = False
        self._watch_asked = False
        self._unsubscribe: Callable[[], None] | None = None
        chosen = starting_theme(frozenset(self.available_themes))
        if chosen is not None:
            self.theme = chosen
        self._theme_at_start = self.theme

    # start and stop -----------------------------------------------------------------

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        if self.api is not None:
            self._follow(self.api)
        elif self._connector is not None:
            self.run_worker(
                self._connect, thread=True, group="connect", exit_on_error=False, name="connect"
            )
        else:
            self.switch_mode("welcome")

    def _connect(self) -> None:
        assert self._connector is not None
        try:
            api = self._connector()
        except Exception as exc:
            self.post_message(_failed("opening the workspace", exc, fatal=True))
            return
        # Follow and replay the event log here, before the dashboard loads: its first
        # paint then has the alerts, and its data load does not compete with this.
        self._unsubscribe = api.subscribe(self._relay)
        try:
            self.post_message(EventsLoaded(_read_backlog(api)))
        except Exception as exc:  # the workspace is open: say why, and go on without it
            self.post_message(_failed("reading the event log", exc))
        self.post_message(ApiConnected(api))

    def on_api_connected(self, message: ApiConnected) -> None:
        self._owns_api = True
        self._follow(message.api)
        self.set_timer(PUBLISH_LATEST_S, self._after_first_paint)
        if message.train_on is not None:
            self.start_run(message.train_on)

    def on_dashboard_painted(self, message: DashboardPainted) -> None:
        self._after_first_paint()

    def _after_first_paint(self) -> None:
        """Once the dashboard shows: publish the control API and watch (engine opened here)."""
        self._publish()
        self._watch_on_open()

    def _watch_on_open(self) -> None:
        """Watch incoming/ and serve production, as a front end owning a workspace does.

        Only for an engine this app opened: attached to another process's engine, that
        process decides; ``[watch] on_open = false`` leaves it to ``w``. Done after the
        first paint so watchdog and the scoring server do not delay it.
        """
        api = self.api
        if self._watch_asked or not self._owns_api or not isinstance(api, _Publishes):
            return
        self._watch_asked = True
        self.call_engine(self, lambda api: api.watch_on_open(), WatchOpened, "starting the watcher")

    def _publish(self) -> None:
        """Let other processes attach to an engine opened here (once, in a worker)."""
        api = self.api
        if self._publishing or not self._owns_api or not isinstance(api, _Publishes):
            return
        self._publishing = True
        self.run_worker(
            partial(self._publish_in_worker, api),
            thread=True,
            group="publish",
            exit_on_error=False,
            name="publish",
        )

    def _publish_in_worker(self, api: _Publishes) -> None:
        try:
            api.publish()
        except Exception as exc:
            self.post_message(_failed("publishing the control API", exc))

    def _follow(self, api: WorkbenchApi) -> None:
        """Show the dashboard and follow ``api``'s events (unless the connect worker does)."""
        self.api = api
        if self._unsubscribe is None:
            self._unsubscribe = api.subscribe(self._relay)
            self.call_engine(self, _read_backlog, EventsLoaded, "reading the event log")
        if self.current_mode == "dashboard" and isinstance(self.screen, WorkbenchScreen):
            self.screen.reload()  # up since start-up, before there was an api to load from
        else:
            self.switch_mode("dashboard")

    def _relay(self, event: Any) -> None:
        """Engine thread -> UI thread: the one place engine events enter the TUI."""
        self.post_message(EventArrived(event))

    def on_unmount(self) -> None:
        self.release()

    def release(self) -> None:
        """Stop following events and close the api if the app opened it."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._owns_api and self.api is not None:
            self.api.close()
            self._owns_api = False

    # events -------------------------------------------------------------------------

    def on_events_loaded(self, message: EventsLoaded) -> None:
        if self.event_log.merge(message.events):
            for screen in self.screen_stack:
                if isinstance(screen, WorkbenchScreen):
                    screen.log_replayed()

    def on_event_arrived(self, message: EventArrived) -> None:
        if not self.event_log.add(message.event):
            return
        severity = toast_for(message.event)
        if severity is not None:
            self.notify(message.event.message, title=message.event.kind, severity=severity)  # type: ignore[arg-type]
        for screen in self.screen_stack:
            screen.post_message(EventArrived(message.event))

    # engine calls -------------------------------------------------------------------

    def call_engine(
        self,
        target: Widget | App[Any],
        work: Callable[[WorkbenchApi], T],
        done: Callable[[T], Message],
        action: str,
        *,
        group: str = "engine",
        exclusive: bool = False,
    ) -> Worker[None] | None:
        """Run ``work(api)`` on a thread and post ``done(result)`` to ``target``.

        A :class:`WorkbenchError` becomes an :class:`ActionFailed` message (shown as an
        error screen); anything else is a bug, logged and shown the same way rather than
        crashing the UI with a traceback.

        Args:
            target: Who receives the result message.
            work: The engine call; runs on a worker thread and must not touch widgets.
            done: Wraps the result in a past-tense message.
            action: What is being done, for the error screen ("approving version 3").
            group: Worker group (``exclusive`` cancels older workers of the same group).
            exclusive: Drop the results of older calls in the group (reloads).
        """
        api = self.api
        if api is None:
            return None

        def job() -> None:
            try:
                result = work(api)
            except WorkbenchError as exc:
                self.post_message(ActionFailed(action, str(exc)))
                return
            except Exception as exc:
                log.exception("%s failed", action)
                self.post_message(ActionFailed(action, f"{type(exc).__name__}: {exc}", bug=True))
                return
            if not get_current_worker().is_cancelled:
                target.post_message(done(result))

        return target.run_worker(
            job, thread=True, group=group, exclusive=exclusive, exit_on_error=False, name=action
        )

    def on_action_failed(self, message: ActionFailed) -> None:
        shown = self.screen
        if isinstance(shown, ErrorScreen) and (shown.action, shown.reason) == (
            message.action,
            message.reason,
        ):
            return  # the same failure again (a reload per event): one screen is enough
        screen = ErrorScreen(message.action, message.reason, bug=message.bug)
        if message.fatal:
            self.push_screen(screen, lambda _: self.exit(return_code=1))
        else:
            self.push_screen(screen)

    def start_run(self, data: str | None = None) -> None:
        """Ingest ``data`` (if given) and train, in a worker; progress arrives as events."""
        self.call_engine(
            self, lambda api: api.run(data=data), RunFinished, "running the pipeline", group="runs"
        )

    def on_run_finished(self, message: RunFinished) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, WorkbenchScreen):
                screen.schedule_reload()

    # actions ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "show" and self.api is None)

    def action_show(self, mode: str) -> None:
        """Switch to one of the main screens (keys 1-7, the tabs, the palette).

        On its own screen already (a run opened over the runs table), go back to the base.
        """
        if self.api is None:
            return
        if mode == self.current_mode:
            while len(self.screen_stack) > 1 and not isinstance(self.screen, ModalScreen):
                self.pop_screen()
        self.switch_mode(mode)

    async def action_quit(self) -> None:
        """Quit; if a run started here is still training, ask first (it would not finish)."""
        training = [w for w in self.workers if w.group == "runs" and w.is_running]
        if not training:
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        question = (
            "A run started here is still training. The engine stops with the TUI, "
            "so the run will not finish. Quit anyway?"
        )
        self.push_screen(ConfirmScreen("Quit while training?", question, "Quit"), answered)

    def _theme_changed(self, theme: Theme) -> None:
        """Remember a theme the person picked (Textual's palette command sets it)."""
        if theme.name != self._theme_at_start:
            remember_theme(theme.name)
            self._theme_at_start = theme.name

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every action in the command palette: Textual's own (Theme, Quit, ...),
        navigation and the screen's keys."""
        yield from super().get_system_commands(screen)
        if self.api is not None:
            for mode, key, title in (*SCREENS, *MORE_SCREENS):
                yield SystemCommand(
                    f"Go to {title}",
                    f"Show the {title} screen (key {key})",
                    partial(self.action_show, mode),
                )
        for binding in _screen_bindings(screen):
            key = binding.key_display or binding.key
            yield SystemCommand(
                binding.description,
                f"{binding.tooltip or binding.description} (key {key})",
                partial(screen.run_action, binding.action),
            )


def _failed(action: str, exc: Exception, *, fatal: bool = False) -> ActionFailed:
    """The error screen's message for ``exc`` (called while handling it).

    A WorkbenchError is the user's to act on; anything else is a bug, logged with its
    traceback.
    """
    if isinstance(exc, WorkbenchError):
        return ActionFailed(action, str(exc), fatal=fatal)
    log.exception("%s failed", action)
    return ActionFailed(action, f"{type(exc).__name__}: {exc}", bug=True, fatal=fatal)


def _screen_bindings(screen: Screen[Any]) -> list[Binding]:
    """The screen's own described key bindings (its actions, for the palette)."""
    found = []
    for item in getattr(type(screen), "BINDINGS", []):
        if isinstance(item, Binding) and item.description:
            found.append(item)
    return found


def _read_backlog(api: WorkbenchApi) -> list[Any]:
    """The newest ``BACKLOG_KEEP`` events in the store, oldest first (on a worker thread)."""
    return api.events(limit=BACKLOG_KEEP, newest=True)
