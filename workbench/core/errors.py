"""One exception root for everything Workbench raises on purpose.

Front ends render a ``WorkbenchError`` at the edge (a one-line reason on stderr in the
CLI, a modal in the TUI, an HTML error in the notebook); anything else is a bug. Each
area has its own subclass so callers can catch what they can act on. Foreign errors are
wrapped at the boundary with ``raise SomeError(...) from exc`` so the cause is kept.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Root of every error Workbench raises deliberately.

    The message is written for a person: it says what was wrong and where (file, row,
    column, field) and, where there is one, what to do about it.
    """


class ConfigError(WorkbenchError):
    """workbench.toml (or another settings file) is missing, malformed or inconsistent."""


class WorkspaceError(WorkbenchError):
    """The folder is not a workspace, or a path would leave the workspace."""


class WorkspaceLockedError(WorkspaceError):
    """Another process owns the workspace's DuckDB file (see DESIGN.md, Processes)."""


class StoreError(WorkbenchError):
    """The DuckDB store or the artifact store cannot do what was asked."""


class DiskFullError(StoreError):
    """A file of ours could not be written: its disk or the user's quota is full.

    Raised for artifacts, the DuckDB store and the engine's own files (reports, the
    contract). Nothing partial is left behind and nothing already committed is touched:
    free space (or raise the quota) and run again.
    """


class DataError(WorkbenchError):
    """A data file cannot be read or does not satisfy the data contract."""


class PipelineError(WorkbenchError):
    """A pipeline is malformed (cycle, missing input, unknown task) or failed to run."""


class TrainingError(WorkbenchError):
    """Training or evaluation could not produce a model."""


class RegistryError(WorkbenchError):
    """A model version, alias or approval request is not valid."""


class ModelFileError(WorkbenchError):
    """A stored model cannot be trusted or loaded (hash mismatch, untrusted type, ...)."""


class ServingError(WorkbenchError):
    """The scoring server cannot start or cannot serve the requested model."""


class FeatureError(WorkbenchError):
    """``features.py`` or one of its feature views cannot be used: it does not import,
    reads a column it may not (an unknown one, or the label), or returns no entity key or
    event timestamp. The message names the view and the line."""
