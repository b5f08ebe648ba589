"""One run: its tasks drawn as a timeline, live while it runs; params, metrics, models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from workbench.tui.formatting import (
    ago,
    key_metric,
    metric_value,
    span,
    status_text,
)
from workbench.tui.messages import EventArrived
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.widgets.task_timeline import TaskTimeline

if TYPE_CHECKING:
    from workbench.api import RunDetail, WorkbenchApi


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


class RunDetailScreen(WorkbenchScreen):
    """Pushed over the Runs screen; Escape goes back."""

    MODE = "runs"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", tooltip="Back to the runs table"),
        Binding("f5", "refresh", "Refresh", tooltip="Fetch the run again"),
    ]

    def __init__(self, run_id: int) -> None:
        super().__init__()
        self.run_id = run_id
        """The run shown."""
        self.detail: RunDetail | None = None
        """What was fetched last."""

    def compose_body(self) -> ComposeResult:
        yield Static(f"run {self.run_id}", id="run-summary")
        with VerticalScroll(id="run-tasks"):
            yield TaskTimeline(id="run-timeline")
        with TabbedContent(id="run-tabs"):
            with TabPane("Metrics", id="tab-metrics"):
                yield DataTable(id="run-metrics", cursor_type="row")
            with TabPane("Params", id="tab-params"):
                yield DataTable(id="run-params", cursor_type="row")
            with TabPane("Models", id="tab-models"):
                yield DataTable(id="run-models", cursor_type="row")
            with TabPane("Errors", id="tab-errors"):
                yield Static("", id="run-errors")

    def on_mount(self) -> None:
        self.query_one("#run-params", DataTable).add_columns("param", "value")
        self.query_one("#run-models", DataTable).add_columns(
            "version", "candidate", "status", "key metric", "gate"
        )

    def load(self, api: WorkbenchApi) -> RunDetail:
        return api.run_detail(self.run_id)

    def show(self, data: Any) -> None:
        self.detail = data
        now = self.workbench.clock()
        run = data.run
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
        self.query_one("#run-summary", Static).update(summary)
        self.query_one("#run-timeline", TaskTimeline).show_tasks(data.tasks, now)
        self._metrics(data.metrics)
        self._fill("#run-params", sorted(data.params.items()))
        self._fill("#run-models", [self._model_row(m) for m in data.models])
        errors = [f"{t.task}: {t.error}" for t in data.tasks if t.error]
        self.query_one("#run-errors", Static).update(
            "\n".join(errors) if errors else Text("no task failed", style="dim")
        )

    def _metrics(self, metrics: dict[str, float]) -> None:
        """One row per metric, one column per candidate (``rf.roc_auc`` -> rf, roc_auc)."""
        columns, table = metric_grid(metrics)
        widget = self.query_one("#run-metrics", DataTable)
        widget.clear(columns=True)
        widget.add_columns("metric", *columns)
        for name, values in table:
            widget.add_row(
                name, *(Text(metric_value(values.get(c)), justify="right") for c in columns)
            )

    @staticmethod
    def _model_row(model: Any) -> tuple[Any, ...]:
        metric = key_metric(model.metrics)
        return (
            f"v{model.version}",
            model.candidate,
            status_text(model.status),
            f"{metric[0]} {metric_value(metric[1])}" if metric else "-",
            Text("passed", style="green") if model.gate_passed else Text("failed", style="red"),
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
