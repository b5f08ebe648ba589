"""The feature stage: definitions, materialisation on arrival and on edit, and the
entry points the engine wires (training join, snapshots, skew check, lookups)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.core.errors import FeatureError, StoreError, WorkbenchError
from workbench.core.records import DatasetRecord, FeatureLookup, FeatureViewRecord
from workbench.core.vocabulary import DatasetStatus
from workbench.engine.context import CurrentConfig
from workbench.engine.features.online import production_plan, write_snapshots
from workbench.engine.features.skew import SKEW_SAMPLE, compare_served
from workbench.engine.features.training import training_join

if TYPE_CHECKING:
    import polars as pl

    from workbench.core.config import WorkbenchConfig
    from workbench.core.workspace import Workspace
    from workbench.engine.context import Emit
    from workbench.engine.deploy.supervisor import ServingSupervisor
    from workbench.features import FeatureSet, FeatureView, JoinPlan
    from workbench.store import Store


class FeatureStage:
    """Materialisation, training joins, lookups and snapshots for one engine.

    Args:
        workspace: Where ``features.py`` and the datasets' files are.
        config: The engine's settings now (``[features]`` and the target column), read
            at each use.
        store: The store: the offline feature tables, datasets, registry, runs, lineage
            and the artifacts snapshots are written to.
        emit: The engine's ``emit``.
        server: The running scoring server's supervisor, if any (snapshots go there).
    """

    def __init__(
        self,
        workspace: Workspace,
        config: CurrentConfig,
        store: Store,
        emit: Emit,
        server: Callable[[], ServingSupervisor | None],
    ) -> None:
        self._workspace = workspace
        self._config = config
        self._store = store
        self._emit = emit
        self._server = server
        self._lock = threading.RLock()
        self._loaded: tuple[str, FeatureSet] | None = None

    # definitions ------------------------------------------------------------------------

    @property
    def path(self) -> Path | None:
        """``features.py`` (always inside the workspace), when workbench.toml names one."""
        name = self._config().features.path
        return self._workspace.inside(name) if name else None

    def feature_set(self) -> FeatureSet:
        """The views of ``features.py`` as the file is now (re-imported when it changed).

        Raises:
            FeatureError: No ``[features] path``, or the file cannot be used.
        """
        from workbench.engine.runs.pipelines import file_hash
        from workbench.features import load_feature_set

        path = self.path
        if path is None:
            raise FeatureError("no feature store: set [features] path in workbench.toml")
        try:
            digest = file_hash(path)
        except OSError as exc:
            raise FeatureError(f"features file {path.name} cannot be read: {exc}") from exc
        with self._lock:
            if self._loaded is None or self._loaded[0] != digest:
                self._loaded = (digest, load_feature_set(path))
            return self._loaded[1]

    def _label(self) -> str:
        return self._config().target.column

    def check(self, feature_set: FeatureSet, schema: pl.Schema) -> dict[str, tuple[str, ...]]:
        """Run every view on no rows of ``schema`` (the datasets' columns, label removed):
        unknown columns, the label, a missing key or timestamp fail here, before any use.

        Returns:
            View name to its feature columns.
        """
        import polars as pl

        from workbench.features import DATASETS, check_view

        outputs: dict[str, pl.Schema] = {}
        columns: dict[str, tuple[str, ...]] = {}
        for view in feature_set.views:
            source = schema if view.source == DATASETS else outputs[view.source]
            label = self._label()
            if label in source:
                source = pl.Schema({k: v for k, v in source.items() if k != label})
            out = check_view(view, source, file=feature_set.file, label=label)
            outputs[view.name] = out.frame.schema
            columns[view.name] = out.features
        return columns

    # materialisation --------------------------------------------------------------------

    def after_ingest(self, dataset: DatasetRecord) -> list[FeatureViewRecord]:
        """Update every view with one accepted dataset; an error is an event, never a
        failed ingest (the file is accepted either way)."""
        if not self._config().features.path:
            return []
        try:
            return self._ingested(dataset)
        except (WorkbenchError, OSError) as exc:
            self._emit(
                "features.error",
                f"feature views not updated with dataset {dataset.id}: {exc}",
                level="error",
                dataset_id=dataset.id,
            )
            return []

    def _ingested(self, dataset: DatasetRecord) -> list[FeatureViewRecord]:
        from workbench.validation import read_dataset

        feature_set = self.feature_set()
        rows = read_dataset(self._workspace.inside(dataset.path))
        rows = rows.drop([c for c in (self._label(),) if c in rows.columns])
        self.check(feature_set, rows.schema)
        with self._lock:
            self._store.features.append_input(dataset.id, rows)
            done = [self._update(feature_set, view, rows) for view in feature_set.views]
        self._announce(done, f"dataset {dataset.id}")
        self.publish()
        return done

    def _update(
        self, feature_set: FeatureSet, view: FeatureView, new_rows: pl.DataFrame
    ) -> FeatureViewRecord:
        """Incremental update of one view with new source rows (full build if its code is
        new): recompute the touched entities from the file's first timestamp (minus the
        view's lookback) and replace their rows from that timestamp on."""
        from workbench.features import compute_view
        from workbench.features.compute import since

        code_hash = feature_set.hashes[view.name]
        store = self._store.features
        if not store.has_version(view.name, code_hash):
            return self._rebuild(feature_set, view)
        key = view.entity.key
        if key not in new_rows.columns:
            raise FeatureError(f"{view.where(feature_set.file)}: the file has no '{key}' column")
        start = since(view, new_rows)
        if start is None:
            record = store.get(view.name, code_hash)
            assert record is not None
            return record
        entities = new_rows.get_column(key).unique().drop_nulls().to_list()
        read_from = start - view.lookback if view.lookback is not None else None
        source = self._source_rows(feature_set, view, entities, read_from)
        out = compute_view(view, source, file=feature_set.file, label=self._label())
        changed = out.frame.filter(out.frame.get_column(view.timestamp) >= start)
        record = self._record(view, code_hash, out.features)
        store.update_view(record, changed, entities, start)
        return store.get(view.name, code_hash) or record

    def _rebuild(self, feature_set: FeatureSet, view: FeatureView) -> FeatureViewRecord:
        from workbench.features import compute_view

        code_hash = feature_set.hashes[view.name]
        source = self._source_rows(feature_set, view, None, None)
        out = compute_view(view, source, file=feature_set.file, label=self._label())
        record = self._record(view, code_hash, out.features)
        self._store.features.replace_view(record, out.frame)
        return self._store.features.get(view.name, code_hash) or record

    def _source_rows(
        self,
        feature_set: FeatureSet,
        view: FeatureView,
        entities: list[Any] | None,
        read_from: Any,
    ) -> pl.DataFrame:
        from workbench.features import DATASETS

        store = self._store.features
        if view.source == DATASETS:
            rows = store.input_rows(view.entity.key, view.timestamp, entities, read_from)
            if rows.width == 0:
                raise FeatureError("no accepted dataset yet to compute feature views from")
            return rows
        return store.view_rows(view.source, feature_set.hashes[view.source], entities, read_from)

    @staticmethod
    def _record(view: FeatureView, code_hash: str, columns: tuple[str, ...]) -> FeatureViewRecord:
        return FeatureViewRecord(
            name=view.name,
            code_hash=code_hash,
            entity=view.entity.name,
            key=view.entity.key,
            timestamp=view.timestamp,
            ttl_s=view.ttl.total_seconds() if view.ttl is not None else None,
            columns=columns,
            current=True,
            rows=0,
            entities=0,
            newest=None,
            materialized_at=None,
        )

    def materialize(self) -> list[FeatureViewRecord]:
        """Rebuild every view from all stored source rows (``workbench features
        --materialize``); also what a new version of a view gets.

        Raises:
            FeatureError: No feature store, or a view cannot be used.
        """
        feature_set = self.feature_set()
        with self._lock:
            if self._store.features.input_count() == 0:
                self._load_accepted()
            done = [self._rebuild(feature_set, view) for view in feature_set.views]
        self._announce(done, "a full rebuild")
        self.publish()
        return done

    def _load_accepted(self) -> None:
        """Source rows of every accepted dataset (a feature store added to a workspace
        that already has data)."""
        from workbench.validation import read_dataset

        for dataset in sorted(
            self._store.datasets.list(DatasetStatus.ACCEPTED), key=lambda d: d.id
        ):
            rows = read_dataset(self._workspace.inside(dataset.path))
            rows = rows.drop([c for c in (self._label(),) if c in rows.columns])
            self._store.features.append_input(dataset.id, rows)

    def code_changed(self, digest: str) -> bool:
        """``features.py`` was saved with new bytes: check it, materialise the views whose
        code changed, and say whether a run should start (an error is an event, no run)."""
        path = self.path
        name = path.name if path is not None else "features.py"
        try:
            feature_set = self.feature_set()
            if self._store.features.input_count() == 0:
                changed: list[FeatureViewRecord] = []  # built when the first file arrives
            else:
                changed = self._rebuild_changed(feature_set)
        except (WorkbenchError, OSError) as exc:
            self._emit(
                "features.error",
                f"{name} changed but cannot be used: {exc}",
                level="error",
                file=name,
                code_hash=digest,
            )
            return False
        self._emit(
            "features.changed",
            f"{name} changed (sha256 {digest[:12]}): "
            + (
                f"re-materialised {', '.join(r.name for r in changed)}"
                if changed
                else "no view's code changed"
            ),
            file=name,
            code_hash=digest,
            views=[r.name for r in changed],
        )
        if changed:
            self.publish()
        return bool(changed)

    def _rebuild_changed(self, feature_set: FeatureSet) -> list[FeatureViewRecord]:
        """Check every view on the stored source schema, then build the new versions."""
        store = self._store.features
        schema = store.input_schema_polars()
        self.check(feature_set, schema)
        with self._lock:
            done = [
                self._rebuild(feature_set, view)
                for view in feature_set.views
                if not store.has_version(view.name, feature_set.hashes[view.name])
            ]
            for view in feature_set.views:  # an edit back to older code makes it current
                record = store.get(view.name, feature_set.hashes[view.name])
                if record is not None and not record.current:
                    store.make_current(view.name, feature_set.hashes[view.name])
        return done

    def _announce(self, done: list[FeatureViewRecord], cause: str) -> None:
        if not done:
            return
        self._emit(
            "features.materialized",
            f"feature views materialised from {cause}: "
            + ", ".join(f"{r.name} ({r.rows:,} rows)" for r in done),
            views={r.name: r.code_hash for r in done},
        )

    # training ---------------------------------------------------------------------------

    def join_for_training(
        self, run_id: int, frame: pl.DataFrame, config: WorkbenchConfig
    ) -> tuple[pl.DataFrame, JoinPlan | None]:
        """The run's rows with ``[features] views`` joined point-in-time, and the plan
        (recorded with the model); views not built in their current code are built first.

        Raises:
            FeatureError: A named view does not exist or cannot be built, or the rows lack
                the entity key or the timestamp.
        """
        if not config.features.views:
            return frame, None
        feature_set = self.feature_set()
        store = self._store.features
        missing = [
            v
            for v in feature_set.views
            if not store.has_version(v.name, feature_set.hashes[v.name])
        ]
        if missing:
            with self._lock:
                if store.input_count() == 0:
                    self._load_accepted()
                for view in missing:  # in order: a view's source before it
                    self._rebuild(feature_set, view)
        return training_join(self._store, feature_set, run_id, frame, config)

    # online -----------------------------------------------------------------------------

    def snapshots_for(self, plan: JoinPlan) -> dict[str, dict[str, str]]:
        """The latest row per entity of ``plan``'s views, written as Parquet artifacts:
        view name to ``{"path", "sha256"}`` (what the scoring server reads)."""
        return write_snapshots(self._store, plan)

    def production_plan(self) -> JoinPlan | None:
        """The join plan of the production model, if it was trained with features."""
        return production_plan(self._store)

    def publish(self) -> None:
        """Send the served model's views' newest snapshots to a running scoring server."""
        server = self._server()
        if server is None or not server.running:
            return
        try:
            plan = self.production_plan()
            if plan is None:
                return
            snapshots = self.snapshots_for(plan)
            server.publish_features(snapshots)
        except (WorkbenchError, OSError) as exc:
            self._emit(
                "features.publish_failed",
                f"the scoring server keeps its previous feature snapshot: {exc}",
                level="warning",
            )
            return
        self._emit(
            "features.published",
            "feature snapshot published to the scoring server: "
            + ", ".join(f"{v} {s['sha256'][:12]}" for v, s in snapshots.items()),
            snapshots={v: s["sha256"] for v, s in snapshots.items()},
        )

    # skew ---------------------------------------------------------------------------------

    def check_skew_file(self, path: Path) -> tuple[int, int]:
        """:meth:`check_skew` on a prediction log file, read only when production looks
        features up (so serving a plain model never loads polars for it).

        Raises:
            FeatureError: The file cannot be read.
        """
        plan = self.production_plan()
        if plan is None:
            return 0, 0
        import polars as pl

        try:
            logged = pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError) as exc:
            raise FeatureError(f"cannot read {path.name} for the skew check: {exc}") from exc
        return self._skew(plan, logged, SKEW_SAMPLE)

    def check_skew(self, logged: pl.DataFrame, sample: int = SKEW_SAMPLE) -> tuple[int, int]:
        """Compare a sample of served feature vectors with the offline store's for the
        same entity and time (see :mod:`.skew`); a mismatch is a ``features.skew`` alert.

        A mismatch means training and serving disagree (a stale or wrong snapshot), or
        data for that entity and time arrived after the request was served; the alert
        names the features and a few entities so a person can tell which.

        Returns:
            (rows compared, rows that disagreed).
        """
        plan = self.production_plan()
        return (0, 0) if plan is None else self._skew(plan, logged, sample)

    def _skew(self, plan: JoinPlan, logged: pl.DataFrame, sample: int) -> tuple[int, int]:
        found = compare_served(self._store, plan, logged, sample)
        if found.mismatched:
            self._emit(
                "features.skew",
                f"{found.mismatched} of {found.rows} served feature vectors differ from the "
                f"offline store for the same entity and time ({', '.join(found.columns)}; "
                f"e.g. {', '.join(map(str, found.entities))}): serving and training "
                "disagree, or data for them arrived after they were served",
                level="warning",
                rows=found.rows,
                mismatched=found.mismatched,
                columns=list(found.columns),
                entities=list(found.entities),
            )
        return found.rows, found.mismatched

    # reading ----------------------------------------------------------------------------

    def views(self) -> list[FeatureViewRecord]:
        """The current version of every materialised view, with its statistics."""
        return self._store.features.list()

    def lookup(self, view: str, key: str) -> FeatureLookup:
        """One entity's latest features and history in the current version of ``view``.

        Raises:
            FeatureError: No such view is materialised.
        """
        record = self._store.features.get(view)
        if record is None:
            known = ", ".join(r.name for r in self.views()) or "none"
            raise FeatureError(f"no feature view '{view}' is materialised (views: {known})")
        try:
            history = self._store.features.history(view, record.code_hash, key)
        except StoreError as exc:
            raise FeatureError(str(exc)) from exc
        rows = [_plain(r) for r in history.to_dicts()]
        return FeatureLookup(view, key, rows[-1] if rows else None, rows)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """A feature row with JSON-ready values (timestamps as ISO text)."""
    return {
        k: v.isoformat()
        if hasattr(v, "isoformat")
        else v.total_seconds()
        if isinstance(v, timedelta)
        else v
        for k, v in row.items()
    }
