"""Every event the code emits is in the catalogue, with only the payload keys it lists."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from typing import get_args

import pytest

import workbench
from workbench.core.event_kinds import CATALOGUE, FAMILIES, follows
from workbench.watcher.events import WatchEventKind

PACKAGE = Path(workbench.__file__).parent

EMITTERS = {"emit": 0, "_emit": 0, "alert": 0, "_decided": 1}
"""Methods that emit an event, and the position of their kind argument."""

NOT_PAYLOAD = {"level", "production_moved"}
"""Keyword arguments of the emitters that are not payload keys."""


def emitted() -> list[tuple[str, str, frozenset[str]]]:
    """(where, kind, payload keys) of every emit whose kind is written out in the code."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func  # self.emit(...), self._emit(...) or an emit(...) handed in
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            position = EMITTERS.get(name)
            if position is None or len(node.args) <= position:
                continue
            keys = frozenset(k.arg for k in node.keywords if k.arg) - NOT_PAYLOAD
            where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            kind = node.args[position]
            choices = [kind.body, kind.orelse] if isinstance(kind, ast.IfExp) else [kind]
            for choice in choices:
                if isinstance(choice, ast.Constant) and isinstance(choice.value, str):
                    found.append((where, choice.value, keys))
    return found


def test_the_scan_finds_the_emits() -> None:
    kinds = {kind for _, kind, _ in emitted()}
    assert {"run.finished", "model.approved", "drift.detected", "gate.failed"} <= kinds
    assert len(kinds) >= 50


def _id(value: object) -> str:
    """A stable test id (a frozenset's order changes between processes)."""
    return ",".join(sorted(value)) if isinstance(value, frozenset) else str(value)


@pytest.mark.parametrize(("where", "kind", "keys"), emitted(), ids=_id)
def test_every_emitted_kind_is_catalogued_with_its_keys(
    where: str, kind: str, keys: frozenset[str]
) -> None:
    assert kind in CATALOGUE, f"{where} emits {kind!r}, which workbench.core.event_kinds lacks"
    extra = keys - CATALOGUE[kind].payload
    assert not extra, f"{where}: {kind} carries {sorted(extra)}, not in its catalogue entry"


def test_the_watch_events_the_engine_forwards_are_catalogued() -> None:
    forwarded = set(get_args(WatchEventKind)) - {"ready"}  # engine/watch.py: ready is silent
    assert {f"watch.{k}" for k in forwarded} <= set(CATALOGUE)


def test_every_catalogued_kind_is_emitted_somewhere() -> None:
    written = {kind for _, kind, _ in emitted()}
    dynamic = {k for k in CATALOGUE if k.startswith("watch.")} - {
        "watch.started",
        "watch.paused",
        "watch.stopped",
    }
    assert set(CATALOGUE) - written - dynamic == set(), "catalogued but never emitted"


def front_end_modules() -> list[str]:
    names = []
    for package in ("workbench.tui", "workbench.notebook"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, package + "."):
            names.append(info.name)
    return names


def test_every_family_a_front_end_reloads_on_is_catalogued() -> None:
    checked = 0
    for name in front_end_modules():
        module = importlib.import_module(name)
        for value in vars(module).values():
            prefixes = getattr(value, "RELOAD_ON", None)
            if isinstance(value, type) and isinstance(prefixes, tuple):
                for prefix in prefixes:
                    assert follows(prefix), f"{name}.{value.__name__} reloads on {prefix!r}"
                    checked += 1
    assert checked >= 20
    assert {"run", "model", "alias", "dataset", "drift", "serving"} <= FAMILIES
