"""Models: versions with metrics and status, a challenger beside production, decisions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from workbench.core import model_summary
from workbench.core.fetched import ModelsData
from workbench.core.records import ApprovalRecord, ModelVersionRecord
from workbench.core.vocabulary import Alias
from workbench.core.vocabulary import Decision as Verdict
from workbench.tui.formatting import ago, gate_text, key_metric, metric_value, status_text
from workbench.tui.messages import (
    ModelApproved,
    ModelDecided,
    ModelPromoted,
    ModelRejected,
    ProductionRolledBack,
)
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.confirm import ConfirmScreen
from workbench.tui.screens.decision import DecisionScreen
from workbench.tui.screens.model_report import ModelReportScreen
from workbench.tui.table_cursor import cursor_number, restore_cursor
from workbench.tui.widgets.champion_challenger import ChampionChallenger

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi


@dataclass(frozen=True)
class Decision:
    """Approve or reject: the same steps, different words, call and message."""

    verb: str
    """approve | reject (the modal's title and button)."""
    done: str
    """approved | rejected."""
    doing: str
    """approving | rejecting (for the error screen)."""
    call: Callable[[WorkbenchApi, int, str], ModelVersionRecord]
    """The api call, given the version and the comment."""
    message: type[ModelDecided]
    """What is posted when it is done."""


APPROVE = Decision(
    "approve", "approved", "approving", lambda api, v, c: api.approve(v, c), ModelApproved
)
REJECT = Decision(
    "reject", "rejected", "rejecting", lambda api, v, c: api.reject(v, c), ModelRejected
)


class ModelsScreen(WorkbenchScreen):
    """The registry: approve, reject, promote, roll back."""

    MODE = "models"
    RELOAD_ON = ("model.", "alias.")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "approve", "Approve", tooltip="Approve the selected candidate (asks why)"),
        Binding("x", "reject", "Reject", tooltip="Reject the selected candidate (asks why)"),
        Binding("p", "promote", "Promote", tooltip="Serve the selected approved version"),
        Binding("b", "rollback", "Rollback", tooltip="Serve the previous production version"),
        Binding("l", "lineage", "Lineage", tooltip="Show where the selected version came from"),
        Binding("r", "report", "Report", tooltip="The selected version's quality report"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = ModelsData([], [])
        """What was fetched last."""

    def compose_body(self) -> ComposeResult:
        table: DataTable[Any] = DataTable(id="models-table", cursor_type="row", zebra_stripes=True)
        for key in ("version", "candidate", "status", "aliases", "gate"):
            table.add_column(key.title(), key=key)
        table.add_column("Test (once)", key="metric")
        table.add_column("Validation", key="validation")
        table.add_column("Threshold", key="threshold")
        table.add_column("Vs production (95%)", key="versus")
        table.add_column("Created", key="created")
        table.add_column("Last decision", key="decision")
        yield table
        compare = ChampionChallenger(id="models-compare")
        compare.border_title = "Champion / challenger"
        yield compare

    def on_mount(self) -> None:
        self.table.focus()

    @property
    def table(self) -> DataTable[Any]:
        """The versions table."""
        return self.query_one("#models-table", DataTable)

    def load(self, api: WorkbenchApi) -> ModelsData:
        from workbench.api.fetch import fetch_models  # imports the engine: the worker's job

        return fetch_models(api)

    def show(self, data: Any) -> None:
        self.data = data
        selected = self.selected_version()
        now = self.workbench.clock()
        table = self.table
        table.clear()
        for model in data.models:
            decision = data.last_decision(model.version)
            table.add_row(
                Text(f"v{model.version}", justify="right"),
                model.candidate,
                status_text(model.status),
                Text(", ".join(model.aliases), style="bold green") if model.aliases else "",
                gate_text(model),
                model_summary.tested_text(model),
                model_summary.validation_text(model),
                model_summary.threshold_text(model),
                model_summary.versus_production_text(model),
                ago(model.created_at, now),
                _decision_text(decision),
                key=str(model.version),
            )
        table.border_title = f"{len(data.models)} version(s)"
        restore_cursor(table, selected)
        self._compare()

    def selected_version(self) -> int | None:
        """The version under the cursor."""
        return cursor_number(self.table)

    def select_version(self, version: int) -> None:
        """Put the cursor on ``version`` (tests and the palette use it)."""
        self.table.move_cursor(row=self.table.get_row_index(str(version)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._compare()

    def _compare(self) -> None:
        production = self.data.production()
        version = self.selected_version()
        challenger = self.data.get(version) if version is not None else None
        if challenger is None or challenger == production:
            challenger = self.data.newest_candidate() or challenger
        if challenger == production:
            challenger = None
        self.query_one("#models-compare", ChampionChallenger).compare(production, challenger)

    # actions ------------------------------------------------------------------------

    def _selected(self, allowed: str, verb: str) -> ModelVersionRecord | None:
        version = self.selected_version()
        model = self.data.get(version) if version is not None else None
        if model is None:
            self.notify("no model version selected", severity="warning")
            return None
        if model.status != allowed:
            self.notify(
                f"v{model.version} is {model.status}; only a {allowed} version can be {verb}",
                severity="warning",
            )
            return None
        return model

    def _summary(self, model: ModelVersionRecord) -> str:
        metric = key_metric(model.metrics)
        shown = f", {metric[0]} {metric_value(metric[1])}" if metric else ""
        return f"{model.candidate}{shown}, gate {'passed' if model.gate_passed else 'failed'}"

    def action_approve(self) -> None:
        """Approve the selected candidate after asking for a comment."""
        self._decide(APPROVE)

    def action_reject(self) -> None:
        """Reject the selected candidate; the modal insists on a reason."""
        self._decide(REJECT)

    def _decide(self, decision: Decision) -> None:
        """Ask for a comment on the selected candidate, then record the decision."""
        model = self._selected("candidate", decision.done)
        if model is None:
            return
        version = model.version

        def decided(comment: str | None) -> None:
            if comment is not None:
                self.workbench.call_engine(
                    self,
                    lambda api: decision.call(api, version, comment),
                    lambda record: decision.message(decision.done, record),
                    f"{decision.doing} model version {version}",
                )

        summary = self._summary(model)
        self.app.push_screen(DecisionScreen(decision.verb, version, summary), decided)

    def action_promote(self) -> None:
        """Point production at the selected approved version, after a confirmation."""
        model = self._selected("approved", "promoted")
        if model is None:
            return
        version = model.version
        if Alias.PRODUCTION in model.aliases:
            self.notify(f"v{version} is already production", severity="warning")
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.workbench.call_engine(
                    self,
                    lambda api: api.promote(version, Alias.PRODUCTION, "promoted from the TUI"),
                    lambda record: ModelPromoted("promoted", record),
                    f"promoting model version {version}",
                )

        question = f"Serve model version {version} as production? The current one becomes previous."
        self.app.push_screen(ConfirmScreen("Promote", question, "Promote"), confirmed)

    def action_rollback(self) -> None:
        """Serve the previous production version again, after a confirmation."""

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.workbench.call_engine(
                    self,
                    lambda api: api.rollback("rolled back from the TUI"),
                    lambda record: ProductionRolledBack("rolled back to", record),
                    "rolling back production",
                )

        production = self.data.production()
        current = f"v{production.version}" if production else "the current version"
        question = f"Stop serving {current} and serve the previous production version again?"
        self.app.push_screen(ConfirmScreen("Roll back", question, "Roll back"), confirmed)

    def action_lineage(self) -> None:
        """Open the lineage of the selected version."""
        version = self.selected_version()
        if version is not None:
            self.workbench.lineage_version = version
            self.app.switch_mode("lineage")

    def action_report(self) -> None:
        """Open the quality report of the selected version."""
        version = self.selected_version()
        if version is not None:
            self.app.push_screen(ModelReportScreen(version))

    @on(ModelDecided)
    def model_decided(self, message: ModelDecided) -> None:
        """Say what happened and show the registry as it is now."""
        self.notify(f"{message.verb.capitalize()} model version {message.model.version}")
        self.reload()


def _decision_text(decision: ApprovalRecord | None) -> Text:
    if decision is None:
        return Text("")
    style = "green" if decision.decision == Verdict.APPROVE else "red"
    text = Text(f"{decision.decision} by {decision.actor}", style=style)
    if decision.comment:
        text.append(f": {decision.comment}", style="")
    return text
