"""The Workbench terminal UI (Textual): a front end over :class:`workbench.api.WorkbenchApi`.

``run_tui(path)`` is what ``workbench`` with no arguments runs; ``WorkbenchApp`` can be
built on any api (in-process or remote) for tests and embedding.
"""

from __future__ import annotations

from workbench.tui.launch import build_app, run_tui

__all__ = ["build_app", "run_tui"]
