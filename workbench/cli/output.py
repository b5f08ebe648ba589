"""Where the CLI prints: rich on a terminal, plain full-width text everywhere else.

Piped to a file or read by CI, rich lays tables out for 80 columns and cuts cells to
"vers…" or "0.90…". Off a terminal the console neither wraps nor truncates, and every
table is printed as plain aligned columns as wide as their longest value (a title line,
a header line, one line per row; no box drawing, no colour). ``--json`` stays the format
for programs; this one is for people reading a log and for ``grep``/``awk``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import TextIO

from rich.console import Console, ConsoleRenderable, RenderableType, RenderHook
from rich.table import Table
from rich.text import Text

GAP = "  "
"""Between two plain columns."""

PLAIN_WIDTH = 1_000_000
"""The width of a console that is not a terminal: nothing is ever wrapped or cut."""


def make_console(file: TextIO | None = None, *, stderr: bool = False) -> Console:
    """A console for ``file`` (stdout by default): rich on a terminal, plain otherwise."""
    console = Console(file=file, stderr=stderr)
    if console.is_terminal:
        return console
    plain = Console(
        file=file,
        stderr=stderr,
        width=PLAIN_WIDTH,
        soft_wrap=True,
        no_color=True,
        highlight=False,
        emoji=False,
    )
    plain.push_render_hook(PlainTables())
    return plain


def is_plain(console: Console) -> bool:
    """Whether ``console`` prints for a pipe or a file (see :func:`make_console`)."""
    return not console.is_terminal


class PlainTables(RenderHook):
    """Turns every rich ``Table`` printed on the console into :func:`plain_table` text."""

    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [
            Text(plain_table(item)) if isinstance(item, Table) else item for item in renderables
        ]


def plain_table(table: Table) -> str:
    """``table`` as aligned columns at full width: title, header, rows; nothing cut.

    Right-justified columns (numbers) stay right-justified; trailing spaces are dropped.
    """
    headers = [_plain(column.header) for column in table.columns]
    cells = [[_plain(cell) for cell in column.cells] for column in table.columns]
    rows = [list(row) for row in zip(*cells, strict=True)] if cells else []
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    right = [column.justify == "right" for column in table.columns]

    def line(values: Iterable[str]) -> str:
        padded = (
            value.rjust(width) if is_right else value.ljust(width)
            for value, width, is_right in zip(values, widths, right, strict=True)
        )
        return GAP.join(padded).rstrip()

    lines = [_plain(table.title)] if table.title else []
    if table.show_header:
        lines.append(line(headers))
    lines.extend(line(row) for row in rows)
    return "\n".join(lines)


def _plain(value: RenderableType | None) -> str:
    """A cell's text without markup; one line (newlines become spaces)."""
    if value is None:
        return ""
    if isinstance(value, Text):
        text = value.plain
    elif isinstance(value, str):
        text = Text.from_markup(value).plain
    else:
        capture = Console(width=PLAIN_WIDTH, no_color=True, file=io.StringIO())
        with capture.capture() as captured:
            capture.print(value, soft_wrap=True)
        text = captured.get().rstrip("\n")
    return " ".join(text.splitlines())
