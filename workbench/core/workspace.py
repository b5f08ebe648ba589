"""The workspace: a folder with workbench.toml, incoming/ and .workbench/.

Every path Workbench touches is derived here, and every path that comes from outside
(a config value, a request, a manifest) goes through :meth:`Workspace.inside` so nothing
can lead out of the workspace.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from workbench.core.config import (
    CONFIG_FILE,
    WorkbenchConfig,
    load_config,
    render_config,
    with_overrides,
)
from workbench.core.errors import WorkspaceError

STATE_DIR = ".workbench"


@dataclass(frozen=True)
class Workspace:
    """Paths of one workspace; cheap to build, does no I/O."""

    root: Path
    """The workspace folder (absolute, resolved)."""

    @property
    def config_path(self) -> Path:
        """workbench.toml: the user's settings."""
        return self.root / CONFIG_FILE

    @property
    def state(self) -> Path:
        """.workbench/: the store, artifacts, logs; owned by the engine."""
        return self.root / STATE_DIR

    @property
    def db_path(self) -> Path:
        """The one DuckDB file."""
        return self.state / "workbench.duckdb"

    @property
    def artifacts(self) -> Path:
        """Content-addressed artifact files."""
        return self.state / "artifacts"

    @property
    def logs(self) -> Path:
        """Task and server logs."""
        return self.state / "logs"

    @property
    def engine_file(self) -> Path:
        """pid, port and token of the running engine (mode 0600)."""
        return self.state / "engine.json"

    @property
    def ingesting(self) -> Path:
        """Markers of ingests under way: one left by a dead engine names the file that
        may have killed it (see :mod:`workbench.engine.intake.ingest`)."""
        return self.state / "ingesting"

    @property
    def contract_path(self) -> Path:
        """The pinned data contract."""
        return self.state / "contract.toml"

    @property
    def processed(self) -> Path:
        """Files after ingest, moved here, never deleted."""
        return self.root / "processed"

    @property
    def quarantine(self) -> Path:
        """Files that failed, each with its report beside it."""
        return self.root / "quarantine"

    def incoming(self, config: WorkbenchConfig) -> Path:
        """The watched folder named in the settings (must stay inside the workspace)."""
        return self.inside(config.watch.path)

    def inside(self, relative: str | Path) -> Path:
        """Resolve ``relative`` against the root, refusing anything that leaves it.

        Raises:
            WorkspaceError: The path is absolute outside the root, climbs out with ``..``,
                or resolves (through a symlink) to a place outside the workspace.
        """
        text = str(relative)
        if "\\" in text or "\x00" in text:
            raise WorkspaceError(f"path {text!r} has a backslash or NUL byte; refused")
        candidate = (self.root / relative).resolve()
        if candidate != self.root and self.root not in candidate.parents:
            raise WorkspaceError(f"path {text!r} leads outside the workspace {self.root}")
        return candidate

    def load_config(self) -> WorkbenchConfig:
        """The settings in workbench.toml."""
        return load_config(self.config_path)


def open_workspace(path: str | Path = ".") -> Workspace:
    """The workspace at ``path``.

    Raises:
        WorkspaceError: ``path`` has no workbench.toml.
    """
    root = Path(path).expanduser().resolve()
    if not (root / CONFIG_FILE).is_file():
        raise WorkspaceError(
            f"{root} is not a workspace (no {CONFIG_FILE}); "
            "create one with: workbench init PATH --target COLUMN"
        )
    return Workspace(root)


CONFIG_MODE = 0o644
"""workbench.toml's mode, whatever the umask: it names a shell command (alerts.command)
and Python code (pipeline.path) the engine runs, so no one else may write it."""

FOLDER_MODE = 0o755
"""Mode of the folders init creates: readable, writable by the owner only."""


def init_workspace(
    path: str | Path, target: str, config: WorkbenchConfig | None = None
) -> Workspace:
    """Create a workspace: workbench.toml with documented defaults and the folders.

    An existing workbench.toml is kept as it is (init is safe to repeat). What init
    creates gets explicit modes (:data:`CONFIG_MODE`, :data:`FOLDER_MODE`, 0700 for
    ``.workbench/``), so a umask of 000 cannot make them writable by others.
    """
    root = Path(path).expanduser().resolve()
    _make_folder(root)
    ws = Workspace(root)
    if not ws.config_path.exists():
        settings = with_overrides(config or WorkbenchConfig(), "target", column=target)
        fd = os.open(ws.config_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, CONFIG_MODE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(render_config(settings))
        os.chmod(ws.config_path, CONFIG_MODE)  # the umask may have taken bits off, never on
    settings = ws.load_config()
    for folder in (ws.incoming(settings), ws.processed, ws.quarantine, ws.state, ws.logs):
        _make_folder(folder)
    ws.artifacts.mkdir(parents=True, exist_ok=True)
    os.chmod(ws.state, 0o700)
    os.chmod(ws.artifacts, 0o700)
    return ws


def _make_folder(folder: Path) -> None:
    """Create ``folder`` and missing parents as :data:`FOLDER_MODE`; an existing one is
    the user's and is left as it is."""
    missing = [folder, *folder.parents]
    missing = [f for f in missing if not f.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, FOLDER_MODE)


def refuse_writable_by_others(workspace: Workspace, config: WorkbenchConfig) -> None:
    """Refuse to start when a file that makes the engine run code can be changed by others.

    workbench.toml names a shell command and a pipeline file; the pipeline file is Python
    the engine imports. Either one writable by anyone, or by a group other users belong
    to, would let another user run code as this one. A group-writable file whose group is
    its owner's own (the user private group of umask 002 systems, no other members) is
    not refused: nobody else can write it.

    Args:
        workspace: The workspace whose settings file is checked.
        config: Its settings, for the pipeline file they name (one outside the workspace
            is the pipeline loader's to refuse).

    Raises:
        WorkspaceError: One of them is writable by group or others; one line, with the fix.
    """
    pipeline = None
    if config.pipeline.path:
        with contextlib.suppress(WorkspaceError):
            pipeline = workspace.inside(config.pipeline.path)
    for path in (workspace.config_path, pipeline):
        if path is None:
            continue
        try:
            info = path.stat()
        except OSError:
            continue  # a missing pipeline file is reported by the pipeline loader
        mode = info.st_mode & 0o777
        if mode & 0o002 or (mode & 0o020 and not _private_group(info.st_uid, info.st_gid)):
            shown = path.relative_to(workspace.root) if workspace.root in path.parents else path
            raise WorkspaceError(
                f"{shown} is writable by {'others' if mode & 0o002 else 'its group'} "
                f"(mode {mode:04o}) and names code the engine runs; refused: "
                f"chmod go-w {path}"
            )


def _private_group(uid: int, gid: int) -> bool:
    """Whether group ``gid`` is user ``uid``'s own: named after it, no other members."""
    try:
        import grp
        import pwd
    except ImportError:  # not a POSIX system: no group to trust
        return False
    try:
        group = grp.getgrgid(gid)
        user = pwd.getpwuid(uid)
    except KeyError:
        return False
    return group.gr_name == user.pw_name and not [m for m in group.gr_mem if m != user.pw_name]
