"""inotify faults for real, through `workbench watch` in a subprocess.

Queue overflow: the kernel queues at most ``fs.inotify.max_queued_events`` events per
inotify instance (read when the instance is created). With it lowered to 32 while the
engine starts, the engine paused with SIGSTOP and 64 files dropped, the kernel drops
events and leaves one IN_Q_OVERFLOW marker; on SIGCONT the engine must say so, rescan,
and ingest every file exactly once.

Limits exhausted: a process that may create no inotify instance at all must say which
sysctl to raise, poll instead, and still ingest a dropped file. The limit is the
kernel's own per-user instance count, set to 0 in a user namespace of the subprocess
(``user.max_inotify_instances``, the per-namespace level of
``fs.inotify.max_user_instances``): lowering the global sysctl instead would make every
other process on the machine that starts watching in the meantime fail too.

Both need root (writing /proc/sys, creating a user namespace); elsewhere they skip.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import pytest

from workbench.core.config import WorkbenchConfig, with_overrides
from workbench.core.workspace import Workspace, init_workspace
from workbench.engine.engine import Engine

from ..children import Child
from ..eventually import eventually

pytestmark = pytest.mark.slow
SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "transactions_2026_01.csv"
QUEUED = Path("/proc/sys/fs/inotify/max_queued_events")


class Watching(Child):
    """`workbench watch --no-serve` in a subprocess (after ``prefix``, e.g. unshare)."""

    def __init__(self, ws: Workspace, prefix: Sequence[str] = ()) -> None:
        command = [sys.executable, "-m", "workbench.cli.main", "watch", "--no-serve"]
        super().__init__([*prefix, *command, "-w", str(ws.root)], columns=400)

    def holds_inotify(self) -> bool:
        """True when the process has an inotify instance open (events mode)."""
        return "anon_inode:inotify" in _fd_targets(self.proc.pid)

    def pause(self) -> None:
        """SIGSTOP, and wait until the kernel reports the process stopped."""
        self.proc.send_signal(signal.SIGSTOP)
        stat = Path(f"/proc/{self.proc.pid}/stat")
        eventually(
            lambda: stat.read_text().rsplit(")", 1)[1].split()[0] == "T",
            10,
            "the watcher stops",
            interval=0.01,
        )

    def stop(self, how: signal.Signals = signal.SIGTERM) -> int:
        return super().stop(how)


def _fd_targets(pid: int) -> set[str]:
    """What the process's open file descriptors point at (closing ones are skipped)."""
    targets = set()
    for fd in _entries(Path(f"/proc/{pid}/fd")):
        try:
            targets.add(os.readlink(fd))
        except OSError:
            continue
    return targets


def _entries(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError:
        return []


@contextmanager
def lowered_queue(events: int) -> Iterator[None]:
    """``fs.inotify.max_queued_events`` = ``events`` until the block restores it (at once)."""
    try:
        original = QUEUED.read_text()
        QUEUED.write_text(original)  # a no-op write: is it allowed at all?
    except OSError as exc:
        pytest.skip(f"cannot write {QUEUED} (needs root): {exc}")
    QUEUED.write_text(str(events))
    try:
        yield
    finally:
        QUEUED.write_text(original)


def _workspace(tmp_path: Path) -> Workspace:
    """Quick settles, one file per batch, and no training: only ingest is under test."""
    settings = with_overrides(WorkbenchConfig(), "watch", quiet_period_ms=100, batch_window_ms=0)
    settings = with_overrides(settings, "monitor", retrain="on_drift", retrain_on=[])
    return init_workspace(tmp_path / "ws", target="is_fraud", config=settings)


def _parts(folder: Path, count: int, rows: int, offset: int) -> dict[str, str]:
    """``count`` CSV files of distinct sample rows in ``folder``; name -> sha256."""
    folder.mkdir(exist_ok=True)
    frame = pl.read_csv(SAMPLE, n_rows=offset + count * rows)
    hashes = {}
    for i in range(count):
        path = folder / f"part-{i:03}.csv"
        frame.slice(offset + i * rows, rows).write_csv(path)
        hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def test_a_queue_overflow_while_paused_is_reconciled_and_every_file_ingested_once(
    tmp_path: Path,
) -> None:
    ws = _workspace(tmp_path)
    incoming = ws.root / "incoming"
    reference = _parts(tmp_path / "reference", 1, 3000, 0)
    burst = _parts(tmp_path / "burst", 64, 40, 3000)
    with lowered_queue(32):  # restored as soon as the watcher has its inotify instance
        watching = Watching(ws)
        try:
            watching.wait_for("watch.started")
        except BaseException:
            watching.stop()
            raise
    try:
        os.replace(tmp_path / "reference" / "part-000.csv", incoming / "reference.csv")
        watching.wait_for("dataset.ingested")

        watching.pause()
        for name in sorted(burst):
            os.replace(tmp_path / "burst" / name, incoming / name)
        watching.proc.send_signal(signal.SIGCONT)

        assert "overflow" in watching.wait_for("watch.overflow")
        watching.wait_for("dataset.ingested", times=1 + len(burst))
    finally:
        watching.stop()

    assert watching.count("dataset.duplicate") == 0, "".join(watching.lines)
    assert watching.count("dataset.quarantined") == 0, "".join(watching.lines)
    with Engine(ws) as engine:
        stored = [d.sha256 for d in engine.store.datasets.list()]
    expected = set(reference.values()) | set(burst.values())
    assert len(stored) == len(expected) and set(stored) == expected, "each file exactly once"
    processed = sorted(p.name for p in ws.processed.iterdir())
    assert processed == sorted(["reference.csv", *burst]), "no file filed twice"
    assert not list(incoming.iterdir())


def test_no_inotify_instance_left_falls_back_to_polling_and_still_ingests(
    tmp_path: Path,
) -> None:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.skip("unshare(1) is not installed")
    probe = subprocess.run(
        [unshare, "-U", "-r", "sh", "-c", "echo 0 > /proc/sys/user/max_inotify_instances"],
        capture_output=True,
        text=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot limit inotify in a user namespace: {probe.stderr.strip()}")
    ws = _workspace(tmp_path)
    limit = 'echo 0 > /proc/sys/user/max_inotify_instances && exec "$@"'
    watching = Watching(ws, prefix=[unshare, "-U", "-r", "sh", "-c", limit, "sh"])
    try:
        watching.wait_for("watch.fallback")
        watching.wait_for("watch.started")
        assert not watching.holds_inotify(), "it polls: no inotify instance open"
        _parts(tmp_path / "drop", 1, 2000, 0)
        os.replace(tmp_path / "drop" / "part-000.csv", ws.root / "incoming" / "jan.csv")
        assert "jan.csv" in watching.wait_for("dataset.ingested")
    finally:
        watching.stop()

    assert (ws.processed / "jan.csv").is_file()
    with Engine(ws) as engine:
        (fallback,) = engine.store.events.since(0, kind="watch.fallback")
        assert [d.name for d in engine.store.datasets.list()] == ["jan.csv"]
    message = fallback.message
    assert fallback.level == "warning"
    assert "fs.inotify.max_user_instances" in message and "EMFILE" in message, message
    assert "Falling back to polling" in message and str(ws.root / "incoming") in message
