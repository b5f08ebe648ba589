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

from workbench.core.errors import StoreError

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


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
        """Store ``data`` and return its sha256; writing is atomic (temp file + rename)."""
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists():
            return digest
        try:
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".tmp-")
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, target)
        except OSError as exc:
            if "tmp" in locals():
                Path(tmp).unlink(missing_ok=True)
            reason = "disk full" if exc.errno == errno.ENOSPC else exc.strerror
            raise StoreError(f"cannot write artifact {digest[:12]}: {reason}") from exc
        return digest

    def read(self, sha256: str) -> bytes:
        """The artifact's bytes, verified against its name."""
        try:
            data = self.path(sha256).read_bytes()
        except OSError as exc:
            raise StoreError(f"artifact {sha256[:12]} cannot be read: {exc.strerror}") from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise StoreError(f"artifact {sha256[:12]} changed on disk (hash mismatch); refused")
        return data
