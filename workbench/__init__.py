"""Workbench: local-first MLOps pipeline automation.

``workbench.connect(path)`` is the notebook's entry point: :func:`workbench.api.connect`
wrapped with the notebook panels (``wb.panel()``), loaded on first use so
``import workbench`` stays cheap.
It is looked up dynamically because this root package sits above every layer (serving
reads ``__version__`` from it) and must not make them all depend on the api.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "connect"]


def __getattr__(name: str) -> Any:
    if name == "connect":
        return importlib.import_module("workbench.notebook.session").connect
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
