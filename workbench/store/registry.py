"""Model versions, approvals, aliases and deployments (the model registry's tables).

Policy (who may approve what) lives in the engine; this module only records decisions
atomically, so an approval and the alias move it causes commit together or not at all.
"""

from __future__ import annotations

import builtins
import json
from typing import Any

from workbench.core.records import AliasRecord, ApprovalRecord, ModelVersionRecord
from workbench.core.vocabulary import Decision, ModelStatus
from workbench.store.db import Database, as_utc, loads, utcnow

_VERSION = (
    "version, run_id, candidate, artifact_sha256, status, metrics, signature, gate_passed, "
    "created_at, champion, threshold, evaluation"
)


class RegistryRepo:
    """Registered model versions and the decisions and aliases on them."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def register(
        self,
        *,
        run_id: int,
        candidate: str,
        artifact_sha256: str,
        metrics: dict[str, float],
        signature: dict[str, Any],
        gate_passed: bool,
        sklearn_version: str,
        champion: dict[str, Any] | None = None,
        threshold: float | None = None,
        evaluation: dict[str, Any] | None = None,
    ) -> ModelVersionRecord:
        """Add a model version numbered one past the last, with status ``candidate``."""
        with self._db.transaction():
            version = int(
                self._db.scalar("SELECT coalesce(max(version), 0) + 1 FROM model_versions")
            )
            self._db.execute(
                "INSERT INTO model_versions (version, run_id, candidate, artifact_sha256, "
                "status, metrics, signature, gate_passed, sklearn_version, created_at, "
                "champion, threshold, evaluation) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    version,
                    run_id,
                    candidate,
                    artifact_sha256,
                    ModelStatus.CANDIDATE,
                    json.dumps(metrics),
                    json.dumps(signature),
                    gate_passed,
                    sklearn_version,
                    utcnow(),
                    json.dumps(champion) if champion is not None else None,
                    threshold,
                    json.dumps(evaluation) if evaluation is not None else None,
                ],
            )
        found = self.get(version)
        assert found is not None
        return found

    def get(self, version: int) -> ModelVersionRecord | None:
        """One model version with the aliases on it."""
        rows = self._db.execute(
            f"SELECT {_VERSION} FROM model_versions WHERE version = ?", [version]
        )
        return self._records(rows)[0] if rows else None

    def list(
        self, status: str | None = None, run_id: int | None = None
    ) -> builtins.list[ModelVersionRecord]:
        """Newest first, optionally by status or by the run that trained them."""
        clauses, params = [], []
        for column, value in (("status", status), ("run_id", run_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self._db.execute(
            f"SELECT {_VERSION} FROM model_versions {where} ORDER BY version DESC", params
        )
        return self._records(rows)

    def _records(self, rows: builtins.list[tuple[Any, ...]]) -> builtins.list[ModelVersionRecord]:
        names: dict[int, builtins.list[str]] = {}
        for alias, version in self._db.execute("SELECT alias, version FROM aliases ORDER BY 1"):
            names.setdefault(version, []).append(alias)
        return [
            ModelVersionRecord(
                version=r[0],
                run_id=r[1],
                candidate=r[2],
                artifact_sha256=r[3],
                status=ModelStatus(r[4]),
                metrics=loads(r[5]),
                signature=loads(r[6]),
                gate_passed=r[7],
                created_at=as_utc(r[8]),  # type: ignore[arg-type]
                aliases=tuple(names.get(r[0], ())),
                champion=loads(r[9]),
                threshold=r[10],
                evaluation=loads(r[11]),
            )
            for r in rows
        ]

    def decide(
        self,
        version: int,
        decision: Decision,
        actor: str,
        comment: str,
        move_aliases: dict[str, int] | None = None,
    ) -> None:
        """Record an approval or rejection and any alias moves it causes, atomically."""
        record = self.get(version)
        metrics = record.metrics if record else {}
        compared = (record.champion or {}).get("comparison") if record else None
        status = ModelStatus.APPROVED if decision == Decision.APPROVE else ModelStatus.REJECTED
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO approvals (version, decision, actor, comment, metrics, decided_at, "
                "comparison) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    version,
                    decision,
                    actor,
                    comment,
                    json.dumps(metrics),
                    utcnow(),
                    json.dumps(compared) if compared is not None else None,
                ],
            )
            self._db.execute(
                "UPDATE model_versions SET status = ? WHERE version = ?", [status, version]
            )
            for alias, target in (move_aliases or {}).items():
                self._set_alias(alias, target, actor, comment or decision)

    def set_status(self, version: int, status: ModelStatus, actor: str, reason: str) -> None:
        """Change a version's status outside approval (archiving), recorded as a decision
        whose word is the status (``archived``: :attr:`Decision.ARCHIVE`)."""
        record = self.get(version)
        metrics = record.metrics if record else {}
        with self._db.transaction():
            self._db.execute(
                "UPDATE model_versions SET status = ? WHERE version = ?", [status, version]
            )
            self._db.execute(
                "INSERT INTO approvals (version, decision, actor, comment, metrics, decided_at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [version, status, actor, reason, json.dumps(metrics), utcnow()],
            )

    def move_aliases(self, moves: dict[str, int], actor: str, reason: str) -> None:
        """Point each alias at its version in one transaction, closing old deployments."""
        with self._db.transaction():
            for alias, version in moves.items():
                self._set_alias(alias, version, actor, reason)

    def _set_alias(self, alias: str, version: int, actor: str, reason: str) -> None:
        now = utcnow()
        self._db.execute(
            "UPDATE deployments SET ended_at = ? WHERE alias = ? AND ended_at IS NULL",
            [now, alias],
        )
        self._db.execute(
            "INSERT OR REPLACE INTO aliases VALUES (?, ?, ?, ?)", [alias, version, now, actor]
        )
        self._db.execute(
            "INSERT INTO deployments VALUES (?, ?, ?, NULL, ?, ?)",
            [alias, version, now, actor, reason],
        )

    def sklearn_version(self, version: int) -> str | None:
        """The scikit-learn version a model was trained with."""
        found: str | None = self._db.scalar(
            "SELECT sklearn_version FROM model_versions WHERE version = ?", [version]
        )
        return found

    def alias(self, alias: str) -> AliasRecord | None:
        """Where an alias points now."""
        rows = self._db.execute(
            "SELECT alias, version, set_at, set_by FROM aliases WHERE alias = ?", [alias]
        )
        return AliasRecord(rows[0][0], rows[0][1], as_utc(rows[0][2]), rows[0][3]) if rows else None  # type: ignore[arg-type]

    def aliases(self) -> builtins.list[AliasRecord]:
        """Every alias."""
        rows = self._db.execute("SELECT alias, version, set_at, set_by FROM aliases ORDER BY 1")
        return [AliasRecord(r[0], r[1], as_utc(r[2]), r[3]) for r in rows]  # type: ignore[arg-type]

    def approvals(self, version: int | None = None) -> builtins.list[ApprovalRecord]:
        """Decisions, oldest first, for one version or all."""
        where, params = ("WHERE version = ?", [version]) if version is not None else ("", [])
        rows = self._db.execute(
            "SELECT version, decision, actor, comment, decided_at, metrics, comparison "
            "FROM approvals "
            f"{where} ORDER BY decided_at",
            params,
        )
        return [
            ApprovalRecord(
                r[0],
                Decision(r[1]),
                r[2],
                r[3],
                as_utc(r[4]),  # type: ignore[arg-type]
                loads(r[5]),
                loads(r[6]),
            )
            for r in rows
        ]

    def deployments(self, version: int) -> builtins.list[tuple[str, Any, Any, str, str]]:
        """(alias, started_at, ended_at, actor, reason) periods of one version."""
        rows = self._db.execute(
            "SELECT alias, started_at, ended_at, actor, reason FROM deployments "
            "WHERE version = ? ORDER BY started_at",
            [version],
        )
        return [(r[0], as_utc(r[1]), as_utc(r[2]), r[3], r[4]) for r in rows]
