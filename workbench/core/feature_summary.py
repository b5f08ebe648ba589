"""How a feature view's figures read, the same in the CLI, the TUI and the notebook.

Each front end picks the columns it has room for from :data:`COLUMNS`; what a column
is called and says is written here once, so "never expires" or a null share reads the
same wherever a person meets it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from workbench.core.records import FeatureViewRecord

HASH_SHOWN = 12
"""Characters of a code hash shown beside a view's name (as elsewhere for a sha256)."""


def view_text(view: FeatureViewRecord) -> str:
    """``customer_activity (3f2a9c0d1e4b)``: the name and the code version materialised."""
    return f"{view.name} ({view.code_hash[:HASH_SHOWN]})"


def entity_text(view: FeatureViewRecord) -> str:
    """``customer (customer_id)``: the entity and its key column."""
    return f"{view.entity} ({view.key})"


def newest_text(view: FeatureViewRecord) -> str:
    """The newest feature timestamp stored, or ``-`` for an empty view."""
    return view.newest.isoformat(sep=" ") if view.newest else "-"


def ttl_text(seconds: float | None) -> str:
    """``7d``, ``12h`` or ``never expires``: how old a value may be and still be joined."""
    if seconds is None:
        return "never expires"
    if seconds % 86_400 == 0:
        return f"{int(seconds // 86_400)}d"
    return f"{seconds / 3600:g}h"


def nulls_text(view: FeatureViewRecord) -> str:
    """``mean_amount_7d 2%``: each feature with missing values and its share, or ``none``."""
    return ", ".join(f"{c} {s:.0%}" for c, s in view.null_shares.items() if s) or "none"


COLUMNS: Mapping[str, Callable[[FeatureViewRecord], str]] = {
    "view": view_text,
    "entity": entity_text,
    "features": lambda view: ", ".join(view.columns),
    "rows": lambda view: f"{view.rows:,}",
    "entities": lambda view: f"{view.entities:,}",
    "newest": newest_text,
    "ttl": lambda view: ttl_text(view.ttl_s),
    "nulls": nulls_text,
}
"""Every column a front end may show of a view: its heading and what it says."""


def cells(view: FeatureViewRecord, columns: Sequence[str]) -> tuple[str, ...]:
    """What ``view`` shows under ``columns`` (headings from :data:`COLUMNS`), in order."""
    return tuple(COLUMNS[column](view) for column in columns)
