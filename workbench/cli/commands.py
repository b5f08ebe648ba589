"""One handler per command: parse nothing, decide nothing, call the api and render."""

from __future__ import annotations

import argparse
import json
import shlex
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from rich.console import Console

from workbench.api import WorkbenchApi, connect
from workbench.api.demo import create_demo_workspace
from workbench.api.local import parse_tag
from workbench.api.remote import RemoteApi
from workbench.cli import render
from workbench.cli.features_view import lookup_table, views_table
from workbench.cli.progress import run_progress
from workbench.cli.quality import report_view
from workbench.core import model_summary
from workbench.core.errors import RegistryError, WorkbenchError
from workbench.core.vocabulary import RunState
from workbench.core.workspace import init_workspace


def init(args: argparse.Namespace, console: Console) -> int:
    ws = init_workspace(args.path, target=args.target)
    console.print(f"workspace ready in [bold]{ws.root}[/] (target column: {args.target})")
    console.print(f"drop data files into {ws.root / 'incoming'} or run: workbench run --data FILE")
    return 0


def _run_and_report(api: WorkbenchApi, data: str | None, console: Console, as_json: bool) -> int:
    if as_json:
        run = api.run(data)
    else:
        with run_progress(api, console):
            run = api.run(data)
    detail = api.run_detail(run.id)
    if as_json:
        render.print_json(console, detail)
    else:
        console.print(render.models_table(detail.models))
        console.print(
            f"run {run.id}: [bold]{run.status}[/]" + (f" ({run.error})" if run.error else "")
        )
        if run.status == RunState.SUCCESS and not detail.models:
            refused = [
                e.message
                for e in api.events(newest=True, limit=50)
                if e.kind == "gate.failed" and e.payload.get("run_id") == run.id
            ]
            console.print(f"[yellow]{refused[-1] if refused else 'no model registered'}[/]")
    return 0 if run.status == RunState.SUCCESS else 1


