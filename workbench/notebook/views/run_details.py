"""What a run left behind besides its tasks: a metric's history, a task's log, and the
validation reports of the datasets it read.

Each view keeps what the api returned (``.points``, ``.log``, ``.report``) and renders
it as HTML for the Runs panel and for ``_repr_html_``; the ``*_view`` functions ask the
api, so ``metric_history_view(wb, 3, "curve.roc_auc")`` works in a cell as well.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from workbench.api import WorkbenchApi
from workbench.api.fetch import fetch_validations
from workbench.core.fetched import DatasetValidation
from workbench.core.records import MetricRecord, TaskLog
from workbench.notebook.views import charts, markup
from workbench.notebook.views.formatting import aware, metric_value
from workbench.notebook.views.frames import METRICS_SCHEMA
from workbench.notebook.views.markup import Safe
from workbench.notebook.views.results import ValidationView

LOG_HEIGHT = "320px"
"""A long log scrolls inside its box instead of stretching the panel."""


@dataclass(frozen=True, repr=False)
class MetricHistoryView:
    """Every point of one metric in one run, by step: a learning curve, or a single value."""

    run_id: int
    """The run."""
    key: str
    """The metric, e.g. ``curve.roc_auc``."""
    points: tuple[MetricRecord, ...]
    """Its points in step order (a step logged twice: by time)."""

    @property
    def frame(self) -> pl.DataFrame:
        """The points as rows (the columns of ``metrics_frame``)."""
        rows = [
            {
                "run_id": p.run_id,
                "task": p.task,
                "key": p.key,
                "value": p.value,
                "step": p.step,
                "ts": p.ts,
            }
            for p in self.points
        ]
        return pl.DataFrame(rows, schema=METRICS_SCHEMA, orient="row")

    def __repr__(self) -> str:
        return f"<MetricHistoryView run {self.run_id} {self.key}: {len(self.points)} point(s)>"

    def html(self) -> Safe:
        """A line through the points, or the single point and a line saying it is one."""
        if not self.points:
            return markup.note(f"Run {self.run_id} logged no {self.key}.")
        chart = charts.line_chart(
            [(str(p.step), p.value) for p in self.points],
            title=f"{self.key} by step in run {self.run_id}",
        )
        if len(self.points) == 1:
            only = self.points[0]
            said = (
                f"{self.key} was logged once in run {self.run_id}: one point, at step "
                f"{only.step}, {metric_value(only.value)}."
            )
        else:
            steps = f"steps {self.points[0].step} to {self.points[-1].step}"
            said = f"{self.key} in run {self.run_id}: {len(self.points)} points, {steps}."
        return markup.join([markup.note(said), chart])

    def _repr_html_(self) -> str:
        return markup.block(self.html())


@dataclass(frozen=True, repr=False)
class TaskLogView:
    """What one task of a run wrote to its log (a failed task's traceback)."""

    log: TaskLog
    """The log as the api returned it."""

    @property
    def text(self) -> str:
        """The log's text (its end, when the file is longer than the api returns)."""
        return self.log.text

    def __repr__(self) -> str:
        return f"<TaskLogView run {self.log.run_id} {self.log.task}: {self.log.size} bytes>"

    def html(self) -> Safe:
        """The text in a scrolling box, or why there is none."""
        log = self.log
        if not log.text:
            return markup.note(
                f"{log.task} has no log: {log.path} is absent or empty "
                "(what a task logs with ctx.log and a failed attempt's traceback are kept "
                "there; this one said nothing, or was cached and did not run)."
            )
        head = (
            markup.note(f"… the end of a {log.size:,}-byte log; the whole of it is in {log.path}")
            if log.truncated
            else markup.note(log.path)
        )
        box = (
            f'<pre style="max-height:{LOG_HEIGHT};overflow:auto;margin:2px 0;padding:4px 8px;'
            'border-left:3px solid rgba(127,127,127,0.4);white-space:pre-wrap">'
        )
        return markup.join([head, Safe(f"{box}{markup.esc(log.text)}</pre>")])

    def _repr_html_(self) -> str:
        return markup.block(self.html())


class InputReport(DatasetValidation):
    """One dataset a run read, with its stored validation report, shown in a notebook."""

    def __repr__(self) -> str:
        if self.report is None:
            verdict = "no report"
        else:
            verdict = "passed" if self.report.passed else "failed"
        return f"<InputReport dataset {self.dataset_id}: {verdict}>"

    def html(self) -> Safe:
        """The report as the Data panel shows one, or the reason it is missing."""
        if self.report is None:
            return markup.join(
                [markup.heading(f"Dataset {self.dataset_id}"), markup.error(self.problem)]
            )
        source = self.report.source.replace("\\", "/").rsplit("/", 1)[-1]
        title = f"Dataset {self.dataset_id}" + (f": {source}" if source else "")
        return ValidationView(self.report, title).html()

    def _repr_html_(self) -> str:
        return markup.block(self.html())


def sorted_points(points: Sequence[MetricRecord]) -> tuple[MetricRecord, ...]:
    """Points in step order; a step logged twice keeps its points in time order."""
    return tuple(sorted(points, key=lambda p: (p.step, aware(p.ts))))


def metric_history_view(api: WorkbenchApi, run_id: int, key: str) -> MetricHistoryView:
    """Every point of metric ``key`` in run ``run_id``."""
    return MetricHistoryView(run_id, key, sorted_points(api.metric_history(run_id, key)))


def task_log_view(api: WorkbenchApi, run_id: int, task: str) -> TaskLogView:
    """The log of ``task`` in run ``run_id``.

    Raises:
        WorkbenchError: No such run or task, or a task name that is not a plain name.
    """
    return TaskLogView(api.task_log(run_id, task))


def input_reports(api: WorkbenchApi, dataset_ids: Sequence[int]) -> list[InputReport]:
    """The validation report of each dataset; one that cannot be read says why."""
    return [
        InputReport(found.dataset_id, found.report, found.problem)
        for found in fetch_validations(api, dataset_ids)
    ]
