"""The serving manifest: the one file that tells a scoring server what to serve.

The server runs in its own process and never opens the DuckDB store (only the engine
may; see DESIGN.md, "Processes and the DuckDB lock"). The engine writes a manifest for
the version it wants served and starts ``python -m workbench.serving --manifest FILE``;
everything the server needs to load, verify and check requests against the model is in
that file.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from workbench.core.errors import ServingError
from workbench.core.signature import DTYPE_NAMES, Signature

_SHA256 = re.compile(r"[0-9a-f]{64}")
_TASKS = ("binary", "multiclass", "regression")


@dataclass(frozen=True)
class ServingManifest:
    """What one scoring server process serves: a model version and how to check it.

    Construction validates every field, so an engine cannot write a manifest the server
    would refuse, and the error names the field either way.
    """

    model_name: str
    """Registered model name, shown by ``/health`` and in the ready line."""
    version: int
    """Model version number (positive), returned with every prediction."""
    artifact_path: str
    """Path of the skops model file; relative paths are resolved by :func:`read_manifest`
    against the manifest's own folder."""
    sha256: str
    """Lower-case hex sha256 recorded when the artifact was stored; a file that no longer
    matches is refused."""
    signature: dict[str, Any]
    """The model's input signature in ``Signature.to_dict()`` form."""
    metrics: dict[str, float] = field(default_factory=dict)
    """Evaluation metrics of this version, for display only."""
    threshold: float | None = None
    """Binary models: P(positive) from which a row is labelled positive (chosen on
    validation when the model was trained); None predicts with the estimator's own 0.5."""
    feature_snapshots: dict[str, dict[str, str]] = field(default_factory=dict)
    """Models trained with the feature store: view name to ``{"path", "sha256"}`` of the
    Parquet snapshot (latest row per entity) requests are joined with."""

    def __post_init__(self) -> None:
        _require(
            isinstance(self.model_name, str) and self.model_name, "model_name", "a non-empty string"
        )
        _require(
            isinstance(self.version, int)
            and not isinstance(self.version, bool)
            and self.version > 0,
            "version",
            "a positive integer",
        )
        _require(
            isinstance(self.artifact_path, str)
            and self.artifact_path
            and "\x00" not in self.artifact_path,
            "artifact_path",
            "a non-empty path without NUL bytes",
        )
        _require(
            isinstance(self.sha256, str) and _SHA256.fullmatch(self.sha256),
            "sha256",
            "64 lower-case hex digits",
        )
        _check_signature(self.signature)
        object.__setattr__(self, "metrics", _checked_metrics(self.metrics))
        if self.threshold is not None:
            number = _finite(self.threshold)
            _require(
                number is not None and 0.0 <= number <= 1.0, "threshold", "a number from 0 to 1"
            )
            object.__setattr__(self, "threshold", number)
        _check_snapshots(self.feature_snapshots, self.signature)
        _check_text(self)

    def parsed_signature(self) -> Signature:
        """The signature as a :class:`Signature` (already validated at construction)."""
        return Signature.from_dict(self.signature)

    def to_json(self) -> str:
        """The manifest file's text: indented, keys sorted, so diffs are readable."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"

    def to_line(self) -> str:
        """The manifest as one line of JSON, as the engine hands it to a server's stdin."""
        return json.dumps(asdict(self), sort_keys=True, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> ServingManifest:
        """Parse manifest text.

        Raises:
            ServingError: The text is not a JSON object, a field is missing or unknown,
                or a field's value is invalid; the message names the field.
        """
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as exc:  # RecursionError: nested too deeply
            raise ServingError(f"serving manifest is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ServingError("serving manifest must be a JSON object")
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(data) - set(names))
        if unknown:
            raise ServingError(f"serving manifest has unknown field(s): {', '.join(unknown)}")
        optional = ("metrics", "threshold", "feature_snapshots")
        missing = [n for n in names if n not in data and n not in optional]
        if missing:
            raise ServingError(f"serving manifest is missing field(s): {', '.join(missing)}")
        return cls(**data)


ManifestSource = Callable[[], "ServingManifest | None"]
"""Gives the manifest a server starts with once it is known (None: no model will come)."""


def read_manifest(path: str | os.PathLike[str]) -> ServingManifest:
    """Read a manifest file, resolving a relative ``artifact_path`` against its folder.

    Raises:
        ServingError: The file cannot be read or is invalid; the message names the file
            and the field.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ServingError(f"cannot read serving manifest {path}: {exc}") from exc
    try:
        manifest = ServingManifest.from_json(text)
    except ServingError as exc:
        raise ServingError(f"{path}: {exc}") from exc
    artifact = Path(manifest.artifact_path)
    if not artifact.is_absolute():
        manifest = _replace_artifact(manifest, str(path.parent / artifact))
    return manifest


def write_manifest(manifest: ServingManifest, path: str | os.PathLike[str]) -> None:
    """Write a manifest atomically (temp file + rename), so a reader never sees half."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    tmp.replace(path)


def _replace_artifact(manifest: ServingManifest, artifact_path: str) -> ServingManifest:
    data = asdict(manifest)
    data["artifact_path"] = artifact_path
    return ServingManifest(**data)


def _require(ok: object, name: str, expected: str) -> None:
    if not ok:
        raise ServingError(f"serving manifest field {name!r} must be {expected}")


def _check_signature(signature: Any) -> None:
    """Refuse a signature the server could not check requests against."""
    _require(isinstance(signature, dict), "signature", "an object (Signature.to_dict())")
    inputs = signature.get("inputs")
    _require(isinstance(inputs, list) and inputs, "signature.inputs", "a non-empty list")
    seen: set[str] = set()
    for i, column in enumerate(inputs):
        where = f"signature.inputs[{i}]"
        _require(isinstance(column, dict), where, "an object with 'name' and 'dtype'")
        name = column.get("name")
        _require(
            isinstance(name, str) and name and name not in seen,
            f"{where}.name",
            "a non-empty column name, unique in the signature",
        )
        seen.add(name)
        _require(
            column.get("dtype") in DTYPE_NAMES, f"{where}.dtype", "one of " + ", ".join(DTYPE_NAMES)
        )
    _require(isinstance(signature.get("target"), str), "signature.target", "a column name")
    _require(signature.get("task") in _TASKS, "signature.task", "one of " + ", ".join(_TASKS))
    _require(isinstance(signature.get("classes", []), list), "signature.classes", "a list")


def _check_snapshots(snapshots: Any, signature: dict[str, Any]) -> None:
    """Refuse snapshots the server could not load: each view of the signature's feature
    join needs one, with a path and a sha256."""
    _require(isinstance(snapshots, dict), "feature_snapshots", "an object of view to file")
    features = signature.get("features")
    if features is None:
        return
    _require(isinstance(features, dict), "signature.features", "an object (JoinPlan.to_dict())")
    views = features.get("views")
    _require(isinstance(views, list) and views, "signature.features.views", "a non-empty list")
    for view in views:
        name = view.get("name") if isinstance(view, dict) else None
        entry = snapshots.get(name) if isinstance(name, str) else None
        _require(
            isinstance(entry, dict)
            and isinstance(entry.get("path"), str)
            and entry["path"]
            and isinstance(entry.get("sha256"), str)
            and _SHA256.fullmatch(entry["sha256"]),
            f"feature_snapshots.{name}",
            "an object with a 'path' and a 64-hex-digit 'sha256'",
        )


def _checked_metrics(metrics: Any) -> dict[str, float]:
    _require(isinstance(metrics, dict), "metrics", "an object of metric name to number")
    checked: dict[str, float] = {}
    for name, value in metrics.items():
        number = _finite(value)
        if number is None:
            raise ServingError(f"serving manifest field 'metrics.{name}' must be a finite number")
        checked[str(name)] = number
    return checked


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or None (JSON integers can be too large for a float)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _check_text(manifest: ServingManifest) -> None:
    """Refuse strings that cannot be written as UTF-8 (lone surrogates from ``\\ud800``).

    Names and paths go back out in JSON answers (``/health``, V2 metadata) and into
    file names; a lone surrogate would fail there, long after the manifest was taken.
    """
    try:
        json.dumps(asdict(manifest), ensure_ascii=False, default=str).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ServingError(
            "serving manifest holds text that is not valid Unicode (a lone surrogate "
            f"escape such as \\ud800) at character {exc.start} of its JSON form"
        ) from exc
