"""The engine: one owner of a workspace, made of one package per stage of the loop.

``intake`` (watch, ingest, contracts) -> ``runs`` (queue, pipelines, execute, cache) ->
``promotion`` (approvals, policy, veto) -> ``deploy`` (the scoring server, predictions)
-> ``feedback`` (drift, decay, guardrails, alerts) -> back to ``runs``. :class:`Engine`
(``engine/engine.py``) wires them and is the only module that knows them all.

``Engine`` is loaded on first use, so importing one stage (a Dask worker reading the
task-log helpers, say) does not open the whole engine's imports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.engine.engine import Engine

__all__ = ["Engine"]


def __getattr__(name: str) -> Any:
    if name == "Engine":
        from workbench.engine.engine import Engine

        return Engine
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