def run(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        return _run_and_report(api, args.data, console, args.json)


def runs(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        if args.run_id is not None:
            detail = api.run_detail(args.run_id)
            if args.json:
                render.print_json(console, detail)
            else:
                for table in render.run_detail_tables(detail):
                    console.print(table)
            return 0
        if args.best:
            scores = api.best_runs(args.best, "min" if args.min else "max", args.limit)
            return _show(console, args.json, scores, render.best_runs_table)
        records = api.runs(
            status=args.status,
            limit=args.limit,
            trigger=args.trigger,
            since=args.since,
            tag=args.tag,
        )
    return _show(console, args.json, records, render.runs_table)


def tag(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        tags = dict(parse_tag(text) for text in args.tags)
        result = api.tag_run(args.run_id, tags)

    def said(tagged: dict[str, dict[str, str]]) -> str:
        own = tagged.get("", {})
        return f"run {args.run_id}: " + ", ".join(f"{k}={v}" for k, v in own.items())

    return _show(console, args.json, result, said)


def cache(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        if args.clear:
            count = api.clear_cache(args.task)
            return _show(
                console,
                args.json,
                {"cleared": count},
                lambda _: f"{count} cached result(s) forgotten; those tasks will run again",
            )
        entries = api.cached_results(args.task)
    return _show(console, args.json, entries, render.cache_table)


def reproduce(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        if args.json:
            result = api.reproduce(args.run_id)
        else:
            with run_progress(api, console):
                result = api.reproduce(args.run_id)
    if args.json:
        render.print_json(console, result)
    else:
        console.print(render.reproduction_table(result))
        verdict = "[green]identical[/]" if result.identical else "[red]different[/]"
        console.print(f"run {result.rerun.id} reproduces run {result.original.id}: {verdict}")
        if result.code_changed:
            console.print("[yellow]the pipeline code changed since the original run[/]")
    return 0 if result.identical else 1


def compare(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        result = api.compare(args.run_ids)
    return _show(console, args.json, result, render.comparison_table)


def _show(console: Console, as_json: bool, value: Any, shown: Callable[[Any], Any]) -> int:
    """Print ``value`` as JSON for scripts or as ``shown(value)`` (a table, a line of rich
    markup) for a person."""
    if as_json:
        render.print_json(console, value)
    else:
        console.print(shown(value))
    return 0


def models(args: argparse.Namespace, console: Console) -> int:
    if args.report:
        return model_report(args, console)
    with connect(args.workspace) as api:
        records = api.models(status=args.status)
    if args.version is not None:
        records = [m for m in records if m.version == args.version]
        if not records:
            raise RegistryError(f"there is no model version {args.version}")
    return _show(console, args.json, records, render.models_table)


def model_report(args: argparse.Namespace, console: Console) -> int:
    """``workbench models N --report``: exit 1 (``null`` with --json) when N has none."""
    if args.version is None:
        raise WorkbenchError("--report needs a model version: workbench models N --report")
    with connect(args.workspace) as api:
        report = api.model_report(args.version)
    if args.json:
        render.print_json(console, report)
    elif report is None:
        console.print(
            f"model version {args.version} has no quality report (versions registered "
            "before reports were recorded have none)"
        )
    else:
        console.print(report_view(args.version, report))
    return 0 if report is not None else 1


def datasets(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        records = api.datasets(status=args.status)
    return _show(console, args.json, records, render.datasets_table)


def _decision(args: argparse.Namespace, console: Console, action: str) -> int:
    with connect(args.workspace) as api:
        record = getattr(api, action)(args.version, args.comment)
    return _show(console, args.json, record, render.decided)


def approve(args: argparse.Namespace, console: Console) -> int:
    return _decision(args, console, "approve")


def reject(args: argparse.Namespace, console: Console) -> int:
    return _decision(args, console, "reject")


def promote(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        record = api.promote(args.version, args.alias, args.reason)
    return _show(
        console, args.json, record, lambda m: f"alias {args.alias} -> model version {m.version}"
    )


def archive(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        record = api.archive(args.version, args.reason)
    return _show(console, args.json, record, render.decided)


def rollback(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        record = api.rollback(args.reason)
    return _show(
        console, args.json, record, lambda m: f"production is model version {m.version} again"
    )


def lineage(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        node = api.lineage(args.version)
    return _show(console, args.json, node, render.lineage_tree)


def features(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        if args.materialize:
            views = api.materialize_features()
            if not args.json:
                console.print(f"rebuilt {len(views)} feature view(s) from all accepted data")
        else:
            views = api.feature_views()
        if args.view and args.entity is not None:
            return _show(console, args.json, api.features(args.view, args.entity), lookup_table)
    if args.view:
        views = [v for v in views if v.name == args.view]
        if not views:
            raise WorkbenchError(f"no feature view '{args.view}' is materialised")
    return _show(console, args.json, views, views_table)


def contract(args: argparse.Namespace, console: Console) -> int:
    if args.action != "show" and not args.file:
        raise WorkbenchError(f"workbench contract {args.action} needs a FILE")
    with connect(args.workspace) as api:
        if args.action == "show":
            console.print(api.contract(), highlight=False, markup=False, soft_wrap=True)
            return 0
        if args.action == "infer":
            console.print(
                api.infer_contract(args.file, args.pin),
                highlight=False,
                markup=False,
                soft_wrap=True,
            )
            return 0
        report = api.contract_diff(args.file)
    if args.json:
        render.print_json(console, report)
    else:
        console.print(render.validation_table(report))
        console.print(f"{'[green]passes[/]' if report.passed else '[red]fails[/]'} the contract")
    return 0 if report.passed else 1


def drift(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        report = api.drift(args.file)
    if args.json:
        render.print_json(console, report)
    else:
        for table in render.drift_tables(report):
            console.print(table)
        verdict = (
            "[bold red]dataset drift[/]" if report.dataset_drift else "[green]no dataset drift[/]"
        )
        console.print(
            f"{verdict}: {report.share_drifted:.0%} of feature columns drifted "
            f"({', '.join(report.drifted_columns) or 'none'})"
        )
    return 0


def events(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        records = api.events(after_id=args.after, limit=args.limit)
    return _show(console, args.json, records, render.events_table)


def _serve_until_interrupted(
    api: WorkbenchApi, args: argparse.Namespace, console: Console, *, watch: bool = False
) -> int:
    info = api.serve(host=args.host, port=args.port, allow_remote=args.allow_remote)
    if watch:
        api.watch(serve=False)
        console.print("watching incoming/ for new data files")
    # the engine loads polars later (a drift check), and its import takes SIGINT: import
    # it now, once the server is up, then take Ctrl-C back
    from workbench.cli.main import before_taking_signals

    before_taking_signals()
    signal.signal(signal.SIGINT, signal.default_int_handler)
    body = json.dumps({"dataframe_records": [api.example_request()]})
    console.print(f"serving model version {info.version} on [bold]{info.url}[/] (Ctrl-C stops)")
    console.print("try it:", style="bold")
    console.print(
        f"curl -s -X POST {info.url}/invocations -H 'Content-Type: application/json' "
        f"-d {shlex.quote(body)}",
        highlight=False,
        soft_wrap=True,
    )
    console.file.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        if isinstance(api, RemoteApi):
            console.print(
                "detached; the scoring server belongs to the engine that owns the workspace"
            )
        else:
            console.print("stopping the scoring server")
    return 0


def watch(args: argparse.Namespace, console: Console) -> int:
    with connect(args.workspace) as api:
        unsubscribe = api.subscribe(lambda e: console.print(render.event_line(e), highlight=False))
        try:
            info = api.watch(serve=not args.no_serve, host=args.host, port=args.port)
            if info is not None:
                console.print(f"serving model version {info.version} on {info.url}")
            console.print("watching; drop files into incoming/ (Ctrl-C stops)")
            console.file.flush()
            threading.Event().wait()
        except KeyboardInterrupt:
            console.print("stopping")
        finally:
            unsubscribe()
    return 0


def serve(args: argparse.Namespace, console: Console) -> int:
    # the scoring server main() started already: the engine adopts it (see cli.main)
    with connect(args.workspace, launched=getattr(args, "launched", None)) as api:
        return _serve_until_interrupted(api, args, console)


def demo(args: argparse.Namespace, console: Console) -> int:
    ws, data = create_demo_workspace(args.path, args.data)
    console.print(f"demo workspace: [bold]{ws.root}[/] (promotion policy: auto)")
    with connect(ws.root) as api:
        code = _run_and_report(api, str(data), console, as_json=False)
        status = api.status()
        if status.production is None:
            raise WorkbenchError("no model passed the gate, so there is nothing to serve")
        served = next(m for m in api.models() if m.version == status.production)
        for line in render.model_story(served):
            console.print(line, highlight=False)
        # Retraining on the same rows (the candidates come from the cache) shows what auto
        # promotion asks of a challenger: an improvement whose interval clears the margin.
        console.print("a second run on the same data, to show promotion on an interval:")
        again = api.run()
        for model in api.run_detail(again.id).models:
            console.print(f"  {model_summary.versus_production_text(model)}", highlight=False)
            console.print(f"  model version {model.version} is {model.status}")
        console.print(f"production: model version {status.production}")
        if code or args.no_serve:
            return code
        if args.headless or not (sys.stdin.isatty() and sys.stdout.isatty()):
            return _serve_until_interrupted(api, args, console, watch=True)
        api.serve(host=args.host, port=args.port, allow_remote=args.allow_remote)
        api.watch(serve=False)  # it serves already; files dropped in incoming/ train too
        from workbench.tui.app import WorkbenchApp

        app = WorkbenchApp(api, folder=ws.root)
        app.run()
        return app.return_code or 0
