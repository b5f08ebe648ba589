"""CLI output off a terminal: plain aligned columns at full width, nothing cut."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rich.table import Table

from workbench.cli.output import make_console, plain_table

TIMEOUT = 180


def test_plain_table_keeps_every_value_whole_and_aligned() -> None:
    table = Table(title="Model versions")
    table.add_column("version", justify="right")
    table.add_column("status")
    table.add_row("1", "[green]candidate-with-a-very-long-status-name[/]")
    table.add_row("12", "prod")
    lines = plain_table(table).splitlines()
    assert lines[0] == "Model versions"
    assert lines[1].split() == ["version", "status"]
    assert lines[2].endswith("candidate-with-a-very-long-status-name")
    assert lines[3].endswith("prod")
    status_at = lines[1].index("status")
    assert lines[2].index("candidate") == lines[3].index("prod") == status_at
    assert lines[2][: len("version")] == "      1" and lines[3][: len("version")] == "     12"


def test_a_console_on_a_file_prints_tables_plain_and_unwrapped(tmp_path: Path) -> None:
    path = tmp_path / "out.txt"
    with path.open("w") as handle:
        console = make_console(handle)
        table = Table(title="Runs")
        table.add_column("error")
        table.add_row("x" * 500)
        console.print(table)
        console.print("y" * 300)
    assert path.read_text().splitlines() == ["Runs", "error", "x" * 500, "y" * 300]


def wb_to_file(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``workbench ARGS`` with stdout redirected to the file ``out``, 80-column env."""
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["COLUMNS"] = "80"
    with out.open("w") as handle:
        return subprocess.run(
            [sys.executable, "-m", "workbench.cli.main", *args],
            stdout=handle,
            stderr=subprocess.PIPE,
            text=True,
            timeout=TIMEOUT,
            env=env,
            check=False,
        )


def columns_of(header: str, row: str) -> dict[str, str]:
    """A plain row's cells by header name, cut at the header's column starts."""
    names = header.split()
    starts = [header.index(f"{name}") for name in names]
    ends = [*starts[1:], None]
    return {n: row[a:b].strip() for n, a, b in zip(names, starts, ends, strict=True)}


def test_run_and_models_piped_to_a_file_print_full_width_plain_columns(
    tmp_path: Path, small_sample: Path
) -> None:
    ws = tmp_path / "proj"
    assert (
        wb_to_file(tmp_path / "init.txt", "init", str(ws), "--target", "is_fraud").returncode == 0
    )
    ran = wb_to_file(tmp_path / "run.txt", "run", "--data", str(small_sample), "-w", str(ws))
    assert ran.returncode == 0, ran.stderr
    listed = wb_to_file(tmp_path / "models.txt", "models", "-w", str(ws))
    assert listed.returncode == 0, listed.stderr
    as_json = wb_to_file(tmp_path / "models.json", "models", "--json", "-w", str(ws))
    model = json.loads((tmp_path / "models.json").read_text())[0]

    for name in ("run.txt", "models.txt"):
        text = (tmp_path / name).read_text()
        assert "…" not in text and not set("┃│┏━╇└") & set(text), name
        assert "\x1b[" not in text, name  # no colour codes in a file
    lines = (tmp_path / "models.txt").read_text().splitlines()
    assert lines[0] == "Model versions"
    assert max(len(line) for line in lines) > 80  # laid out for its content, not 80 columns
    cells = columns_of(lines[1], lines[2])
    assert cells["version"] == "1" and cells["candidate"] == model["candidate"]
    assert cells["status"] == "candidate" and cells["gate"] == "pass"
    metric = model["evaluation"]["metric"]  # average_precision: the sample data is imbalanced
    assert f"test {metric} {model['metrics'][metric]:.4f}" in lines[2]
    assert as_json.returncode == 0

    run_lines = (tmp_path / "run.txt").read_text().splitlines()
    progress = run_lines[run_lines.index("Run progress") + 1 :]
    assert progress[0].split() == ["task", "status", "duration"]
    assert any(line.startswith("train_hist_gradient_boosting ") for line in progress)
    assert run_lines[-1] == "run 1: success"
