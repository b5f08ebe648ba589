"""umask 000 and files others can write: init sets its own modes, the engine refuses.

The umask is set for real, in a child process (it is process-wide, so never in the test
process itself).
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.core.errors import WorkspaceError
from workbench.core.workspace import init_workspace
from workbench.engine.engine import Engine

REPO = Path(__file__).resolve().parents[2]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run_with_umask_000(*args: str) -> subprocess.CompletedProcess[str]:
    code = "import os, sys; os.umask(0); from workbench.cli.main import main; sys.exit(main())"
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_init_under_umask_000_writes_nothing_others_can_change(tmp_path: Path) -> None:
    root = tmp_path / "new" / "ws"
    result = _run_with_umask_000("init", str(root), "--target", "y")
    assert result.returncode == 0, result.stdout + result.stderr
    assert _mode(root / "workbench.toml") == 0o644
    for folder in (root.parent, root, root / "incoming", root / "processed", root / "quarantine"):
        assert not _mode(folder) & 0o022, f"{folder} is {_mode(folder):04o}"
    assert _mode(root / ".workbench") == 0o700


def test_the_engine_refuses_a_settings_file_others_can_write(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", target="y")
    os.chmod(ws.config_path, 0o666)
    with pytest.raises(WorkspaceError) as caught:
        Engine(ws)
    message = str(caught.value)
    assert "\n" not in message
    assert "workbench.toml is writable by others (mode 0666)" in message
    assert "chmod go-w" in message


def _shared_group() -> int:
    """A group that is not the test user's own (needs root to chown a file to it)."""
    import grp

    if os.geteuid() != 0:
        pytest.skip("giving a file another group needs root")
    own = os.getgid()
    for group in grp.getgrall():
        if group.gr_gid != own:
            return group.gr_gid
    pytest.skip("no second group on this system")


def test_the_engine_refuses_a_pipeline_file_a_shared_group_can_write(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", target="y")
    pipeline = ws.root / "pipeline.py"
    pipeline.write_text("")
    os.chown(pipeline, -1, _shared_group())
    os.chmod(pipeline, 0o664)
    ws.config_path.write_text(
        ws.config_path.read_text().replace('path = ""', 'path = "pipeline.py"', 1)
    )
    with pytest.raises(WorkspaceError, match=r"pipeline.py is writable by its group \(mode 0664\)"):
        Engine(ws)
    os.chmod(pipeline, 0o644)
    Engine(ws).close()


def test_a_group_writable_settings_file_of_the_owners_own_group_is_accepted(
    tmp_path: Path,
) -> None:
    import grp
    import pwd

    me = pwd.getpwuid(os.getuid())
    group = grp.getgrgid(os.getgid())
    if group.gr_name != me.pw_name or [m for m in group.gr_mem if m != me.pw_name]:
        pytest.skip("the test user has no private group")
    ws = init_workspace(tmp_path / "ws", target="y")
    os.chmod(ws.config_path, 0o664)  # umask 002 on a user-private-group system
    Engine(ws).close()
