"""The validation report: what was checked, what failed, where, and the data's profile.

These records cross the api (a front end shows a dataset's report, ``workbench contract
diff`` prints one), so they live in ``core`` and hold plain values only; the polars
code that fills them is in ``workbench.validation``.

Row numbers in reports count data rows from 1 the way a person does: row 1 is the first
row after the header (in a CSV without fields spanning lines, row ``n`` is line ``n + 1``).
Every value a report holds is JSON-ready, so ``to_dict`` output can be dumped as strict
JSON beside a quarantined file, and ``from_dict`` reads it back unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

JsonScalar = str | int | float | bool | None
"""A data value as a report holds it: dates as ISO strings, NaN and infinities as the
strings ``"NaN"``, ``"inf"`` and ``"-inf"`` (see :mod:`workbench.validation.scalars`)."""

SCHEMA_CHANGE_KINDS: tuple[str, ...] = ("added", "missing", "type_changed")
"""Kinds of schema change: a new column, a missing one, or one read as another type."""

_SUMMARY_ITEMS = 5


@dataclass(frozen=True)
class ColumnProfile:
    """What one column of a dataset looked like."""

    name: str
    """Column name."""
    dtype: str
    """Logical type the column was profiled as (the contract's, where it has one)."""
    count: int
    """Non-null values (NaN and inf included)."""
    nulls: int
    """Null (empty) values."""
    non_finite: int = 0
    """NaN and infinite values of a float column; they are left out of the statistics."""
    min: JsonScalar = None
    """Smallest value: a number, or an ISO string for date and datetime columns."""
    max: JsonScalar = None
    """Largest value, as ``min``."""
    mean: float | None = None
    """Mean of numeric values; for bool columns the share of ``true``."""
    std: float | None = None
    """Sample standard deviation (n - 1) of numeric values."""
    quantiles: tuple[tuple[float, float], ...] = ()
    """``(q, value)`` pairs for the quantiles 0.05, 0.25, 0.5, 0.75 and 0.95 of the finite
    values (estimated from a sample for large columns: see ``validation/profile.py``)."""
    top: tuple[tuple[JsonScalar, float], ...] = ()
    """Most common values as ``(value, share of non-null values)``: bool columns, string
    columns with an allowed set, any string column of a frame profiled on its own."""
    sample_size: int = 0
    """Finite values the quantiles were computed from (all of them, or the sample's)."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        data = asdict(self)
        data["quantiles"] = [list(pair) for pair in self.quantiles]
        data["top"] = [list(pair) for pair in self.top]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnProfile:
        """Rebuild a profile from :meth:`to_dict` output."""
        values = dict(data)
        values["quantiles"] = tuple((float(q), float(v)) for q, v in data.get("quantiles", ()))
        values["top"] = tuple((v, float(share)) for v, share in data.get("top", ()))
        return cls(**values)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check."""

    name: str
    """Human-readable check name, e.g. ``"amount not null"``."""
    column: str | None
    """The column checked; ``None`` for table-level checks."""
    kind: str
    """``not_null``, ``finite``, ``range``, ``allowed``, ``regex``, ``unique``,
    ``row_count`` or ``rule``."""
    severity: str
    """``error`` (a failure blocks the run) or ``warn`` (reported only)."""
    passed: bool
    """Whether every row satisfied the check."""
    failing_rows: int | None
    """Rows that violate it; ``None`` for checks not about rows (row count) or that could
    not run."""
    examples: tuple[tuple[int, JsonScalar | dict[str, JsonScalar]], ...] = ()
    """Up to N ``(row_number, value)`` pairs of failing rows, first rows first; a rule's
    value maps each column it reads to that row's value."""
    detail: str = ""
    """What the check requires, and for a check that could not run, why."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "name": self.name,
            "column": self.column,
            "kind": self.kind,
            "severity": self.severity,
            "passed": self.passed,
            "failing_rows": self.failing_rows,
            "examples": [[row, value] for row, value in self.examples],
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CheckResult:
        """Rebuild a result from :meth:`to_dict` output."""
        values = dict(data)
        values["examples"] = tuple((int(row), value) for row, value in data["examples"])
        return cls(**values)


@dataclass(frozen=True)
class SchemaChange:
    """A difference between the file's columns and the contract's."""

    kind: str
    """``added``, ``missing`` or ``type_changed``."""
    column: str
    """The column concerned."""
    expected: str | None
    """The contract's type (``None`` for an added column)."""
    found: str | None
    """The file's type (``None`` for a missing column)."""
    severity: str
    """``error`` blocks the run; ``warn`` is reported only (the contract decides)."""
    detail: str = ""
    """For a type change found in the values, how many did not fit and the first one."""

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form."""
        return {
            "kind": self.kind,
            "column": self.column,
            "expected": self.expected,
            "found": self.found,
            "severity": self.severity,
            "detail": self.detail,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SchemaChange:
        """Rebuild a schema change from :meth:`to_dict` output."""
        return cls(**data)

    def describe(self) -> str:
        """One phrase, e.g. ``"column 'amount' type changed float -> string"``."""
        if self.kind == "added":
            return f"new column {self.column!r} ({self.found})"
        if self.kind == "missing":
            return f"column {self.column!r} missing"
        return f"column {self.column!r} type changed {self.expected} -> {self.found}"


@dataclass(frozen=True)
class ValidationReport:
    """Everything one validation of one dataset found."""

    source: str
    """The file validated (or a label for an in-memory frame)."""
    rows: int
    """Data rows read."""
    passed: bool
    """No error-severity check failed and no error-severity schema change was found."""
    checks: tuple[CheckResult, ...]
    """Every check that ran, in contract order."""
    schema_changes: tuple[SchemaChange, ...]
    """Columns added, missing or read as another type."""
    profile: tuple[ColumnProfile, ...]
    """One profile per column of the file, for drift detection."""
    duration_s: float
    """Wall-clock seconds the validation took."""
    error: str = ""
    """Why the file could not be validated at all (unreadable, past a limit, outside the
    workspace); its checks are then empty and it did not pass."""

    @classmethod
    def unreadable(cls, source: str, error: str) -> ValidationReport:
        """The report of a file that could not be read or checked: ``error`` says why."""
        return cls(source, 0, False, (), (), (), 0.0, error)

    @property
    def failures(self) -> tuple[CheckResult, ...]:
        """Checks that failed, of either severity."""
        return tuple(c for c in self.checks if not c.passed)

    @property
    def warned(self) -> tuple[CheckResult, ...]:
        """Failed checks of ``warn`` severity: reported, not blocking."""
        return tuple(c for c in self.failures if c.severity == "warn")

    @property
    def blocking(self) -> tuple[CheckResult, ...]:
        """Failed checks of ``error`` severity: they quarantine a file."""
        return tuple(c for c in self.failures if c.severity != "warn")

    @property
    def warnings(self) -> int:
        """Warned checks and warn-severity schema changes: what a passed file still says."""
        return len(self.warned) + sum(1 for c in self.schema_changes if c.severity == "warn")

    def check(self, name: str) -> CheckResult:
        """The result of the check called ``name``.

        Raises:
            KeyError: No check has that name.
        """
        for result in self.checks:
            if result.name == name:
                return result
        raise KeyError(name)

    def summary(self) -> str:
        """One line for a person, e.g. ``"3 of 41 checks failed: amount not null (12
        rows, first at row 7); ..."``."""
        if self.error:
            return self.error
        failed = self.failures
        parts = []
        if failed:
            items = [_describe_failure(c) for c in failed[:_SUMMARY_ITEMS]]
            if len(failed) > _SUMMARY_ITEMS:
                items.append(f"and {len(failed) - _SUMMARY_ITEMS} more")
            parts.append(f"{len(failed)} of {len(self.checks)} checks failed: " + "; ".join(items))
        else:
            parts.append(f"all {len(self.checks)} checks passed on {self.rows:,} rows")
        if self.schema_changes:
            changes = [
                c.describe() + (" (warn)" if c.severity == "warn" else "")
                for c in self.schema_changes
            ]
            parts.append("schema: " + "; ".join(changes))
        return " | ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (``json.dumps(report.to_dict(), allow_nan=False)`` works)."""
        return {
            "source": self.source,
            "rows": self.rows,
            "passed": self.passed,
            "checks": [c.to_dict() for c in self.checks],
            "schema_changes": [c.to_dict() for c in self.schema_changes],
            "profile": [p.to_dict() for p in self.profile],
            "duration_s": self.duration_s,
            **({"error": self.error} if self.error else {}),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ValidationReport:
        """Rebuild a report from :meth:`to_dict` output, or from the ``{"error": ...}`` that
        ingest stores for a file it could not read."""
        if "checks" not in data:
            return cls.unreadable(str(data.get("source", "")), str(data.get("error", "")))
        return cls(
            source=data["source"],
            rows=int(data["rows"]),
            passed=bool(data["passed"]),
            checks=tuple(CheckResult.from_dict(c) for c in data["checks"]),
            schema_changes=tuple(SchemaChange.from_dict(c) for c in data["schema_changes"]),
            profile=tuple(ColumnProfile.from_dict(p) for p in data["profile"]),
            duration_s=float(data["duration_s"]),
            error=str(data.get("error", "")),
        )


def verdict(checks: tuple[CheckResult, ...], changes: tuple[SchemaChange, ...]) -> bool:
    """Whether a dataset passes: nothing of ``error`` severity failed or changed."""
    blocking_check = any(not c.passed and c.severity == "error" for c in checks)
    blocking_change = any(c.severity == "error" for c in changes)
    return not (blocking_check or blocking_change)


def _describe_failure(result: CheckResult) -> str:
    warn = ", warn" if result.severity == "warn" else ""
    if result.failing_rows is None:
        return f"{result.name} ({result.detail}{warn})"
    first = f", first at row {result.examples[0][0]}" if result.examples else ""
    return f"{result.name} ({count_rows(result.failing_rows)}{first}{warn})"


def count_rows(n: int) -> str:
    """``"1 row"``, ``"1,234 rows"``."""
    return f"{n:,} row" if n == 1 else f"{n:,} rows"
