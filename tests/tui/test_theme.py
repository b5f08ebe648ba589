"""Themes are Textual's: TEXTUAL_THEME respected, the palette's Theme command, a choice
remembered per user in $XDG_CONFIG_HOME/workbench/tui.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from workbench.api import WorkbenchApi
from workbench.tui.app import WorkbenchApp

from .pilot import settle

pytestmark = pytest.mark.anyio


def remembered(user_config: Path) -> dict[str, object]:
    return tomllib.loads((user_config / "workbench" / "tui.toml").read_text())


async def test_textual_theme_env_is_respected(
    api: WorkbenchApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TEXTUAL_THEME", "nord")
    app = WorkbenchApp(api)
    async with app.run_test() as pilot:
        assert app.theme == "nord"
        await settle(pilot)


async def test_a_theme_picked_is_remembered_for_the_next_start(
    api: WorkbenchApi, user_config: Path
) -> None:
    app = WorkbenchApp(api)
    async with app.run_test() as pilot:
        assert app.theme == "textual-dark"  # Textual's default, not ours
        assert not (user_config / "workbench" / "tui.toml").exists()
        app.theme = "gruvbox"  # what the palette's Theme command does
        await pilot.pause()
        await settle(pilot)
    assert remembered(user_config) == {"theme": "gruvbox"}

    again = WorkbenchApp(api)
    async with again.run_test() as pilot:
        assert again.theme == "gruvbox"
        await settle(pilot)


async def test_the_env_var_wins_over_the_remembered_choice_and_a_bad_file_is_ignored(
    api: WorkbenchApi, user_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (user_config / "workbench").mkdir(parents=True)
    (user_config / "workbench" / "tui.toml").write_text('theme = "gruvbox"\n')
    monkeypatch.setenv("TEXTUAL_THEME", "textual-light")
    assert WorkbenchApp(api).theme == "textual-light"
    monkeypatch.delenv("TEXTUAL_THEME")
    (user_config / "workbench" / "tui.toml").write_text("theme = [unclosed\n")
    assert WorkbenchApp(api).theme == "textual-dark"
    (user_config / "workbench" / "tui.toml").write_text('theme = "no-such-theme"\n')
    assert WorkbenchApp(api).theme == "textual-dark"


async def test_the_palette_offers_textuals_theme_command_and_no_key_of_our_own(
    api: WorkbenchApi,
) -> None:
    app = WorkbenchApp(api)
    async with app.run_test() as pilot:
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert "Theme" in commands and "Toggle dark/light theme" not in commands
        assert "t" not in {binding.key for binding in app.BINDINGS if hasattr(binding, "key")}
        await pilot.press("t")
        assert app.theme == "textual-dark"
        commands["Theme"].callback()  # Textual's theme picker opens
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
        await pilot.press("escape")
        await settle(pilot)
