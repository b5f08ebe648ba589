"""Production beside a challenger: each metric side by side with the difference."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from workbench.core import model_summary
from workbench.core.records import ModelVersionRecord
from workbench.core.vocabulary import Alias, lower_is_better
from workbench.tui.formatting import metric_value


def comparison_table(
    champion: ModelVersionRecord | None, challenger: ModelVersionRecord | None
) -> Table:
    """Metric rows, one column per version, and a delta coloured by which side wins."""
    table = Table(expand=True, box=None, header_style="bold", pad_edge=False)
    table.add_column("metric", no_wrap=True)
    for model, role in ((champion, Alias.PRODUCTION), (challenger, "challenger")):
        label = f"{role} v{model.version}" if model else f"{role} -"
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("Δ", justify="right", no_wrap=True)
    names = sorted(
        set(champion.metrics if champion else {}) | set(challenger.metrics if challenger else {})
    )
    for name in names:
        mine = challenger.metrics.get(name) if challenger else None
        theirs = champion.metrics.get(name) if champion else None
        table.add_row(name, metric_value(theirs), metric_value(mine), _delta(name, mine, theirs))
    return table


def _delta(name: str, mine: float | None, theirs: float | None) -> Text:
    if mine is None or theirs is None:
        return Text("-")
    diff = mine - theirs
    better = diff < 0 if lower_is_better(name) else diff > 0
    style = "green" if better else ("red" if diff else "")
    return Text(f"{diff:+.4f}", style=style)


class ChampionChallenger(Static):
    """The comparison under the models table; follows the cursor."""

    def compare(
        self, champion: ModelVersionRecord | None, challenger: ModelVersionRecord | None
    ) -> None:
        """Show ``challenger`` against ``champion``."""
        if champion is None and challenger is None:
            self.update(Text("no model versions yet", style="dim"))
            return
        self.update(
            Group(interval_line(champion, challenger), comparison_table(champion, challenger))
        )


def interval_line(
    champion: ModelVersionRecord | None, challenger: ModelVersionRecord | None
) -> Text:
    """The challenger's improvement over production on the same test rows, with its 95%
    interval, or why there is none; metrics below are test metrics unless prefixed
    ``val_`` / ``cv_`` (the validation score that chose the model)."""
    if challenger is None or champion is None:
        return Text("test metrics; val_/cv_ rows are the validation that chose the model", "dim")
    compared = model_summary.comparison_with(challenger, champion.version)
    if compared is None:
        return Text(f"v{challenger.version} was not tested beside v{champion.version}", "dim")
    text = model_summary.comparison_text(compared)
    style = "yellow" if text.endswith("not significant") else "green"
    return Text.assemble(
        f"v{challenger.version} vs production v{champion.version} on the same test rows: ",
        (f"{compared['metric']} {text}", style),
        f"; threshold {model_summary.threshold_text(challenger)}",
    )
