"""A child process for tests that drive Workbench from outside: its output lines are
collected on a thread and can be waited for by text."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

EXITED = "<exited>\n"
"""Appended to the lines when the child's output ends."""


class Child:
    """``args`` running with stdout and stderr merged, stdin a pipe the test may close."""

    def __init__(self, args: Sequence[str], columns: int = 200) -> None:
        env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1", "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            list(args),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self.lines.append(EXITED)
            self._changed.notify_all()

    def count(self, text: str) -> int:
        """How many output lines so far contain ``text``."""
        with self._changed:
            return sum(text in line for line in self.lines)

    def wait_for(self, text: str, times: int = 1, timeout: float = 120.0) -> str:
        """The ``times``-th line containing ``text``; fails with the output if the child
        exits first or ``timeout`` seconds pass."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [line for line in self.lines if text in line]
                if len(found) >= times:
                    return found[times - 1]
                left = deadline - time.monotonic()
                if left <= 0 or (self.lines and self.lines[-1] == EXITED):
                    output = "".join(self.lines[-60:])
                    raise AssertionError(f"{times} x {text!r} not seen:\n{output}")
                self._changed.wait(left)

    def stop(self, how: signal.Signals = signal.SIGINT) -> int:
        """Send ``how`` (Ctrl-C by default, as a person would; a paused child is resumed
        first) and wait; kill if it does not exit. Returns the exit code, once every
        line the child wrote is in :attr:`lines`."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.send_signal(how)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        code = self.proc.wait(timeout=30)
        with self._changed:
            self._changed.wait_for(lambda: bool(self.lines) and self.lines[-1] == EXITED, 10)
        return code


def process_state(pid: int) -> str:
    """The state letter of process ``pid`` in /proc (``Z`` a zombie), or ``gone``."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "gone"


def started_at(pid: int) -> float:
    """When process ``pid`` started, as a ``time.time()`` value (/proc/PID/stat counts
    clock ticks since boot, field 22)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    since_boot = int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return time.time() - (time.clock_gettime(time.CLOCK_BOOTTIME) - since_boot)
