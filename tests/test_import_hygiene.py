"""Importing the engine must not drag in a front end's libraries (DESIGN.md, Layers)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["workbench.engine.engine", "workbench.api"])
def test_importing_the_core_loads_neither_textual_nor_ipywidgets(module: str) -> None:
    code = (
        f"import sys, {module}\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'ipywidgets'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert result.stdout.strip() == "", f"{module} imported {result.stdout.strip()}"
