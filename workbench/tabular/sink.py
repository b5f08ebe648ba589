"""What the default pipeline needs from whoever runs it.

The pipeline layer sits below the engine, so it cannot call the registry itself; the
engine passes an object with these methods as a run input (dependency inversion), and a
notebook user can pass their own to run the pipeline without an engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from workbench.core.quality import QualityReport
from workbench.core.signature import Signature


class ModelSink(Protocol):
    """Receives the pipeline's results."""

    def register(
        self,
        *,
        candidate: str,
        model_bytes: bytes,
        metrics: dict[str, float],
        signature: Signature,
        gate_passed: bool,
        champion: dict[str, Any] | None = None,
        threshold: float | None = None,
        evaluation: dict[str, Any] | None = None,
    ) -> int:
        """Store the model as an artifact, register a version, return its number.

        ``threshold`` is a binary model's decision threshold (served with it);
        ``evaluation`` records how it was chosen and tested (split, selection, baseline).
        """
        ...

    def alert(self, kind: str, message: str, **payload: Any) -> None:
        """Raise an alert (an event of level warning) for a person to see."""
        ...

    def record_quality(self, version: int, report: QualityReport) -> None:
        """Keep the quality report of a version :meth:`register` returned."""
        ...


@dataclass(frozen=True)
class Champion:
    """The production model at the start of a run, to score beside the candidates."""

    version: int
    """Its model version."""
    estimator: Any
    """The loaded scikit-learn pipeline."""
    threshold: float | None = None
    """Its decision threshold (binary), so it is scored as it is served."""
