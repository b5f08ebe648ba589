"""Models: versions, a candidate beside production, and the decisions a person makes.

Approve, Reject, Promote and Rollback call the api and nothing else; what a decision
means (which aliases move, who may be served) is the engine's business. A decision's
comment is recorded with it, so the box is cleared only after the api accepted it.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as widgets

from workbench.api import WorkbenchApi
from workbench.api.fetch import fetch_models
from workbench.core import model_summary
from workbench.core.errors import WorkbenchError
from workbench.core.fetched import ModelsData
from workbench.core.quality import QualityReport
from workbench.core.records import ModelVersionRecord
from workbench.core.vocabulary import Alias, ModelStatus
from workbench.notebook.panels.base import Panel, RecordTable
from workbench.notebook.panels.quality_report import ReportView
from workbench.notebook.views import markup
from workbench.notebook.views.formatting import stamp
from workbench.notebook.views.results import CompareView, ServingView


class ModelsPanel(Panel):
    """Model versions above the selected one compared with production, and the actions."""

    TITLE = "Models"
    RELOAD_ON = ("model.", "alias.", "serving.", "run.finished")

    def __init__(self, api: WorkbenchApi, *, live: bool = True, closable: bool = True) -> None:
        self.data = ModelsData([], [])
        """What was fetched last."""
        self._pinned: int | None = None
        self._reports: dict[int, QualityReport | None] = {}
        super().__init__(api, live=live, closable=closable)

    def build(self) -> list[widgets.Widget]:
        self.table = RecordTable()
        """Every version; ``row_keys`` are version numbers."""
        self.picker = widgets.Dropdown(description="Version", options=[], value=None)
        """The version the buttons act on."""
        self.serving = widgets.HTML()
        """Whether production is served right now: version, address, traffic."""
        self.compare = widgets.HTML()
        """The selected version beside production."""
        self.report = ReportView()
        """The selected version's quality report: curves, confusion matrix, importance."""
        self.comment = widgets.Textarea(
            placeholder="Why? (recorded with the decision)", layout={"width": "420px"}
        )
        self.approve_button = widgets.Button(description="Approve", button_style="success")
        self.reject_button = widgets.Button(description="Reject", button_style="danger")
        self.alias = widgets.Text(
            value=str(Alias.PRODUCTION), description="Alias", layout={"width": "220px"}
        )
        self.promote_button = widgets.Button(description="Promote")
        self.rollback_button = widgets.Button(description="Rollback", button_style="warning")
        self.approve_button.on_click(lambda _: self.approve())
        self.reject_button.on_click(lambda _: self.reject())
        self.promote_button.on_click(lambda _: self.promote())
        self.rollback_button.on_click(lambda _: self.rollback())
        self.picker.observe(self._picked, names="value")
        decide = widgets.HBox([self.approve_button, self.reject_button])
        move = widgets.HBox([self.alias, self.promote_button, self.rollback_button])
        return [
            self.table,
            self.serving,
            self.picker,
            self.compare,
            self.comment,
            decide,
            move,
            self.report,
        ]

    @property
    def selected(self) -> ModelVersionRecord | None:
        """The version the buttons act on."""
        return self.data.get(self.picker.value)

    def load(self) -> ModelsData:
        return fetch_models(self.api, serving=True)

    def show(self, data: ModelsData) -> None:
        self.data = data
        self._reports.clear()  # a report may have been recorded since (model.reported)
        self.serving.value = (
            markup.block(ServingView(data.serving).html()) if data.serving is not None else ""
        )
        labels = ["test (once)", "validation", "threshold", "vs production (95%)"]
        self.table.show(
            ["version", "status", "aliases", "candidate", "gate", *labels, "run", "decided"],
            [(m.version, self._cells(m)) for m in data.models],
            right=(0, 7, 9),
            empty="No model versions yet: a successful run registers one.",
        )
        # the version a person picked stays selected; otherwise the newest candidate
        current = self._pinned if data.get(self._pinned) else _default(data)
        with self.fill():
            self.picker.options = [
                (f"v{m.version} {m.candidate} ({m.status})", m.version) for m in data.models
            ]
            self.picker.value = current
        self._show_selected()

    def _cells(self, model: ModelVersionRecord) -> tuple[object, ...]:
        decision = self.data.last_decision(model.version)
        decided = f"{decision.decision} by {decision.actor}" if decision else "-"
        return (
            model.version,
            markup.badge(model.status),
            ", ".join(model.aliases) or "-",
            model.candidate,
            model_summary.gate_text(model),
            model_summary.tested_text(model),
            model_summary.validation_text(model),
            model_summary.threshold_text(model),
            model_summary.versus_production_text(model),
            model.run_id,
            f"{decided} {stamp(decision.decided_at)}" if decision else decided,
        )

    def _show_selected(self) -> None:
        model = self.selected
        production = self.data.production()
        self.compare.value = markup.block(CompareView(model, production).html())
        status = model.status if model else None
        self.approve_button.disabled = status != ModelStatus.CANDIDATE
        self.reject_button.disabled = status != ModelStatus.CANDIDATE
        self.promote_button.disabled = status != ModelStatus.APPROVED
        self.rollback_button.disabled = self.data.with_alias(Alias.PREVIOUS) is None
        self._show_report(model.version if model else None)

    def _show_report(self, version: int | None) -> None:
        """Fetch (once per refresh) and draw the quality report of ``version``."""
        if version is None:
            self.report.show(None, None)
            return
        if version not in self._reports:
            try:
                self._reports[version] = self.api.model_report(version)
            except WorkbenchError as exc:
                self.report.failed(version, str(exc))
                return
        self.report.show(version, self._reports[version])

    def _picked(self, change: dict[str, object]) -> None:
        if not self.filling:
            self._pinned = self.picker.value
            self._show_selected()

    # actions ----------------------------------------------------------------------------

    def approve(self) -> ModelVersionRecord | None:
        """Approve the selected version with the comment; it becomes production."""
        return self._decide(
            self.api.approve,
            lambda m: f"model version {m.version} approved: now {', '.join(m.aliases) or m.status}",
        )

    def reject(self) -> ModelVersionRecord | None:
        """Reject the selected version with the comment."""
        return self._decide(
            self.api.reject,
            lambda m: f"model version {m.version} rejected",
        )

    def promote(self) -> ModelVersionRecord | None:
        """Point the alias in the box at the selected (approved) version."""
        alias = self.alias.value.strip()
        return self._decide(
            lambda v, why: self.api.promote(v, alias, why or "promoted from a notebook"),
            lambda m: f"alias {alias} now points at model version {m.version}",
        )

    def rollback(self) -> ModelVersionRecord | None:
        """Serve the previous production version again (no selection needed)."""
        return self._decide(
            lambda _, why: self.api.rollback(why or "rolled back from a notebook"),
            lambda m: f"rolled back: production is model version {m.version} again",
            needs_version=False,
        )

    def _decide(
        self,
        call: Callable[[int, str], ModelVersionRecord],
        done: Callable[[ModelVersionRecord], str],
        *,
        needs_version: bool = True,
    ) -> ModelVersionRecord | None:
        """Call the api with the selected version and the comment; clear the box if it took."""
        version = self.picker.value
        if needs_version and version is None:
            self.message.value = markup.error("select a model version first")
            return None
        comment = self.comment.value.strip()
        self._pinned = version  # the version acted on stays selected, showing its new status
        result = self.act(lambda: call(version, comment), done)
        if result is not None:
            self.comment.value = ""
        return result


def _default(data: ModelsData) -> int | None:
    """The version a person most likely came to decide on: the newest candidate."""
    for pick in (
        data.newest_candidate(),
        data.production(),
        data.models[0] if data.models else None,
    ):
        if pick is not None:
            return pick.version
    return None
