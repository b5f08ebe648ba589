"""Rich tables and JSON for the CLI's listing commands.

Rendering lives only at the edge: records come from the api, this module decides how a
person (a table) or a script (``--json``, stable keys) sees them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from workbench.api import RunDetail
from workbench.core import model_summary
from workbench.core.drift_report import ColumnDrift, DriftReport
from workbench.core.formatting import utc_stamp
from workbench.core.records import (
    CachedResult,
    DatasetRecord,
    EventRecord,
    LineageNode,
    ModelVersionRecord,
    Reproduction,
    RunComparison,
    RunRecord,
    RunScore,
    to_jsonable,
)
from workbench.core.validation_report import ValidationReport
from workbench.core.vocabulary import Level, terminal_style


def print_json(console: Console, value: Any) -> None:
    """Machine-readable output: records as objects with their field names as keys."""
    console.print_json(json.dumps(to_jsonable(value), default=str))


def _when(value: datetime | None) -> str:
    return utc_stamp(value)  # UTC, as the TUI and the notebook show it


def _duration(run: RunRecord) -> str:
    if run.started_at and run.finished_at:
        return f"{(run.finished_at - run.started_at).total_seconds():.1f}s"
    return "-"


def _status(value: str) -> str:
    style = terminal_style(value)
    return f"[{style}]{value}[/]" if style else value


def runs_table(runs: Sequence[RunRecord]) -> Table:
    """Runs, newest first."""
    table = Table(title="Runs")
    for column in ("run", "status", "trigger", "datasets", "created", "duration", "error"):
        table.add_column(column)
    for run in runs:
        table.add_row(
            str(run.id),
            _status(run.status),
            run.trigger,
            ", ".join(map(str, run.dataset_ids)) or "-",
            _when(run.created_at),
            _duration(run),
            (run.error or "")[:60],
        )
    return table


def best_runs_table(scores: Sequence[RunScore]) -> Table:
    """Runs ranked by a metric, best first."""
    table = Table(title="Best runs")
    for column in ("run", "value", "status", "trigger", "datasets", "created"):
        table.add_column(column, justify="right" if column == "value" else "left")
    for score in scores:
        run = score.run
        table.add_row(
            str(run.id),
            f"{score.value:.4f}",
            _status(run.status),
            run.trigger,
            ", ".join(map(str, run.dataset_ids)) or "-",
            _when(run.created_at),
        )
    return table


def cache_table(entries: Sequence[CachedResult]) -> Table:
    """Cached task results, newest first."""
    table = Table(title="Task cache")
    for column in ("task", "from run", "size", "hits", "stored", "key"):
        table.add_column(column)
    for entry in entries:
        table.add_row(
            entry.task,
            str(entry.run_id) if entry.run_id is not None else "-",
            f"{entry.size / 1024:.1f} KiB",
            str(entry.hits),
            _when(entry.created_at),
            entry.key[:12],
        )
    return table


def models_table(models: Sequence[ModelVersionRecord], metric: str | None = None) -> Table:
    """Model versions: the test metric (measured once), the validation score that chose
    it, the threshold served, the improvement over production with its 95% interval."""
    table = Table(title="Model versions")
    columns = ("version", "candidate", "status", "gate", "test (once)", "validation")
    for column in (*columns, "threshold", "vs production", "aliases", "run", "created"):
        table.add_column(column)
    for m in models:
        table.add_row(
            str(m.version),
            m.candidate,
            _status(m.status),
            f"[{'green' if m.gate_passed else 'red'}]{model_summary.gate_text(m)}[/]",
            model_summary.tested_text(m, metric),
            model_summary.validation_text(m, metric),
            model_summary.threshold_text(m),
            model_summary.versus_production_text(m),
            ", ".join(m.aliases) or "-",
            str(m.run_id),
            _when(m.created_at),
        )
    return table


def decided(model: ModelVersionRecord) -> str:
    """Where a decision (approve, reject, archive) left a version: its status and aliases."""
    said = f"model version {model.version} is now [bold]{model.status}[/]"
    return said + (f"\naliases: {', '.join(model.aliases)}" if model.aliases else "")


def model_story(model: ModelVersionRecord) -> list[str]:
    """How a version was chosen and tested, in a few lines (the demo prints it)."""
    ev = model.evaluation or {}
    metric = model_summary.gate_metric(model)
    rows = ev.get("rows", {})
    chooser = (
        f"{ev.get('folds')}-fold cv on {rows.get('train')} rows"
        if ev.get("selection") == "cv"
        else f"fit on {rows.get('train')} rows, chosen on {rows.get('validation')} validation rows"
    )
    lines = [
        f"model version {model.version} ({model.candidate}): split {ev.get('split', '?')}, "
        f"{rows.get('test')} test rows; {chooser}",
        f"  validation  {model_summary.validation_text(model)} (the score that chose it)",
        f"  test        {model_summary.tested_text(model)} (measured once, on rows no choice saw)",
    ]
    versus = ev.get("versus_baseline")
    if versus and metric:
        lines.append(
            f"  baseline    {metric} {versus['b']:.4f}; improvement "
            f"{model_summary.comparison_text(versus, 0.0)} (95% paired bootstrap)"
        )
    if model.threshold is not None:
        lines.append(
            f"  threshold   {model.threshold:.3f} (rule {ev.get('threshold_rule')}, chosen on "
            "validation; the server applies it)"
        )
    champion = model.champion or {}
    if champion.get("comparison"):
        lines.append(f"  promotion   {model_summary.versus_production_text(model)}")
    elif champion.get("error"):
        lines.append(f"  promotion   production could not score the test rows: {champion['error']}")
    else:
        lines.append("  promotion   no production model to beat yet")
    return lines


def run_detail_tables(detail: RunDetail) -> list[Table]:
    """A run's tasks and metrics."""
    tasks = Table(title=f"Run {detail.run.id}: {detail.run.status} ({detail.run.trigger})")
    for column in ("task", "status", "attempts", "duration", "error"):
        tasks.add_column(column)
    for t in detail.tasks:
        tasks.add_row(
            t.task,
            _status(t.status),
            str(t.attempts),
            f"{t.duration_s:.2f}s" if t.duration_s is not None else "-",
            (t.error or "")[:70],
        )
    metrics = Table(title="Metrics")
    metrics.add_column("metric")
    metrics.add_column("value", justify="right")
    for key, value in detail.metrics.items():
        metrics.add_row(key, f"{value:.4f}")
    tables = [tasks, metrics]
    if detail.tags:
        tags = Table(title="Tags")
        for column in ("task", "tag", "value"):
            tags.add_column(column)
        for task, values in detail.tags.items():
            for name, text in values.items():
                tags.add_row(task or "(run)", name, text)
        tables.append(tags)
    return tables


