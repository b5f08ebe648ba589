"""What this machine has, read once from the OS, for the defaults that scale with it."""

from __future__ import annotations

import os

SMALL_MACHINE_BYTES = 8 * 1024**3
"""The RAM assumed where the OS will not say (not POSIX): a small laptop."""


def ram_bytes() -> int:
    """The machine's physical memory in bytes (:data:`SMALL_MACHINE_BYTES` if unknown)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return SMALL_MACHINE_BYTES
