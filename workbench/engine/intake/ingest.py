"""Ingest: hash, deduplicate, validate against the pinned contract, and file a data file.

A file ends in exactly one place: ``processed/`` when accepted (or a duplicate),
``quarantine/`` with its report beside it when it fails. Files are moved or copied,
never deleted, and a name collision gets a numeric suffix instead of an overwrite.

Two hostile cases are settled before a byte is read. A symlink in the workspace that
leads out of it is quarantined unread (the link itself is moved, its target untouched).
And a file whose ingest was under way when the engine died (killed, out of memory) is
quarantined at the next start instead of being read again: before reading, ingest
leaves a marker in ``.workbench/ingesting/`` that only a finished read removes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from workbench.core.errors import DataError
from workbench.core.names import shown
from workbench.core.records import IngestOutcome
from workbench.core.vocabulary import DatasetStatus
from workbench.core.workspace import Workspace
from workbench.engine.context import CurrentConfig, Emit
from workbench.engine.intake.limits import check_limits
from workbench.store.artifacts import write_error
from workbench.store.datasets import DatasetRepo
from workbench.store.lineage import LineageRepo
from workbench.validation import (
    Contract,
    TableRule,
    ValidationReport,
    contract_from_toml,
    contract_to_toml,
    infer_contract,
    scan_dataset,
    validate,
)
from workbench.validation.memory import bound_polars_memory

_CHUNK = 1 << 20


@dataclass(frozen=True)
class IngestContext:
    """What ingest uses: where files go, the settings, two repositories and ``emit``."""

    workspace: Workspace
    """Where ``processed/``, ``quarantine/``, the pinned contract and the markers are."""
    config: CurrentConfig
    """The settings now: ``[target] column`` and ``[watch]`` (limits, memory)."""
    datasets: DatasetRepo
    """Where each file's record and validation report go."""
    lineage: LineageRepo
    """Links an accepted dataset to its report."""
    emit: Emit
    """Says what happened to each file."""


def file_sha256(path: Path) -> str:
    """Content hash of a file, streamed (the identity of a dataset)."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise DataError(f"{path.name}: cannot be read: {exc.strerror}") from exc
    return digest.hexdigest()


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``folder/stem-N.suffixes`` if that is taken: never overwrite."""
    folder.mkdir(parents=True, exist_ok=True)
    candidate = folder / name
    stem, dot, suffixes = name.partition(".")
    counter = 1
    while candidate.exists():
        candidate = folder / f"{stem}-{counter}{dot}{suffixes}"
        counter += 1
    return candidate


def _file_away(source: Path, target: Path, move: bool, *, link_itself: bool = False) -> None:
    """Move (or copy) ``source`` to ``target``; called after the store recorded it.

    Recording first means a crash between the two leaves the file in incoming/, where
    the next start finds it, sees its hash is known, and files it as a duplicate:
    nothing lost, nothing processed twice. A failed copy (a full disk) removes its
    partial target, so the same holds then.

    Raises:
        StoreError: The file cannot be moved or copied ("disk full" when out of space).
    """
    try:
        if link_itself:  # a link out of the workspace: file the link, never its target
            if move:
                os.rename(source, target)
            else:
                shutil.copy2(source, target, follow_symlinks=False)
        elif move and source.is_symlink():
            # a link within the workspace: keep the bytes (a moved relative link would
            # dangle) and take the link away; its target stays where it was
            shutil.copy2(source, target)
            source.unlink()
        elif move:
            shutil.move(str(source), target)
        else:
            shutil.copy2(source, target)
    except OSError as exc:
        if source.exists():
            target.unlink(missing_ok=True)
        raise write_error(exc, f"{source.name} to {target.parent}") from exc


def _write_text(path: Path, text: str) -> None:
    """Write a small file of ours (a report, the contract), saying so if the disk is full."""
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise write_error(exc, str(path)) from exc


def _pinned_contract(workspace: Workspace) -> Contract | None:
    path = workspace.contract_path
    if not path.exists():
        return None
    return contract_from_toml(path.read_text(encoding="utf-8"), str(path))


def _check(
    workspace: Workspace, target: str, path: Path
) -> tuple[ValidationReport, Contract | None]:
    """Validate against the pinned contract; the first file proposes one (returned to pin)."""
    frame = scan_dataset(path)
    columns = frame.collect_schema().names()
    if target not in columns:
        raise DataError(
            f"{path.name}: the target column '{target}' is missing "
            f"(columns: {', '.join(columns[:20])})"
        )
    pinned = _pinned_contract(workspace)
    if pinned is not None:
        return validate(path, pinned), None
    proposed = soften_ranges(infer_contract(frame, target=target))
    return validate(path, proposed), proposed


