"""Keep what a task says on a worker (``ctx.log`` and ``print``) to send it home.

On a Dask worker a task's ``ctx.log`` records and its ``print`` output would land in the
worker's own terminal, on another machine. :class:`OutputCapture` keeps them, with the
time they were said, so they travel back with the attempt's result and the engine
writes them into ``.workbench/logs/run-N/TASK.log`` like the logs of a local task.

``print`` writes to the process-wide ``sys.stdout``, shared by every task a worker runs
at once on its threads; :class:`_ThreadRoutedStream` sends each write to the capture of
the thread that made it, and passes the writes of other threads through. Output from
threads the task starts itself is not captured (it reaches the worker's terminal).
"""

from __future__ import annotations

import io
import logging
import sys
import threading
import time
from typing import Any, TextIO

REMOTE_LOGGER = "workbench.dag.remote_tasks"
"""Parent logger of ``ctx.log`` on a worker; records stop there (``propagate`` off), so
an in-process cluster does not write them twice (live, then again on replay)."""

LogLine = tuple[float, int, str, str]
"""``(unix time, level number, level name, text)`` of one captured line."""

_route_lock = threading.Lock()


class _ThreadRoutedStream(io.TextIOBase):
    """A stand-in for ``sys.stdout``/``sys.stderr`` that routes writes by thread."""

    def __init__(self, inner: TextIO) -> None:
        super().__init__()
        self.inner = inner
        self.routes: dict[int, OutputCapture] = {}
        self.level = ""

    def write(self, text: str) -> int:
        capture = self.routes.get(threading.get_ident())
        if capture is None:
            return self.inner.write(text)
        capture.take_text(self.level, text)
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def writable(self) -> bool:
        return True

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty...
        return getattr(self.inner, name)


def _routed(name: str, level: str) -> _ThreadRoutedStream:
    """The routed stream installed as ``sys.<name>`` (installed now if it is not)."""
    current = getattr(sys, name)
    if isinstance(current, _ThreadRoutedStream):
        return current
    routed = _ThreadRoutedStream(current)
    routed.level = level
    setattr(sys, name, routed)
    return routed


class _Handler(logging.Handler):
    def __init__(self, capture: OutputCapture) -> None:
        super().__init__(logging.DEBUG)
        self.capture = capture
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        capture = self.capture
        if getattr(record, "task", None) != capture.task or (
            getattr(record, "attempt", None) != capture.attempt
            or getattr(record, "run_id", None) != capture.run_id
        ):
            return  # another task's record (several run at once on a worker's threads)
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        capture.lines.append((record.created, record.levelno, record.levelname, text))


class OutputCapture:
    """Captures one attempt's ``ctx.log`` records and ``print`` lines (a context manager).

    Args:
        run_id: The run, task and attempt whose records are kept.
        task: Task name.
        attempt: Attempt number.
    """

    def __init__(self, run_id: str, task: str, attempt: int) -> None:
        self.run_id = run_id
        self.task = task
        self.attempt = attempt
        self.lines: list[LogLine] = []
        """What was said, in order."""
        self._partial: dict[str, str] = {}
        self._handler = _Handler(self)
        self._thread = threading.get_ident()
        self._streams: list[_ThreadRoutedStream] = []

    def take_text(self, level: str, text: str) -> None:
        """Keep printed text, one line per newline (a partial line waits for its end)."""
        buffered = self._partial.get(level, "") + text
        *done, rest = buffered.split("\n")
        self._partial[level] = rest
        now = time.time()
        for line in done:
            self.lines.append((now, logging.INFO, level, line))

    def __enter__(self) -> OutputCapture:
        logger = logging.getLogger(REMOTE_LOGGER)
        logger.propagate = False
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
        logger.addHandler(self._handler)
        with _route_lock:
            for name, level in (("stdout", "STDOUT"), ("stderr", "STDERR")):
                stream = _routed(name, level)
                stream.routes[self._thread] = self
                self._streams.append(stream)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger(REMOTE_LOGGER).removeHandler(self._handler)
        with _route_lock:
            for stream in self._streams:
                stream.routes.pop(self._thread, None)
        for level, rest in self._partial.items():
            if rest:
                self.lines.append((time.time(), logging.INFO, level, rest))
        self._partial.clear()
