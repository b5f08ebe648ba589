"""Drift: the monitor's reports, one report's columns and histograms, metric history.

Reports come from ``api.drift_reports`` (newest first) and in full from
``api.drift_report``; the history charts show production's measured performance on new
labels over time and the key metric of every model version, production ringed.
"""

from __future__ import annotations

from dataclasses import dataclass

import ipywidgets as widgets

from workbench.api import WorkbenchApi
from workbench.core.drift_report import DriftReport
from workbench.core.records import DriftRecord, ModelVersionRecord, PerformanceRecord
from workbench.core.vocabulary import metric_names
from workbench.notebook.panels.base import Panel, RecordTable
from workbench.notebook.views import charts, markup
from workbench.notebook.views.drift_report import DriftView
from workbench.notebook.views.formatting import aware, stamp
from workbench.notebook.views.markup import Safe

REPORTS_SHOWN = 20
"""Newest drift reports listed."""


@dataclass(frozen=True)
class DriftData:
    """What one refresh of the drift panel fetched."""

    reports: list[DriftRecord]
    """Newest first."""
    report_id: int | None
    """The report shown in full."""
    report: DriftReport | None
    """That report."""
    performance: list[PerformanceRecord]
    """Production's metrics on new labels."""
    models: list[ModelVersionRecord]
    """Model versions, newest first."""


class DriftPanel(Panel):
    """Drift reports above the selected report and the metric history charts."""

    TITLE = "Drift"
    RELOAD_ON = ("drift", "performance", "model.registered", "model.approved", "alias.")

    def __init__(self, api: WorkbenchApi, *, live: bool = True, closable: bool = True) -> None:
        self.data = DriftData([], None, None, [], [])
        """What was fetched last."""
        self._pinned: int | None = None
        super().__init__(api, live=live, closable=closable)

    def build(self) -> list[widgets.Widget]:
        self.reports = RecordTable()
        """Drift reports, newest first; ``row_keys`` are report ids."""
        self.picker = widgets.Dropdown(description="Report", options=[], value=None)
        """The report shown in full."""
        self.columns = widgets.HTML()
        """The selected report: verdict, per-column table, histograms."""
        self.metric = widgets.Dropdown(description="Metric", options=[], value=None)
        """The metric charted."""
        self.chart = widgets.HTML()
        """Production's performance over time and the metric of every version."""
        self.picker.observe(self._picked, names="value")
        self.metric.observe(lambda _: self._chart(), names="value")
        return [
            self.reports,
            self.picker,
            self.columns,
            widgets.HTML(markup.heading("Metric history")),
            self.metric,
            self.chart,
        ]

    def load(self) -> DriftData:
        reports = self.api.drift_reports(limit=REPORTS_SHOWN)
        known = {r.id for r in reports}
        chosen = self._pinned if self._pinned in known else None
        if chosen is None and reports:
            chosen = reports[0].id
        full = self.api.drift_report(chosen) if chosen is not None else None
        return DriftData(reports, chosen, full, self.api.performance(), self.api.models())

    def show(self, data: DriftData) -> None:
        self.data = data
        self.reports.show(
            ["report", "when", "verdict", "source", "vs production", "drifted columns"],
            [(r.id, _cells(r)) for r in data.reports],
            right=(0,),
            empty="No drift report yet: one is made when a dataset arrives while a model "
            "is in production.",
        )
        with self.fill():
            self.picker.options = [
                (f"report {r.id} ({stamp(r.created_at)})", r.id) for r in data.reports
            ]
            self.picker.value = data.report_id
            names = metric_names(
                [m.metrics for m in data.models] + [p.metrics for p in data.performance]
            )
            current = self.metric.value if self.metric.value in names else None
            self.metric.options = names
            self.metric.value = current or (names[0] if names else None)
        self.columns.value = (
            DriftView(data.report, f"Drift report {data.report_id}").html()
            if data.report is not None
            else ""
        )
        self._chart()

    def _picked(self, change: dict[str, object]) -> None:
        if not self.filling and change["new"] is not None:
            self._pinned = self.picker.value
            self.refresh()

    def _chart(self) -> None:
        name = self.metric.value
        if name is None:
            self.chart.value = markup.note("No metrics yet: a successful run registers a model.")
            return
        self.chart.value = markup.block(
            _performance_chart(self.data.performance, name),
            _versions_chart(self.data.models, name),
        )


def _cells(record: DriftRecord) -> tuple[object, ...]:
    verdict = (
        markup.badge("warning", "dataset drift")
        if record.dataset_drift
        else markup.badge("success", "no drift")
    )
    source = f"{record.source} {record.dataset_id}" if record.dataset_id else record.source
    reference = f"v{record.reference_version}" if record.reference_version else "-"
    drifted = ", ".join(record.drifted_columns) or "none"
    return (record.id, stamp(record.created_at), verdict, source, reference, drifted)


def _performance_chart(performance: list[PerformanceRecord], name: str) -> Safe:
    points = sorted((p for p in performance if name in p.metrics), key=lambda p: aware(p.ts))
    if not points:
        return markup.note(f"Production's {name} on new labels: not measured yet.")
    return markup.join(
        [
            markup.note(f"Production's {name} on each newly labelled dataset, oldest first"),
            charts.line_chart(
                [(f"v{p.version}·d{p.dataset_id or '-'}", p.metrics[name]) for p in points],
                title=f"production {name} over time",
            ),
        ]
    )


def _versions_chart(models: list[ModelVersionRecord], name: str) -> Safe:
    ordered = [m for m in reversed(models) if name in m.metrics]
    if not ordered:
        return markup.note(f"No model version has {name}.")
    production = [i for i, m in enumerate(ordered) if "production" in m.aliases]
    return markup.join(
        [
            markup.note(
                f"{name} of each model version at registration"
                + (" (ringed: production)" if production else "")
            ),
            charts.line_chart(
                [(f"v{m.version}", m.metrics[name]) for m in ordered],
                title=f"{name} by model version",
                highlight=production,
            ),
        ]
    )