def lineage_tree(node: LineageNode) -> Tree:
    """A lineage walk as a rich tree."""
    tree = Tree(node.label)
    stack = [(tree, c) for c in node.children]
    while stack:
        parent, child = stack.pop(0)
        branch = parent.add(child.label)
        stack.extend((branch, c) for c in child.children)
    return tree


def datasets_table(datasets: Sequence[DatasetRecord]) -> Table:
    """Ingested datasets, newest first."""
    table = Table(title="Datasets")
    for column in ("dataset", "status", "file", "rows", "sha256", "ingested", "path"):
        table.add_column(column)
    for d in datasets:
        table.add_row(
            str(d.id),
            _status(d.status),
            d.name,
            f"{d.rows:,}",
            d.sha256[:12],
            _when(d.ingested_at),
            d.path,
        )
    return table


_LEVEL_STYLE = {Level.WARNING: "yellow", Level.ERROR: "bold red"}


def events_table(events: Sequence[EventRecord]) -> Table:
    """The event log, alerts highlighted."""
    table = Table(title="Events")
    for column in ("id", "time", "kind", "message"):
        table.add_column(column)
    for e in events:
        style = _LEVEL_STYLE.get(e.level)
        table.add_row(str(e.id), _when(e.ts), e.kind, e.message, style=style)
    return table


