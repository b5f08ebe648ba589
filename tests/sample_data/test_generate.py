"""The generator is deterministic, runnable as a script, and matches the committed files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import polars as pl
from polars.testing import assert_frame_equal

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "sample_data" / "generate.py"
FILES = (
    "transactions_2026_01.csv",
    "transactions_2026_02_drifted.csv",
    "transactions_defects.csv",
    "README.md",
)


def test_main_writes_byte_identical_files_on_every_run(
    generate: ModuleType, generated_dir: Path, tmp_path: Path
) -> None:
    generate.main(["--output-dir", str(tmp_path)])

    for name in FILES:
        assert (tmp_path / name).read_bytes() == (generated_dir / name).read_bytes(), name


def test_script_runs_from_the_repo_root_in_a_fresh_interpreter(
    generated_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(SCRIPT.relative_to(REPO_ROOT)), "--output-dir", str(out)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    for name in FILES:
        assert (out / name).read_bytes() == (generated_dir / name).read_bytes(), name


def test_generate_month_gives_the_same_frame_for_the_same_seed(generate: ModuleType) -> None:
    first = generate.generate_month(500, 7, False)
    again = generate.generate_month(500, 7, False)
    other_seed = generate.generate_month(500, 8, False)

    assert_frame_equal(first, again)
    assert not first.equals(other_seed)


def test_generate_month_picks_the_month_from_shifted(generate: ModuleType) -> None:
    january = generate.generate_month(300, 1, shifted=False)
    february = generate.generate_month(300, 1, shifted=True, first_id=301)

    assert january["timestamp"].dt.month().unique().to_list() == [1]
    assert february["timestamp"].dt.month().unique().to_list() == [2]
    assert february["transaction_id"][0] == "tx-000301"
    assert january["timestamp"].is_sorted()
    assert january.schema["timestamp"] == pl.Datetime("us")
