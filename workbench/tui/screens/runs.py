"""Runs: every run in a live table, filtered and sorted; Enter opens one.

The filter box takes words, all of which a row must contain, plus ``field:value`` to
match one column (``status:failed``, ``trigger:drift``, ``pipeline:tabular``,
``dataset:3``) and ``key=value`` for a run tag. Words and fields filter the rows already
fetched; a tag is asked of the engine (``api.runs(tag=...)``), since runs come without
their tags.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Input

from workbench.core.records import ModelVersionRecord, RunRecord
from workbench.tui.formatting import (
    ago,
    key_metric,
    metric_value,
    span,
    status_text,
)
from workbench.tui.screens.base import WorkbenchScreen
from workbench.tui.screens.run_detail import RunDetailScreen
from workbench.tui.table_cursor import cursor_number, restore_cursor

if TYPE_CHECKING:
    from workbench.api import WorkbenchApi

COLUMNS = ("run", "status", "trigger", "datasets", "created", "duration", "metric")
"""Column keys of the runs table, also the sort keys."""

FIELDS = ("status", "trigger", "pipeline", "dataset")
"""Names the filter box accepts as ``field:value``."""


@dataclass(frozen=True)
class RunsData:
    """Runs and the key metric each one reached."""

    runs: list[RunRecord]
    """Newest first."""
    metrics: dict[int, tuple[str, float]]
    """Run id -> best key metric of the models it registered."""
    tag: str | None = None
    """The run tag (``key=value``) the runs were asked for with, if any."""


@dataclass(frozen=True)
class RunFilter:
    """What the filter box asks for, parsed."""

    words: tuple[str, ...] = ()
    """Lower-case words every shown row contains (run id, status, trigger, pipeline,
    datasets)."""
    fields: tuple[tuple[str, str], ...] = ()
    """``(field, value)`` pairs, field one of :data:`FIELDS`: a row's field starts with
    the value (``trigger:d`` is drift while being typed); a dataset id matches whole."""
    tag: str | None = None
    """A run tag ``key=value`` (the first one typed), for the engine to filter by."""

    def field_value(self, name: str) -> str | None:
        """The value asked for ``name`` (the last one typed), if any."""
        values = [value for key, value in self.fields if key == name]
        return values[-1] if values else None

    def matches(self, run: RunRecord) -> bool:
        """Whether ``run`` passes the words and fields (the tag is the engine's part)."""
        datasets = [str(d) for d in run.dataset_ids]
        haystack = f"{run.id} {run.status} {run.trigger} {run.pipeline} {' '.join(datasets)}"
        columns = {"status": run.status, "trigger": run.trigger, "pipeline": run.pipeline}
        for key, value in self.fields:
            if key == "dataset" and value not in datasets:
                return False
            if key != "dataset" and not columns[key].lower().startswith(value):
                return False
        return all(word in haystack.lower() for word in self.words)


def parse_filter(text: str) -> RunFilter:
    """The filter box's text as a :class:`RunFilter` (an unknown ``field:`` is a word)."""
    words: list[str] = []
    fields: list[tuple[str, str]] = []
    tag: str | None = None
    for token in text.split():
        name, colon, value = token.partition(":")
        key, equals, _ = token.partition("=")
        if colon and name.lower() in FIELDS and value:
            fields.append((name.lower(), value.lower()))
        elif equals and key and tag is None:
            tag = token
        else:
            words.append(token.lower())
    return RunFilter(tuple(words), tuple(fields), tag)


def with_field(text: str, name: str, value: str | None) -> str:
    """``text`` with its ``name:`` tokens replaced by ``name:value`` (dropped for None)."""
    kept = [t for t in text.split() if t.partition(":")[0].lower() != name]
    if value is not None:
        kept.append(f"{name}:{value}")
    return " ".join(kept)


def runs_key_metrics(models: list[ModelVersionRecord]) -> dict[int, tuple[str, float]]:
    """The best key metric per run, from the models each run registered."""
    by_run: dict[int, list[ModelVersionRecord]] = {}
    for model in models:
        by_run.setdefault(model.run_id, []).append(model)
    found: dict[int, tuple[str, float]] = {}
    for run_id, group in by_run.items():
        merged = {f"{m.version}.{k}": v for m in group for k, v in m.metrics.items()}
        metric = key_metric(merged)
        if metric is not None:
            found[run_id] = metric
    return found


class RunsScreen(WorkbenchScreen):
    """A live table of runs with a filter box; Enter shows the run's tasks."""

    MODE = "runs"
    RELOAD_ON = ("run.", "model.registered")
    RUN_LIMIT = 500
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_run", "Open", tooltip="Show the run's tasks and metrics"),
        Binding(
            "slash",
            "filter",
            "Filter",
            key_display="/",
            tooltip="Filter runs: words, status:failed, trigger:drift, dataset:3, key=value (tag)",
        ),
        Binding("g", "cycle_trigger", "Trigger", tooltip="Show only the runs of the next trigger"),
        Binding("s", "cycle_sort", "Sort", tooltip="Sort by the next column"),
        Binding("r", "reverse_sort", "Reverse", tooltip="Reverse the sort order"),
        Binding("n", "new_run", "New run", tooltip="Train on the training window now"),
        Binding("escape", "clear_filter", "Clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data = RunsData([], {})
        """What was fetched last."""
        self.sort_key = "run"
        """Column the table is sorted by."""
        self.sort_reverse = True
        """Newest (or largest) first."""
        self.run_filter = RunFilter()
        """What the filter box asks for."""

    def compose_body(self) -> ComposeResult:
        yield Input(
            placeholder="filter: words, status:failed, trigger:drift, dataset:3, key=value (tag)",
            id="runs-filter",
        )
        table: DataTable[Any] = DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        for key in COLUMNS:
            table.add_column(key.title(), key=key)
        yield table

    def on_mount(self) -> None:
        self.query_one("#runs-table", DataTable).focus()

    def load(self, api: WorkbenchApi) -> RunsData:
        tag = self.run_filter.tag  # read once: the box may change while this runs
        runs = api.runs(limit=self.RUN_LIMIT, tag=tag)
        return RunsData(runs, runs_key_metrics(api.models()), tag)

    def show(self, data: Any) -> None:
        self.data = data
        self._fill()

    # table --------------------------------------------------------------------------

    @property
    def table(self) -> DataTable[Any]:
        """The runs table."""
        return self.query_one("#runs-table", DataTable)

    @property
    def tag_pending(self) -> bool:
        """The box names a tag the shown runs were not fetched with (a reload is coming)."""
        return self.data.tag != self.run_filter.tag

    def visible_runs(self) -> list[RunRecord]:
        """Runs passing the filter, in the chosen order."""
        if self.tag_pending:
            return []
        runs = [r for r in self.data.runs if self.run_filter.matches(r)]
        return sorted(runs, key=self._sort_value, reverse=self.sort_reverse)

    def _sort_value(self, run: RunRecord) -> Any:
        now = self.workbench.clock()
        if self.sort_key == "duration":
            end = run.finished_at or now
            return (end - run.started_at).total_seconds() if run.started_at else -1.0
        if self.sort_key == "metric":
            metric = self.data.metrics.get(run.id)
            return metric[1] if metric else float("-inf")
        values = {
            "run": run.id,
            "status": run.status,
            "trigger": run.trigger,
            "datasets": len(run.dataset_ids),
            "created": run.created_at.timestamp(),
        }
        return values[self.sort_key]

    def _fill(self) -> None:
        table = self.table
        selected = self.selected_run_id()
        now = self.workbench.clock()
        table.clear()
        for run in self.visible_runs():
            metric = self.data.metrics.get(run.id)
            table.add_row(
                Text(str(run.id), justify="right"),
                status_text(run.status),
                run.trigger,
                ",".join(map(str, run.dataset_ids)) or "-",
                ago(run.created_at, now),
                span(run.started_at, run.finished_at, now),
                f"{metric[0]} {metric_value(metric[1])}" if metric else "-",
                key=str(run.id),
            )
        sort_label = f"{self.sort_key} {'↓' if self.sort_reverse else '↑'}"
        tag = self.run_filter.tag
        if self.tag_pending:
            table.border_title = f"asking the engine for runs tagged {tag}…"
        else:
            tagged = f" tagged {tag}" if tag else ""
            table.border_title = f"{table.row_count} run(s){tagged}, sorted by {sort_label}"
        restore_cursor(table, selected)

    def selected_run_id(self) -> int | None:
        """The run under the cursor."""
        return cursor_number(self.table)

    # actions ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        self.run_filter = parse_filter(event.value)
        if self.tag_pending:
            self.schedule_reload()  # debounced: one fetch once the typing pauses
        self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_run()

    def action_open_run(self) -> None:
        """Show the selected run's tasks, params and metrics."""
        run_id = self.selected_run_id()
        if run_id is not None:
            self.app.push_screen(RunDetailScreen(run_id))

    def action_filter(self) -> None:
        """Put the cursor in the filter box."""
        self.query_one("#runs-filter", Input).focus()

    def action_clear_filter(self) -> None:
        """Empty the filter and go back to the table."""
        self.query_one("#runs-filter", Input).value = ""
        self.table.focus()

    def action_cycle_trigger(self) -> None:
        """Show only the next trigger's runs (manual, file, drift, ... then all again).

        It writes ``trigger:NAME`` into the filter box, so what is applied stays visible
        and editable there.
        """
        triggers = sorted({r.trigger for r in self.data.runs})
        current = self.run_filter.field_value("trigger")
        if current in triggers:
            index = triggers.index(current) + 1
            following = triggers[index] if index < len(triggers) else None
        else:
            following = triggers[0] if triggers else None
        box = self.query_one("#runs-filter", Input)
        box.value = with_field(box.value, "trigger", following)

    def action_cycle_sort(self) -> None:
        """Sort by the next column (newest/largest first)."""
        self.sort_key = COLUMNS[(COLUMNS.index(self.sort_key) + 1) % len(COLUMNS)]
        self.sort_reverse = self.sort_key in ("run", "created", "duration", "metric")
        self._fill()

    def action_reverse_sort(self) -> None:
        """Flip the order of the current sort."""
        self.sort_reverse = not self.sort_reverse
        self._fill()

    def action_new_run(self) -> None:
        """Train on the training window now."""
        self.workbench.start_run()
