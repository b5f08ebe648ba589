"""The join plan: which views a model's rows are joined with, recorded with the model.

It is written into the model's signature when the model is trained, so the scoring
server joins a request with exactly the views, columns, ttl and defaults training used,
and the run and lineage can say which code (by hash) made the features.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any


@dataclass(frozen=True)
class JoinedView:
    """One view as a model uses it."""

    name: str
    """The view's name."""
    code_hash: str
    """The code hash of the view the features were materialised by."""
    key: str
    """The entity key column (in the rows and the view)."""
    timestamp: str
    """The view's event-time column."""
    columns: tuple[str, ...]
    """The view's feature columns the model reads."""
    ttl: timedelta | None = None
    """Oldest value still joined; None never expires."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "code_hash": self.code_hash,
            "key": self.key,
            "timestamp": self.timestamp,
            "columns": list(self.columns),
            "ttl_s": self.ttl.total_seconds() if self.ttl is not None else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JoinedView:
        """Rebuild from :meth:`to_dict` output."""
        ttl = data.get("ttl_s")
        return cls(
            name=str(data["name"]),
            code_hash=str(data["code_hash"]),
            key=str(data["key"]),
            timestamp=str(data["timestamp"]),
            columns=tuple(str(c) for c in data["columns"]),
            ttl=timedelta(seconds=float(ttl)) if ttl is not None else None,
        )


@dataclass(frozen=True)
class JoinPlan:
    """Everything :func:`join_features` needs besides the rows and the feature tables."""

    views: tuple[JoinedView, ...]
    """The views, in the order their columns are appended."""
    timestamp: str = "timestamp"
    """The rows' time column (a request without it is joined as of now)."""
    inclusive: bool = False
    """Whether a feature row at exactly the row's time counts (default: strictly before)."""
    defaults: dict[str, Any] = field(default_factory=dict)
    """Feature column to the value a missing one gets (None: stays missing)."""

    @property
    def columns(self) -> tuple[str, ...]:
        """Every feature column the plan appends."""
        return tuple(c for view in self.views for c in view.columns)

    @property
    def keys(self) -> tuple[str, ...]:
        """The entity key columns a request must carry."""
        return tuple(dict.fromkeys(view.key for view in self.views))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, stored in the model signature."""
        return {
            "views": [v.to_dict() for v in self.views],
            "timestamp": self.timestamp,
            "inclusive": self.inclusive,
            "defaults": dict(self.defaults),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JoinPlan:
        """Rebuild from :meth:`to_dict` output."""
        return cls(
            views=tuple(JoinedView.from_dict(v) for v in data["views"]),
            timestamp=str(data.get("timestamp", "timestamp")),
            inclusive=bool(data.get("inclusive", False)),
            defaults=dict(data.get("defaults") or {}),
        )
