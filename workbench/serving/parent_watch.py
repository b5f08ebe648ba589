"""The engine's pipe on the server's stdin: the model handed over, then exit with the parent.

A scoring server must not outlive the engine that started it. The engine starts the
server with a pipe on its stdin and writes at most one line to it: the serving manifest,
when the server was started with ``--manifest -`` before the engine had chosen the model
(:func:`handed_manifest`). When the engine process ends, however it ends (Ctrl-C,
``kill -9``, the out-of-memory killer), the kernel closes its end of the pipe and a read
here returns end-of-file: the server then stops as on SIGTERM (graceful: in-flight
requests answered, prediction log flushed), and is made to exit if that takes too long.

Linux's ``PR_SET_PDEATHSIG`` is not used: it fires when the *thread* that started the
child exits, and the engine starts servers from worker threads (a run that promoted a
model, a control-API request), so it would stop healthy servers. The pipe tracks the
process, and works on every platform.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import IO

GRACE_S = 10.0
"""Seconds a graceful stop may take once the parent is gone, before a hard exit."""


def handed_manifest(stream: IO[bytes] | IO[str] | None = None) -> str | None:
    """The manifest the engine writes as the first line of ``stream`` (stdin by default);
    None when the pipe ends first (the engine went away, or chose not to serve).

    Read with ``os.read`` on the descriptor, as :func:`exit_with_parent` reads it next,
    so no buffered reader holds bytes of the pipe.
    """
    fd = (stream if stream is not None else sys.stdin).fileno()
    line = b""
    while b"\n" not in line:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            return None
        if not chunk:
            return None
        line += chunk
    return line.split(b"\n", 1)[0].decode("utf-8", errors="replace")


def exit_with_parent(stream: IO[bytes] | IO[str] | None = None) -> threading.Thread:
    """Watch ``stream`` (stdin by default) on a daemon thread; on end-of-file, stop."""
    fd = (stream if stream is not None else sys.stdin).fileno()

    def watch() -> None:
        # os.read on the descriptor, not the buffered reader: a daemon thread blocked in
        # a buffered read holds its lock, and the interpreter aborts on it at exit.
        try:
            while os.read(fd, 4096):
                pass  # the parent writes nothing more; anything read is ignored
        except OSError:
            pass
        print(
            "workbench.serving: the engine that started this server is gone; stopping",
            file=sys.stderr,
            flush=True,
        )
        os.kill(os.getpid(), signal.SIGTERM)
        threading.Timer(GRACE_S, os._exit, args=(0,)).start()

    thread = threading.Thread(target=watch, name="serving-parent-watch", daemon=True)
    thread.start()
    return thread
