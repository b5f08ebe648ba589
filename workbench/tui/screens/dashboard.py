"""Dashboard: the workspace at a glance, from data drop to served model and alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.message import Message
from textual.widgets import Static

from workbench.core.fetched import ModelsData
from workbench.core.records import DatasetRecord, EventRecord, ModelVersionRecord, RunRecord
from workbench.core.vocabulary import RUN_ACTIVE, Decision
from workbench.tui.formatting import (
    ago,
    key_metric,
    latency,
    level_text,
    metric_value,
    rate,
    seconds,
    status_text,
)
from workbench.tui.messages import DashboardPainted, EventArrived, WatchPaused, WatchStarted
from workbench.tui.screens.base import WorkbenchScreen

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi, WorkspaceStatus
    from workbench.core.records import ServingStatus

REPAINT_S = 30.0
"""Relative times ("3 min ago") are redrawn this often even when nothing happens."""

SERVING_POLL_S = 5.0
"""How often the serving panel asks whether the server is alive and how busy it is
(a dead process sends no event, and request rates change without one)."""

PANELS = (
    ("folder", "Watched folder"),
    ("queue", "Run queue"),
    ("production", "Production model"),
    ("serving", "Serving"),
    ("drift", "Drift"),
    ("approvals", "Pending approvals"),
    ("alerts", "Recent alerts"),
)
"""Id and title of each dashboard panel, in reading order."""


@dataclass(frozen=True)
class DashboardData:
    """Everything the dashboard fetches in one go."""

    status: WorkspaceStatus
    """Counts and the production version."""
    runs: list[RunRecord]
    """Newest runs."""
    production: ModelVersionRecord | None
    """The version behind the production alias."""
    since: datetime | None
    """When it was approved."""
    candidates: list[ModelVersionRecord]
    """Versions waiting for a decision."""
    last_drop: DatasetRecord | None
    """The newest ingested file."""
    serving: ServingStatus
    """The scoring server as it is now."""


def load_dashboard(api: WorkbenchApi) -> DashboardData:
    """One round of engine calls for the dashboard (worker thread)."""
    status = api.status()
    registry = ModelsData(api.models())
    production = registry.production()
    since = None
    if production is not None:
        approvals = [a for a in api.approvals(production.version) if a.decision == Decision.APPROVE]
        since = max((a.decided_at for a in approvals), default=None)
    datasets = api.datasets()
    return DashboardData(
        status=status,
        runs=api.runs(limit=20),
        production=production,
        since=since,
        candidates=registry.candidates(),
        last_drop=datasets[0] if datasets else None,
        serving=api.serving_status(),
    )


class DashboardScreen(WorkbenchScreen):
    """Watched folder, run queue, production model, serving, drift, approvals, alerts."""

    MODE = "dashboard"
    RELOAD_ON = (
        "run.",
        "dataset.",
        "model.",
        "alias.",
        "serving.",
        "watch.started",
        "watch.paused",
        "watch.stopped",
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_run", "New run", tooltip="Train on the training window now"),
        Binding("w", "watch", "Watch", tooltip="Watch incoming/ and serve production"),
        Binding("w", "pause_watch", "Pause watching", tooltip="Stop taking files from incoming/"),
        Binding("f5", "refresh", "Refresh", tooltip="Fetch everything again"),
    ]

    class ServingRead(Message):
        """The serving status came back from a poll."""

        def __init__(self, serving: ServingStatus) -> None:
            super().__init__()
            self.serving = serving
            """The server as it is now."""

    def __init__(self) -> None:
        super().__init__()
        self.data: DashboardData | None = None
        """What is on screen."""
        self.serving: ServingStatus | None = None
        """The newest serving status, from the last load or poll."""

    def compose_body(self) -> ComposeResult:
        with Grid(id="dashboard-grid"):
            for panel_id, title in PANELS:
                panel = Static("loading…", id=f"panel-{panel_id}", classes="panel")
                panel.border_title = title
                yield panel

    def on_mount(self) -> None:
        self.set_interval(REPAINT_S, self.log_replayed)
        self.set_interval(SERVING_POLL_S, self.poll_serving)

    def load(self, api: WorkbenchApi) -> DashboardData:
        return load_dashboard(api)

    def show(self, data: Any) -> None:
        self.data = data
        self.serving = data.serving
        self.app.sub_title = PurePath(data.status.root).name
        self._paint()
        self.call_after_refresh(self.post_message, DashboardPainted())

    def event_arrived(self, message: EventArrived) -> None:
        if message.event.kind in ("watch.started", "watch.paused", "watch.stopped"):
            self.refresh_bindings()
        if self.data is not None:
            self._paint()

    def log_replayed(self) -> None:
        self.refresh_bindings()
        if self.data is not None:
            self._paint()

    def poll_serving(self) -> None:
        """Ask the engine about the server (only while the dashboard is in view)."""
        if self.data is None or not self.is_current:
            return
        self.workbench.call_engine(
            self,
            lambda api: api.serving_status(),
            self.ServingRead,
            "reading the serving status",
            group="serving",
            exclusive=True,
        )

    @on(ServingRead)
    def serving_read(self, message: ServingRead) -> None:
        """Repaint the serving panel with what the poll found."""
        message.stop()
        self.serving = message.serving
        if self.data is not None:
            panel = self.query_one("#panel-serving", Static)
            panel.update(self._serving(self.data, self.workbench.clock()))

    def _paint(self) -> None:
        assert self.data is not None
        now = self.workbench.clock()
        painters = {
            "folder": self._folder,
            "queue": self._queue,
            "production": self._production,
            "serving": self._serving,
            "drift": self._drift,
            "approvals": self._approvals,
            "alerts": self._alerts,
        }
        for panel_id, paint in painters.items():
            self.query_one(f"#panel-{panel_id}", Static).update(paint(self.data, now))

    def watch_state(self) -> EventRecord | None:
        """The newest of ``watch.started`` / ``watch.paused`` / ``watch.stopped``, if any."""
        return self.workbench.event_log.latest("watch.started", "watch.paused", "watch.stopped")

    def watching(self) -> bool:
        """Whether the engine watches incoming/ now, as its events tell."""
        state = self.watch_state()
        return state is not None and state.kind == "watch.started"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``w`` watches when not watching and pauses when watching (the footer shows which)."""
        if action == "watch":
            return not self.watching()
        if action == "pause_watch":
            return self.watching()
        return True

    def _folder(self, data: DashboardData, now: datetime) -> Any:
        status = data.status
        state = self.watch_state()
        watching = state if state is not None and state.kind == "watch.started" else None
        where = state.payload.get("folder") if state else None
        folder = PurePath(str(where)) if where else PurePath(status.root) / "incoming"
        shown = f"{folder.parent.name}/{folder.name}"
        lines = [
            Text.assemble("folder    ", (shown, "bold")),
            Text(f"datasets  {status.datasets} accepted, {status.quarantined} quarantined"),
        ]
        if data.last_drop is None:
            lines.append(Text("last drop -  (drop a file into incoming/)", style="dim"))
        else:
            drop = data.last_drop
            lines.append(
                Text.assemble("last drop ", (drop.name, "bold"), " ")
                + status_text(drop.status)
                + Text(f"  {ago(drop.ingested_at, now)}")
            )
        waiting = self.workbench.event_log.waiting_files()
        if state is not None and state.kind == "watch.paused":
            lines.append(
                Text(f"paused {ago(state.ts, now)}: press w to watch again", style="yellow")
            )
        elif watching is None:
            lines.append(Text("not watching: press w to watch and serve", style="dim"))
        elif waiting:
            lines.append(Text(f"waiting   {len(waiting)}: {', '.join(waiting)}", style="yellow"))
        else:
            lines.append(Text(f"waiting   none (watching since {ago(watching.ts, now)})"))
        return _lines(*lines)

    def _queue(self, data: DashboardData, now: datetime) -> Any:
        active = [r for r in data.runs if r.status in RUN_ACTIVE]
        lines = [Text(f"runs      {data.status.runs} so far, {len(active)} active")]
        for run in active[:2]:
            lines.append(
                Text.assemble(f"run {run.id}  ", status_text(run.status), f"  {run.trigger}")
            )
        if data.runs and not active:
            last = data.runs[0]
            lines.append(
                Text.assemble(f"last      run {last.id} ", status_text(last.status))
                + Text(f"  {ago(last.finished_at or last.created_at, now)}")
            )
        elif not data.runs:
            lines.append(Text("no runs yet: press n to train", style="dim"))
        return _lines(*lines)

    def _production(self, data: DashboardData, now: datetime) -> Any:
        model = data.production
        if model is None:
            return _lines(
                Text("none yet", style="dim"), Text("approve a candidate on 4 Models", style="dim")
            )
        metric = key_metric(model.metrics)
        lines = [Text.assemble(("v" + str(model.version), "bold green"), f"  {model.candidate}")]
        if metric is not None:
            lines.append(Text(f"{metric[0]}  {metric_value(metric[1])}"))
        lines.append(Text(f"since {ago(data.since, now)}" if data.since else "since -"))
        return _lines(*lines)

    def _serving(self, data: DashboardData, now: datetime) -> Any:
        serving = self.serving or data.serving
        started = self.workbench.event_log.latest("serving.started")
        if serving.state == "not_serving":
            hint = Text("not serving: press w to watch and serve", style="dim")
            if started is None:
                return hint
            last = f"last served v{started.payload.get('version', '?')} {ago(started.ts, now)}"
            return _lines(hint, Text(f"({last}, by an engine now closed)", style="dim"))
        if serving.state == "stopped":
            return _lines(
                Text.assemble(("● stopped", "bold red"), f"  was {serving.url}"),
                Text(f"version {serving.version}, process {serving.pid} exited", style="red"),
                Text("press w to serve production again", style="dim"),
            )
        since = f", up since {ago(started.ts, now)}" if started is not None else ""
        lines = [
            Text.assemble(("● ", "green"), str(serving.url)),
            Text(f"version {serving.version}{since}"),
        ]
        if serving.requests_per_s is None:
            lines.append(Text(f"req/s -   p99 -  ({serving.note})", style="dim"))
        else:
            lines.append(
                Text(
                    f"req/s {rate(serving.requests_per_s)}   p99 {latency(serving.p99_latency_s)}"
                    f"  (last {seconds(serving.window_s)})"
                )
            )
        return _lines(*lines)

    def _drift(self, data: DashboardData, now: datetime) -> Any:
        report = self.workbench.event_log.latest("drift")
        if report is None:
            return Text("no drift report yet", style="dim")
        return _lines(level_text(report.level, report.message), Text(ago(report.ts, now)))

    def _approvals(self, data: DashboardData, now: datetime) -> Any:
        count = data.status.pending_approvals
        if count == 0:
            return Text("nothing waiting", style="dim")
        lines = [Text(f"{count} candidate(s) waiting", style="bold yellow")]
        for model in data.candidates[:2]:
            metric = key_metric(model.metrics)
            shown = f"{metric[0]} {metric_value(metric[1])}" if metric else ""
            lines.append(Text(f"v{model.version} {model.candidate}  {shown}"))
        return _lines(*lines)

    def _alerts(self, data: DashboardData, now: datetime) -> Any:
        alerts = self.workbench.event_log.alerts(4)
        if not alerts:
            return Text("no alerts", style="dim")
        return _lines(
            *(
                Text.assemble(f"{ago(a.ts, now):>10}  ", level_text(a.level, a.message))
                for a in alerts
            )
        )

    def action_new_run(self) -> None:
        """Train on the training window now (a worker waits for the run to end)."""
        self.workbench.start_run()

    def action_watch(self) -> None:
        """Start the watched folder and serve production whenever there is one."""
        self.workbench.call_engine(
            self, lambda api: api.watch(serve=True), WatchStarted, "starting the watcher"
        )

    def on_watch_started(self, message: WatchStarted) -> None:
        where = f"; serving on {message.server.url}" if message.server else ""
        self.notify(f"watching incoming/{where}")
        self.schedule_reload()

    def action_pause_watch(self) -> None:
        """Stop taking files from incoming/ (a running run finishes; serving goes on)."""
        self.workbench.call_engine(
            self, lambda api: api.unwatch(), WatchPaused, "pausing the watcher"
        )

    def on_watch_paused(self, message: WatchPaused) -> None:
        self.notify("paused watching incoming/ (w watches again)")
        self.schedule_reload()

    def action_refresh(self) -> None:
        self.reload()


def _lines(*lines: Text) -> Group:
    """Panel lines cut with an ellipsis rather than wrapped, so panels keep their shape."""
    for line in lines:
        line.no_wrap = True
        line.overflow = "ellipsis"
    return Group(*lines)
