"""One way for a test to wait: poll a predicate until it holds, or fail saying what for.

The engine, the watcher and the scoring server act on their own threads and processes,
so a test observes them by polling. Every wait has a deadline and a description, so a
test that waits in vain fails naming what never happened, not by hanging.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(predicate: Callable[[], T], timeout: float, what: str, interval: float = 0.05) -> T:
    """Return ``predicate()``'s first truthy value within ``timeout`` s; else fail on ``what``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"within {timeout:g} s: {what} (last value {value!r})")
        time.sleep(interval)
