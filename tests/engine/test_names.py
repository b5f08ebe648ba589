"""A file name is data: a newline or markup in it is printed escaped on the watch console.

A real ``workbench watch`` child and a real file whose name holds a newline and rich
markup; its output lines are read as a person would see them.
"""

from __future__ import annotations

import sys

import pytest

from tests.children import Child
from workbench.core.workspace import Workspace

from .helpers import set_config

pytestmark = pytest.mark.slow


def test_a_newline_in_a_file_name_is_printed_escaped(workspace: Workspace) -> None:
    set_config(workspace, "watch", quiet_period_ms=100, batch_window_ms=0)
    child = Child(
        [
            sys.executable,
            "-m",
            "workbench.cli.main",
            "watch",
            "--no-serve",
            "-w",
            str(workspace.root),
        ]
    )
    try:
        child.wait_for("watching")
        name = "evil\n[red]name.csv"
        (workspace.root / "incoming" / name).write_text("a,b\n1\n")
        line = child.wait_for("dataset.quarantined")
        assert "'evil\\n[red]name.csv'" in line, line
        assert not any(printed.startswith("[red]") for printed in child.lines)
        assert (workspace.quarantine / name).exists()
    finally:
        assert child.stop() == 0
