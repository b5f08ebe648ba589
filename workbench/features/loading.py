"""Load ``features.py``: import it, collect its views in source order, hash their code.

A view's code hash covers its own function's text, its settings, the hash of the view it
reads from, and the file's shared code (imports, helpers, constants: anything that is not
another view's function), so an edit to one view changes that view's hash (and those of
views reading it) and nothing else, while an edit to a helper changes every view.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import json
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

from workbench.core.errors import FeatureError, WorkbenchError
from workbench.features.definitions import DATASETS, FeatureView


@dataclass(frozen=True)
class FeatureSet:
    """The views of one ``features.py``, ordered so every view comes after its source."""

    views: tuple[FeatureView, ...]
    """Views in materialisation order."""
    hashes: dict[str, str]
    """View name to code hash (sha256 hex)."""
    file_hash: str
    """sha256 of the whole file (what the code watcher compares)."""
    file: str
    """The file's name, for messages."""

    def view(self, name: str) -> FeatureView:
        """The view called ``name``.

        Raises:
            FeatureError: There is no such view; the message lists the ones there are.
        """
        for view in self.views:
            if view.name == name:
                return view
        known = ", ".join(v.name for v in self.views) or "none"
        raise FeatureError(f"{self.file} has no feature view '{name}' (views: {known})")

    def downstream(self, names: set[str]) -> set[str]:
        """``names`` and every view that reads from one of them, directly or not."""
        found = set(names)
        for view in self.views:  # ordered: a source is seen before its readers
            if view.source in found:
                found.add(view.name)
        return found


def load_feature_set(path: Path) -> FeatureSet:
    """Import ``path`` and collect its feature views.

    Raises:
        FeatureError: The file is missing, does not import (the message names the line),
            defines no view, two views share a name, or a view reads an unknown source or
            (through its sources) itself.
    """
    if not path.is_file():
        raise FeatureError(f"features file {path.name} (from [features] path) does not exist")
    text = path.read_text(encoding="utf-8")
    digest = hashlib.sha256(text.encode()).hexdigest()
    module_name = f"workbench_user_features_{digest[:12]}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise FeatureError(f"{path.name} cannot be imported as a Python module")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except WorkbenchError as exc:
        raise FeatureError(f"{path.name}, {_line(path, exc)}: {exc}") from exc
    except Exception as exc:
        raise FeatureError(
            f"{path.name}, {_line(path, exc)} failed to import: {type(exc).__name__}: {exc}"
        ) from exc
    finally:
        sys.modules.pop(module_name, None)
    views = [v for v in vars(module).values() if isinstance(v, FeatureView)]
    if not views:
        raise FeatureError(
            f"{path.name} defines no feature view: decorate a function with "
            "@feature_view(entity=..., ttl=...)"
        )
    ordered = _ordered(views, path.name)
    return FeatureSet(ordered, _hashes(ordered, text), digest, path.name)


def _line(path: Path, exc: BaseException) -> str:
    """``line N`` of ``path`` the error points at (syntax errors carry it; others in frames)."""
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f"line {exc.lineno}"
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == str(path)]
    return f"line {frames[-1].lineno}" if frames else "at import"


def _ordered(views: list[FeatureView], file: str) -> tuple[FeatureView, ...]:
    """Views with every source before its readers (a cycle or unknown source is an error)."""
    by_name: dict[str, FeatureView] = {}
    for view in views:
        if view.name in by_name:
            raise FeatureError(f"{file}: two feature views are called '{view.name}'")
        by_name[view.name] = view
    done: list[FeatureView] = []
    placed: set[str] = set()

    def place(view: FeatureView, path: tuple[str, ...]) -> None:
        if view.name in placed:
            return
        if view.name in path:
            raise FeatureError(
                f"{file}: {view.where(file)} reads from itself through "
                + " -> ".join((*path, view.name))
            )
        if view.source != DATASETS:
            parent = by_name.get(view.source)
            if parent is None:
                raise FeatureError(
                    f"{file}: {view.where(file)} reads from '{view.source}', which is neither "
                    f"'{DATASETS}' nor a view in the file"
                )
            place(parent, (*path, view.name))
        placed.add(view.name)
        done.append(view)

    for view in views:
        place(view, ())
    return tuple(done)


def _hashes(views: tuple[FeatureView, ...], text: str) -> dict[str, str]:
    """Code hash per view: own function text + settings + source's hash + shared code."""
    tree = ast.parse(text)
    own: dict[int, str] = {}
    shared: list[str] = []
    lines = {v.line for v in views}
    for node in tree.body:
        segment = ast.get_source_segment(text, node) or ""
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _first_line(node) in lines:
            own[_first_line(node)] = segment
        else:
            shared.append(segment)
    shared_text = "\n".join(shared)
    hashes: dict[str, str] = {}
    for view in views:
        payload = {
            "function": own.get(view.line, view.name),
            "shared": shared_text,
            "entity": [view.entity.name, view.entity.key],
            "timestamp": view.timestamp,
            "ttl": view.ttl.total_seconds() if view.ttl else None,
            "lookback": view.lookback.total_seconds() if view.lookback else None,
            "defaults": {k: repr(v) for k, v in sorted(view.defaults.items())},
            "source": [view.source, hashes.get(view.source)],
        }
        blob = json.dumps(payload, sort_keys=True).encode()
        hashes[view.name] = hashlib.sha256(blob).hexdigest()
    return hashes


def _first_line(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """The line ``co_firstlineno`` reports: the first decorator's, else the ``def``'s."""
    return min([node.lineno, *(d.lineno for d in node.decorator_list)])
