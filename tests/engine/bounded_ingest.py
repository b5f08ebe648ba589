"""A child process that opens a workspace and ingests one file under a memory bound.

Run as ``python -m tests.engine.bounded_ingest WORKSPACE FILE HEADROOM_MB``: after the
imports and the store are up, the address space is capped (soft RLIMIT_AS, for the ingest
only) at what the process uses then plus ``HEADROOM_MB``, so the bound measures the
ingest alone, whatever the machine's thread count makes the imports reserve. Prints the
outcome as one JSON line; an ingest that needs more memory dies as on a small machine.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from workbench.core.workspace import open_workspace
from workbench.engine.engine import Engine


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")


def _warm_up(engine: Engine) -> None:
    """Let DuckDB and polars start their thread pools (hundreds of MB of address space
    reserved once per process) before the bound, so it measures the ingest alone."""
    import polars as pl

    engine.store.datasets.by_hash("0" * 64)
    pl.LazyFrame({"a": [1]}).select(pl.len()).collect(engine="streaming")


def main(root: str, file: str, headroom_mb: str) -> None:
    with Engine(open_workspace(root)) as engine:
        _warm_up(engine)
        bound = _address_space() + int(headroom_mb) * (1 << 20)
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (bound, hard))
        print("bounded", flush=True)
        outcome = engine.ingest(Path(file), move=True)
        resource.setrlimit(resource.RLIMIT_AS, (hard, hard))  # closing the store is not measured
        print(json.dumps({"status": outcome.status, "message": outcome.message}), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
