"""A drift report as a person reads it: the verdict, a row per column, the histograms.

The report is the api's :class:`~workbench.core.drift_report.DriftReport` (from
``api.drift_report(id)``): every statistic and the shared-bin histograms are in it, so
nothing here touches data. Histograms are drawn as shares of each side, so a 3,000-row
month compares fairly with a 25,000-row reference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from workbench.api import WorkbenchApi
from workbench.core.drift_report import ColumnDrift, DriftReport
from workbench.core.errors import WorkbenchError
from workbench.notebook.views import charts, markup
from workbench.notebook.views.markup import Safe

HISTOGRAMS_SHOWN = 6
"""Columns drawn at most (drifted ones first)."""

COLUMN_SCHEMA: dict[str, Any] = {
    "column": pl.String,
    "role": pl.String,
    "kind": pl.String,
    "method": pl.String,
    "statistic": pl.Float64,
    "p_value": pl.Float64,
    "threshold": pl.Float64,
    "psi": pl.Float64,
    "psi_band": pl.String,
    "drifted": pl.Boolean,
    "missing_reference": pl.Float64,
    "missing_current": pl.Float64,
}
"""Columns of :attr:`DriftView.frame`."""


@dataclass(frozen=True, repr=False)
class DriftView:
    """One drift report: ``.frame`` has a row per column, the HTML adds histograms."""

    report: DriftReport
    """The report as the api returned it."""
    title: str = "Drift report"
    """Heading."""

    def results(self) -> list[tuple[str, ColumnDrift]]:
        """``(role, column result)`` pairs: the features, then the target if compared."""
        found = [("feature", c) for c in self.report.columns]
        if self.report.target is not None:
            found.append(("target", self.report.target))
        return found

    @property
    def frame(self) -> pl.DataFrame:
        """One row per compared column with its method, statistic, PSI and verdict."""
        rows = [
            {"role": role, **{k: getattr(c, k) for k in COLUMN_SCHEMA if k != "role"}}
            for role, c in self.results()
        ]
        return pl.DataFrame(rows, schema=COLUMN_SCHEMA, orient="row")

    def __repr__(self) -> str:
        drifted = ", ".join(self.report.drifted_columns) or "no column"
        verdict = _verdict(self.report.dataset_drift)
        return f"<DriftView {self.title!r}: {verdict}; drifted: {drifted}>"

    def html(self) -> Safe:
        """Verdict, per-column table, histograms of the drifted columns first."""
        report = self.report
        drifted = report.dataset_drift
        summary = (
            f"  {len(report.drifted_columns)} of {len(report.columns)} "
            f"columns drifted ({report.share_drifted:.0%}); "
            f"{report.n_current:,} rows against {report.n_reference:,}"
        )
        skipped = report.skipped
        return markup.block(
            markup.heading(self.title),
            markup.badge("warning" if drifted else "success", _verdict(drifted)),
            markup.esc(summary),
            markup.table(
                ["column", "kind", "method", "statistic", "p-value", "PSI", "verdict"],
                [_row(role, c) for role, c in self.results()],
                right=(3, 4, 5),
                empty="no column was compared",
            ),
            *self._histograms(),
            markup.note("skipped: " + "; ".join(f"{k} ({v})" for k, v in skipped.items()))
            if skipped
            else "",
        )

    def _histograms(self) -> list[Safe]:
        ordered = sorted(self.results(), key=lambda rc: not rc[1].drifted)
        drawn = []
        for _, result in ordered[:HISTOGRAMS_SHOWN]:
            chart = histogram(result)
            if chart:
                state = "drifted" if result.drifted else "stable"
                drawn.append(
                    markup.join(
                        [
                            markup.note(
                                f"{result.column} ({state}): reference (blue) vs current "
                                "(orange), share of values per bin"
                            ),
                            chart,
                        ]
                    )
                )
        return drawn

    def _repr_html_(self) -> str:
        return self.html()


def _verdict(drifted: bool) -> str:
    return "dataset drift" if drifted else "no dataset drift"


def _row(role: str, c: ColumnDrift) -> tuple[object, ...]:
    name = c.column + (" (target)" if role == "target" else "")
    return (
        name,
        c.kind,
        c.method,
        f"{c.statistic:.3g}",
        "-" if c.p_value is None else f"{c.p_value:.3g}",
        f"{c.psi:.3g} ({c.psi_band})",
        markup.badge("warning", "drift") if c.drifted else markup.badge("success", "ok"),
    )


def histogram(result: ColumnDrift) -> Safe:
    """The paired histogram of one column result (empty when it has none)."""
    hist = result.histogram
    reference = [float(v) for v in hist.reference]
    current = [float(v) for v in hist.current]
    if hist.edges:
        labels = [f"{hist.edges[i]:.3g}" for i in range(len(reference))]
    else:
        labels = list(hist.labels or ())
        if hist.other_reference or hist.other_current:
            labels.append("other")
            reference.append(float(hist.other_reference))
            current.append(float(hist.other_current))
    ref_total, cur_total = sum(reference) or 1.0, sum(current) or 1.0
    return charts.paired_histogram(
        labels,
        [v / ref_total for v in reference],
        [v / cur_total for v in current],
        title=f"{result.column} histogram",
    )


def drift_view(api: WorkbenchApi, report_id: int | None = None) -> DriftView:
    """Drift report ``report_id`` (default: the newest) with its per-column results.

    Raises:
        WorkbenchError: There is no drift report yet, or no report with that id.
    """
    if report_id is None:
        newest = api.drift_reports(limit=1)
        if not newest:
            raise WorkbenchError(
                "no drift report yet: one is made when a dataset arrives while a model "
                "is in production (or call api.drift())"
            )
        report_id = newest[0].id
    return DriftView(api.drift_report(report_id), f"Drift report {report_id}")
