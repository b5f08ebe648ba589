"""The online side in the engine: snapshots of the served model's views.

A snapshot is the latest row per entity of one view version, written as Parquet into
the content-addressed artifact store; the scoring server reads it by path and hash.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.features import JoinPlan
    from workbench.store import Store


def write_snapshots(store: Store, plan: JoinPlan) -> dict[str, dict[str, str]]:
    """Write the latest row per entity of each of ``plan``'s views as a Parquet
    artifact; view name to ``{"path", "sha256"}`` (what the scoring server reads)."""
    out: dict[str, dict[str, str]] = {}
    for view in plan.views:
        latest = store.features.latest(view.name, view.code_hash)
        buffer = io.BytesIO()
        latest.write_parquet(buffer)
        sha = store.artifacts.put(buffer.getvalue())
        out[view.name] = {"path": str(store.artifacts.path(sha)), "sha256": sha}
    return out


def production_plan(store: Store) -> JoinPlan | None:
    """The join plan of the production model, if it was trained with features."""
    from workbench.features import JoinPlan

    alias = store.registry.alias("production")
    model = store.registry.get(alias.version) if alias else None
    features = (model.signature or {}).get("features") if model else None
    return JoinPlan.from_dict(features) if features else None
