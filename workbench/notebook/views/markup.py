"""Small HTML building blocks shared by the panels and the ``_repr_html_`` views.

Everything a user or a data file can influence (names, messages, values) is escaped;
only strings wrapped in :class:`Safe` (built here from escaped parts) go in raw. Styles
are inline so the output looks the same in JupyterLab 4, Notebook 7 and VS Code, and
colours use ``currentColor`` where they can so dark themes stay readable.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from workbench.core.records import LineageNode
from workbench.notebook.views.formatting import status_color

FONT = "font-family: var(--jp-ui-font-family, system-ui, sans-serif); font-size: 13px;"
"""Font of every block, following the notebook's UI font where there is one."""


class Safe(str):
    """HTML that was built from escaped parts and may be inserted as it is."""

    __slots__ = ()


def esc(value: object) -> Safe:
    """``value`` as text inside HTML (``Safe`` values pass through unchanged)."""
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value)))


def join(parts: Iterable[object], sep: str = "") -> Safe:
    """Several pieces of HTML, escaped unless already safe, joined by ``sep``."""
    return Safe(sep.join(esc(p) for p in parts))


def badge(status: str, text: str | None = None) -> Safe:
    """A status word on its colour (grey for statuses without one)."""
    color = status_color(status)
    return Safe(
        f'<span style="background:{color};color:#fff;border-radius:3px;padding:0 5px;'
        f'font-size:12px;white-space:nowrap">{esc(text if text is not None else status)}</span>'
    )


def heading(text: str) -> Safe:
    """A small section title."""
    return Safe(f'<div style="{FONT}font-weight:600;margin:6px 0 2px">{esc(text)}</div>')


def note(text: str) -> Safe:
    """A dimmed explanatory line (empty states, hints)."""
    return Safe(f'<div style="{FONT}opacity:0.7;margin:2px 0">{esc(text)}</div>')


def message(text: str) -> Safe:
    """A confirmation after an action, e.g. "model version 2 approved"."""
    return Safe(
        f'<div style="{FONT}border-left:3px solid #2e7d32;padding:2px 8px;margin:2px 0">'
        f"{esc(text)}</div>"
    )


def error(text: str) -> Safe:
    """A :class:`WorkbenchError` as a person reads it: red, one block, nothing hidden."""
    return Safe(
        f'<div style="{FONT}border-left:3px solid #c62828;color:#c62828;padding:2px 8px;'
        f'margin:2px 0;white-space:pre-wrap"><b>Error:</b> {esc(text)}</div>'
    )


def table(
    headers: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    right: Iterable[int] = (),
    empty: str = "nothing yet",
) -> Safe:
    """An HTML table; cells are escaped unless :class:`Safe`, ``right`` columns align right."""
    align = set(right)
    cell = "padding:2px 8px;border-bottom:1px solid rgba(127,127,127,0.25);"
    head = "".join(
        f'<th style="{cell}text-align:{"right" if i in align else "left"}">{esc(h)}</th>'
        for i, h in enumerate(headers)
    )
    body = [
        "<tr>"
        + "".join(
            f'<td style="{cell}text-align:{"right" if i in align else "left"}">{esc(v)}</td>'
            for i, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    ]
    if not body:
        return note(empty)
    return Safe(
        f'<table style="{FONT}border-collapse:collapse;margin:2px 0">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def tree(node: LineageNode) -> Safe:
    """A lineage tree as nested lists, each node labelled with its kind."""
    children = "".join(f"<li>{tree(child)}</li>" for child in node.children)
    label = f'<span style="opacity:0.6">{esc(node.kind)}</span> {esc(node.label)}'
    if not children:
        return Safe(label)
    return Safe(f'{label}<ul style="margin:0;padding-left:18px;list-style:circle">{children}</ul>')


def block(*parts: object) -> Safe:
    """Pieces stacked in one ``div`` carrying the notebook font."""
    return Safe(f'<div style="{FONT}">{join(parts)}</div>')