def event_line(event: EventRecord) -> str:
    """One event as a log line (``workbench watch`` prints these as they happen)."""
    style = _LEVEL_STYLE.get(event.level)
    message = event.message
    if not message.isprintable():  # a newline or escape from a file name: one line, shown
        message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    text = f"{_when(event.ts)}  {event.kind:<22} {escape(message)}"
    return f"[{style}]{text}[/]" if style else text


def reproduction_table(result: Reproduction) -> Table:
    """Original and reproduced metrics, mismatches in red."""
    table = Table(title=f"Run {result.original.id} vs its reproduction, run {result.rerun.id}")
    for column in ("metric", f"run {result.original.id}", f"run {result.rerun.id}", ""):
        table.add_column(column)
    for m in result.metrics:
        table.add_row(
            m.key,
            _number(m.original),
            _number(m.reproduced),
            "[green]=[/]" if m.equal else "[red]differs[/]",
            style=None if m.equal else "red",
        )
    return table


def _number(value: float | str | None) -> str:
    if value is None:
        return "-"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def comparison_table(result: RunComparison) -> Table:
    """Params then metrics, one column per run; rows whose values differ highlighted."""
    table = Table(title="Run comparison")
    table.add_column("")
    for run_id in result.run_ids:
        table.add_column(f"run {run_id}", justify="right")
    for section, values in (("param", result.params), ("metric", result.metrics)):
        for key, row in values.items():
            differs = len({str(v) for v in row}) > 1
            table.add_row(
                f"{section} {key}",
                *[_number(v) for v in row],
                style="bold yellow" if differs else None,
            )
    return table


def _drift_row(table: Table, column: ColumnDrift) -> None:
    table.add_row(
        column.column,
        column.method,
        f"{column.statistic:.4g}",
        f"{column.p_value:.3g}" if column.p_value is not None else "-",
        f"{column.threshold:.3g}",
        f"{column.psi:.3f} ({column.psi_band})",
        "[bold red]drift[/]" if column.drifted else "[green]ok[/]",
    )


def drift_tables(report: DriftReport) -> list[Table]:
    """Per-column drift (method, statistic, p-value or score, threshold, verdict), target apart."""
    headers = ("column", "method", "statistic", "p-value", "threshold", "PSI", "verdict")
    features = Table(title="Feature drift")
    for header in headers:
        features.add_column(header)
    for column in report.columns:
        _drift_row(features, column)
    tables = [features]
    if report.target is not None:
        target = Table(title="Target drift")
        for header in headers:
            target.add_column(header)
        _drift_row(target, report.target)
        tables.append(target)
    return tables


def validation_table(report: ValidationReport) -> Table:
    """A validation report: schema changes, then every check with failing rows and examples."""
    table = Table(title=f"Validation of {report.source} ({report.rows:,} rows)")
    for column in ("check", "severity", "result", "failing rows", "examples (row: value)"):
        table.add_column(column)
    if report.error:
        table.add_row("read the file", "error", "[red]fail[/]", "-", report.error, style="red")
    for change in report.schema_changes:
        table.add_row(
            f"schema: {change.kind} {change.column}",
            change.severity,
            "[red]changed[/]",
            "-",
            f"expected {change.expected}, found {change.found}",
        )
    for check in report.checks:
        examples = ", ".join(f"{row}: {value!r}" for row, value in check.examples[:3])
        table.add_row(
            check.name,
            check.severity,
            "[green]pass[/]" if check.passed else "[red]fail[/]",
            str(check.failing_rows if check.failing_rows is not None else "-"),
            examples,
            style=None if check.passed else "red",
        )
    return table
