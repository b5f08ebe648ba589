"""Task result caching: skip a task whose code, inputs and params did not change.

The key (:func:`cache_key`) combines the task's name and code hash with a structural
fingerprint of every value passed to it and of the run params. Fingerprints are exact for
plain data (bytes, str, numbers, tuples, lists, dicts, sets), for dataclasses (field by
field), for buffers such as numpy arrays, and for objects with a ``hash_rows()`` method
such as polars DataFrames (plus their schema). Anything else is fingerprinted by
``repr``: objects whose repr shows their identity (``<Foo object at 0x...>``) simply never
hit, but an object whose repr hides part of its state could hit wrongly, so give such
inputs a ``hash_rows`` method or do not cache their consumers.

Where results are kept is up to the cache: :class:`MemoryCache` for one process, the
engine's artifact-backed cache across runs and restarts (results stored in the format of
:mod:`workbench.dag.results`, never pickle).
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from workbench.dag.task import Task

_MAX_DEPTH = 64


@runtime_checkable
class TaskCache(Protocol):
    """Where task results are kept between runs. Implementations must be thread-safe."""

    def get(self, key: str, task: str = "") -> tuple[bool, Any]:
        """``(True, value)`` when ``key`` is cached, else ``(False, None)``.

        ``task`` names the task asking, for caches that record or report per task.
        """
        ...

    def put(self, key: str, value: Any, task: str = "") -> None:
        """Keep ``value``, the result of ``task``, under ``key``."""
        ...


class MemoryCache:
    """An in-process, thread-safe, least-recently-used task cache.

    Args:
        max_entries: Results kept before the least recently used is dropped; None keeps
            everything (values are held by reference, so mind large DataFrames).
    """

    def __init__(self, max_entries: int | None = 256) -> None:
        if max_entries is not None and max_entries < 1:
            raise ValueError(f"max_entries must be >= 1 or None, got {max_entries}")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str, task: str = "") -> tuple[bool, Any]:
        """``(True, value)`` when ``key`` is cached, else ``(False, None)``."""
        with self._lock:
            if key not in self._entries:
                return False, None
            self._entries.move_to_end(key)
            return True, self._entries[key]

    def put(self, key: str, value: Any, task: str = "") -> None:
        """Keep ``value`` under ``key``, evicting the least recently used if full."""
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            if self.max_entries is not None and len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every cached result."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


def cache_key(task: Task, input_values: Mapping[str, Any], params: Mapping[str, Any] | None) -> str:
    """The cache key of one task call.

    Args:
        task: The task; its name and code hash are part of the key.
        input_values: The keyword arguments the function will receive (without ``ctx``).
        params: The run params, which the task may read through ``ctx.params``.

    Returns:
        A hex digest that changes when the code, any input or any param changes.
    """
    digest = hashlib.blake2b(digest_size=32)
    _tagged(digest, b"task", task.name.encode("utf-8"))
    _tagged(digest, b"code", task.code_hash.encode("ascii"))
    _tagged(digest, b"inputs", fingerprint(dict(input_values)))
    _tagged(digest, b"params", fingerprint(dict(params or {})))
    return digest.hexdigest()


def fingerprint(value: Any) -> bytes:
    """A stable digest of ``value``'s content (see the module docstring for the rules)."""
    digest = hashlib.blake2b(digest_size=32)
    _feed(digest, value, 0)
    return digest.digest()


def _tagged(digest: Any, tag: bytes, data: bytes) -> None:
    digest.update(tag)
    digest.update(len(data).to_bytes(8, "little"))
    digest.update(data)


def _feed(digest: Any, value: Any, depth: int) -> None:
    kind = type(value)
    _tagged(digest, b"type", f"{kind.__module__}.{kind.__qualname__}".encode())
    if depth > _MAX_DEPTH:
        _tagged(digest, b"repr", repr(value).encode("utf-8", "backslashreplace"))
    elif value is None or isinstance(value, bool | int | float | complex):
        _tagged(digest, b"num", repr(value).encode("ascii", "backslashreplace"))
    elif isinstance(value, str):
        _tagged(digest, b"str", value.encode("utf-8", "surrogatepass"))
    elif isinstance(value, bytes | bytearray):
        _tagged(digest, b"bytes", bytes(value))
    elif isinstance(value, tuple | list):
        _tagged(digest, b"seq", len(value).to_bytes(8, "little"))
        for item in value:
            _feed(digest, item, depth + 1)
    elif isinstance(value, Mapping):
        items = sorted((fingerprint(k), fingerprint(v)) for k, v in value.items())
        _tagged(digest, b"map", b"".join(k + v for k, v in items))
    elif isinstance(value, set | frozenset):
        _tagged(digest, b"set", b"".join(sorted(fingerprint(v) for v in value)))
    elif callable(getattr(value, "hash_rows", None)):
        _feed_rows(digest, value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):  # field by field: a repr may elide data
            _tagged(digest, b"field", item.name.encode("utf-8"))
            _feed(digest, getattr(value, item.name), depth + 1)
    else:
        _feed_other(digest, value)


def _feed_rows(digest: Any, frame: Any) -> None:
    """A table: its schema (names and types) and the hash of every row, in order."""
    _tagged(digest, b"schema", repr(getattr(frame, "schema", None)).encode("utf-8"))
    rows = frame.hash_rows()
    data = _buffer_bytes(rows.to_numpy() if hasattr(rows, "to_numpy") else rows)
    if data is None:
        data = repr(list(rows)).encode("utf-8")
    _tagged(digest, b"rows", data)


def _feed_other(digest: Any, value: Any) -> None:
    data = _buffer_bytes(value)
    if data is not None:
        view = memoryview(value)
        _tagged(digest, b"buffer", f"{view.format}{view.shape}".encode())
        _tagged(digest, b"data", data)
    else:
        _tagged(digest, b"repr", repr(value).encode("utf-8", "backslashreplace"))


def _buffer_bytes(value: Any) -> bytes | None:
    """The raw content of a buffer (numpy array, memoryview, ...), or None if not one."""
    try:
        return memoryview(value).tobytes()
    except (TypeError, ValueError, NotImplementedError):
        return None
