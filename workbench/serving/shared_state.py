"""Memory shared by the scoring processes behind one port: the served generation and a
scoreboard of per-worker counters.

Several worker processes answer on one port (see ``pool.py``). Two things must agree
across them without a round trip per request:

* **Which model answers.** A hot swap first loads the new version into every worker,
  then the pool writes the new *generation* here in one store; each request reads it
  once, so from that store on every worker answers with the new version, and none did
  before all of them held it.
* **What ``/metrics`` reports as state.** Requests in progress, refusals, timeouts and
  the prediction log's counters live in each worker; each publishes its own row and
  whichever worker answers a scrape sums the rows. Row 0 keeps the totals of workers
  that exited, so a restarted worker does not make a counter go backwards.

The memory is a small file mapped by every process; the pool creates it (and unlinks
its name at once), and workers inherit the descriptor.
"""

from __future__ import annotations

import mmap
import os
import struct
import tempfile
from dataclasses import dataclass

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
"""Set by the pool for its workers: prometheus_client writes event metrics to files in
that folder, and a scrape merges every worker's (``metrics.py``)."""
FIELDS: tuple[str, ...] = (
    "in_progress",
    "rejected",
    "timed_out",
    "log_written",
    "log_dropped",
    "log_files",
    "log_errors",
    "log_queued",
)
"""The scoreboard's columns, one signed 64-bit integer each, per worker row."""
GAUGES = frozenset({"in_progress", "log_queued"})
"""Columns that are a level now, not a running total: not kept when a worker exits."""
_HEADER = 8
_ROW = struct.Struct(f"<{len(FIELDS)}q")


@dataclass(frozen=True)
class Scores:
    """One row of the scoreboard, or the sum of all of them."""

    in_progress: int = 0
    """Scoring requests admitted and not yet answered."""
    rejected: int = 0
    """Requests refused with 503."""
    timed_out: int = 0
    """Requests answered 504 or 408."""
    log_written: int = 0
    """Prediction log rows written to files."""
    log_dropped: int = 0
    """Prediction log rows dropped (queue full or failed write)."""
    log_files: int = 0
    """Prediction log files written."""
    log_errors: int = 0
    """Failed prediction log writes."""
    log_queued: int = 0
    """Prediction log rows waiting in memory."""

    def values(self) -> tuple[int, ...]:
        """The fields in :data:`FIELDS` order."""
        return tuple(getattr(self, name) for name in FIELDS)


class SharedState:
    """The generation byte and the scoreboard, over one shared mapping."""

    def __init__(self, fd: int, workers: int) -> None:
        self.fd = fd
        """The descriptor a worker process inherits (``pass_fds``)."""
        self.workers = workers
        """Worker rows (row 0, the exited workers' totals, comes on top)."""
        self._map = mmap.mmap(fd, size_for(workers))

    @classmethod
    def create(cls, workers: int) -> SharedState:
        """A fresh, zeroed mapping for ``workers`` workers, in an already-unlinked file."""
        fd, path = tempfile.mkstemp(prefix="workbench-serving-")
        os.unlink(path)
        os.ftruncate(fd, size_for(workers))
        os.set_inheritable(fd, True)
        return cls(fd, workers)

    @property
    def generation(self) -> int:
        """The generation every worker answers with now (0-255, wrapping)."""
        return self._map[0]

    def publish_generation(self, generation: int) -> None:
        """Make ``generation`` current in every process at once (one byte store)."""
        self._map[0] = generation % 256

    def write_scores(self, worker: int, scores: Scores) -> None:
        """Publish one worker's counters (worker numbers start at 1)."""
        _ROW.pack_into(self._map, _offset(worker), *scores.values())

    def read_scores(self, row: int) -> Scores:
        """One row: a worker's counters, or row 0, the exited workers' totals."""
        return Scores(*_ROW.unpack_from(self._map, _offset(row)))

    def total(self) -> Scores:
        """Every row summed: the figures ``/metrics`` reports for the whole pool."""
        rows = [self.read_scores(row).values() for row in range(self.workers + 1)]
        return Scores(*(sum(column) for column in zip(*rows, strict=True)))

    def retire(self, worker: int) -> None:
        """Fold an exited worker's running totals into row 0 and clear its row."""
        gone, kept = self.read_scores(worker), self.read_scores(0)
        merged = {
            name: getattr(kept, name) + (0 if name in GAUGES else getattr(gone, name))
            for name in FIELDS
        }
        self.write_scores(0, Scores(**merged))
        self.write_scores(worker, Scores())

    def close(self) -> None:
        """Unmap and close the descriptor."""
        self._map.close()
        os.close(self.fd)


def size_for(workers: int) -> int:
    """Bytes of the mapping for ``workers`` workers."""
    return _HEADER + _ROW.size * (workers + 1)


def _offset(row: int) -> int:
    return _HEADER + _ROW.size * row
