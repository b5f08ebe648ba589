"""Quality reports of model versions: one JSON document per version.

A report describes a version on its test rows, so it is written once, when the version
is registered; writing it again (recomputed after a fix) replaces it.
"""

from __future__ import annotations

import json

from workbench.core.errors import StoreError
from workbench.core.quality import QualityReport
from workbench.store.db import Database, loads, utcnow


class QualityRepo:
    """The ``quality_reports`` table."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def save(self, version: int, report: QualityReport) -> None:
        """Keep ``report`` as the quality report of model ``version``."""
        try:
            text = json.dumps(report.to_dict(), allow_nan=False)
        except ValueError as exc:
            raise StoreError(
                f"the quality report of model version {version} holds a NaN or infinite "
                "number, which a JSON column cannot keep"
            ) from exc
        self._db.execute(
            "INSERT OR REPLACE INTO quality_reports VALUES (?, ?, ?)", [version, text, utcnow()]
        )

    def get(self, version: int) -> QualityReport | None:
        """The report of ``version``, or None when none was recorded."""
        text = self._db.scalar("SELECT report FROM quality_reports WHERE version = ?", [version])
        return QualityReport.from_dict(loads(text)) if text is not None else None
