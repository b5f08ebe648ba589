"""The validation reports of a run's input datasets: verdict, then what failed or warned.

A report is the JSON-ready dict the validation block stores at ingest (see
:meth:`workbench.validation.report.ValidationReport.to_dict`); passing checks are
counted, not listed, so what needs a person's eye is what fills the screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

EXAMPLES_SHOWN = 3
"""Example rows listed per check (the report keeps a few more)."""


@dataclass(frozen=True)
class DatasetValidation:
    """One input dataset of a run and its stored report."""

    dataset_id: int
    """The dataset."""
    report: dict[str, Any] | None
    """Its newest validation report, or None when it could not be read."""
    problem: str = ""
    """Why there is no report."""


@dataclass(frozen=True)
class CheckCounts:
    """How the checks of one report came out."""

    passed: int
    """Checks every row satisfied."""
    warned: int
    """Failed checks of ``warn`` severity (reported, not blocking)."""
    failed: int
    """Failed checks of ``error`` severity (they quarantine a file)."""


def check_counts(report: dict[str, Any]) -> CheckCounts:
    """Passed, warned and failed checks of ``report``."""
    checks = report.get("checks", [])
    broken = [c for c in checks if not c["passed"]]
    warned = sum(1 for c in broken if c.get("severity") == "warn")
    return CheckCounts(len(checks) - len(broken), warned, len(broken) - warned)


def verdict_text(report: dict[str, Any]) -> Text:
    """``passed``, ``passed with N warning(s)`` or ``failed``, coloured."""
    counts = check_counts(report)
    warnings = counts.warned + sum(
        1 for c in report.get("schema_changes", []) if c.get("severity") == "warn"
    )
    if not report.get("passed"):
        return Text("failed", style="bold red")
    if warnings:
        return Text(f"passed with {warnings} warning(s)", style="bold yellow")
    return Text("passed", style="bold green")


def _examples(check: dict[str, Any]) -> str:
    shown = [f"row {row}: {value!r}" for row, value in check.get("examples", [])[:EXAMPLES_SHOWN]]
    return ", ".join(shown) or "-"


def problems_table(report: dict[str, Any]) -> Table | None:
    """Schema changes and checks that did not pass, with counts and example rows."""
    changes = report.get("schema_changes", [])
    broken = [c for c in report.get("checks", []) if not c["passed"]]
    if not changes and not broken:
        return None
    table = Table(expand=True, box=None, pad_edge=False, header_style="bold")
    table.add_column("check", ratio=2, overflow="fold")
    table.add_column("severity", no_wrap=True)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("examples", ratio=3, overflow="fold")
    for change in changes:
        table.add_row(
            f"schema: {change['kind']} {change['column']}",
            _severity(change.get("severity", "error")),
            "-",
            f"expected {change.get('expected')}, found {change.get('found')}",
        )
    for check in broken:
        rows = check.get("failing_rows")
        table.add_row(
            check["name"],
            _severity(check.get("severity", "error")),
            f"{rows:,}" if isinstance(rows, int) else "-",
            _examples(check) if check.get("examples") else check.get("detail") or "-",
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
    counts = check_counts(report)
    changes = len(report.get("schema_changes", []))
    header = Text.assemble(
        (f"dataset {item.dataset_id}", "bold"),
        f"  {PurePath(str(report.get('source', '?'))).name}  ",
        verdict_text(report),
        f"  {int(report.get('rows') or 0):,} rows",
    )
    summary = Text(
        f"{counts.passed + counts.warned + counts.failed} checks: {counts.passed} passed, "
        f"{counts.warned} warned, {counts.failed} failed · schema: "
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
