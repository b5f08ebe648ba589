"""``python -m workbench.serving --manifest FILE``: the process the engine supervises.

``--manifest -`` reads the manifest from the first line of stdin instead, after importing
what scoring needs: the engine starts the server before it has opened the workspace and
chosen the model, so the imports (most of a cold start) overlap its own start-up. Stdin
ending before the line means the engine will not serve: the server exits 0. So does
SIGTERM before the line (how the engine discards it without waiting for its imports).

Once uvicorn is listening it prints exactly one line to stdout,
``serving model NAME version N on http://HOST:PORT``, and flushes it, so a parent can
wait for that line (with ``--port 0`` the line carries the port the OS chose). Errors go
to stderr as one line and the exit status is 1 (2 for bad arguments, from argparse).
On SIGTERM or SIGINT the server finishes the requests in flight, then (as uvicorn does)
re-raises the signal, so a supervisor sees the process end by that signal, after the
prediction log has written what it held.

With ``WORKBENCH_SERVING_TOKEN`` set in its environment the server also accepts
``POST /admin/swap`` (hot swap, bearer token); see ``admin.py``.

``--workers N`` (0: one per core) serves from N scoring processes behind the one port
(``pool.py``); this process then stays a small supervisor that imports neither
scikit-learn nor polars. With one worker it scores itself, in-process.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path

from workbench.core.errors import ServingError, WorkbenchError
from workbench.serving.hosts import check_host
from workbench.serving.manifest import ManifestSource, ServingManifest, read_manifest
from workbench.serving.options import (
    DEFAULT_MAX_BODY_BYTES,
    LOOPBACK_NAMES,
    TOKEN_ENV,
    BatchingOptions,
    PredictionLogOptions,
    ServingOptions,
)
from workbench.serving.parent_watch import exit_with_parent, handed_manifest

DEFAULT_MAX_BATCH = BatchingOptions().max_batch_rows
"""Micro-batching is on by default (benchmarks/serving.py); ``--max-batch 0`` turns it off."""


def build_parser() -> argparse.ArgumentParser:
    """The command line, kept separate so its help can be tested and documented."""
    parser = argparse.ArgumentParser(
        prog="python -m workbench.serving",
        description="Serve one approved model version over HTTP (MLflow-style /invocations, "
        f"Open Inference Protocol /v2). Admin routes need ${TOKEN_ENV} in the environment.",
    )
    parser.add_argument(
        "--manifest",
        required=True,
        help="serving manifest JSON written by the engine; '-' reads it from the first "
        "line of stdin once scoring is imported",
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
        "--exit-with-parent",
        action="store_true",
        help="stop when stdin reaches end-of-file (the supervising engine is gone)",
    )
    parser.add_argument(
        "--log-level", default="warning", help="uvicorn log level (default warning)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="scoring processes behind the one port; 0 means one per CPU core (default 1)",
    )
    _limits(parser.add_argument_group("limits and access"))
    _prediction_log(parser.add_argument_group("prediction log"))
    _batching(parser.add_argument_group("micro-batching"))
    return parser


def _limits(group: argparse._ArgumentGroup) -> None:
    defaults = ServingOptions()
    group.add_argument(
        "--request-timeout",
        type=float,
        default=defaults.request_timeout,
        help=f"seconds before a scoring request gets a 504 (default {defaults.request_timeout:g})",
    )
    group.add_argument(
        "--max-concurrency",
        type=int,
        default=defaults.max_concurrency,
        help=f"scoring requests in progress before a 503 (default {defaults.max_concurrency})",
    )
    group.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help=f"largest request body (default {DEFAULT_MAX_BODY_BYTES})",
    )
    group.add_argument(
        "--allowed-host",
        action="append",
        default=None,
        metavar="NAME",
        help="Host header name to answer to (repeatable; default loopback names; '*' for any)",
    )
    group.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="browser origin allowed by CORS, e.g. http://localhost:3000 (repeatable; no '*')",
    )


def _prediction_log(group: argparse._ArgumentGroup) -> None:
    group.add_argument("--log-dir", default=None, help="write sampled predictions here (Parquet)")
    group.add_argument(
        "--log-sample-rate", type=float, default=1.0, help="share of requests logged (default 1.0)"
    )
    group.add_argument(
        "--log-flush-seconds",
        type=float,
        default=1.0,
        help="longest a logged row waits before its file is written (default 1.0)",
    )
    group.add_argument(
        "--log-batch", type=int, default=500, help="rows that trigger a file at once (default 500)"
    )
    group.add_argument(
        "--log-max-queued-rows",
        type=int,
        default=100_000,
        help="rows held in memory before new ones are dropped (default 100000)",
    )


def _batching(group: argparse._ArgumentGroup) -> None:
    group.add_argument(
        "--max-batch",
        type=int,
        default=DEFAULT_MAX_BATCH,
        help="most rows per batched predict call; 0 turns micro-batching off "
        f"(default {DEFAULT_MAX_BATCH})",
    )
    group.add_argument(
        "--max-batch-wait-ms",
        type=float,
        default=BatchingOptions().max_wait_ms,
        help="longest a batch waits for requests already on their way "
        f"(default {BatchingOptions().max_wait_ms:g})",
    )


def options_from(args: argparse.Namespace, environ: Mapping[str, str]) -> ServingOptions:
    """The server options a parsed command line and the environment ask for.

    Raises:
        ServingError: An option is out of range; the message names it.
    """
    log = None
    if args.log_dir is not None:
        log = PredictionLogOptions(
            directory=Path(args.log_dir),
            sample_rate=args.log_sample_rate,
            flush_seconds=args.log_flush_seconds,
            batch_rows=args.log_batch,
            max_queued_rows=args.log_max_queued_rows,
        )
    batching = None
    if args.max_batch:
        batching = BatchingOptions(
            max_batch_rows=args.max_batch, max_wait_ms=args.max_batch_wait_ms
        )
    return ServingOptions(
        strict=args.strict,
        max_body_bytes=args.max_body_bytes,
        request_timeout=args.request_timeout,
        max_concurrency=args.max_concurrency,
        allowed_hosts=tuple(args.allowed_host or LOOPBACK_NAMES),
        cors_origins=tuple(args.cors_origin),
        admin_token=environ.get(TOKEN_ENV) or None,
        prediction_log=log,
        batching=batching,
    )


def workers_for(requested: int) -> int:
    """Worker processes for ``--workers``: 0 means one per CPU core.

    Raises:
        ServingError: A negative number.
    """
    if requested < 0:
        raise ServingError("--workers must be 0 (one per core) or a positive number")
    return requested or os.cpu_count() or 1


def main(argv: list[str] | None = None) -> int:
    """Run the server until interrupted; return the process exit status."""
    args = build_parser().parse_args(argv)
    host = f"[{args.host}]" if ":" in args.host else args.host  # IPv6 in a URL

    def announce(name: str, version: int, port: int) -> None:
        print(f"serving model {name} version {version} on http://{host}:{port}", flush=True)

    try:
        workers = workers_for(args.workers)
        check_host(args.host, allow_remote=args.allow_remote)
        options = options_from(args, os.environ)  # checked here, before any worker starts
        source = manifest_source(args.manifest, watch_parent=args.exit_with_parent)
        if workers > 1:
            from workbench.serving.pool import serve_pool

            return serve_pool(
                source, args.host, args.port, workers, json.dumps(vars(args)), announce
            )
        manifest = _imported_then_handed(source)
        if manifest is None:
            return 0
        from workbench.serving.server import ScoringServer, serve

        def ready(server: ScoringServer) -> None:
            model = server.holder.current
            assert server.port is not None
            announce(model.name, model.version, server.port)

        serve(
            manifest,
            args.host,
            args.port,
            options=options,
            log_level=args.log_level,
            allow_remote=args.allow_remote,
            on_ready=ready,
        )
    except WorkbenchError as exc:
        print(f"workbench.serving: {exc}", file=sys.stderr)
        return 1
    return 0


def _imported_then_handed(source: ManifestSource) -> ServingManifest | None:
    """Import scikit-learn, skops and polars, then take the manifest from ``source``:
    a handed manifest is awaited after the imports, so the engine's start-up overlaps
    them.

    SIGTERM meanwhile (an engine discarding this server, which need not wait for the
    imports to see stdin end) means no model: the process exits 0 at once. Nothing is
    bound, started or written yet, so there is nothing to stop; and an exception raised
    from the handler instead could land inside an extension module's initialisation,
    which turns it into an import error (seen: numpy's buffer-format check in
    scikit-learn's KD-tree), so the server would end with a traceback and status 1.
    """

    def no_model(number: int, frame: object) -> None:
        os._exit(0)

    previous = signal.signal(signal.SIGTERM, no_model)
    try:
        from workbench.serving.scoring_imports import import_scoring

        import_scoring()
        return source()
    finally:
        signal.signal(signal.SIGTERM, previous)


def manifest_source(path: str, *, watch_parent: bool) -> ManifestSource:
    """Where the model to serve comes from: the manifest file (read at once, so a bad
    one fails before any worker starts), or with ``-`` the line the engine writes on
    stdin; the watch for the engine's end (``--exit-with-parent``) starts after that
    line, on the same pipe.

    Raises:
        ServingError: The file cannot be read or is invalid.
    """
    if path != "-":
        manifest = read_manifest(path)
        if watch_parent:
            exit_with_parent()
        return lambda: manifest

    def handed() -> ServingManifest | None:
        text = handed_manifest()
        if text is None:
            print("workbench.serving: no model was handed over; stopping", file=sys.stderr)
            return None
        try:
            manifest = ServingManifest.from_json(text)
        except ServingError as exc:
            raise ServingError(f"the manifest on stdin: {exc}") from exc
        if watch_parent:
            exit_with_parent()
        return manifest

    return handed


if __name__ == "__main__":
    sys.exit(main())
