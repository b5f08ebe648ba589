"""Reading and writing ``.workbench/contract.toml``.

The file is meant to be read and edited by a person, so it is written with a comment block
that explains every key, and read with errors that name the table and key that is wrong.

Writing uses a small emitter for the contract's fixed shape rather than a TOML library:
``tomlkit`` is not a dependency, and the shape is small (top-level keys, one ``[table]``,
arrays of ``[[columns]]`` and ``[[rules]]`` holding scalars, flat arrays and one inline
table). The emitter covers exactly the value types a contract holds: strings, booleans,
integers, floats (``nan``/``inf`` included), dates, datetimes and flat arrays of those.
Reading uses the standard library's ``tomllib``.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import fields
from typing import Any

from workbench.core.errors import ConfigError
from workbench.validation.contract import ColumnRule, Contract, TableRule

HEADER = """\
# Workbench data contract: what every file dropped into incoming/ must satisfy.
# Proposed from the first accepted dataset; edit it freely (it is re-read on every run).
#
# severity: "error" blocks the run (the file is quarantined with its report);
#           "warn" is reported and the run continues.
#
# [table]     min_rows / max_rows      row-count bounds (a header-only file has 0 rows)
#             row_count_severity       severity of the row-count check
#             added_column             severity of a file column the contract does not list
#             missing_column           severity of a listed column the file lacks
#             type_change              severity of a listed column read as another type
#
# [[columns]] name       column name exactly as in the header
#             dtype      int | float | bool | string | datetime | date
#             nullable   false: empty values fail
#             min, max   inclusive bounds (numbers, or dates/datetimes for those columns)
#             allowed    the only values allowed, e.g. ["a", "b"]
#             regex      pattern every value must match in full, e.g. "[A-Z]{3}"
#             unique     true: a value may not occur twice (ids)
#             finite     float columns: NaN and inf fail unless false
#             severity   severity of this column's checks
#             severity_by_check  per-check override, e.g. { range = "warn" }; checks are
#                        not_null, finite, range, allowed, regex, unique
#
# [[rules]]   name       label in reports
#             expr       polars SQL expression true for valid rows, e.g. "amount >= 0"
#                        (rows where it is null pass, as in an SQL CHECK)
#             severity   error | warn
"""

_TABLE_KEYS = (
    "min_rows",
    "max_rows",
    "row_count_severity",
    "added_column",
    "missing_column",
    "type_change",
)
_COLUMN_KEYS = tuple(f.name for f in fields(ColumnRule))
_RULE_KEYS = tuple(f.name for f in fields(TableRule))


def contract_to_toml(contract: Contract) -> str:
    """Render a contract as documented TOML that :func:`contract_from_toml` reads back.

    Args:
        contract: The contract to write.

    Returns:
        The file's text: a comment block explaining each key, then the values.
    """
    lines = [HEADER]
    if contract.target is not None:
        lines.append(f"target = {_value(contract.target)}\n")
    lines.append("[table]")
    for key in _TABLE_KEYS:
        value = getattr(contract, key)
        lines.append(f"{key} = {_value(value)}" if value is not None else f"# {key} =")
    for column in contract.columns:
        lines.extend(["", "[[columns]]", *_column_lines(column)])
    for rule in contract.rules:
        lines.extend(["", "[[rules]]"])
        lines.extend(f"{key} = {_value(getattr(rule, key))}" for key in _RULE_KEYS)
    return "\n".join(lines) + "\n"


def contract_from_toml(text: str, source: str) -> Contract:
    """Parse contract TOML, checking every key.

    Args:
        text: The file's content.
        source: Where the text came from (a path), used in error messages.

    Returns:
        The contract.

    Raises:
        ConfigError: The text is not TOML, a key is unknown or has the wrong type, or a
            value is invalid; the message names the file, the table and the key.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return _contract(data)
    except ConfigError as exc:
        raise ConfigError(f"{source}: {exc}") from exc


def _contract(data: dict[str, Any]) -> Contract:
    _no_unknown(data, ("target", "table", "columns", "rules"), "the top level")
    table = _expect(data.get("table", {}), dict, "[table]")
    _no_unknown(table, _TABLE_KEYS, "[table]")
    columns = _expect(data.get("columns", []), list, "columns")
    if not columns:
        raise ConfigError("the contract lists no [[columns]]")
    rules = _expect(data.get("rules", []), list, "rules")
    target = data.get("target")
    return Contract(
        columns=tuple(_column(c, i) for i, c in enumerate(columns)),
        rules=tuple(_rule(r, i) for i, r in enumerate(rules)),
        min_rows=_expect(table.get("min_rows", 1), int, "[table] min_rows"),
        max_rows=_optional(table.get("max_rows"), int, "[table] max_rows"),
        row_count_severity=_expect(
            table.get("row_count_severity", "error"), str, "[table] row_count_severity"
        ),
        added_column=_expect(table.get("added_column", "warn"), str, "[table] added_column"),
        missing_column=_expect(table.get("missing_column", "error"), str, "[table] missing_column"),
        type_change=_expect(table.get("type_change", "error"), str, "[table] type_change"),
        target=_optional(target, str, "target"),
    )


