"""One run: its tasks drawn as a timeline, live while it runs; metrics with the history of
the one selected, params, tags, models, task logs and the validation reports of the data
it read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Container, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from workbench.core.fetched import DatasetValidation
from workbench.core.formatting import tag_rows
from workbench.core.vocabulary import preferred_metric
from workbench.tui.formatting import (
    ago,
    gate_text,
    key_metric,
    metric_value,
    span,
    status_text,
)
from workbench.tui.messages import EventArrived
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.table_cursor import cursor_key
from workbench.tui.widgets.history_plot import HistoryPlot, Series, series_of
from workbench.tui.widgets.task_logs import TaskLogs
from workbench.tui.widgets.task_timeline import TaskTimeline
from workbench.tui.widgets.validation_report import ValidationReports

if TYPE_CHECKING:
    from workbench.api import RunDetail, WorkbenchApi
    from workbench.core.records import TaskLog


@dataclass(frozen=True)
class RunView:
    """What the screen fetches in one go."""

    detail: RunDetail
    """The run, its tasks, params, metrics and models."""
    validations: tuple[DatasetValidation, ...]
    """The stored validation report of each dataset the run read."""


def metric_grid(
    metrics: dict[str, float],
) -> tuple[list[str], list[tuple[str, dict[str, float]]]]:
    """Pivot ``candidate.metric`` keys into (columns, rows); other keys go to column ``run``.

    A prefix counts as a candidate when it carries more than one metric, so ``gate.value``
    stays a run-level number while ``random_forest.roc_auc`` gets its own column.
    """
    prefixes: dict[str, int] = {}
    for key in metrics:
        if "." in key:
            prefix = key.split(".", 1)[0]
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
    grouped = {p for p, n in prefixes.items() if n > 1}
    rows: dict[str, dict[str, float]] = {}
    for key, value in metrics.items():
        prefix, _, rest = key.partition(".")
        column, name = (prefix, rest) if prefix in grouped and rest else ("run", key)
        rows.setdefault(name, {})[column] = value
    columns = sorted(grouped)
    if any("run" in values for values in rows.values()):
        columns.append("run")
    return columns, sorted(rows.items())


def metric_keys(name: str, columns: list[str]) -> dict[str, str]:
    """Column -> full metric key of a :func:`metric_grid` row (``rf`` -> ``rf.roc_auc``).

    Pass the columns the row has a value in, in table order (the plot's series follow it).
    """
    return {column: name if column == "run" else f"{column}.{name}" for column in columns}


class RunDetailScreen(WorkbenchScreen):
    """Pushed over the Runs screen; Escape goes back."""

    MODE = "runs"
    VERTICAL_BREAKPOINTS = [(0, "-short"), (40, "-tall")]
    """Below 40 lines the metric history sits beside the metrics table, not under it."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the runs table"),
        Binding("f5", "refresh", "Refresh", tooltip="Fetch the run again"),
        Binding(
            "m",
            "show_tab('tab-metrics')",
            "Metrics",
            tooltip="The run's metrics; the one under the cursor is plotted by step",
        ),
        Binding("a", "show_tab('tab-tags')", "Tags", tooltip="Tags of the run and its tasks"),
        Binding("l", "show_tab('tab-logs')", "Logs", tooltip="The selected task's log"),
        Binding(
            "v",
            "show_tab('tab-validation')",
            "Validation",
            tooltip="The validation reports of the run's datasets",
        ),
    ]

    class TaskLogLoaded(Message):
        """A task's log came back from the engine."""

        def __init__(self, log: TaskLog) -> None:
            super().__init__()
            self.log = log
            """The log."""

    class HistoryLoaded(Message):
        """The points of a metric row came back from the engine."""

        def __init__(self, metric: str, series: list[Series]) -> None:
            super().__init__()
            self.metric = metric
            """The metric row they belong to."""
            self.series = series
            """One series per key of the row."""

    def __init__(self, run_id: int) -> None:
        super().__init__()
        self.run_id = run_id
        """The run shown."""
        self.detail: RunDetail | None = None
        """What was fetched last."""
        self.validations: tuple[DatasetValidation, ...] | None = None
        """The input datasets' reports (fetched once: a dataset and its report never change)."""
        self.metric_row: str | None = None
        """The metrics table row whose history is plotted (kept across reloads)."""
        self._metric_rows: dict[str, dict[str, str]] = {}
        """Each metrics table row's keys, by column."""

    def compose_body(self) -> ComposeResult:
        yield Static(f"run {self.run_id}", id="run-summary")
        with VerticalScroll(id="run-tasks"):
            yield TaskTimeline(id="run-timeline")
        with TabbedContent(id="run-tabs"):
            with TabPane("Metrics", id="tab-metrics"), Container(id="run-metrics-body"):
                yield DataTable(id="run-metrics", cursor_type="row")
                yield HistoryPlot(id="run-history")
            with TabPane("Params", id="tab-params"):
                yield DataTable(id="run-params", cursor_type="row")
            with TabPane("Tags", id="tab-tags"):
                yield DataTable(id="run-tags", cursor_type="row")
            with TabPane("Models", id="tab-models"):
                yield DataTable(id="run-models", cursor_type="row")
            with TabPane("Logs", id="tab-logs"):
                yield TaskLogs(id="run-logs")
            with TabPane("Validation", id="tab-validation"), VerticalScroll():
                yield ValidationReports(id="run-validation")
            with TabPane("Errors", id="tab-errors"):
                yield Static("", id="run-errors")

    def on_mount(self) -> None:
        self.query_one("#run-params", DataTable).add_columns("param", "value")
        self.query_one("#run-tags", DataTable).add_columns("on", "tag", "value")
        self.query_one("#run-models", DataTable).add_columns(
            "version", "candidate", "status", "key metric", "gate"
        )

    def load(self, api: WorkbenchApi) -> RunView:
        from workbench.api.fetch import fetch_validations  # imports the engine: the worker's job

        detail = api.run_detail(self.run_id)
        validations = self.validations
        if validations is None or [v.dataset_id for v in validations] != list(
            detail.run.dataset_ids
        ):
            validations = fetch_validations(api, detail.run.dataset_ids)
        return RunView(detail, validations)

    def show(self, data: Any) -> None:
        view: RunView = data
        self.detail = detail = view.detail
        now = self.workbench.clock()
        run = detail.run
        datasets = ",".join(map(str, run.dataset_ids)) or "-"
        took = span(run.started_at, run.finished_at, now)
        summary = Text.assemble(
            (f"Run {run.id}  ", "bold"),
            status_text(run.status),
            f"  {run.pipeline} · {run.trigger} · datasets {datasets}",
            f" · created {ago(run.created_at, now)} · took {took}",
        )
        if run.error:
            summary.append(f"\n{run.error}", style="red")
        dashboard = detail.tags.get("", {}).get("workbench.dashboard")
        if dashboard:  # the run's tasks went to a Dask cluster: where to watch its workers
            summary.append("\nDask dashboard: ")
            summary.append(dashboard, style=f"underline link {dashboard}")
        self.query_one("#run-summary", Static).update(summary)
        self.query_one("#run-timeline", TaskTimeline).show_tasks(detail.tasks, now)
        self._metrics(detail.metrics)
        self._fetch_history(self.metric_row)  # again on each reload: a running curve grows
        self._fill("#run-params", sorted(detail.params.items()))
        self._tags(detail.tags)
        self._fill("#run-models", [self._model_row(m) for m in detail.models])
        errors = [f"{t.task}: {t.error}" for t in detail.tasks if t.error]
        self.query_one("#run-errors", Static).update(
            "\n".join(errors) if errors else Text("no task failed", style="dim")
        )
        logs = self.query_one("#run-logs", TaskLogs)
        logs.show_tasks(detail.tasks)
        self._fetch_log(logs.selected)  # again on each reload: a running task's log grows
        if view.validations != self.validations:
            self.validations = view.validations
            self.query_one("#run-validation", ValidationReports).show_reports(view.validations)

    def _fetch_log(self, task: str | None) -> None:
        if task is None:
            return
        run_id = self.run_id
        self.workbench.call_engine(
            self,
            lambda api: api.task_log(run_id, task),
            self.TaskLogLoaded,
            f"reading the log of task {task} in run {run_id}",
            group="task-log",
            exclusive=True,
        )

    @on(TaskLogs.TaskSelected)
    def task_selected(self, message: TaskLogs.TaskSelected) -> None:
        """Fetch the log of the task a person moved to."""
        message.stop()
        self._fetch_log(message.task)

    @on(TaskLogLoaded)
    def task_log_loaded(self, message: TaskLogLoaded) -> None:
        """Show the log if its task is still the selected one."""
        message.stop()
        self.query_one("#run-logs", TaskLogs).show_log(message.log)

    def _metrics(self, metrics: dict[str, float]) -> None:
        """One row per metric, one column per candidate (``rf.roc_auc`` -> rf, roc_auc).

        The cursor stays on the row whose history is plotted; at first it goes to the
        metric candidates are compared by (``roc_auc``, ...), else to the first row.
        """
        columns, table = metric_grid(metrics)
        widget = self.query_one("#run-metrics", DataTable)
        widget.clear(columns=True)
        widget.add_columns("metric", *columns)
        self._metric_rows = {
            name: metric_keys(name, [c for c in columns if c in values]) for name, values in table
        }
        for name, values in table:
            widget.add_row(
                name,
                *(Text(metric_value(values.get(c)), justify="right") for c in columns),
                key=name,
            )
        if self.metric_row not in self._metric_rows:
            self.metric_row = preferred_metric(self._metric_rows)
        if self.metric_row is not None:
            widget.move_cursor(row=widget.get_row_index(self.metric_row))
        else:
            self.query_one("#run-history", HistoryPlot).draw(None, [])

    def _fetch_history(self, metric: str | None) -> None:
        """Ask for every point of the keys of row ``metric``; :class:`HistoryLoaded` brings them."""
        keys = self._metric_rows.get(metric or "")
        if metric is None or not keys:
            return
        run_id = self.run_id

        def points(api: WorkbenchApi) -> list[Series]:
            return [
                series_of(key, column, api.metric_history(run_id, key))
                for column, key in keys.items()
            ]

        self.workbench.call_engine(
            self,
            points,
            lambda series: self.HistoryLoaded(metric, series),
            f"reading the history of {metric} in run {run_id}",
            group="metric-history",
            exclusive=True,
        )

    @on(DataTable.RowHighlighted, "#run-metrics")
    @on(DataTable.RowSelected, "#run-metrics")
    def metric_selected(self, event: DataTable.RowHighlighted | DataTable.RowSelected) -> None:
        """Plot the history of the metric a person moved to (or pressed Enter on)."""
        event.stop()
        # the cursor as it is now, not the row the message names (see table_cursor)
        key = cursor_key(self.query_one("#run-metrics", DataTable))
        if key is None or (key == self.metric_row and isinstance(event, DataTable.RowHighlighted)):
            return
        self.metric_row = key
        self._fetch_history(key)

    @on(HistoryLoaded)
    def history_loaded(self, message: HistoryLoaded) -> None:
        """Draw the points if their row is still the selected one."""
        message.stop()
        if message.metric == self.metric_row:
            self.query_one("#run-history", HistoryPlot).draw(message.metric, message.series)

    def _tags(self, tags: dict[str, dict[str, str]]) -> None:
        """The run's own tags, then each task's (``ctx.set_tags``)."""
        rows = tag_rows(tags)
        self._fill("#run-tags", rows)
        table = self.query_one("#run-tags", DataTable)
        table.border_title = f"{len(rows)} tag(s)" if rows else "no tags on this run or its tasks"

    @staticmethod
    def _model_row(model: Any) -> tuple[Any, ...]:
        metric = key_metric(model.metrics)
        return (
            f"v{model.version}",
            model.candidate,
            status_text(model.status),
            f"{metric[0]} {metric_value(metric[1])}" if metric else "-",
            gate_text(model),
        )

    def _fill(self, selector: str, rows: list[tuple[Any, ...]]) -> None:
        table = self.query_one(selector, DataTable)
        table.clear()
        for row in rows:
            table.add_row(*row)

    def on_event_arrived(self, message: EventArrived) -> None:
        message.stop()
        event = message.event
        if event.payload.get("run_id") == self.run_id and event.kind.startswith(
            ("task.", "run.", "model.registered")
        ):
            self.schedule_reload()

    def action_back(self) -> None:
        """Back to the runs table."""
        self.dismiss()

    def action_refresh(self) -> None:
        self.reload()

    def action_show_tab(self, tab: str) -> None:
        """Bring a tab to the front (keys m, a, l and v); on Metrics the cursor goes to the
        metrics (up and down plot another), on Logs to the tasks."""
        self.query_one("#run-tabs", TabbedContent).active = tab
        if tab == "tab-metrics":
            self.query_one("#run-metrics", DataTable).focus()
        elif tab == "tab-logs":
            self.query_one("#run-logs", TaskLogs).table.focus()
