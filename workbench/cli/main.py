"""``workbench``: the command line.

argparse builds the commands; each handler in :mod:`workbench.cli.commands` only calls
the api and renders. A :class:`WorkbenchError` becomes one line on stderr and a non-zero
exit code; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from workbench import __version__
from workbench.cli.log_setup import add_log_options, configure_logging, level_from
from workbench.core.errors import WorkbenchError

if TYPE_CHECKING:
    from rich.console import Console

    from workbench.engine.deploy.launch import LaunchedServer

EXIT_ERROR = 1
EXIT_INTERRUPTED = 130

Handler = Callable[[argparse.Namespace, "Console"], int | None]
"""What a command runs: the parsed arguments and the console to print on."""


def _tui(args: argparse.Namespace, console: Console) -> int:
    """``workbench`` with no command: the TUI on the workspace (or its welcome screen)."""
    from workbench.tui import run_tui  # textual: only the TUI needs it

    return run_tui(args.workspace)


def _command(name: str) -> Handler:
    """The handler ``workbench.cli.commands.<name>``, imported when the command runs.

    The commands module imports the api (the engine, the remote client); ``workbench``
    alone opens the TUI, which opens the engine after its first frame, so parsing the
    command line must not import them.
    """

    def run(args: argparse.Namespace, console: Console) -> int | None:
        from workbench.cli import commands  # the api and the engine: see the docstring

        handler: Handler = getattr(commands, name)
        return handler(args, console)

    run.__name__ = name
    return run


def _workspace_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "-w", "--workspace", default=".", help="workspace folder (default: the current one)"
    )
    return parent


def _json_option() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--json", action="store_true", help="machine-readable output")
    return parent


def build_parser() -> argparse.ArgumentParser:
    """The full command tree (also used by the docs and tests)."""
    parser = argparse.ArgumentParser(
        prog="workbench", description="Local-first MLOps: watch, validate, train, approve, serve."
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    parser.add_argument(
        "-w",
        "--workspace",
        default=".",
        help="with no command: open the TUI on this workspace (default: the current folder)",
    )
    parser.set_defaults(handler=_tui)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    ws, js = _workspace_option(), _json_option()

    p = sub.add_parser("init", help="create a workspace")
    p.add_argument("path", nargs="?", default=".", help="folder to create (default: here)")
    p.add_argument("--target", required=True, help="the column to predict")
    p.set_defaults(handler=_command("init"))

    p = sub.add_parser("run", parents=[ws, js], help="ingest a data file and train on it")
    p.add_argument("--data", help="data file (csv, parquet, ndjson); default: the window")
    p.set_defaults(handler=_command("run"))

    p = sub.add_parser("runs", parents=[ws, js], help="list runs, or show one")
    p.add_argument("run_id", nargs="?", type=int, help="show this run's tasks and metrics")
    p.add_argument("--status", help="only runs with this status")
    p.add_argument("--trigger", help="only runs started so: file | manual | code | drift | ...")
    p.add_argument("--since", help="only runs created since a date (2026-11-01) or an age (24h)")
    p.add_argument("--tag", help="only runs tagged KEY=VALUE")
    p.add_argument("--best", metavar="METRIC", help="the runs with the best latest value of METRIC")
    p.add_argument("--min", action="store_true", help="with --best: lower is better")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(handler=_command("runs"))

    p = sub.add_parser("tag", parents=[ws, js], help="set tags on a run: KEY=VALUE ...")
    p.add_argument("run_id", type=int)
    p.add_argument("tags", nargs="+", metavar="KEY=VALUE")
    p.set_defaults(handler=_command("tag"))

    p = sub.add_parser("cache", parents=[ws, js], help="list (or --clear) cached task results")
    p.add_argument("--task", help="only this task's results")
    p.add_argument("--clear", action="store_true", help="forget them, so the tasks run again")
    p.set_defaults(handler=_command("cache"))

    p = sub.add_parser("reproduce", parents=[ws, js], help="re-run a run, compare metrics")
    p.add_argument("run_id", type=int)
    p.set_defaults(handler=_command("reproduce"))

    p = sub.add_parser("compare", parents=[ws, js], help="runs' params and metrics side by side")
    p.add_argument("run_ids", type=int, nargs="+", metavar="RUN")
    p.set_defaults(handler=_command("compare"))

    _add_models_command(sub, ws, js)

    p = sub.add_parser("datasets", parents=[ws, js], help="list ingested datasets")
    p.add_argument("--status", help="accepted | quarantined")
    p.set_defaults(handler=_command("datasets"))

    _add_registry_commands(sub, ws, js)

    p = sub.add_parser("lineage", parents=[ws, js], help="data, run and decisions of a model")
    p.add_argument("version", type=int)
    p.set_defaults(handler=_command("lineage"))
    _add_features_command(sub, ws, js)
    _add_service_commands(sub, ws, js)
    _add_log_options(parser, sub)
    return parser


def _add_features_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    ws: argparse.ArgumentParser,
    js: argparse.ArgumentParser,
) -> None:
    p = sub.add_parser("features", parents=[ws, js], help="feature views, or one entity's values")
    p.add_argument("view", nargs="?", help="only this view")
    p.add_argument("--entity", metavar="KEY", help="with VIEW: this entity's latest values")
    p.add_argument(
        "--materialize", action="store_true", help="rebuild every view from all accepted data"
    )
    p.set_defaults(handler=_command("features"))


def _add_models_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    ws: argparse.ArgumentParser,
    js: argparse.ArgumentParser,
) -> None:
    p = sub.add_parser("models", parents=[ws, js], help="list model versions")
    p.add_argument("version", nargs="?", type=int, help="only this model version")
    p.add_argument("--status", help="candidate | approved | rejected | archived")
    p.add_argument(
        "--report",
        action="store_true",
        help="with VERSION: its quality report (confusion matrix, curves, importance)",
    )
    p.set_defaults(handler=_command("models"))


def _add_log_options(
    parser: argparse.ArgumentParser, sub: argparse._SubParsersAction[argparse.ArgumentParser]
) -> None:
    """``-v``/``-q``/``--log-level`` before the command and on every command."""
    add_log_options(parser, suppress=False)
    for command in sub.choices.values():
        add_log_options(command, suppress=True)


def _add_registry_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    ws: argparse.ArgumentParser,
    js: argparse.ArgumentParser,
) -> None:
    for name, verb in (("approve", "approve"), ("reject", "reject")):
        p = sub.add_parser(name, parents=[ws, js], help=f"{verb} a candidate model version")
        p.add_argument("version", type=int)
        p.add_argument("--comment", default="", help="why (recorded with the decision)")
        p.set_defaults(handler=_command(name))

    p = sub.add_parser("promote", parents=[ws, js], help="point an alias at a version")
    p.add_argument("version", type=int)
    p.add_argument("--alias", required=True)
    p.add_argument("--reason", default="")
    p.set_defaults(handler=_command("promote"))

    p = sub.add_parser("archive", parents=[ws, js], help="retire a version no alias points at")
    p.add_argument("version", type=int)
    p.add_argument("--reason", default="")
    p.set_defaults(handler=_command("archive"))

    p = sub.add_parser("rollback", parents=[ws, js], help="serve the previous production again")
    p.add_argument("--reason", default="")
    p.set_defaults(handler=_command("rollback"))


def _add_service_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    ws: argparse.ArgumentParser,
    js: argparse.ArgumentParser,
) -> None:
    p = sub.add_parser("contract", parents=[ws, js], help="show, infer or check the data contract")
    p.add_argument("action", choices=("show", "infer", "diff"))
    p.add_argument("file", nargs="?", help="data file (infer, diff)")
    p.add_argument("--pin", action="store_true", help="infer: pin the inferred contract")
    p.set_defaults(handler=_command("contract"))

    p = sub.add_parser("drift", parents=[ws, js], help="drift of a file vs production's data")
    p.add_argument("file", nargs="?", help="data file (default: the newest dataset)")
    p.set_defaults(handler=_command("drift"))

    p = sub.add_parser("events", parents=[ws, js], help="the event log")
    p.add_argument("--after", type=int, default=0, help="only events after this id")
    p.add_argument("--limit", type=int, default=50)
    p.set_defaults(handler=_command("events"))

    p = sub.add_parser("serve", parents=[ws], help="serve the production model over HTTP")
    _serve_options(p)
    # serving starts first and imports polars itself; serve then takes Ctrl-C back
    p.set_defaults(handler=_command("serve"), polars_first=False, launch_early=True)

    p = sub.add_parser("watch", parents=[ws], help="run headless: watch incoming/, train, serve")
    p.add_argument("--no-serve", action="store_true", help="do not start the scoring server")
    _serve_options(p)
    p.set_defaults(handler=_command("watch"))

    p = sub.add_parser("demo", help="train, approve and serve on the bundled sample data")
    p.add_argument("--path", default="workbench-demo", help="demo workspace folder")
    p.add_argument("--data", help="data file (default: the bundled January transactions)")
    p.add_argument("--no-serve", action="store_true", help="stop after approval")
    p.add_argument(
        "--headless",
        action="store_true",
        help="no TUI: print the curl example and serve until Ctrl-C (the default without a TTY)",
    )
    _serve_options(p)
    p.set_defaults(handler=_command("demo"))


def _serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=None, help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=None, help="port (default from workbench.toml)")
    p.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow binding an address other than loopback",
    )


def _interrupt(signum: int, frame: object) -> None:
    """SIGTERM ends long-running commands the way Ctrl-C does: cleanly."""
    raise KeyboardInterrupt


def before_taking_signals() -> None:
    """Import polars before installing our SIGINT handler, for any command but the TUI.

    Importing polars installs a SIGINT handler that restarts interrupted system calls
    (pola-rs/polars#21739), so a command blocked waiting for Ctrl-C (``watch``, ``serve``,
    ``demo``) would never see it. The engine now imports polars only when it first needs
    it, which for a command is after :func:`main` took SIGINT: so take it after polars.
    ``serve`` is the exception: the scoring server starts before polars is loaded (its
    cold start does not wait for it), and the command takes SIGINT back once serving
    (which loads polars for the prediction log) has started.
    """
    import polars  # noqa: F401  (see the docstring: imported for its side effect)


def _launch_scoring_server(args: argparse.Namespace) -> LaunchedServer | None:
    """``serve``: start the scoring server before the api and the engine are imported.

    The server's own start-up (importing scikit-learn, about 1.6 s of CPU) then runs
    beside this command's (the api, the engine, opening the workspace: about 0.4 s)
    instead of after it; the engine adopts it and hands it the model
    (``engine/deploy/launch.py``). None when the engine would not start this server.
    """
    from workbench.engine.deploy.launch import launch_early

    return launch_early(args.workspace, args.host, args.port, allow_remote=args.allow_remote)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` console script."""
    args = build_parser().parse_args(argv)
    if getattr(args, "launch_early", False):
        args.launched = _launch_scoring_server(args)
    configure_logging(level_from(args), tui=args.handler is _tui)
    # the TUI reads Ctrl-C as a key and must start fast; serve takes it back itself
    if args.handler is not _tui and getattr(args, "polars_first", True):
        before_taking_signals()
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    from workbench.cli.output import make_console  # rich: once serve launched its server

    console = make_console()
    errors = make_console(stderr=True)
    try:
        return int(args.handler(args, console) or 0)
    except WorkbenchError as exc:
        errors.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return EXIT_ERROR
    except KeyboardInterrupt:
        errors.print("interrupted")
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
