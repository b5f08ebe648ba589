"""Which names are data files."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.watcher import SUPPORTED_SUFFIXES, ignore_reason, is_candidate


@pytest.mark.parametrize(
    "name",
    ["a.csv", "A.CSV", "a.csv.gz", "a.parquet", "a.json", "a.ndjson", "a.jsonl", "x.y.csv"],
)
def test_supported_data_files_are_candidates(name: str) -> None:
    assert is_candidate(Path("/in") / name)


@pytest.mark.parametrize(
    ("name", "word"),
    [
        (".env.csv", "hidden"),
        ("a.csv.tmp", "temporary"),
        ("a.csv.part", "temporary"),
        ("a.csv.crdownload", "temporary"),
        ("a.csv.swp", "temporary"),
        ("~$a.csv", "lock"),
        (".~lock.a.csv#", "lock"),
        ("a.csv~", "backup"),
        ("a.xlsx", "unsupported"),
        ("a.gz", "unsupported"),
        ("README", "unsupported"),
    ],
)
def test_temp_hidden_and_unsupported_names_have_a_reason(name: str, word: str) -> None:
    reason = ignore_reason(Path("/in") / name)
    assert reason is not None and word in reason


def test_files_inside_hidden_sub_folders_are_ignored_only_below_the_root() -> None:
    root = Path("/home/me/.projects/incoming")
    assert is_candidate(root / "a.csv", root)
    assert "hidden folder .cache" in (ignore_reason(root / ".cache" / "a.csv", root) or "")


def test_the_unsupported_reason_lists_what_is_accepted() -> None:
    reason = ignore_reason(Path("report.xlsx")) or ""
    assert all(suffix in reason for suffix in SUPPORTED_SUFFIXES)