def _column(raw: object, index: int) -> ColumnRule:
    entry = _expect(raw, dict, f"columns[{index}]")
    name = entry.get("name")
    where = f"columns[{index}] ({name!r})" if isinstance(name, str) else f"columns[{index}]"
    _no_unknown(entry, _COLUMN_KEYS, where)
    if "name" not in entry or "dtype" not in entry:
        raise ConfigError(f"{where}: 'name' and 'dtype' are required")
    dtype = _expect(entry["dtype"], str, f"{where} dtype")
    allowed = _optional(entry.get("allowed"), list, f"{where} allowed")
    overrides = _expect(entry.get("severity_by_check", {}), dict, f"{where} severity_by_check")
    return ColumnRule(
        name=_expect(name, str, f"{where} name"),
        dtype=dtype,
        nullable=_expect(entry.get("nullable", True), bool, f"{where} nullable"),
        min=_bound(entry.get("min"), dtype),
        max=_bound(entry.get("max"), dtype),
        allowed=None if allowed is None else tuple(_allowed(v, dtype) for v in allowed),
        regex=_optional(entry.get("regex"), str, f"{where} regex"),
        unique=_expect(entry.get("unique", False), bool, f"{where} unique"),
        finite=_expect(entry.get("finite", True), bool, f"{where} finite"),
        severity=_expect(entry.get("severity", "error"), str, f"{where} severity"),
        severity_by_check=tuple(
            (kind, _expect(sev, str, f"{where} severity_by_check.{kind}"))
            for kind, sev in overrides.items()
        ),
    )


def _rule(raw: object, index: int) -> TableRule:
    entry = _expect(raw, dict, f"rules[{index}]")
    name = entry.get("name")
    where = f"rules[{index}] ({name!r})" if isinstance(name, str) else f"rules[{index}]"
    _no_unknown(entry, _RULE_KEYS, where)
    if "name" not in entry or "expr" not in entry:
        raise ConfigError(f"{where}: 'name' and 'expr' are required")
    return TableRule(
        name=_expect(name, str, f"{where} name"),
        expr=_expect(entry["expr"], str, f"{where} expr"),
        severity=_expect(entry.get("severity", "error"), str, f"{where} severity"),
    )


def _bound(value: object, dtype: str) -> Any:
    """Numbers in a float column are floats, so ``min = 0`` and ``min = 0.0`` agree."""
    if dtype == "float" and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _allowed(value: object, dtype: str) -> Any:
    return _bound(value, dtype)


def _column_lines(column: ColumnRule) -> list[str]:
    lines = [f"name = {_value(column.name)}", f"dtype = {_value(column.dtype)}"]
    lines.append(f"nullable = {_value(column.nullable)}")
    for key in ("min", "max", "allowed", "regex"):
        value = getattr(column, key)
        if value is not None:
            lines.append(f"{key} = {_value(value)}")
    if column.unique:
        lines.append("unique = true")
    if column.dtype == "float" or not column.finite:
        lines.append(f"finite = {_value(column.finite)}")
    lines.append(f"severity = {_value(column.severity)}")
    if column.severity_by_check:
        pairs = ", ".join(f"{kind} = {_value(sev)}" for kind, sev in column.severity_by_check)
        lines.append(f"severity_by_check = {{ {pairs} }}")
    return lines


def _value(value: object) -> str:
    """One TOML value: the subset of TOML a contract needs."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"a contract holds no {type(value).__name__} values")


_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _no_unknown(entry: dict[str, Any], known: tuple[str, ...], where: str) -> None:
    unknown = sorted(set(entry) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} (known keys: {', '.join(known)})")


def _expect(value: Any, kind: type, where: str) -> Any:
    if kind is int and isinstance(value, bool):
        raise ConfigError(f"{where} must be an integer, not {value!r}")
    if not isinstance(value, kind):
        names = {dict: "a table", list: "an array", str: "a string", bool: "true or false"}
        raise ConfigError(f"{where} must be {names.get(kind, 'an integer')}, not {value!r}")
    return value


def _optional(value: Any, kind: type, where: str) -> Any:
    return None if value is None else _expect(value, kind, where)
