"""Reading and writing ``.workbench/contract.toml``.

The file is meant to be read and edited by a person, so it is written with a comment block
that explains every key, and read with errors that name the table and key that is wrong.

Writing uses ``tomlkit`` (which keeps the comments and the layout a person reads);
reading uses the standard library's ``tomllib``.
"""

from __future__ import annotations

import tomllib
from dataclasses import fields
from typing import Any

import tomlkit

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
    doc = tomlkit.document()
    for line in HEADER.splitlines():
        doc.add(tomlkit.comment(line.removeprefix("# ").removeprefix("#")))
    doc.add(tomlkit.nl())
    if contract.target is not None:
        doc["target"] = contract.target
    table = tomlkit.table()
    for key in _TABLE_KEYS:
        value = getattr(contract, key)
        if value is None:
            table.add(tomlkit.comment(f"{key} ="))  # shown, so a person sees it can be set
        else:
            table[key] = value
    doc["table"] = table
    # The arrays of tables are rendered entry by entry, each value by tomlkit: building
    # them as tomlkit containers costs about 1.5 ms per column (15 s for a 10,000-column
    # contract), rendering the same text this way a fifth of that.
    parts = [tomlkit.dumps(doc)]
    parts += [_entry("columns", _column_values(column)) for column in contract.columns]
    parts += [
        _entry("rules", {key: getattr(rule, key) for key in _RULE_KEYS}) for rule in contract.rules
    ]
    return "".join(parts)


def _entry(array: str, values: dict[str, Any]) -> str:
    """One ``[[array]]`` entry as text, as tomlkit renders it."""
    lines = [f"\n[[{array}]]"]
    for key, value in values.items():
        if isinstance(value, dict):
            inline = tomlkit.inline_table()
            inline.update(value)
            lines.append(f"{key} = {inline.as_string()}")
        else:
            lines.append(f"{key} = {tomlkit.item(value).as_string()}")
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


def _column_values(column: ColumnRule) -> dict[str, Any]:
    """One ``[[columns]]`` entry: the keys a person needs, defaults left out."""
    entry: dict[str, Any] = {}
    entry["name"] = column.name
    entry["dtype"] = column.dtype
    entry["nullable"] = column.nullable
    for key in ("min", "max", "allowed", "regex"):
        value = getattr(column, key)
        if value is not None:
            entry[key] = list(value) if isinstance(value, tuple) else value
    if column.unique:
        entry["unique"] = True
    if column.dtype == "float" or not column.finite:
        entry["finite"] = column.finite
    entry["severity"] = column.severity
    if column.severity_by_check:
        entry["severity_by_check"] = dict(column.severity_by_check)
    return entry


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
