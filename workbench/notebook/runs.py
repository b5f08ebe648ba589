"""Runs: the live table of runs and one run's DAG progress (tasks, timeline, models)."""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets

from workbench.api import RunDetail, WorkbenchApi
from workbench.core.records import RunRecord
from workbench.notebook import markup
from workbench.notebook.base import Panel, RecordTable
from workbench.notebook.formatting import seconds, span, stamp
from workbench.notebook.views import RunView

RUN_LIMIT = 50
"""Runs listed (newest first)."""


@dataclass(frozen=True)
class RunsData:
    """What one refresh of the runs panel fetched."""

    runs: list[RunRecord]
    """Newest first."""
    detail: RunDetail | None
    """The selected run, if there is one."""


class RunsPanel(Panel):
    """Every run, newest first, above the selected run's tasks as they start and end.

    While "follow the newest run" is ticked, a run that starts is selected by itself, so
    its DAG progress shows as it happens.
    """

    TITLE = "Runs"
    RELOAD_ON = ("run.", "task.", "model.registered")

    def __init__(self, api: WorkbenchApi, *, live: bool = True, closable: bool = True) -> None:
        self._choosing = False
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
        self.picker.observe(self._picked, names="value")
        self.follow.observe(lambda change: change["new"] and self.refresh(), names="value")
        return [self.table, widgets.HBox([self.picker, self.follow, self.progress]), self.detail]

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
        detail = self.api.run_detail(chosen) if chosen is not None else None
        return RunsData(runs, detail)

    def show(self, data: RunsData) -> None:
        rows = [(r.id, _cells(r)) for r in data.runs]
        self.table.show(
            ["run", "status", "trigger", "pipeline", "started", "duration", "datasets", "error"],
            rows,
            right=(0, 5),
            empty="No runs yet: run one with api.run(data=...) or drop a file into incoming/.",
        )
        self._choosing = True
        try:
            self.picker.options = [(f"run {r.id} ({r.status})", r.id) for r in data.runs]
            self.picker.value = data.detail.run.id if data.detail else None
        finally:
            self._choosing = False
        self._show_detail(data.detail)

    def _show_detail(self, detail: RunDetail | None) -> None:
        if detail is None:
            self.progress.value, self.progress.max = 0, 1
            self.detail.value = markup.note("Select a run to see its tasks.")
            return
        view = RunView(detail)
        self.progress.max = max(len(detail.tasks), 1)
        self.progress.value = view.finished_tasks
        self.progress.bar_style = {"success": "success", "failed": "danger"}.get(
            detail.run.status, "info"
        )
        self.detail.value = view.html()

    def _picked(self, change: dict[str, object]) -> None:
        """The user chose a run: stop following and show that one."""
        if self._choosing or change["new"] is None:
            return
        self.follow.value = False
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
