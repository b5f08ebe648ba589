"""Log flags on every command, plain lines off a terminal, rich on one."""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from workbench.cli.log_setup import configure_logging, level_from
from workbench.cli.main import build_parser


@pytest.fixture(autouse=True)
def root_logger() -> Iterator[logging.Logger]:
    """The root logger, put back as it was after the test."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize(
    ("argv", "level"),
    [
        (["runs"], logging.WARNING),
        (["runs", "-v"], logging.INFO),
        (["runs", "-vv"], logging.DEBUG),
        (["-v", "runs"], logging.INFO),
        (["models", "-q"], logging.ERROR),
        (["-q", "watch", "--log-level", "DEBUG"], logging.DEBUG),
        (["--log-level", "error"], logging.ERROR),
    ],
)
def test_flags_before_or_after_the_command_set_the_level(argv: list[str], level: int) -> None:
    assert level_from(build_parser().parse_args(argv)) == level


def test_every_command_takes_the_log_flags() -> None:
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert len(commands) > 20
    for name, command in commands.items():
        options = {o for action in command._actions for o in action.option_strings}
        assert {"-v", "-q", "--log-level"} <= options, name


def test_off_a_terminal_records_are_plain_lines_at_the_chosen_level() -> None:
    stream = io.StringIO()
    configure_logging(logging.WARNING, stream=stream)
    watcher = logging.getLogger("workbench.watcher.overflow")
    watcher.info("not shown at warning")
    watcher.warning("inotify queue overflowed; rescanning incoming/")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    assert lines[0].endswith(
        " WARNING workbench.watcher.overflow: inotify queue overflowed; rescanning incoming/"
    )
    assert "\x1b[" not in lines[0]


def test_quiet_shows_errors_only() -> None:
    stream = io.StringIO()
    configure_logging(logging.ERROR, stream=stream)
    logging.getLogger("workbench.serving").warning("hidden")
    logging.getLogger("workbench.serving").error("shown")
    assert [line.split(": ", 1)[1] for line in stream.getvalue().splitlines()] == ["shown"]


def test_on_a_terminal_records_go_through_rich() -> None:
    leader, follower = os.openpty()
    with os.fdopen(follower, "w") as terminal:
        configure_logging(logging.INFO, stream=terminal)
        (handler,) = [h for h in logging.getLogger().handlers if getattr(h, "_workbench_cli", 0)]
        assert type(handler).__name__ == "RichHandler"
        logging.getLogger("workbench.watcher").warning("falling back to polling")
        terminal.flush()
        written = os.read(leader, 65536).decode()
    os.close(leader)
    assert "falling back to polling" in written and "WARNING" in written
    assert "\x1b[" in written  # styled for a terminal


def test_the_tui_gets_no_stderr_handler() -> None:
    configure_logging(logging.DEBUG, tui=True)
    assert not [h for h in logging.getLogger().handlers if getattr(h, "_workbench_cli", 0)]


def test_a_bad_log_level_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "workbench.cli.main", "runs", "--log-level", "loud"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "--log-level" in result.stderr and "loud" in result.stderr
