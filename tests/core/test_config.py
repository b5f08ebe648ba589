"""workbench.toml: documented defaults, typed loading, errors that name the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from workbench.core.config import WorkbenchConfig, config_from_dict, load_config, render_config
from workbench.core.errors import ConfigError, WorkspaceError
from workbench.core.workspace import init_workspace, open_workspace


def test_rendered_defaults_document_every_key_and_load_back_equal() -> None:
    text = render_config(WorkbenchConfig())
    data = tomllib.loads(text)
    for section, keys in data.items():
        for key in keys:
            line = text.index(f"\n{key} = ", text.index(f"[{section}]"))
            comment_line = text[:line].rsplit("\n", 1)[-1]
            assert comment_line.startswith("# "), f"[{section}] {key} has no comment"
    assert config_from_dict(data) == WorkbenchConfig()


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"trian": {}}, "unknown section [trian]"),
        ({"train": {"sed": 1}}, "unknown key 'sed' in [train]"),
        ({"train": {"seed": "x"}}, "[train] seed must be a int"),
        ({"promotion": {"policy": "yolo"}}, "[promotion] policy must be one of"),
        ({"watch": {"recursive": 1}}, "[watch] recursive must be true or false"),
    ],
)
def test_bad_settings_name_the_section_and_key(data: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        config_from_dict(data, "ws/workbench.toml")
    assert fragment in str(err.value)
    assert "ws/workbench.toml" in str(err.value)


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "workbench.toml"
    path.write_text("[target\ncolumn = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not valid TOML"):
        load_config(path)


def test_init_creates_the_layout_and_keeps_an_existing_config(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "proj", target="label")
    for folder in ("incoming", "processed", "quarantine", ".workbench/artifacts"):
        assert (ws.root / folder).is_dir()
    assert ws.load_config().target.column == "label"
    assert oct(ws.state.stat().st_mode & 0o777) == "0o700"
    init_workspace(tmp_path / "proj", target="other")
    assert open_workspace(tmp_path / "proj").load_config().target.column == "label"


def test_a_folder_without_config_is_not_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="workbench init"):
        open_workspace(tmp_path)


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../x", "a\\..\\x"])
def test_paths_that_leave_the_workspace_are_refused(tmp_path: Path, bad: str) -> None:
    ws = init_workspace(tmp_path, target="y")
    with pytest.raises(WorkspaceError):
        ws.inside(bad)


def test_a_symlink_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws", target="y")
    (ws.root / "link").symlink_to(tmp_path)
    with pytest.raises(WorkspaceError, match="outside the workspace"):
        ws.inside("link/secret")
    assert ws.inside("incoming") == ws.root / "incoming"
