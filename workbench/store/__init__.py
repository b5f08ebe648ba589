"""The store: DuckDB schema, migrations and every SQL string; the artifact store."""

from workbench.store.artifacts import ArtifactStore
from workbench.store.db import Database
from workbench.store.migrations import SCHEMA_VERSION
from workbench.store.store import Store

__all__ = ["SCHEMA_VERSION", "ArtifactStore", "Database", "Store"]
