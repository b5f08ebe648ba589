"""Data: datasets with their validation verdict, the quarantine, and validating a file.

The api lists datasets and tells why a file was quarantined through its event; the full
validation report comes back from ``api.ingest``, so the panel shows the report of the
file a person ingests from it (left in place: ``move=False``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import ipywidgets as widgets

from workbench.api import WorkbenchApi
from workbench.core.event_kinds import quarantine_reasons
from workbench.core.records import DatasetRecord, IngestOutcome
from workbench.core.vocabulary import DatasetStatus, validation_verdict
from workbench.notebook.panels.base import Panel, RecordTable
from workbench.notebook.panels.history import EventHistory
from workbench.notebook.views import markup
from workbench.notebook.views.formatting import stamp
from workbench.notebook.views.results import validation_view

QUARANTINED = "dataset.quarantined"
"""The event that carries a quarantine's reason."""


@dataclass(frozen=True)
class DataSnapshot:
    """What one refresh of the data panel fetched."""

    datasets: list[DatasetRecord]
    """Newest first."""
    reasons: dict[int, str]
    """Why each quarantined dataset was quarantined, by dataset id."""


class DataPanel(Panel):
    """Datasets above the quarantine, and a box to validate and ingest a file."""

    TITLE = "Data"
    RELOAD_ON = ("dataset.", "contract.")

    def __init__(self, api: WorkbenchApi, *, live: bool = True, closable: bool = True) -> None:
        self._quarantines = EventHistory((QUARANTINED,))
        super().__init__(api, live=live, closable=closable)

    def build(self) -> list[widgets.Widget]:
        self.table = RecordTable()
        """Every dataset; ``row_keys`` are dataset ids."""
        self.quarantine = RecordTable()
        """Quarantined files with the reason; ``row_keys`` are dataset ids."""
        self.path = widgets.Text(
            placeholder="path/to/file.csv", description="File", layout={"width": "420px"}
        )
        """The file to validate and ingest."""
        self.ingest_button = widgets.Button(description="Validate and ingest", icon="check")
        self.ingest_button.on_click(lambda _: self.ingest())
        self.report = widgets.HTML()
        """The validation report of the last file ingested here."""
        return [
            self.table,
            widgets.HTML(markup.heading("Quarantine")),
            self.quarantine,
            widgets.HBox([self.path, self.ingest_button]),
            self.report,
        ]

    def load(self) -> DataSnapshot:
        reasons = quarantine_reasons(self._quarantines.read(self.api))
        return DataSnapshot(self.api.datasets(), reasons)

    def show(self, data: DataSnapshot) -> None:
        self.table.show(
            ["dataset", "validation", "name", "rows", "columns", "ingested"],
            [
                (
                    d.id,
                    (
                        d.id,
                        markup.badge(validation_verdict(d.status)),
                        d.name,
                        f"{d.rows:,}",
                        len(d.columns) or "-",
                        stamp(d.ingested_at),
                    ),
                )
                for d in data.datasets
            ],
            right=(0, 3, 4),
            empty="No datasets yet: ingest a file or drop one into incoming/.",
        )
        quarantined = [d for d in data.datasets if d.status == DatasetStatus.QUARANTINED]
        self.quarantine.show(
            ["dataset", "file", "kept at", "reason"],
            [(d.id, (d.id, d.name, d.path, data.reasons.get(d.id, "-"))) for d in quarantined],
            right=(0,),
            empty="Nothing quarantined.",
        )

    def ingest(self) -> IngestOutcome | None:
        """Validate and ingest the file in the box (left where it is) and show its report."""
        typed = self.path.value.strip()
        if not typed:
            self.message.value = markup.error("type the path of a data file first")
            return None
        path = str(Path(typed).expanduser().resolve())  # a remote engine has another cwd
        outcome = self.act(lambda: self.api.ingest(path, move=False), lambda o: o.message)
        if outcome is not None:
            self.report.value = (
                validation_view(outcome).html()
                if outcome.report is not None
                else markup.note(outcome.message)
            )
        return outcome
