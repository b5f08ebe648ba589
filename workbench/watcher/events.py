"""What the watcher reports about each file, step by step, so the UIs can show it live."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Literal

WatchEventKind = Literal[
    "seen", "waiting", "ready", "ignored", "vanished", "error", "fallback", "overflow"
]
"""The steps a file (or the watcher itself) goes through.

seen: a data file appeared or changed; waiting: it is still being written or has not been
quiet long enough; ready: it is complete and handed over; ignored: not a data file (temp,
hidden, unsupported, a directory); vanished: it disappeared before it was complete; error:
the batch callback or a scan failed (the watcher keeps going); fallback: OS events are not
available and the watcher polls instead; overflow: the OS dropped events (its queue
overflowed while the watcher was paused or busy) and the folder is being rescanned.
"""


@dataclass(frozen=True)
class WatchEvent:
    """One step of the watched-folder block, as a plain value a UI thread can keep."""

    kind: WatchEventKind
    """Which step this is (see ``WatchEventKind``)."""
    path: str
    """The file concerned; the watched folder itself for watcher-wide events."""
    message: str
    """A sentence for a person: why a file waits, why it was ignored, what failed."""
    at: float = field(default_factory=time.time)
    """When the step happened (seconds since the epoch)."""
