"""The theme a person chose in the TUI, remembered per user.

Textual already has the themes and the way to switch them (the command palette's
"Theme" command, ``App.theme``); what it lacks is memory. The choice is kept in
``$XDG_CONFIG_HOME/workbench/tui.toml`` (``~/.config/workbench/tui.toml`` by default): a
per-user setting, not a workspace's, since it is about the person's terminal. The
``TEXTUAL_THEME`` environment variable, when set, wins over the remembered choice: it is
the person saying so for this session.
"""

from __future__ import annotations

import logging
import os
import tomllib
from pathlib import Path

import tomlkit

log = logging.getLogger(__name__)

ENV_THEME = "TEXTUAL_THEME"
"""Textual's own environment variable for the theme."""

FILE_NAME = "tui.toml"
"""The TUI's per-user settings file, under :func:`config_dir`."""


def config_dir() -> Path:
    """``$XDG_CONFIG_HOME/workbench``, or ``~/.config/workbench`` when it is unset."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "workbench"


def settings_path() -> Path:
    """Where the chosen theme is kept."""
    return config_dir() / FILE_NAME


def remembered_theme() -> str | None:
    """The theme chosen last time, or None (no file, or one that cannot be read).

    A damaged file is not worth an error screen: it is logged and the default is used.
    """
    path = settings_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        log.warning("ignoring %s: %s", path, exc)
        return None
    theme = data.get("theme")
    return theme if isinstance(theme, str) and theme else None


def starting_theme(available: set[str] | frozenset[str]) -> str | None:
    """The theme to start with: ``TEXTUAL_THEME``, else the remembered one, else None.

    Args:
        available: The names of the registered themes; an unknown name is skipped.
    """
    for name in (os.environ.get(ENV_THEME), remembered_theme()):
        if name and name in available:
            return name
    return None


def remember_theme(name: str) -> None:
    """Keep ``name`` as the person's theme (other keys in the file are kept).

    Failing to write (a read-only home) is logged, never raised: the theme still changed.
    """
    path = settings_path()
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        document = tomlkit.parse(text)
        if "theme" not in document:
            document.add(tomlkit.comment("The Workbench TUI's theme (command palette: Theme)."))
        document["theme"] = name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomlkit.dumps(document), encoding="utf-8")
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        log.warning("could not remember the theme in %s: %s", path, exc)
