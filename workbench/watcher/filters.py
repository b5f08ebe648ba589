"""Which files in the watched folder are data files worth waiting for.

Browsers, editors and office suites write next to the final file (``*.part``,
``*.crdownload``, ``~$book.xlsx``, ``.~lock.x#``, ``.x.swp``); reading those would hand
half a download to validation. They are recognised by name, before any waiting.
"""

from __future__ import annotations

from pathlib import Path

SUPPORTED_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".parquet", ".json", ".ndjson", ".jsonl")
"""File endings the engine can read (matched case-insensitively)."""

TEMP_SUFFIXES: tuple[str, ...] = (
    ".tmp",
    ".temp",
    ".part",
    ".partial",
    ".crdownload",
    ".download",
    ".swp",
    ".swo",
    ".swx",
)
"""Endings of files that are still being downloaded, saved or edited."""


def ignore_reason(path: Path, root: Path | None = None) -> str | None:
    """Why ``path`` is not a data file to ingest, or None when it is one.

    Args:
        path: A file path (only its name, and its folders below ``root``, are looked at).
        root: The watched folder; when given, a file inside a hidden sub-folder of it
            (``.git/``, ``.cache/``) is ignored too.

    Returns:
        A short reason a person can read in the UI, or None for a candidate.
    """
    name = path.name
    lower = name.lower()
    if root is not None:
        hidden = _hidden_folder(path, root)
        if hidden:
            return f"inside hidden folder {hidden}"
    if lower.startswith(".~lock") or lower.startswith("~$"):
        return "office lock file"
    if name.startswith("."):
        return "hidden file"
    if lower.endswith("~"):
        return "editor backup file"
    for suffix in TEMP_SUFFIXES:
        if lower.endswith(suffix):
            return f"temporary file ({suffix}): waiting for it to be renamed into place"
    if not lower.endswith(SUPPORTED_SUFFIXES):
        kind = "".join(path.suffixes[-2:]) or "no extension"
        return f"unsupported file type ({kind}); accepted: {', '.join(SUPPORTED_SUFFIXES)}"
    return None


def is_candidate(path: Path, root: Path | None = None) -> bool:
    """True when ``path`` is named like a data file the engine can ingest."""
    return ignore_reason(path, root) is None


def folder_ignore_reason(folder: Path, root: Path) -> str | None:
    """Why a sub-folder of the watched folder ``root`` is not descended into, or None."""
    hidden = _hidden_folder(folder / "_", root)
    return f"hidden folder {hidden}" if hidden else None


def _hidden_folder(path: Path, root: Path) -> str | None:
    """The first hidden folder between ``root`` and the file ``path``, if any."""
    try:
        parts = path.relative_to(root).parts[:-1]
    except ValueError:
        return None
    for part in parts:
        if part.startswith("."):
            return part
    return None
