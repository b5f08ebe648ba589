"""The drift monitor: compare new data with production's training data and close the loop.

After each accepted dataset (when a production model exists) the monitor computes a
drift report against the reference (the datasets production was trained on), stores it
with its histograms, measures production on the new labels when the file has them, and
asks the guardrails whether a retrain may be queued.

The monitor does not queue runs itself: whoever has a run queue passes its ``submit``
to :meth:`DriftMonitor.request_retrain` (the watch service, the prediction intake).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.core.drift_report import DriftReport
from workbench.core.errors import DataError, WorkbenchError
from workbench.core.records import DatasetRecord, DriftRecord
from workbench.core.vocabulary import DriftSource
from workbench.core.workspace import Workspace
from workbench.engine.context import CurrentConfig, Emit
from workbench.engine.feedback.guardrails import Guardrails
from workbench.store import Store

if TYPE_CHECKING:
    import polars as pl

    from workbench.monitoring import DriftSettings


class DriftMonitor:
    """Drift reports, performance trend and retrain triggers for one workspace.

    Args:
        workspace: Where the datasets' files are.
        config: The settings now (``[monitor]``, the target column, the gate's metric).
        store: The registry and runs (production and its training data), the monitoring
            tables, lineage, feature keys (never drift-checked) and model artifacts.
        emit: Says what was measured and whether a retrain was queued.
        guardrails: Whether an automatic retrain may start now (also read by the
            promotion policy for its breaker).
    """

    def __init__(
        self,
        workspace: Workspace,
        config: CurrentConfig,
        store: Store,
        emit: Emit,
        guardrails: Guardrails,
    ) -> None:
        self._workspace = workspace
        self._config = config
        self._store = store
        self._emit = emit
        self.guardrails = guardrails
        self._reference: tuple[int, pl.DataFrame] | None = None
        self._lock = threading.Lock()

    def settings(self) -> DriftSettings:
        """Drift settings from workbench.toml."""
        from workbench.monitoring import DriftSettings  # scipy loads on first use

        config = self._config()
        monitor = config.monitor
        return DriftSettings(
            share=monitor.drift_share,
            target=config.target.column,
            psi_drift=monitor.psi_drift,
            exclude=tuple(dict.fromkeys(r.key for r in self._store.features.list())),
        )

    def reference(self) -> tuple[int, pl.DataFrame] | None:
        """(production version, its training rows), cached per version."""
        from workbench.engine.training_rows import load_frames  # no scikit-learn

        store = self._store
        alias = store.registry.alias("production")
        if alias is None:
            return None
        with self._lock:
            if self._reference is None or self._reference[0] != alias.version:
                model = store.registry.get(alias.version)
                run = store.runs.get(model.run_id) if model else None
                if run is None or not run.dataset_ids:
                    return None
                frame = load_frames(self._workspace, store.datasets, list(run.dataset_ids))
                self._reference = (alias.version, frame)
            return self._reference

    def compare(
        self, current: pl.DataFrame, source: DriftSource, dataset_id: int | None
    ) -> tuple[DriftRecord, DriftReport]:
        """Drift of ``current`` against production's reference, stored and announced.

        Raises:
            WorkbenchError: There is no production model to compare with.
        """
        found = self.reference()
        if found is None:
            raise WorkbenchError("no production model yet: drift is measured against its data")
        version, reference = found
        from workbench.monitoring import detect_drift

        report = detect_drift(reference, current, self.settings())
        record = self._store.monitoring.add_drift(
            source=source, dataset_id=dataset_id, reference_version=version, report=report.to_dict()
        )
        if dataset_id is not None:
            self._store.lineage.link(("dataset", dataset_id), ("drift", record.id), "compared")
        drifted = ", ".join(record.drifted_columns) or "none"
        self._emit(
            "drift.detected" if record.dataset_drift else "drift.checked",
            f"{source} drift vs production v{version}: {record.share_drifted:.0%} of columns "
            f"drifted ({drifted})",
            level="warning" if record.dataset_drift else "info",
            report_id=record.id,
            dataset_id=dataset_id,
            drifted_columns=list(record.drifted_columns),
            target_drift=report.target is not None and report.target.drifted,
        )
        return record, report

    def after_ingest(self, dataset: DatasetRecord) -> list[str]:
        """Check a newly accepted dataset; return the retrain signals it raised."""
        from workbench.validation import read_dataset  # polars: on the first file, not at open

        if self._store.registry.alias("production") is None:
            return []
        current = read_dataset(self._workspace.inside(dataset.path))
        signals = []
        try:
            record, _ = self.compare(current, DriftSource.DATASET, dataset.id)
        except (DataError, WorkbenchError) as exc:
            self._emit(
                "drift.error",
                f"drift check of {dataset.name} failed: {exc}",
                level="error",
                dataset_id=dataset.id,
            )
            return []
        if record.dataset_drift:
            signals.append("dataset_drift")
        if self._decayed(current, dataset.id):
            signals.append("performance")
        return signals

    def _decayed(self, current: pl.DataFrame, dataset_id: int | None) -> bool:
        """Measure production on the new labels; True when it fell past the threshold."""
        from workbench.modelfile import load_model
        from workbench.training import evaluate, primary_metric

        config, store = self._config(), self._store
        target = config.target.column
        alias = store.registry.alias("production")
        if alias is None or target not in current.columns:
            return False
        model = store.registry.get(alias.version)
        assert model is not None
        task = model.signature["task"]
        try:
            estimator = load_model(
                store.artifacts.path(model.artifact_sha256), model.artifact_sha256
            )
            metrics = evaluate(estimator, current.drop_nulls(target), target, task)
        except WorkbenchError as exc:
            self._emit(
                "performance.error",
                f"cannot score production: {exc}",
                level="error",
                version=model.version,
            )
            return False
        store.monitoring.add_performance(model.version, dataset_id, metrics)
        metric, direction = primary_metric(task)
        if config.gate.metric != "auto":
            metric = config.gate.metric
        value = metrics.get(metric)
        threshold = config.monitor.performance_threshold
        decayed = (
            bool(threshold)
            and value is not None
            and (value < threshold if direction == "max" else value > threshold)
        )
        self._emit(
            "performance.degraded" if decayed else "performance.measured",
            f"production v{model.version} scores {metric} {value:.4f} on the new labels"
            + (f", past the threshold {threshold}" if decayed else ""),
            level="warning" if decayed else "info",
            version=model.version,
            metric=metric,
            value=value,
        )
        return decayed

    def request_retrain(self, signals: list[str], submit: Callable[[str], object]) -> bool:
        """Queue a retrain for the signals the settings listen to, within the guardrails.

        Returns:
            Whether ``submit`` was called (with ``decay``, ``schedule`` or ``drift``).
        """
        listened = (*self._config().monitor.retrain_on, "schedule")  # opted in by hours
        wanted = [s for s in signals if s in listened]
        if not wanted:
            return False
        blocked = self.guardrails.retrain_blocked()
        if blocked:
            self._emit(
                "retrain.suppressed",
                f"retrain not queued ({', '.join(wanted)}): {blocked}",
                level="warning",
                signals=wanted,
            )
            return False
        trigger = {"performance": "decay", "schedule": "schedule"}.get(wanted[0], "drift")
        if len(wanted) > 1:
            trigger = "drift"
        submit(trigger)
        self._emit(
            "retrain.queued",
            f"retrain queued: {', '.join(wanted)}",
            signals=wanted,
            trigger=trigger,
        )
        return True

    def file_drift(self, path: Path) -> DriftReport:
        """``workbench drift FILE``: compare any file with production's reference."""
        from workbench.validation import read_dataset  # polars loads on first use

        current = read_dataset(path)
        _, report = self.compare(current, DriftSource.FILE, None)
        return report
