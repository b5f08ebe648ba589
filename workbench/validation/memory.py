"""Bound the memory polars holds while reading a data file, so a file larger than it streams.

Measured with polars 2.1 on a 300 MiB CSV (peak anonymous RSS above the process's own):
two things in a streaming read grow with the file, everything else in ingest
(hashing, the limit scan, the raw checks, DuckDB) stays under a few MiB.

* The CSV reader's read-ahead: chunks of ``POLARS_CSV_CHUNK_SIZE`` bytes (32 MiB by
  default), several in flight per thread, about 260 MiB for even a one-column ``min``.
  With 4 MiB chunks it is about 60 MiB, and no slower.
* Aggregations that remember values: an exact distinct count (a uniqueness check, contract
  inference) holds every distinct value, about the column's size. Given a budget
  (``POLARS_OOC_MEMORY_BUDGET_MB``) polars' out-of-core engine spills that state to disk
  past it instead of growing: slower (the 300 MiB file validates in about 40 s instead of
  7 s under a 64 MiB budget), but bounded.

Polars sizes its own defaults to the machine's RAM, which a container's memory limit (a
cgroup's) hides from it: a process limited to 400 MiB on a 24 GiB machine reads ahead
and counts as if it had 24 GiB, and the kernel kills it. So the default bound (0) is a
quarter of the process's cgroup memory limit when one is set below the RAM: measured, a
1.2 GiB CSV ingests in a 400 MiB cgroup with a 100 MiB bound, and is killed with polars'
defaults (``benchmarks/cluster.py``).

Both are polars' own settings, read from the environment (``pl.Config.reload_env_vars``
is polars' documented way to apply such settings after import). They are process-wide: a
bound applies to every polars query of the process, which is what a memory limit on the
process wants.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from workbench.core.machine import ram_bytes

MIB = 1 << 20

MIN_CHUNK = 1 * MIB
"""Smallest read-ahead chunk: below it the reader spends its time on chunk boundaries."""

MAX_CHUNK = 32 * MIB
"""Polars' default chunk, never exceeded."""

CHUNK_SHARE = 64
"""A chunk is this fraction of the bound: the reader keeps several per thread in flight
(about 15 chunks measured on 2 threads), so the read-ahead stays near a quarter of it."""

SPILL_SHARE = 0.5
"""Share of the bound polars' out-of-core engine may hold before spilling; the rest is
the read-ahead, the Python process and DuckDB."""

AUTO_SHARE = 0.25
"""With no bound set, the share of a cgroup memory limit given to reading: the rest holds
the interpreter, its imports, DuckDB and the engine (about 250 MiB resident)."""

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")

_ENV_BUDGET = "POLARS_OOC_MEMORY_BUDGET_MB"
_ENV_CHUNK = "POLARS_CSV_CHUNK_SIZE"


@dataclass(frozen=True)
class MemoryBound:
    """How polars is told to stay within a memory bound."""

    memory_mb: float
    """The bound asked for (``watch.memory_mb``)."""
    spill_budget_mb: int
    """What polars' out-of-core engine holds before it spills to disk."""
    chunk_bytes: int
    """The CSV reader's read-ahead chunk."""


def memory_bound(memory_mb: float) -> MemoryBound:
    """The polars settings that keep a streaming read within ``memory_mb`` MiB.

    Raises:
        ValueError: ``memory_mb`` is not positive.
    """
    if memory_mb <= 0:
        raise ValueError("a memory bound must be positive")
    chunk = int(memory_mb * MIB / CHUNK_SHARE)
    chunk = min(MAX_CHUNK, max(MIN_CHUNK, chunk - chunk % MIB))
    budget = max(1, int(memory_mb * SPILL_SHARE))
    return MemoryBound(memory_mb, budget, chunk)


def bound_polars_memory(
    memory_mb: float, limit_mb: Callable[[], float | None] | None = None
) -> MemoryBound | None:
    """Make this process's polars reads stay within ``memory_mb`` MiB.

    ``memory_mb`` 0 means automatic: :data:`AUTO_SHARE` of the memory limit ``limit_mb``
    finds (default :func:`cgroup_limit_mb`: this process's cgroup), or polars' own
    defaults when there is no limit below the RAM.

    Returns:
        The settings applied, or ``None`` when nothing was changed (0 and no limit: a
        setting made outside Workbench, in the environment, stays in force).
    """
    if memory_mb <= 0:
        limit = (limit_mb or _process_limit_mb)()
        if limit is None:
            return None
        memory_mb = limit * AUTO_SHARE
    bound = memory_bound(memory_mb)
    os.environ[_ENV_BUDGET] = str(bound.spill_budget_mb)
    os.environ[_ENV_CHUNK] = str(bound.chunk_bytes)
    pl.Config.reload_env_vars()
    return bound


def cgroup_limit_mb(
    proc_cgroup: Path = PROC_CGROUP, root: Path = CGROUP_ROOT, ram_mb: float | None = None
) -> float | None:
    """The tightest memory limit on this process's cgroup and its ancestors, in MiB, or
    ``None`` when none is below the RAM (``ram_mb``, default the machine's).

    Reads cgroup v2 (``memory.max`` up the unified tree) and v1 (``memory.limit_in_bytes``
    in the memory hierarchy); a file that cannot be read is no limit.
    """
    try:
        lines = proc_cgroup.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    found: list[float] = []
    for line in lines:
        parts = line.split(":", 2)  # hierarchy-id:controllers:path
        if len(parts) != 3:
            continue
        _, controllers, where = parts
        if controllers == "":
            found += _limits(root, where, "memory.max")
            found += _limits(root / "unified", where, "memory.max")
        elif "memory" in controllers.split(","):
            found += _limits(root / "memory", where, "memory.limit_in_bytes")
    if not found:
        return None
    ram = ram_mb if ram_mb is not None else ram_bytes() / MIB
    below = [limit for limit in found if limit < ram]
    return min(below) if below else None


def _limits(base: Path, where: str, name: str) -> list[float]:
    """The limits in ``name`` from the cgroup ``where`` under ``base`` up to ``base``."""
    out: list[float] = []
    directory = base / where.strip("/")
    while True:
        try:
            text = (directory / name).read_text(encoding="utf-8").strip()
        except OSError:
            text = "max"
        if text.isdigit():
            out.append(int(text) / MIB)
        if directory == base or base not in directory.parents:
            return out
        directory = directory.parent


@functools.cache
def _process_limit_mb() -> float | None:
    """This process's cgroup limit, read once: every ingest asks, and a container's
    limit does not change under a running process."""
    return cgroup_limit_mb()
