"""A model loaded for serving, and the holder that lets it be swapped under traffic.

Loading verifies the artifact's hash and types (``workbench.modelfile``), checks the
estimator against its signature, and runs one warm-up prediction so the first real
request does not pay for lazy initialisation and a model that cannot predict at all is
refused before the server says it is ready.

Hot swap (DESIGN.md: "serve (hot swap, no dropped request)") is built on
:class:`ModelHolder`: a request reads ``holder.current`` once at its start and is
answered wholly by that version, while ``swap`` replaces the reference in one
assignment. Adding a swap route later is: load the new manifest in a thread with
:meth:`LoadedModel.load`, then ``holder.swap(new)``; requests in flight finish on the
old version and the next request gets the new one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from workbench.core.errors import ServingError
from workbench.core.signature import Signature
from workbench.features import JoinPlan, OnlineFeatures, Snapshot
from workbench.modelfile import load_model
from workbench.serving.conform import DTYPES
from workbench.serving.manifest import ServingManifest

logger = logging.getLogger(__name__)

_PLACEHOLDERS: dict[str, Any] = {
    "int": 0,
    "float": 0.0,
    "bool": False,
    "string": "",
    "datetime": datetime(1970, 1, 1),
}


@dataclass(frozen=True)
class LoadedModel:
    """One model version in memory, ready to score requests."""

    version: int
    """Model version number, reported with every prediction."""
    name: str
    """Registered model name."""
    sha256: str
    """Hash of the artifact the estimator was loaded from."""
    signature: Signature
    """Input columns and task, used to check every request."""
    estimator: Any
    """The fitted scikit-learn estimator (usually a Pipeline)."""
    threshold: float | None = None
    """Binary: the decision threshold on P(positive) the model was registered with."""
    features: OnlineFeatures | None = None
    """Models trained with the feature store: the join plan and the snapshots requests
    are joined with (a hot swap with new snapshots after each materialisation)."""

    @classmethod
    def load(cls, manifest: ServingManifest) -> LoadedModel:
        """Load, verify and warm up the model a manifest names.

        Raises:
            ModelFileError: The artifact is missing, changed on disk, or holds untrusted
                types.
            ServingError: The estimator cannot predict or disagrees with its signature.
        """
        estimator = load_model(Path(manifest.artifact_path), manifest.sha256)
        signature = manifest.parsed_signature()
        model = cls(
            version=manifest.version,
            name=manifest.model_name,
            sha256=manifest.sha256,
            signature=signature,
            estimator=estimator,
            threshold=manifest.threshold,
            features=load_features(signature, manifest.feature_snapshots),
        )
        model.check_estimator()
        model.warm_up()
        return model

    def check_estimator(self) -> None:
        """Refuse an estimator that cannot serve this signature, before any request.

        Raises:
            ServingError: No ``predict`` method, or the columns the estimator was fitted
                on differ from the signature's inputs.
        """
        where = f"model {self.name!r} version {self.version}"
        if not callable(getattr(self.estimator, "predict", None)):
            raise ServingError(f"{where} has no predict method and cannot be served")
        fitted = getattr(self.estimator, "feature_names_in_", None)
        expected = [spec.name for spec in self.signature.inputs]
        if fitted is not None and [str(n) for n in fitted] != expected:
            raise ServingError(
                f"{where} was fitted on columns {[str(n) for n in fitted]} "
                f"but its signature lists {expected}; the manifest is inconsistent"
            )

    def warm_up(self) -> None:
        """Predict once on a placeholder row built from the signature.

        A ``ValueError`` only means the placeholder itself was refused (say, an encoder
        that rejects the empty-string category), so it is logged and loading goes on; any
        other exception means the model cannot predict at all.

        Raises:
            ServingError: The warm-up prediction failed for a reason other than its input.
        """
        try:
            self.estimator.predict(placeholder_frame(self.signature))
        except ValueError as exc:
            logger.warning(
                "warm-up prediction for model %r version %d refused its placeholder row "
                "(%s); serving anyway",
                self.name,
                self.version,
                type(exc).__name__,
            )
        except Exception as exc:
            raise ServingError(
                f"model {self.name!r} version {self.version} failed its warm-up prediction: "
                f"{type(exc).__name__}: {exc}"
            ) from exc


def load_features(
    signature: Signature, snapshots: dict[str, dict[str, str]]
) -> OnlineFeatures | None:
    """The online features of a model trained with the feature store (None otherwise).

    Raises:
        FeatureError: A snapshot is missing, fails its hash or lacks a planned column.
    """
    if not signature.features:
        return None
    plan = JoinPlan.from_dict(signature.features)
    loaded = {}
    for view in plan.views:
        entry = snapshots.get(view.name)
        if entry is None:
            raise ServingError(f"no feature snapshot for view '{view.name}' in the manifest")
        loaded[view.name] = Snapshot.read(view, Path(entry["path"]), entry["sha256"])
    return OnlineFeatures(plan, loaded)


def placeholder_frame(signature: Signature) -> pl.DataFrame:
    """A one-row frame with a neutral value of each signature column's dtype."""
    return pl.DataFrame(
        [
            pl.Series(spec.name, [_PLACEHOLDERS[spec.dtype]], dtype=DTYPES[spec.dtype])
            for spec in signature.inputs
        ]
    )


class ModelHolder:
    """The served model behind one reference that a swap replaces atomically.

    Readers take no lock: reading an attribute is atomic in CPython, so a request sees
    either the old or the new model, never a mixture. Writers are serialised so that
    :meth:`swap` returns the model it really replaced.
    """

    def __init__(self, model: LoadedModel) -> None:
        self._current = model
        self._swap_lock = threading.Lock()

    @property
    def current(self) -> LoadedModel:
        """The model to answer a request with; read it once per request."""
        return self._current

    def swap(self, new: LoadedModel) -> LoadedModel:
        """Serve ``new`` from the next request on; return the model it replaced."""
        with self._swap_lock:
            old = self._current
            self._current = new
        logger.info(
            "now serving model %r version %d (was version %d)", new.name, new.version, old.version
        )
        return old


class GenerationHolder(ModelHolder):
    """A pool worker's models by swap generation; the pool decides which one answers.

    The pool loads a new version into every worker as the next generation, then makes
    that generation current in shared memory (``shared_state.py``): one store changes
    the answering model in every worker at once. The current and previous generations
    stay loaded, so a request that read the generation just before a store still finds
    its model.
    """

    def __init__(self, model: LoadedModel, generation: int, current: Callable[[], int]) -> None:
        super().__init__(model)
        self._models = {generation: model}
        self._generation = current

    @property
    def current(self) -> LoadedModel:
        """The model of the generation the pool made current; read it once per request."""
        return self._models[self._generation()]

    def prepare(self, generation: int, model: LoadedModel) -> None:
        """Hold ``model`` as ``generation``, ready for the pool to make it current.

        Generations other than the current one and the one before it are let go.
        """
        with self._swap_lock:
            now = self._generation()
            keep = {now, (now - 1) % 256}
            models = {g: m for g, m in self._models.items() if g in keep}
            models[generation] = model
            self._models = models  # one assignment: readers see the old or the new dict

    def swap(self, new: LoadedModel) -> LoadedModel:
        """Not for a pool worker: its model changes only when the pool says so.

        Raises:
            ServingError: Always.
        """
        raise ServingError("a pool worker's model changes through the pool, not swap()")