def soften_ranges(contract: Contract) -> Contract:
    """Inferred min/max bounds warn instead of blocking; signs stay errors.

    Ranges seen in one file are a guess; a later month whose amounts grew is drift for
    the monitor to measure, not a broken file to quarantine. But a column never seen
    negative keeps an error rule "COLUMN >= 0" (a negative age or amount is broken
    data). Types, nulls, categories and uniqueness stay errors; a person can make any
    range an error in contract.toml.
    """
    columns = tuple(
        dataclasses.replace(rule, severity_by_check=(*rule.severity_by_check, ("range", "warn")))
        if rule.min is not None or rule.max is not None
        else rule
        for rule in contract.columns
    )
    signs = tuple(
        TableRule(f"{rule.name} is not negative", f'"{rule.name}" >= 0', "error")
        for rule in contract.columns
        if rule.dtype in ("int", "float")
        and isinstance(rule.min, int | float)
        and rule.min >= 0
        and rule.name != contract.target
    )
    return dataclasses.replace(contract, columns=columns, rules=(*contract.rules, *signs))


def _relative(workspace: Workspace, path: Path) -> str:
    return str(path.relative_to(workspace.root))


def _in_workspace(workspace: Workspace, path: Path) -> bool:
    """Whether ``path`` (its folder resolved, the file itself not followed) is inside."""
    parent = path.parent.resolve()
    root = workspace.root
    return parent == root or root in parent.parents


def former_path(workspace: Workspace, path: Path) -> str:
    """Where a file was, as reports and events say it: relative to the workspace when it
    was inside (``incoming/x.csv``), else its name (the rest of an absolute path says
    nothing about the data and a lot about the machine)."""
    if _in_workspace(workspace, path):
        return str((path.parent.resolve() / path.name).relative_to(workspace.root))
    return path.name


def _relative_reason(workspace: Workspace, path: Path, reason: str) -> str:
    """``reason`` with the file's absolute path (readers name it) made workspace-relative,
    and its name escaped if it holds a newline or another unprintable character."""
    for absolute in {str(path), str(path.parent.resolve() / path.name)}:
        reason = reason.replace(absolute, shown(former_path(workspace, path)))
    if not path.name.isprintable():  # readers name the file as it is
        reason = reason.replace(path.name, shown(path.name))
    return reason


def _leads_out(workspace: Workspace, path: Path) -> str | None:
    """Why ``path``, a symlink inside the workspace, must not be read; None otherwise.

    Only links dropped into the workspace are judged: a file named on the command line
    outside it is the user's own to read.
    """
    if not path.is_symlink() or not _in_workspace(workspace, path):
        return None
    root = workspace.root
    target = os.readlink(path)
    resolved = path.resolve()
    if resolved != root and root not in resolved.parents:
        return (
            f"{shown(path.name)} is a symbolic link to {shown(target)}, outside the "
            "workspace; quarantined unread (the link was moved, its target left alone)"
        )
    return None


def _link_identity(path: Path) -> str:
    """A stand-in hash for a link that must not be read: the link, not its target."""
    info = path.lstat()
    text = f"symlink\0{path}\0{os.readlink(path)}\0{info.st_ino}\0{info.st_mtime_ns}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _marker(workspace: Workspace, sha: str) -> Path:
    return workspace.ingesting / f"{sha}.json"


def _unfinished(workspace: Workspace, sha: str) -> str | None:
    """The reason to quarantine a file an earlier engine died reading, or None.

    A marker written by this process is a concurrent ingest of the same bytes (the
    control API and the watcher), not a crash: only another process's marker counts,
    and only one engine can own the workspace at a time.
    """
    try:
        info = json.loads(_marker(workspace, sha).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict) or info.get("pid") == os.getpid():
        return None
    return (
        f"the engine stopped while reading this file (ingest started {info.get('started_at')}, "
        "never finished: killed or out of memory?); quarantined unread so it cannot stop "
        "the engine again"
    )


