"""``python -m workbench.tui [--workspace PATH]``: the TUI without the CLI around it."""

from __future__ import annotations

import argparse
import sys

from workbench.tui.launch import run_tui


def main(argv: list[str] | None = None) -> int:
    """Parse ``--workspace`` and run the TUI."""
    parser = argparse.ArgumentParser(prog="python -m workbench.tui")
    parser.add_argument("-w", "--workspace", default=".", help="workspace folder")
    args = parser.parse_args(argv)
    return run_tui(args.workspace)


if __name__ == "__main__":
    sys.exit(main())
