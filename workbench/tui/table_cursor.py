"""The row under a ``DataTable``'s cursor, read the same way by every screen and widget.

Read the cursor as it is now, not the row a ``RowHighlighted`` message names:
``clear()`` and ``move_cursor()`` post highlights that are stale by the time they land.
"""

from __future__ import annotations

from typing import Any

from textual.widgets import DataTable


def cursor_key(table: DataTable[Any]) -> str | None:
    """The key of the row under the cursor (None when the table has no rows)."""
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def cursor_number(table: DataTable[Any]) -> int | None:
    """The row key under the cursor as a number (the tables keyed by id or version)."""
    key = cursor_key(table)
    return int(key) if key is not None else None


def restore_cursor(table: DataTable[Any], key: object | None) -> None:
    """Put the cursor back on ``key``'s row after the table was filled again, if it is there."""
    if key is not None and str(key) in table.rows:
        table.move_cursor(row=table.get_row_index(str(key)))
