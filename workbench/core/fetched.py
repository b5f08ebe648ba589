"""What one refresh of a front end fetches: the TUI's screens and the notebook's panels
read the same records, built by :mod:`workbench.api.fetch` from ``WorkbenchApi`` calls.

They live in core, not beside their loaders in the api, because the TUI shows its first
frame before it imports the api package (which imports the engine): a screen names
these records when it is built and calls a loader only on its worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.core.records import (
    ApprovalRecord,
    FeatureLookup,
    FeatureViewRecord,
    LineageNode,
    ModelVersionRecord,
    ServingStatus,
)
from workbench.core.validation_report import ValidationReport
from workbench.core.vocabulary import Alias, ModelStatus


@dataclass(frozen=True)
class ModelsData:
    """The registry: versions and the decisions taken on them."""

    models: list[ModelVersionRecord]
    """Newest first."""
    approvals: list[ApprovalRecord] = field(default_factory=list)
    """Every decision (empty when only the versions were asked for)."""
    serving: ServingStatus | None = None
    """The scoring server as its process says (None when not asked for, or not yet)."""

    def get(self, version: int | None) -> ModelVersionRecord | None:
        """The version numbered ``version``."""
        return next((m for m in self.models if m.version == version), None)

    def with_alias(self, alias: str) -> ModelVersionRecord | None:
        """The version carrying ``alias``."""
        return next((m for m in self.models if alias in m.aliases), None)

    def production(self) -> ModelVersionRecord | None:
        """The version behind the production alias (the one served)."""
        return self.with_alias(Alias.PRODUCTION)

    def candidates(self) -> list[ModelVersionRecord]:
        """The versions still waiting for a decision, newest first."""
        return [m for m in self.models if m.status == ModelStatus.CANDIDATE]

    def newest_candidate(self) -> ModelVersionRecord | None:
        """The newest version still waiting for a decision."""
        return next(iter(self.candidates()), None)

    def last_decision(self, version: int) -> ApprovalRecord | None:
        """The newest decision on ``version``."""
        found = [a for a in self.approvals if a.version == version]
        return max(found, key=lambda a: a.decided_at) if found else None


@dataclass(frozen=True)
class LineageData:
    """The versions to choose from and the lineage of the chosen one."""

    models: list[ModelVersionRecord]
    """Every model version, newest first."""
    version: int | None
    """The version whose lineage is shown (None when there is none)."""
    tree: LineageNode | None
    """Its lineage, the version at the root."""


@dataclass(frozen=True)
class FeaturesData:
    """The materialised views, and one entity's stored values in one of them."""

    views: list[FeatureViewRecord]
    """Current version of every materialised view."""
    lookup: FeatureLookup | None
    """The entity asked for, in the chosen view (None when no key was given)."""


@dataclass(frozen=True)
class DatasetValidation:
    """One dataset a run read, with its stored validation report."""

    dataset_id: int
    """The dataset."""
    report: ValidationReport | None
    """Its newest validation report, or None when it could not be read."""
    problem: str = ""
    """Why there is no report."""
