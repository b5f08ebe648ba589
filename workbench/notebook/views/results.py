"""Objects handed back to Python that read better as HTML than as a repr.

Each view keeps the api's record it was built from (``.detail``, ``.report``, ...) and
offers the rows as a polars DataFrame (``.frame``), so the same object is shown in the
notebook and used as data. The panels embed the same HTML.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench.api import RunDetail, WorkbenchApi
from workbench.core import model_summary
from workbench.core.fetched import ModelsData
from workbench.core.formatting import latency, rate, tag_rows
from workbench.core.records import IngestOutcome, LineageNode, ModelVersionRecord, ServingStatus
from workbench.core.validation_report import CheckResult, SchemaChange, ValidationReport
from workbench.core.vocabulary import TASK_FINISHED, lower_is_better, metric_names
from workbench.notebook.views import charts, markup
from workbench.notebook.views.formatting import (
    metric_value,
    seconds,
    stamp,
)
from workbench.notebook.views.markup import Safe


@dataclass(frozen=True, repr=False)
class RunView:
    """One run: its tasks (the DAG's progress), a timeline, its models and metrics."""

    detail: RunDetail
    """What the api said about the run."""

    @property
    def frame(self) -> pl.DataFrame:
        """The task runs as rows."""
        return pl.DataFrame(
            [
                {
                    "task": t.task,
                    "status": t.status,
                    "attempts": t.attempts,
                    "duration_s": t.duration_s,
                    "error": t.error,
                }
                for t in self.detail.tasks
            ],
            schema={
                "task": pl.String,
                "status": pl.String,
                "attempts": pl.Int64,
                "duration_s": pl.Float64,
                "error": pl.String,
            },
            orient="row",
        )

    @property
    def finished_tasks(self) -> int:
        """Tasks that reached a final status."""
        return sum(1 for t in self.detail.tasks if t.status in TASK_FINISHED)

    def __repr__(self) -> str:
        run = self.detail.run
        return f"<RunView run {run.id} {run.status}: {len(self.detail.tasks)} task(s)>"

    def html(self) -> Safe:
        """The run as one HTML block."""
        run = self.detail.run
        tasks = sorted(self.detail.tasks, key=lambda t: (t.started_at is None, t.started_at))
        bars = [charts.Bar(t.task, t.status, t.started_at, t.finished_at) for t in tasks]
        rows = [
            (markup.badge(t.status), t.task, t.attempts, seconds(t.duration_s), t.error or "")
            for t in tasks
        ]
        models = ", ".join(f"v{m.version} {m.candidate} ({m.status})" for m in self.detail.models)
        head = (
            f"Run {run.id} · {run.pipeline} · {run.trigger} · "
            f"{self.finished_tasks} of {len(tasks)} task(s) finished"
        )
        return markup.block(
            markup.heading(head),
            markup.badge(run.status),
            markup.esc(f"  started {stamp(run.started_at)}"),
            markup.error(run.error) if run.error else "",
            charts.timeline(bars, title=f"tasks of run {run.id}"),
            markup.table(
                ["status", "task", "attempts", "duration", "error"],
                rows,
                right=(2, 3),
                empty="no task has started yet",
            ),
            _key_metrics(self.detail.metrics),
            _tags(self.detail.tags),
            markup.note(f"models: {models}") if models else "",
        )

    def _repr_html_(self) -> str:
        return self.html()


def _tags(tags: dict[str, dict[str, str]]) -> Safe:
    """The run's own tags, then each task's (``ctx.set_tags``)."""
    rows = tag_rows(tags)
    if not rows:
        return Safe("")
    return markup.join([markup.heading("Tags"), markup.table(["on", "tag", "value"], rows)])


def _key_metrics(metrics: dict[str, float]) -> Safe:
    """The run's metrics for the measure candidates are compared by (e.g. every roc_auc)."""
    names = metric_names([{k.rsplit(".", 1)[-1]: v for k, v in metrics.items()}])
    if not names:
        return Safe("")
    shown = sorted(k for k in metrics if k.rsplit(".", 1)[-1] == names[0])
    return markup.table(
        ["metric", "value"], [(k, metric_value(metrics[k])) for k in shown], right=(1,)
    )


@dataclass(frozen=True, repr=False)
class ValidationView:
    """A validation report: the verdict, the failed checks, schema changes, the profile."""

    report: ValidationReport
    """The report as the api returned it."""
    title: str = "Validation report"
    """Heading, e.g. the file name and what happened to it."""

    @property
    def checks(self) -> pl.DataFrame:
        """Every check with its outcome."""
        rows = [
            {k: getattr(c, k) for k in ("name", "column", "severity", "passed", "failing_rows")}
            for c in self.report.checks
        ]
        schema = {
            "name": pl.String,
            "column": pl.String,
            "severity": pl.String,
            "passed": pl.Boolean,
            "failing_rows": pl.Int64,
        }
        return pl.DataFrame(rows, schema=schema, orient="row")

    @property
    def profile(self) -> pl.DataFrame:
        """One row per column: count, nulls, range, mean, std."""
        keys = ("name", "dtype", "count", "nulls", "min", "max", "mean", "std")
        rows = [{k: _cell(getattr(p, k)) for k in keys} for p in self.report.profile]
        return pl.DataFrame(rows, schema=dict.fromkeys(keys, pl.String), orient="row")

    def __repr__(self) -> str:
        verdict = "passed" if self.report.passed else "failed"
        return f"<ValidationView {self.title!r}: {verdict}>"

    def html(self) -> Safe:
        """The report as one HTML block."""
        report = self.report
        if report.error:  # the file could not be read at all
            return markup.block(markup.heading(self.title), markup.error(report.error))
        failed = report.failures
        total = len(report.checks)
        return markup.block(
            markup.heading(self.title),
            markup.badge("passed" if report.passed else "failed"),
            markup.esc(f"  {total - len(failed)} of {total} checks passed on {report.rows:,} rows"),
            _failed_checks(failed) if failed else "",
            _schema_changes(report.schema_changes) if report.schema_changes else "",
            markup.heading("Profile"),
            markup.table(list(self.profile.columns), self.profile.rows(), right=range(2, 8)),
        )

    def _repr_html_(self) -> str:
        return self.html()


def _failed_checks(failed: Sequence[CheckResult]) -> Safe:
    rows = [
        (
            c.name,
            markup.badge("error" if c.severity == "error" else "warning", c.severity),
            "-" if c.failing_rows is None else c.failing_rows,
            "; ".join(f"{row}: {value}" for row, value in c.examples[:3]),
        )
        for c in failed
    ]
    headers = ["check", "severity", "failing rows", "first examples (row: value)"]
    return markup.join([markup.heading("Failed checks"), markup.table(headers, rows, right=(2,))])


def _schema_changes(changes: Sequence[SchemaChange]) -> Safe:
    rows = [(s.kind, s.column, s.expected or "-", s.found or "-", s.severity) for s in changes]
    headers = ["kind", "column", "expected", "found", "severity"]
    return markup.join([markup.heading("Schema changes"), markup.table(headers, rows)])


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


@dataclass(frozen=True, repr=False)
class CompareView:
    """A candidate beside production: each metric, both values and the difference."""

    candidate: ModelVersionRecord | None
    """The version under review."""
    production: ModelVersionRecord | None
    """What serves now (None before the first approval)."""

    @property
    def frame(self) -> pl.DataFrame:
        """metric, candidate, production, delta (candidate minus production)."""
        sides = [m.metrics for m in (self.candidate, self.production) if m is not None]
        rows = []
        for name in metric_names(sides):
            mine = self.candidate.metrics.get(name) if self.candidate else None
            theirs = self.production.metrics.get(name) if self.production else None
            delta = None if mine is None or theirs is None else mine - theirs
            rows.append({"metric": name, "candidate": mine, "production": theirs, "delta": delta})
        schema = dict.fromkeys(("candidate", "production", "delta"), pl.Float64)
        return pl.DataFrame(rows, schema={"metric": pl.String, **schema}, orient="row")

    def __repr__(self) -> str:
        mine = f"v{self.candidate.version}" if self.candidate else "-"
        theirs = f"v{self.production.version}" if self.production else "-"
        return f"<CompareView {mine} vs production {theirs}>"

    def html(self) -> Safe:
        """The comparison as one HTML table, a better delta in green, a worse one in red."""
        label = (
            f"v{self.candidate.version} {self.candidate.candidate} ({self.candidate.status})"
            if self.candidate
            else "-"
        )
        prod = f"production v{self.production.version}" if self.production else "production -"
        rows = [
            (
                r["metric"],
                metric_value(r["candidate"]),
                metric_value(r["production"]),
                _delta(r["metric"], r["delta"]),
            )
            for r in self.frame.iter_rows(named=True)
        ]
        table = markup.table(
            ["metric", label, prod, "Δ"], rows, right=(1, 2, 3), empty="no model versions yet"
        )
        return markup.block(markup.note(self.interval_line()), table)

    def interval_line(self) -> str:
        """The candidate's improvement over production on the same test rows with its 95%
        interval ("not significant" when it does not clear the margin), or why there is
        none. Metrics are test metrics; ``val_``/``cv_`` rows chose the model."""
        mine, prod = self.candidate, self.production
        if mine is None or prod is None or mine.version == prod.version:
            return "test metrics (measured once); val_/cv_ rows are the validation that chose it"
        compared = model_summary.comparison_with(mine, prod.version)
        if compared is None:
            return f"v{mine.version} was not tested beside production v{prod.version}"
        return (
            f"v{mine.version} vs production v{prod.version} on the same test rows: "
            f"{compared['metric']} {model_summary.comparison_text(compared)}"
        )

    def _repr_html_(self) -> str:
        return markup.block(self.html())


def _delta(name: str, delta: float | None) -> Safe:
    if delta is None:
        return markup.esc("-")
    better = delta < 0 if lower_is_better(name) else delta > 0
    color = "#2e7d32" if better else ("#c62828" if delta else "inherit")
    return Safe(f'<span style="color:{color}">{delta:+.4f}</span>')


@dataclass(frozen=True, repr=False)
class LineageView:
    """A model version's lineage: data, run, tasks, decisions, aliases."""

    node: LineageNode
    """The root of the walk."""

    @property
    def frame(self) -> pl.DataFrame:
        """Every node with its depth and its parent's key, root first."""
        rows: list[dict[str, Any]] = []

        def walk(node: LineageNode, depth: int, parent: str | None) -> None:
            key = f"{node.kind}:{node.key}"
            rows.append(
                {
                    "depth": depth,
                    "kind": node.kind,
                    "key": node.key,
                    "label": node.label,
                    "parent": parent,
                }
            )
            for child in node.children:
                walk(child, depth + 1, key)

        walk(self.node, 0, None)
        return pl.DataFrame(rows, orient="row")

    def __repr__(self) -> str:
        return f"<LineageView {self.node.label}>"

    def html(self) -> Safe:
        """The tree as nested lists."""
        return markup.block(markup.tree(self.node))

    def _repr_html_(self) -> str:
        return self.html()


@dataclass(frozen=True, repr=False)
class ServingView:
    """Whether the scoring server is up, as its process says (not as the event log says)."""

    status: ServingStatus
    """What the api reported."""

    def __repr__(self) -> str:
        return f"<ServingView {self.status.state}>"

    def badge(self) -> Safe:
        """One coloured word: ``serving v3``, ``server stopped`` or ``not serving``."""
        status = self.status
        if status.state == "running":
            version = f" v{status.version}" if status.version is not None else ""
            return markup.badge("success", f"serving{version}")
        if status.state == "stopped":
            return markup.badge("failed", "server stopped")
        return markup.badge("skipped", "not serving")

    def html(self) -> Safe:
        """The badge with where it answers, its recent traffic, and any note."""
        status = self.status
        parts: list[object] = [self.badge()]
        if status.url:
            parts.append(markup.esc(f" {status.url}"))
        if status.pid is not None:
            parts.append(markup.esc(f" · pid {status.pid}"))
        if status.requests_per_s is not None:
            parts.append(markup.esc(f" · {rate(status.requests_per_s)} req/s"))
        if status.p99_latency_s is not None:
            parts.append(markup.esc(f" · p99 {latency(status.p99_latency_s)}"))
        if status.requests_total is not None:
            parts.append(markup.esc(f" · {status.requests_total:,} request(s) in all"))
        if status.note:
            parts.append(markup.note(status.note))
        return markup.join(parts)

    def _repr_html_(self) -> str:
        return markup.block(self.html())


def run_view(api: WorkbenchApi, run_id: int) -> RunView:
    """Run ``run_id`` with its tasks, for display or ``.frame``."""
    return RunView(api.run_detail(run_id))


def validation_view(
    outcome: IngestOutcome | ValidationReport, title: str | None = None
) -> ValidationView:
    """The validation report of an ingest (``api.ingest(...)``) or a report."""
    if isinstance(outcome, IngestOutcome):
        report = outcome.report or ValidationReport.unreadable(outcome.file, outcome.message)
        return ValidationView(report, title or f"{outcome.file}: {outcome.status}")
    return ValidationView(outcome, title or "Validation report")


def compare_view(api: WorkbenchApi, version: int | None = None) -> CompareView:
    """Version ``version`` (default: the newest candidate) against production."""
    registry = ModelsData(api.models())
    candidate = registry.newest_candidate() if version is None else registry.get(version)
    return CompareView(candidate, registry.production())


def lineage_view(api: WorkbenchApi, version: int) -> LineageView:
    """The lineage tree of model version ``version``."""
    return LineageView(api.lineage(version))


def serving_view(api: WorkbenchApi) -> ServingView:
    """The scoring server now: up or not, what it serves, how busy it is."""
    return ServingView(api.serving_status())
