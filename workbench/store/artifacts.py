"""Content-addressed files: ``.workbench/artifacts/<sha256>``.

The name of a file is the hash of its bytes, so an artifact cannot be changed without
the change being noticed (:meth:`ArtifactStore.read` verifies it), and the same bytes
are stored once however often they are produced.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from pathlib import Path

from workbench.core.errors import DiskFullError, StoreError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")

_FULL = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded"}
"""The errnos that mean the disk (or the user's quota on it) is full."""


class ArtifactStore:
    """Files named by their sha256 inside one folder (mode 0700, files 0600)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)

    def path(self, sha256: str) -> Path:
        """Where the artifact with this hash lives; refuses anything but a hex digest."""
        if not _SHA256.match(sha256):
            raise StoreError(f"{sha256!r} is not a sha256 artifact id")
        return self.root / sha256

    def put(self, data: bytes) -> str:
        """Store ``data`` and return its sha256.

        The bytes go to a temp file in the same folder, are fsynced, then renamed into
        place, so a reader never sees half an artifact; on any failure the temp file is
        removed again.

        Raises:
            DiskFullError: The disk or the quota is full (ENOSPC, EDQUOT).
            StoreError: Any other write failure, naming the folder and the OS reason.
        """
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        tmp: str | None = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except OSError as exc:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)
            what = f"artifact {digest[:12]} ({len(data):,} bytes) to {self.root}"
            raise write_error(exc, what) from exc
        return digest

    def remove(self, sha256: str) -> bool:
        """Delete an artifact nothing needs any more; False if it was not there."""
        try:
            self.path(sha256).unlink()
        except FileNotFoundError:
            return False
        return True

    def read(self, sha256: str) -> bytes:
        """The artifact's bytes, verified against its name."""
        try:
            data = self.path(sha256).read_bytes()
        except OSError as exc:
            raise StoreError(f"artifact {sha256[:12]} cannot be read: {exc.strerror}") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError(f"artifact {sha256[:12]} changed on disk (hash mismatch); refused")
        return data


def write_error(exc: OSError, what: str) -> StoreError:
    """The error for a failed write of ``what`` (which names the file or folder).

    A full disk or quota becomes a :class:`DiskFullError` whose message starts with
    "disk full", so a person sees at once that freeing space is the fix; anything else
    keeps the OS reason.
    """
    if exc.errno in _FULL:
        return DiskFullError(
            f"disk full: cannot write {what}: {_FULL[exc.errno]}; "
            "free space on that disk (or raise the quota) and try again"
        )
    return StoreError(f"cannot write {what}: {exc.strerror or exc}")
