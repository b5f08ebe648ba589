"""Runs: the live table of runs and one run's DAG progress (tasks, timeline, models),
with the selected run's metric history, task logs and input validation reports."""

from __future__ import annotations

from dataclasses import dataclass, field

import ipywidgets as widgets

from workbench.api import RunDetail, WorkbenchApi
from workbench.core.errors import WorkbenchError
from workbench.core.records import RunRecord
from workbench.core.vocabulary import RunState, first_log_task, preferred_metric
from workbench.notebook.panels.base import Panel, RecordTable
from workbench.notebook.views import markup
from workbench.notebook.views.formatting import seconds, span, stamp
from workbench.notebook.views.results import RunView
from workbench.notebook.views.run_details import (
    InputReport,
    MetricHistoryView,
    TaskLogView,
    input_reports,
    metric_history_view,
    task_log_view,
)

RUN_LIMIT = 50
"""Runs listed (newest first)."""


@dataclass(frozen=True)
class RunsData:
    """What one refresh of the runs panel fetched."""

    runs: list[RunRecord]
    """Newest first."""
    detail: RunDetail | None
    """The selected run, if there is one."""
    history: MetricHistoryView | None = None
    """The chosen metric's points in the selected run."""
    log: TaskLogView | None = None
    """The chosen task's log in the selected run."""
    log_problem: str = ""
    """Why the log could not be read (the run's tasks are still shown)."""
    inputs: list[InputReport] = field(default_factory=list)
    """The validation report of each dataset the selected run read."""


