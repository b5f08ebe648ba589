"""The validation reports of a run's input datasets: verdict, then what failed or warned.

A report is the :class:`~workbench.core.validation_report.ValidationReport` the
validation block stored at ingest; passing checks are counted, not listed, so what needs
a person's eye is what fills the screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePath

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from workbench.core.fetched import DatasetValidation
from workbench.core.validation_report import CheckResult, ValidationReport

EXAMPLES_SHOWN = 3
"""Example rows listed per check (the report keeps a few more)."""


def verdict_text(report: ValidationReport) -> Text:
    """``passed``, ``passed with N warning(s)`` or ``failed``, coloured."""
    if not report.passed:
        return Text("failed", style="bold red")
    if report.warnings:
        return Text(f"passed with {report.warnings} warning(s)", style="bold yellow")
    return Text("passed", style="bold green")


def _examples(check: CheckResult) -> str:
    shown = [f"row {row}: {value!r}" for row, value in check.examples[:EXAMPLES_SHOWN]]
    return ", ".join(shown) or "-"


def problems_table(report: ValidationReport) -> Table | None:
    """Schema changes and checks that did not pass, with counts and example rows."""
    if not report.schema_changes and not report.failures and not report.error:
        return None
    table = Table(expand=True, box=None, pad_edge=False, header_style="bold")
    table.add_column("check", ratio=2, overflow="fold")
    table.add_column("severity", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("examples", ratio=3, overflow="fold")
    if report.error:
        table.add_row("read the file", _severity("error"), "-", report.error)
    for change in report.schema_changes:
        table.add_row(
            f"schema: {change.kind} {change.column}",
            _severity(change.severity),
            "-",
            f"expected {change.expected}, found {change.found}",
        )
    for check in report.failures:
        rows = check.failing_rows
        table.add_row(
            check.name,
            _severity(check.severity),
            f"{rows:,}" if rows is not None else "-",
            _examples(check) if check.examples else check.detail or "-",
        )
    return table


def _severity(severity: str) -> Text:
    return Text(severity, style="yellow" if severity == "warn" else "red")


def dataset_block(item: DatasetValidation) -> list[RenderableType]:
    """The lines and table of one dataset."""
    if item.report is None:
        return [
            Text.assemble((f"dataset {item.dataset_id}", "bold"), "  no report"),
            Text(item.problem, style="red"),
        ]
    report = item.report
    passed = len(report.checks) - len(report.failures)
    changes = len(report.schema_changes)
    header = Text.assemble(
        (f"dataset {item.dataset_id}", "bold"),
        f"  {PurePath(report.source or '?').name}  ",
        verdict_text(report),
        f"  {report.rows:,} rows",
    )
    summary = Text(
        f"{len(report.checks)} checks: {passed} passed, {len(report.warned)} warned, "
        f"{len(report.blocking)} failed · schema: "
        + (f"{changes} change(s)" if changes else "as the contract says"),
        style="dim",
    )
    block: list[RenderableType] = [header, summary]
    table = problems_table(report)
    if table is not None:
        block.append(table)
    return block


def validation_renderable(items: Sequence[DatasetValidation]) -> RenderableType:
    """Every dataset's block, a blank line apart."""
    if not items:
        return Text("this run read no dataset", style="dim")
    parts: list[RenderableType] = []
    for index, item in enumerate(items):
        if index:
            parts.append(Text(""))
        parts.extend(dataset_block(item))
    return Group(*parts)


class ValidationReports(Static):
    """The reports of a run's input datasets; call :meth:`show_reports` with them."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(Text("loading…", style="dim"), id=id)
        self.items: tuple[DatasetValidation, ...] = ()
        """The reports on display."""

    def show_reports(self, items: Sequence[DatasetValidation]) -> None:
        """Redraw with these reports."""
        self.items = tuple(items)
        self.update(validation_renderable(self.items))
