"""Workbench: local-first MLOps pipeline automation."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.api.interface import WorkbenchApi

__version__ = "0.1.0"


def connect(path: str | Path = ".") -> WorkbenchApi:
    """The api for the workspace at ``path`` (a notebook's entry point).

    Attaches to the engine another process runs (the TUI, ``workbench watch``) or starts
    one in this process. The engine loads on first call, so ``import workbench`` stays
    cheap. See :func:`workbench.api.connect`.
    """
    from workbench.api import connect as connect_api

    return connect_api(path)
