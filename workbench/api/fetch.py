"""What a front end's refresh fetches, the same for the TUI and the notebook.

Each function reads through the :class:`WorkbenchApi` it is given (in-process or
remote) and returns one of the records in :mod:`workbench.core.fetched`. They run on
a TUI worker thread or in a notebook panel's refresh: they block, and touch no widget.
"""

from __future__ import annotations

from collections.abc import Sequence

from workbench.api.interface import WorkbenchApi
from workbench.core.errors import WorkbenchError
from workbench.core.fetched import DatasetValidation, FeaturesData, LineageData, ModelsData


def fetch_models(api: WorkbenchApi, *, serving: bool = False) -> ModelsData:
    """Every version and decision; with ``serving``, the scoring server's status too."""
    return ModelsData(api.models(), api.approvals(), api.serving_status() if serving else None)


def fetch_lineage(api: WorkbenchApi, wanted: int | None) -> LineageData:
    """The versions and the lineage of ``wanted``, or of the newest when it is not one."""
    models = api.models()
    versions = [m.version for m in models]
    version = wanted if wanted in versions else (versions[0] if versions else None)
    tree = api.lineage(version) if version is not None else None
    return LineageData(models, version, tree)


def fetch_features(api: WorkbenchApi, key: str, view: str | None = None) -> FeaturesData:
    """The views and, when ``key`` is given, that entity in ``view`` (default: the first)."""
    views = api.feature_views()
    names = [v.name for v in views]
    chosen = view if view in names else (names[0] if names else None)
    lookup = api.features(chosen, key) if chosen and key else None
    return FeaturesData(views, lookup)


def fetch_validations(
    api: WorkbenchApi, dataset_ids: Sequence[int]
) -> tuple[DatasetValidation, ...]:
    """Each dataset's report; one that cannot be read says why instead of failing them all."""
    found = []
    for dataset_id in dataset_ids:
        try:
            found.append(DatasetValidation(dataset_id, api.validation_report(dataset_id)))
        except WorkbenchError as exc:
            found.append(DatasetValidation(dataset_id, None, str(exc)))
    return tuple(found)
