"""The memory bound on reading a file: its polars settings, and the automatic default that
reads the process's cgroup limit (fake cgroup trees, then a real cgroup when this machine
lets a test make one)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from workbench.validation.memory import (
    MAX_CHUNK,
    MIB,
    MIN_CHUNK,
    bound_polars_memory,
    cgroup_limit_mb,
    memory_bound,
)

RAM_MB = 24_000.0


@pytest.fixture
def polars_env() -> Iterator[None]:
    """Whatever a test bounds, the process's polars settings are restored after it."""
    names = ("POLARS_OOC_MEMORY_BUDGET_MB", "POLARS_CSV_CHUNK_SIZE")
    saved = {name: os.environ.get(name) for name in names}
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    pl.Config.reload_env_vars()


def test_a_bound_splits_into_a_spill_budget_and_a_read_ahead_chunk_within_limits() -> None:
    assert memory_bound(100).spill_budget_mb == 50
    assert memory_bound(100).chunk_bytes == MIN_CHUNK  # 100/64 MiB rounds down to 1 MiB
    assert memory_bound(1024).chunk_bytes == 16 * MIB
    assert memory_bound(64 * 1024).chunk_bytes == MAX_CHUNK
    assert memory_bound(10).chunk_bytes == MIN_CHUNK
    with pytest.raises(ValueError, match="positive"):
        memory_bound(0)


def test_a_set_bound_is_applied_to_polars_and_zero_without_a_limit_changes_nothing(
    polars_env: None,
) -> None:
    os.environ["POLARS_OOC_MEMORY_BUDGET_MB"] = "777"  # set outside Workbench
    assert bound_polars_memory(0, limit_mb=lambda: None) is None
    assert os.environ["POLARS_OOC_MEMORY_BUDGET_MB"] == "777"
    applied = bound_polars_memory(256)
    assert applied is not None and applied.memory_mb == 256
    assert os.environ["POLARS_OOC_MEMORY_BUDGET_MB"] == "128"
    assert os.environ["POLARS_CSV_CHUNK_SIZE"] == str(4 * MIB)


def test_zero_takes_a_quarter_of_the_limit_found(polars_env: None) -> None:
    applied = bound_polars_memory(0, limit_mb=lambda: 400.0)
    assert applied is not None and applied.memory_mb == 100
    assert os.environ["POLARS_OOC_MEMORY_BUDGET_MB"] == "50"


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_the_tightest_v1_limit_up_the_memory_hierarchy_counts(tmp_path: Path) -> None:
    proc = _tree(tmp_path, {"proc": "5:cpu:/\n4:memory:/box/job\n0::/\n"}) / "proc"
    root = _tree(
        tmp_path / "cg",
        {
            "memory/memory.limit_in_bytes": str(2**63 - 4096),  # the root: unlimited
            "memory/box/memory.limit_in_bytes": str(512 * MIB),
            "memory/box/job/memory.limit_in_bytes": str(2048 * MIB),
        },
    )
    assert cgroup_limit_mb(proc, root, ram_mb=RAM_MB) == 512


def test_a_v2_memory_max_counts_and_max_or_above_the_ram_is_no_limit(tmp_path: Path) -> None:
    proc = _tree(tmp_path, {"proc": "0::/user.slice/app\n"}) / "proc"
    root = tmp_path / "cg"
    _tree(root, {"cgroup.controllers": "memory", "user.slice/app/memory.max": "max"})
    assert cgroup_limit_mb(proc, root, ram_mb=RAM_MB) is None
    (root / "user.slice/memory.max").write_text(str(300 * MIB), encoding="utf-8")
    assert cgroup_limit_mb(proc, root, ram_mb=RAM_MB) == 300
    assert cgroup_limit_mb(proc, root, ram_mb=200) is None  # a limit above the RAM
    assert cgroup_limit_mb(tmp_path / "missing", root, ram_mb=RAM_MB) is None


CHILD = """
from workbench.validation.memory import bound_polars_memory, cgroup_limit_mb
bound = bound_polars_memory(0)
print(cgroup_limit_mb(), bound.memory_mb if bound else None)
"""


def test_in_a_real_memory_cgroup_the_default_bound_is_a_quarter_of_its_limit() -> None:
    try:
        own = next(
            line.split(":", 2)[2]
            for line in Path("/proc/self/cgroup").read_text(encoding="utf-8").splitlines()
            if "memory" in line.split(":")[1].split(",")
        )
        group = Path("/sys/fs/cgroup/memory") / own.strip("/") / f"workbench-test-{os.getpid()}"
        group.mkdir()
    except (OSError, StopIteration):
        pytest.skip("no cgroup v1 memory hierarchy this test may make a group in")
    try:
        (group / "memory.limit_in_bytes").write_text(str(400 * MIB), encoding="utf-8")
        done = subprocess.run(
            [sys.executable, "-c", CHILD],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            preexec_fn=lambda: (group / "cgroup.procs").write_text(str(os.getpid())),
        )
    finally:
        _remove(group)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["400.0", "100.0"]


def _remove(group: Path) -> None:
    """A group is removable once its last process has gone (the kernel may lag a little)."""
    for _ in range(20):
        try:
            group.rmdir()
            return
        except OSError:
            time.sleep(0.1)
    group.rmdir()