class RunsPanel(Panel):
    """Every run, newest first, above the selected run's tasks as they start and end.

    While "follow the newest run" is ticked, a run that starts is selected by itself, so
    its DAG progress shows as it happens. Below, three tabs open the selected run
    further: a metric's history by step, a task's log, and the validation reports of the
    datasets it read.
    """

    TITLE = "Runs"
    RELOAD_ON = ("run.", "task.", "model.registered")

    def __init__(self, api: WorkbenchApi, *, live: bool = True, closable: bool = True) -> None:
        self._reports: dict[int, InputReport] = {}
        super().__init__(api, live=live, closable=closable)

    def build(self) -> list[widgets.Widget]:
        self.table = RecordTable()
        """Every run; ``row_keys`` are run ids."""
        self.picker = widgets.Dropdown(description="Run", options=[], value=None)
        """Which run's tasks to show."""
        self.follow = widgets.Checkbox(value=True, description="follow the newest run")
        """Select each new run as it starts."""
        self.progress = widgets.IntProgress(value=0, min=0, max=1, description="tasks")
        """Finished tasks of the selected run out of those started."""
        self.detail = widgets.HTML()
        """The selected run: tasks, timeline, models."""
        self.metric = widgets.Dropdown(description="Metric", options=[], value=None)
        """The metric whose history is charted."""
        self.history = widgets.HTML()
        """The chosen metric of the selected run by step."""
        self.log_task = widgets.Dropdown(description="Task", options=[], value=None)
        """The task whose log is shown."""
        self.log_text = widgets.HTML()
        """That task's log."""
        self.inputs = widgets.HTML()
        """The validation reports of the datasets the selected run read."""
        self.sections = widgets.Tab(
            children=[
                widgets.VBox([self.metric, self.history]),
                widgets.VBox([self.log_task, self.log_text]),
                widgets.VBox([self.inputs]),
            ],
            titles=("Metric history", "Task logs", "Validation"),
        )
        """The selected run opened further, one tab per part."""
        self.picker.observe(self._picked, names="value")
        self.follow.observe(lambda change: change["new"] and self.refresh(), names="value")
        self.metric.observe(self._chose, names="value")
        self.log_task.observe(self._chose, names="value")
        return [
            self.table,
            widgets.HBox([self.picker, self.follow, self.progress]),
            self.detail,
            self.sections,
        ]

    @property
    def selected(self) -> int | None:
        """The run whose tasks are shown."""
        value = self.picker.value
        return int(value) if value is not None else None

    def load(self) -> RunsData:
        runs = self.api.runs(limit=RUN_LIMIT)
        chosen = self.selected
        if runs and (chosen is None or self.follow.value):
            chosen = runs[0].id
        if chosen is None:
            return RunsData(runs, None)
        detail = self.api.run_detail(chosen)
        metric = self.metric.value if self.metric.value in detail.metrics else None
        metric = metric or preferred_metric(list(detail.metrics))
        history = metric_history_view(self.api, chosen, metric) if metric else None
        names = [t.task for t in detail.tasks]
        task = self.log_task.value if self.log_task.value in names else None
        task = task or first_log_task(detail.tasks)
        log, problem = None, ""
        if task is not None:
            try:
                log = task_log_view(self.api, chosen, task)
            except WorkbenchError as exc:  # e.g. read while the run is being cleaned up
                problem = str(exc)
        return RunsData(runs, detail, history, log, problem, self._inputs(detail.run))

    def _inputs(self, run: RunRecord) -> list[InputReport]:
        """The reports of ``run``'s datasets, each read once (a dataset never changes)."""
        found = []
        for dataset_id in run.dataset_ids:
            known = self._reports.get(dataset_id)
            if known is None:
                known = input_reports(self.api, [dataset_id])[0]
                if known.report is not None:  # a failed read is tried again next time
                    self._reports[dataset_id] = known
            found.append(known)
        return found

    def show(self, data: RunsData) -> None:
        rows = [(r.id, _cells(r)) for r in data.runs]
        self.table.show(
            ["run", "status", "trigger", "pipeline", "started", "duration", "datasets", "error"],
            rows,
            right=(0, 5),
            empty="No runs yet: run one with api.run(data=...) or drop a file into incoming/.",
        )
        detail = data.detail
        with self.fill():
            self.picker.options = [(f"run {r.id} ({r.status})", r.id) for r in data.runs]
            self.picker.value = detail.run.id if detail else None
            self.metric.options = sorted(detail.metrics) if detail else []
            self.metric.value = data.history.key if data.history else None
            self.log_task.options = [t.task for t in detail.tasks] if detail else []
            self.log_task.value = data.log.log.task if data.log else None
        self._show_detail(detail)
        self._show_sections(data)

    def _show_detail(self, detail: RunDetail | None) -> None:
        if detail is None:
            self.progress.value, self.progress.max = 0, 1
            self.detail.value = markup.note("Select a run to see its tasks.")
            return
        view = RunView(detail)
        self.progress.max = max(len(detail.tasks), 1)
        self.progress.value = view.finished_tasks
        self.progress.bar_style = {RunState.SUCCESS: "success", RunState.FAILED: "danger"}.get(
            detail.run.status, "info"
        )
        self.detail.value = view.html()

    def _show_sections(self, data: RunsData) -> None:
        if data.detail is None:
            for pane in (self.history, self.log_text, self.inputs):
                pane.value = ""
            return
        run_id = data.detail.run.id
        self.history.value = markup.block(
            data.history.html()
            if data.history
            else markup.note(f"Run {run_id} has logged no metric yet.")
        )
        if data.log is not None:
            self.log_text.value = markup.block(data.log.html())
        elif data.log_problem:
            self.log_text.value = markup.error(data.log_problem)
        else:
            self.log_text.value = markup.note(f"Run {run_id} has no task yet.")
        reports = [report.html() for report in data.inputs]
        self.inputs.value = markup.block(
            *reports or [markup.note(f"Run {run_id} read no dataset.")]
        )

    def _picked(self, change: dict[str, object]) -> None:
        """The user chose a run: stop following and show that one."""
        if self.filling or change["new"] is None:
            return
        self.follow.value = False
        self.refresh()

    def _chose(self, change: dict[str, object]) -> None:
        """The user chose another metric or task: fetch its history or log."""
        if not self.filling and change["new"] is not None:
            self.refresh()


def _cells(run: RunRecord) -> tuple[object, ...]:
    return (
        run.id,
        markup.badge(run.status),
        run.trigger,
        run.pipeline,
        stamp(run.started_at),
        seconds(span(run.started_at, run.finished_at)),
        ", ".join(map(str, run.dataset_ids)) or "-",
        run.error or "",
    )
