"""Task results as files that can be trusted: the format the persistent task cache stores.

Caching a result across runs means writing it to disk and reading it back later, maybe
after someone else had write access to the folder. Pickle would run whatever the file
says, so results are written as a zip holding ``result.json`` (the value's structure)
and one part per heavy leaf, each in a format that cannot name code:

- ``None``, booleans, numbers and strings, and lists, tuples and dicts of results: JSON;
- bytes: a raw part;
- polars DataFrames and Series: Parquet;
- numpy arrays (not of dtype object) and numpy scalars: ``.npy`` read with
  ``allow_pickle=False``;
- scikit-learn estimators: skops, checked against the model allowlist
  (:mod:`workbench.modelfile`) on write and on read;
- frozen dataclasses registered with :func:`result_type`: their fields, by name. The
  file names the type, and reading looks the name up in the registry: it is never
  imported, so a file can only ask for types the running code already registered.

Anything else raises :class:`NotStorable` on write; the task still succeeds, its result
is just not cached.
"""

from __future__ import annotations

import dataclasses
import io
import json
import threading
import zipfile
from typing import Any, TypeVar

from workbench.core.errors import ModelFileError, PipelineError

FORMAT = "workbench-result/1"
"""Written into every file; a file of another format is refused."""

_T = TypeVar("_T")
_REGISTRY: dict[str, Any] = {}
"""Type name to registered dataclass (Any: mypy cannot express a dataclass type)."""
_REGISTRY_LOCK = threading.Lock()


class NotStorable(PipelineError):
    """The value holds something the result format cannot write without pickle."""


class UnreadableResult(PipelineError):
    """A stored result is damaged, of another format, or names an unregistered type."""


def result_type(cls: type[_T]) -> type[_T]:
    """Register a dataclass so results holding it can be stored and read back.

    Use as a class decorator. The name written to files is ``module.QualName``.

    Raises:
        TypeError: ``cls`` is not a dataclass.
    """
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__qualname__} is not a dataclass; only dataclasses register")
    with _REGISTRY_LOCK:
        _REGISTRY[_type_name(cls)] = cls
    return cls


