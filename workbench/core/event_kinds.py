"""Every kind of event the engine appends to the log, with the payload keys it carries.

Events are the spine the front ends follow (they reload on ``model.`` or ``run.finished``)
and what a person reads in the event log, so their names are an interface: this
catalogue is the one list of them. A test reads every ``emit(...)`` in the code and
fails on a kind or a payload key missing here, and another checks that every family a
front end reloads on names catalogued kinds.

A kind is ``family.what``: the family is what the event is about (a dataset, a run, a
model version...), so a front end can follow a family by its prefix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workbench.core.records import EventRecord


@dataclass(frozen=True)
class EventKind:
    """One kind of event: what it says and which payload keys it may carry."""

    kind: str
    """``family.what``, e.g. ``model.approved``."""
    says: str
    """When it is emitted, for a reader of the event log."""
    payload: frozenset[str] = frozenset()
    """The keys its payload may carry (each optional to a reader)."""

    @property
    def family(self) -> str:
        """The part before the dot: what the event is about."""
        return self.kind.split(".", 1)[0]


def _kinds(*entries: tuple[str, str, tuple[str, ...]]) -> Mapping[str, EventKind]:
    return {kind: EventKind(kind, says, frozenset(keys)) for kind, says, keys in entries}


CATALOGUE: Mapping[str, EventKind] = _kinds(
    # the watched folder and the code beside it
    ("watch.started", "the engine watches the incoming folder", ("folder",)),
    ("watch.paused", "watching stopped; files wait in the folder", ("folder",)),
    ("watch.stopped", "the engine closed and stopped watching", ()),
    ("watch.seen", "a data file appeared or changed", ("path",)),
    ("watch.waiting", "a file is still being written", ("path",)),
    ("watch.ignored", "not a data file (temporary, hidden, unsupported)", ("path",)),
    ("watch.vanished", "a file disappeared before it was complete", ("path",)),
    ("watch.error", "a scan or the batch callback failed; watching goes on", ("path",)),
    ("watch.fallback", "no OS events here: the folder is polled", ("path",)),
    ("watch.overflow", "the OS dropped events: the folder is rescanned", ("path",)),
    ("pipeline.changed", "pipeline.py changed and was loaded", ("code_hash", "file")),
    ("pipeline.error", "pipeline.py does not load: the error", ("code_hash", "file")),
    # the feature store (features.py)
    (
        "features.materialized",
        "feature views were updated from a file or rebuilt",
        ("views",),
    ),
    (
        "features.changed",
        "features.py changed: the views whose code changed were rebuilt",
        ("code_hash", "file", "views"),
    ),
    (
        "features.error",
        "features.py or a view cannot be used (names the view and line)",
        ("code_hash", "dataset_id", "file"),
    ),
    ("features.published", "a feature snapshot reached the scoring server", ("snapshots",)),
    ("features.publish_failed", "the scoring server kept its previous snapshot", ()),
    (
        "features.skew",
        "served feature vectors differ from the offline store's",
        ("columns", "entities", "mismatched", "rows"),
    ),
    ("features.skew_error", "the skew check could not run", ()),
    # data
    ("dataset.ingested", "a file passed its contract", ("dataset_id", "file", "rows")),
    (
        "dataset.quarantined",
        "a file failed: moved to quarantine/ with its report",
        ("dataset_id", "file", "former_path", "path", "reason"),
    ),
    ("dataset.duplicate", "a file with known content: not ingested again", ("dataset_id", "file")),
    ("dataset.error", "a file could not be read or moved", ("file",)),
    ("contract.pinned", "a data contract was pinned", ("file",)),
    # runs and tasks
    ("run.queued", "files are waiting for a run", ("files",)),
    ("run.started", "a run began", ("dataset_ids", "run_id", "trigger")),
    ("run.finished", "a run ended (its status says how)", ("run_id", "status")),
    ("run.crashed", "a run the engine was killed in, marked crashed", ("run_id",)),
    ("run.error", "a run could not start", ()),
    ("run.dataset_skipped", "a dataset left out of a run (unreadable)", ("dataset_id",)),
    (
        "run.sampled",
        "the training window was sampled down to train.max_rows",
        ("method", "rows_used", "rows_window", "run_id"),
    ),
    ("run.tagged", "a person tagged a run", ("run_id", "tags")),
    ("task.started", "a task attempt began", ("attempt", "run_id", "task")),
    ("task.retrying", "a task attempt failed and will be retried", ("attempt", "run_id", "task")),
    (
        "task.finished",
        "a task ended",
        ("attempts", "duration_s", "run_id", "status", "task"),
    ),
    ("task.cached", "a task's result came from the cache", ("run_id", "source_run", "task")),
    ("task.not_cached", "a task's result could not be cached", ("detail", "run_id", "task")),
    ("task.cache_unreadable", "a cached result could not be read", ("run_id", "task")),
    ("cache.cleared", "a person cleared cached results", ("count", "freed_bytes", "task")),
    ("cache.evicted", "old cached results were evicted", ("count", "freed_bytes")),
    # models
    ("model.registered", "a candidate passed the gate", ("metrics", "run_id", "version")),
    ("model.reported", "a version's quality report was recorded", ("version",)),
    (
        "gate.failed",
        "nothing registered: the best candidate failed the gate",
        ("baseline", "interval", "metric", "value", "run_id"),
    ),
    (
        "model.pending_approval",
        "a candidate waits for a person (or the veto window)",
        ("deadline", "version"),
    ),
    ("model.approved", "a version was approved: now production", ("actor", "comment", "version")),
    ("model.rejected", "a version was rejected", ("actor", "comment", "version")),
    ("model.archived", "a version was retired", ("actor", "version")),
    ("model.not_promoted", "the policy kept production", ("version",)),
    ("model.veto_error", "a veto window could not approve", ("version",)),
    ("model.unloadable", "a version's artifact does not load", ("version",)),
    ("model.retrain_required", "production needs a retrain (its data moved)", ("version",)),
    ("alias.moved", "an alias points at another version", ("actor", "alias", "version")),
    # serving
    ("serving.started", "the scoring server answers", ("url", "version")),
    ("serving.swapped", "the server serves another version", ("version",)),
    ("serving.swap_failed", "a swap failed; the old version still serves", ()),
    ("serving.stopped", "the scoring server stopped", ("code",)),
    ("serving.died", "the scoring server died; it is restarted", ("code", "log")),
    ("serving.gave_up", "the server died too often; not restarted", ("code", "log")),
    ("serving.error", "serving could not start; watching goes on", ("detail",)),
    ("serving.failed", "the production model could not be served", ()),
    ("serving.orphan_stopped", "a server left by a dead engine was stopped", ()),
    ("breaker.open", "the server's error breaker opened", ("version",)),
    ("predictions.error", "logged predictions could not be stored", ()),
    # feedback
    (
        "drift.checked",
        "data compared with production's reference: no drift",
        ("dataset_id", "drifted_columns", "report_id", "target_drift"),
    ),
    (
        "drift.detected",
        "data compared with production's reference: drift",
        ("dataset_id", "drifted_columns", "report_id", "target_drift"),
    ),
    ("drift.error", "drift could not be measured", ("dataset_id",)),
    ("performance.measured", "production scored on new labels", ("metric", "value", "version")),
    (
        "performance.degraded",
        "production's score fell past its threshold",
        ("metric", "value", "version"),
    ),
    ("performance.error", "production could not be scored on new labels", ("version",)),
    ("retrain.queued", "a retrain was queued by a signal", ("signals", "trigger")),
    ("retrain.suppressed", "a guardrail held a retrain back", ("signals",)),
    ("alert.failed", "an alert sink could not be reached", ("event_id", "sink")),
    ("store.recovered", "the store recovered from an unclean stop", ()),
)
"""Every event kind, by name."""

FAMILIES = frozenset(kind.family for kind in CATALOGUE.values())
"""What events are about: the prefixes a front end may follow."""


def follows(prefix: str) -> bool:
    """Whether a front end's ``RELOAD_ON`` entry (a kind or a ``family.`` prefix) names any."""
    return any(kind == prefix or kind.startswith(prefix) for kind in CATALOGUE)


def quarantine_reasons(events: Iterable[EventRecord]) -> dict[int, str]:
    """Dataset id -> why it was quarantined, read from the ``dataset.quarantined`` events
    among ``events`` (the store keeps the reason only there; a later event wins)."""
    reasons: dict[int, str] = {}
    for event in events:
        dataset_id = event.payload.get("dataset_id")
        if event.kind == "dataset.quarantined" and isinstance(dataset_id, int):
            reasons[dataset_id] = str(event.payload.get("reason") or event.message)
    return reasons
