"""Logging for every command: ``-v``/``-q``/``--log-level``; rich on a terminal, else plain.

Warnings from the engine's blocks (an inotify overflow, a fall back to polling) used to
reach stderr only through Python's last-resort handler. Every command now installs one
handler on the root logger: ``rich.logging.RichHandler`` when stderr is a terminal, and
one plain, grep-able line per record when it is not (CI, a pipe, a service manager).
The TUI gets no stderr handler (it would paint over the screen); what it logs goes to the
engine's file, ``.workbench/logs/engine.log``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import TextIO

LEVELS = ("debug", "info", "warning", "error", "critical")
"""The names ``--log-level`` accepts."""

PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
"""A record on a non-terminal stderr: one line, time first."""

MARK = "_workbench_cli"
"""Attribute set on the handler this module installs, so a second call replaces it."""

DEFAULT_LEVEL = logging.WARNING
"""What a command shows without ``-v`` or ``-q``: warnings and errors."""


def add_log_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Give ``parser`` the ``-v``, ``-q`` and ``--log-level`` flags.

    Applied to the top-level parser and to every sub-command after the tree is built, so
    a command added later gets them too without anyone remembering a parent parser.

    Args:
        parser: The parser to extend.
        suppress: Leave the attributes unset when not given (for sub-commands, so a flag
            given before the command is not reset by the sub-command's default).
    """
    group = parser.add_argument_group("logging")
    group.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS if suppress else 0,
        help="more log lines on stderr: -v info, -vv debug",
    )
    group.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="only errors on stderr",
    )
    group.add_argument(
        "--log-level",
        choices=LEVELS,
        type=str.lower,
        default=argparse.SUPPRESS if suppress else None,
        help="the lowest level logged on stderr (overrides -v and -q)",
    )


def level_from(args: argparse.Namespace) -> int:
    """The stderr level the flags ask for (``--log-level`` wins over ``-v`` / ``-q``)."""
    name = getattr(args, "log_level", None)
    if name:
        return int(getattr(logging, name.upper()))
    if getattr(args, "quiet", False):
        return logging.ERROR
    verbose = int(getattr(args, "verbose", 0) or 0)
    return {0: DEFAULT_LEVEL, 1: logging.INFO}.get(verbose, logging.DEBUG)


def configure_logging(level: int, *, stream: TextIO | None = None, tui: bool = False) -> None:
    """Install the one stderr handler at ``level`` (none for the TUI).

    The engine's log file keeps ``INFO`` whatever the terminal shows (it lowers the
    ``workbench`` logger, whose records reach this handler and are filtered here).

    Args:
        level: The lowest level shown on ``stream``.
        stream: Where records go (default: ``sys.stderr`` at call time).
        tui: The TUI owns the terminal: no stream handler.
    """
    stream = stream if stream is not None else sys.stderr
    root = logging.getLogger()
    for previous in [h for h in root.handlers if getattr(h, MARK, False)]:
        root.removeHandler(previous)
    root.setLevel(level)
    if tui:
        return
    handler: logging.Handler
    if stream.isatty():
        from rich.console import Console  # rich: after ``serve`` launched its server
        from rich.logging import RichHandler

        handler = RichHandler(
            console=Console(file=stream, stderr=stream is sys.stderr),
            show_path=False,
            rich_tracebacks=False,
            markup=False,
        )
    else:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter(PLAIN_FORMAT))
    handler.setLevel(level)
    setattr(handler, MARK, True)
    root.addHandler(handler)