def encode_result(value: Any) -> bytes:
    """The bytes of a result file holding ``value``.

    Raises:
        NotStorable: Something in ``value`` has no pickle-free format; the message names
            its type and where it sits (``result.model.estimator``).
    """
    writer = _Writer()
    tree = writer.node(value, "result")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("result.json", json.dumps({"format": FORMAT, "value": tree}))
        for name, data in writer.parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def decode_result(data: bytes) -> Any:
    """The value stored by :func:`encode_result`.

    Raises:
        UnreadableResult: The bytes are not a result file of this format, a part is
            missing or damaged, a type is not registered, or a model type is untrusted.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            head = json.loads(archive.read("result.json"))
            if not isinstance(head, dict) or head.get("format") != FORMAT:
                raise UnreadableResult(f"not a {FORMAT} file")
            return _Reader(archive).value(head["value"])
    except UnreadableResult:
        raise
    except Exception as exc:  # zip, JSON, parquet and npy errors all mean "damaged"
        raise UnreadableResult(f"stored result cannot be read: {exc}") from exc


def _type_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _is_estimator(value: Any) -> bool:
    """A scikit-learn estimator, recognised without importing scikit-learn."""
    return any(
        c.__module__.startswith("sklearn.") and c.__name__ == "BaseEstimator"
        for c in type(value).__mro__
    )


def _dump_estimator(value: Any, where: str) -> bytes:
    """skops bytes of an estimator whose types are all on the model allowlist."""
    from workbench.modelfile import dump_model  # skops: only when a model is cached

    try:
        return dump_model(value)
    except ModelFileError as exc:
        raise NotStorable(f"{where}: {exc}") from exc


class _Writer:
    """Turns a value into a JSON tree plus named binary parts."""

    def __init__(self) -> None:
        self.parts: dict[str, bytes] = {}

    def part(self, suffix: str, data: bytes) -> str:
        name = f"part-{len(self.parts)}.{suffix}"
        self.parts[name] = data
        return name

    def node(self, value: Any, where: str) -> Any:
        module = type(value).__module__.split(".", 1)[0]
        if module == "numpy":  # first: numpy's float64 is also a Python float
            return self.numpy(value, where)
        if value is None or isinstance(value, bool | str):
            return {"k": "json", "v": value}
        if isinstance(value, int):
            return {"k": "int", "v": str(value)}  # exact beyond 2**53
        if isinstance(value, float):
            return {"k": "float", "v": repr(value)}  # nan and inf survive, exactly
        if isinstance(value, bytes):
            return {"k": "bytes", "p": self.part("bin", value)}
        if isinstance(value, list | tuple):
            kind = "list" if isinstance(value, list) else "tuple"
            return {"k": kind, "v": [self.node(v, f"{where}[{i}]") for i, v in enumerate(value)]}
        if isinstance(value, dict):
            return {
                "k": "dict",
                "v": [
                    [self.node(k, f"{where} key"), self.node(v, f"{where}[{k!r}]")]
                    for k, v in value.items()
                ],
            }
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return self.record(value, where)
        if module == "polars":
            return self.polars(value, where)
        if _is_estimator(value):
            return {"k": "estimator", "p": self.part("skops", _dump_estimator(value, where))}
        raise NotStorable(f"{where} is a {_type_name(type(value))}, which has no safe format")

    def record(self, value: Any, where: str) -> Any:
        name = _type_name(type(value))
        cls = _REGISTRY.get(name)
        if cls is not type(value):
            raise NotStorable(f"{where} is a {name}, a dataclass not registered with result_type")
        fields = {
            f.name: self.node(getattr(value, f.name), f"{where}.{f.name}")
            for f in dataclasses.fields(cls)
            if f.init
        }
        return {"k": "record", "t": name, "v": fields}

    def polars(self, value: Any, where: str) -> Any:
        import polars as pl

        buffer = io.BytesIO()
        if isinstance(value, pl.DataFrame):
            value.write_parquet(buffer)
            return {"k": "frame", "p": self.part("parquet", buffer.getvalue())}
        if isinstance(value, pl.Series):
            value.to_frame().write_parquet(buffer)
            return {"k": "series", "p": self.part("parquet", buffer.getvalue())}
        raise NotStorable(f"{where} is a {_type_name(type(value))}, which has no safe format")

    def numpy(self, value: Any, where: str) -> Any:
        import numpy as np

        if isinstance(value, np.generic):
            value, kind = np.asarray(value), "npscalar"
        elif isinstance(value, np.ndarray):
            kind = "ndarray"
        else:
            raise NotStorable(f"{where} is a {_type_name(type(value))}, which has no safe format")
        if value.dtype.hasobject:
            raise NotStorable(f"{where} is a numpy array of Python objects (needs pickle)")
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        return {"k": kind, "p": self.part("npy", buffer.getvalue())}


class _Reader:
    """Rebuilds a value from the JSON tree and the archive's parts."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def value(self, node: Any) -> Any:
        kind = node["k"]
        if kind == "json":
            return node["v"]
        if kind == "int":
            return int(node["v"])
        if kind == "float":
            return float(node["v"])
        if kind == "bytes":
            return self.archive.read(node["p"])
        if kind in ("list", "tuple"):
            items = [self.value(v) for v in node["v"]]
            return items if kind == "list" else tuple(items)
        if kind == "dict":
            return {self.value(k): self.value(v) for k, v in node["v"]}
        if kind == "record":
            cls = _REGISTRY.get(node["t"])
            if cls is None:
                raise UnreadableResult(f"type {node['t']} is not registered with result_type")
            return cls(**{name: self.value(v) for name, v in node["v"].items()})
        if kind in ("frame", "series"):
            import polars as pl

            frame = pl.read_parquet(io.BytesIO(self.archive.read(node["p"])))
            return frame if kind == "frame" else frame.to_series(0)
        if kind in ("ndarray", "npscalar"):
            import numpy as np

            array = np.load(io.BytesIO(self.archive.read(node["p"])), allow_pickle=False)
            return array if kind == "ndarray" else array[()]
        if kind == "estimator":
            return self.estimator(self.archive.read(node["p"]))
        raise UnreadableResult(f"unknown node kind {kind!r}")

    @staticmethod
    def estimator(data: bytes) -> Any:
        """A skops part, loaded only if every type in it is on the model allowlist."""
        from workbench.modelfile import loads_model

        return loads_model(data, "cached model")