def _mark_started(workspace: Workspace, sha: str, path: Path) -> None:
    """Write the marker (flushed to disk) before reading: see the module docstring.

    A marker that cannot be written (a full disk) is left out: it is a safety net for the
    next start, and the store's own write then says what is wrong.
    """
    info = {
        "pid": os.getpid(),
        "file": former_path(workspace, path),
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    target = _marker(workspace, sha)
    try:
        workspace.ingesting.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8") as handle:
            json.dump(info, handle)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        target.unlink(missing_ok=True)


def _quarantine(
    intake: IngestContext,
    path: Path,
    move: bool,
    sha: str,
    reason: str,
    report: dict[str, Any],
    *,
    link_itself: bool = False,
) -> IngestOutcome:
    workspace = intake.workspace
    reason = _relative_reason(workspace, path, reason)
    where = free_name(workspace.quarantine, path.name)
    _write_text(
        where.with_name(where.name + ".report.json"),
        json.dumps(
            {
                "file": path.name,
                "former_path": former_path(workspace, path),
                "sha256": sha,
                "reason": reason,
                "report": report,
            },
            indent=2,
            default=str,
        ),
    )
    record = intake.datasets.add(
        sha256=sha,
        name=path.name,
        path=_relative(workspace, where),
        rows=int(report.get("rows") or 0),
        status=DatasetStatus.QUARANTINED,
        columns={},
        profile=None,
    )
    intake.datasets.add_report(sha, None, False, reason, report)
    _file_away(path, where, move, link_itself=link_itself)
    message = f"{shown(path.name)} quarantined: {reason}"
    intake.emit(
        "dataset.quarantined",
        message,
        level="error",
        file=path.name,
        dataset_id=record.id,
        path=record.path,
        former_path=former_path(workspace, path),
        reason=reason,
    )
    typed = ValidationReport.from_dict({"source": str(path), **report})
    return IngestOutcome(DatasetStatus.QUARANTINED, str(path), message, record, typed)


def ingest_file(intake: IngestContext, path: Path, *, move: bool) -> IngestOutcome:
    """Take one data file into the workspace (see the module docstring for where it goes).

    Raises:
        DataError: The file does not exist or cannot be read at all.
        StoreError: The store, the contract or the file cannot be written (a full disk
            says "disk full"); the file stays in place, and the next start takes it in
            (or files it as a duplicate if its record was already committed).
    """
    workspace = intake.workspace
    outside = _leads_out(workspace, path) if path.is_symlink() else None
    if outside is not None:
        sha = _link_identity(path)
        report = {"error": outside, "read": False}
        return _quarantine(intake, path, move, sha, outside, report, link_itself=True)
    if not path.is_file():
        raise DataError(f"{shown(former_path(workspace, path))}: no such file")
    sha = file_sha256(path)
    existing = intake.datasets.by_hash(sha)
    if existing is not None:
        if move:
            _file_away(path, free_name(workspace.processed, path.name), move=True)
        message = (
            f"{shown(path.name)} has the same bytes as dataset {existing.id} "
            f"({shown(existing.name)})"
        )
        intake.emit("dataset.duplicate", message, file=path.name, dataset_id=existing.id)
        return IngestOutcome(DatasetStatus.DUPLICATE, str(path), message, existing)
    died = _unfinished(workspace, sha)
    if died is not None:
        outcome = _quarantine(intake, path, move, sha, died, {"error": died, "read": False})
        _marker(workspace, sha).unlink(missing_ok=True)
        return outcome
    _mark_started(workspace, sha, path)
    try:
        return _validated(intake, path, move, sha)
    finally:
        _marker(workspace, sha).unlink(missing_ok=True)


def _validated(intake: IngestContext, path: Path, move: bool, sha: str) -> IngestOutcome:
    """The read, the verdict and the filing of a new file (see :func:`ingest_file`)."""
    workspace, config = intake.workspace, intake.config()
    try:
        check_limits(path, config.watch)
        bound_polars_memory(config.watch.memory_mb)
        report, proposed = _check(workspace, config.target.column, path)
    except (pl.exceptions.PolarsError, OSError, ValueError) as exc:  # unexplained reader error
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        reason = f"{shown(path.name)} cannot be read: {first}"
        return _quarantine(intake, path, move, sha, reason, {"error": reason})
    except DataError as exc:
        return _quarantine(intake, path, move, sha, str(exc), {"error": str(exc)})
    report_dict = report.to_dict()
    if not report.passed:
        return _quarantine(intake, path, move, sha, report.summary(), report_dict)
    if proposed is not None:
        _write_text(workspace.contract_path, contract_to_toml(proposed))
        intake.emit(
            "contract.pinned",
            f"data contract inferred from {shown(path.name)} and pinned",
            file=path.name,
        )
    where = free_name(workspace.processed, path.name)
    relative = _relative(workspace, where)
    record = intake.datasets.add(
        sha256=sha,
        name=path.name,
        path=relative,
        rows=report.rows,
        status=DatasetStatus.ACCEPTED,
        columns={c.name: c.dtype for c in (proposed or _pinned_contract(workspace)).columns},  # type: ignore[union-attr]
        profile=report_dict.get("profile"),
    )
    report_id = intake.datasets.add_report(sha, None, True, report.summary(), report_dict)
    _file_away(path, where, move)
    intake.lineage.link(("dataset", record.id), ("report", report_id), "validated")
    message = f"{shown(path.name)} ingested as dataset {record.id} ({record.rows:,} rows)"
    intake.emit("dataset.ingested", message, file=path.name, dataset_id=record.id, rows=record.rows)
    return IngestOutcome(DatasetStatus.ACCEPTED, str(path), message, record, report)
