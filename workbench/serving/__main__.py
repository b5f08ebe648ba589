"""``python -m workbench.serving --manifest FILE``: the process the engine supervises.

Once uvicorn is listening it prints exactly one line to stdout,
``serving model NAME version N on http://HOST:PORT``, and flushes it, so a parent can
wait for that line (with ``--port 0`` the line carries the port the OS chose). Errors go
to stderr as one line and the exit status is 1 (2 for bad arguments, from argparse).
On SIGTERM or SIGINT the server finishes the requests in flight, then (as uvicorn does)
re-raises the signal, so a supervisor sees the process end by that signal.
"""

from __future__ import annotations

import argparse
import sys

from workbench.core.errors import WorkbenchError
from workbench.serving.manifest import read_manifest
from workbench.serving.server import ScoringServer, serve


def build_parser() -> argparse.ArgumentParser:
    """The command line, kept separate so its help can be tested and documented."""
    parser = argparse.ArgumentParser(
        prog="python -m workbench.serving",
        description="Serve one approved model version over HTTP (MLflow-style /invocations).",
    )
    parser.add_argument(
        "--manifest", required=True, help="serving manifest JSON written by the engine"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="port (0 picks a free one; default 8000)"
    )
    parser.add_argument(
        "--strict", action="store_true", help="refuse requests with columns the model does not use"
    )
    parser.add_argument("--allow-remote", action="store_true", help="allow a non-loopback --host")
    parser.add_argument(
        "--log-level", default="warning", help="uvicorn log level (default warning)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the server until interrupted; return the process exit status."""
    args = build_parser().parse_args(argv)

    def announce(server: ScoringServer) -> None:
        model = server.holder.current
        host = f"[{args.host}]" if ":" in args.host else args.host  # IPv6 in a URL
        print(
            f"serving model {model.name} version {model.version} on http://{host}:{server.port}",
            flush=True,
        )

    try:
        serve(
            read_manifest(args.manifest),
            args.host,
            args.port,
            strict=args.strict,
            log_level=args.log_level,
            allow_remote=args.allow_remote,
            on_ready=announce,
        )
    except WorkbenchError as exc:
        print(f"workbench.serving: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
