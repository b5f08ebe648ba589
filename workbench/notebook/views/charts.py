"""Small inline SVG charts: a metric line, paired histograms, a task timeline.

matplotlib is not a dependency, and these charts are simple enough that a few SVG
elements draw them; SVG inside an HTML widget renders the same in JupyterLab, Notebook
7 and VS Code and needs no extra front-end code. Colours work on light and dark themes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from workbench.notebook.views.formatting import aware, status_color
from workbench.notebook.views.markup import Safe, esc

LINE = "#1e88e5"
"""Colour of a metric line and of the reference side of a histogram."""

SECOND = "#ef6c00"
"""Colour of the current side of a histogram and of highlighted points."""

MAX_X_LABELS = 12
"""A line with more points labels this many, evenly spread from the first to the last."""

_TEXT = 'fill="currentColor" font-size="10" font-family="system-ui, sans-serif"'


def _svg(width: int, height: int, body: str, title: str) -> Safe:
    return Safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img"><title>{esc(title)}</title>{body}</svg>'
    )


def line_chart(
    points: Sequence[tuple[str, float]],
    *,
    title: str,
    highlight: Sequence[int] = (),
    width: int = 420,
    height: int = 160,
) -> Safe:
    """A line through ``(label, value)`` points in order; ``highlight`` indexes get rings.

    Args:
        points: x labels (e.g. ``v3``) and values, left to right.
        title: What the chart shows (the SVG title, read by screen readers).
        highlight: Indexes of points to mark, e.g. the production version.
        width: Pixels.
        height: Pixels.
    """
    if not points:
        return Safe("")
    left, right, top, bottom = 48, 12, 10, 22
    values = [v for _, v in points]
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 0.5, high + 0.5
    step = (width - left - right) / max(len(points) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        y = top + (high - v) / (high - low) * (height - top - bottom)
        return left + i * step, y

    coords = [xy(i, v) for i, v in enumerate(values)]
    shown = min(len(points), MAX_X_LABELS)
    labelled = {round(k * (len(points) - 1) / max(shown - 1, 1)) for k in range(shown)}
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    body = [
        f'<text x="2" y="{top + 8}" {_TEXT}>{high:.4g}</text>',
        f'<text x="2" y="{height - bottom}" {_TEXT}>{low:.4g}</text>',
        f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>',
    ]
    for i, ((x, y), (label, value)) in enumerate(zip(coords, points, strict=True)):
        ring = f' stroke="{SECOND}" stroke-width="2"' if i in highlight else ""
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{LINE}"{ring}>'
            f"<title>{esc(label)}: {value:.4f}</title></circle>"
        )
        if i in labelled:
            body.append(
                f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" {_TEXT}>'
                f"{esc(label)}</text>"
            )
    return _svg(width, height, "".join(body), title)


def paired_histogram(
    labels: Sequence[str],
    reference: Sequence[float],
    current: Sequence[float],
    *,
    title: str,
    width: int = 420,
    height: int = 150,
) -> Safe:
    """Two bar series side by side per bin: the reference (blue) and the current (orange).

    Values are drawn as given (counts or shares); both series share one scale, so pass
    shares when the two samples differ in size.
    """
    if not labels or len(labels) != len(reference) or len(labels) != len(current):
        return Safe("")
    left, bottom, top = 4, 22, 8
    peak = max([*reference, *current, 1e-12])
    slot = (width - left * 2) / len(labels)
    bar = max(slot / 2 - 1, 1)
    body = []
    for i, (label, ref, cur) in enumerate(zip(labels, reference, current, strict=True)):
        for j, (value, color) in enumerate(((ref, LINE), (cur, SECOND))):
            h = value / peak * (height - top - bottom)
            x = left + i * slot + j * bar
            body.append(
                f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{bar:.1f}" '
                f'height="{h:.1f}" fill="{color}"><title>{esc(label)}: '
                f"{'reference' if j == 0 else 'current'} {value:.4g}</title></rect>"
            )
        if len(labels) <= 12:
            body.append(
                f'<text x="{left + i * slot + slot / 2:.1f}" y="{height - 8}" '
                f'text-anchor="middle" {_TEXT}>{esc(label[:10])}</text>'
            )
    return _svg(width, height, "".join(body), title)


@dataclass(frozen=True)
class Bar:
    """One task on a timeline."""

    label: str
    """Task name."""
    status: str
    """Its status (sets the colour)."""
    start: datetime | None
    """When it started; None draws nothing for it."""
    end: datetime | None
    """When it ended; None while it is still running (drawn up to the latest time seen)."""


def timeline(bars: Sequence[Bar], *, title: str, width: int = 420) -> Safe:
    """A Gantt strip: one row per task, from its start to its end, coloured by status."""
    started = [b for b in bars if b.start is not None]
    if not started:
        return Safe("")
    origin = min(aware(b.start) for b in started if b.start)
    ends = [aware(t) for b in started for t in (b.start, b.end) if t is not None]
    total = max((max(ends) - origin).total_seconds(), 1e-3)
    row, label_w = 16, 170
    scale = (width - label_w - 8) / total
    body = []
    for i, item in enumerate(bars):
        y = i * row
        body.append(f'<text x="0" y="{y + 11}" {_TEXT}>{esc(item.label[:28])}</text>')
        if item.start is None:
            continue
        x0 = (aware(item.start) - origin).total_seconds() * scale
        x1 = ((aware(item.end) if item.end else max(ends)) - origin).total_seconds() * scale
        color = status_color(item.status)
        body.append(
            f'<rect x="{label_w + x0:.1f}" y="{y + 3}" width="{max(x1 - x0, 2):.1f}" '
            f'height="{row - 6}" rx="2" fill="{color}"><title>{esc(item.label)}: '
            f"{esc(item.status)}</title></rect>"
        )
    return _svg(width, max(len(bars), 1) * row + 2, "".join(body), title)


def unit_curve(
    x: Sequence[float],
    y: Sequence[float],
    *,
    title: str,
    x_label: str,
    y_label: str,
    diagonal: bool = True,
    width: int = 260,
    height: int = 230,
) -> Safe:
    """A curve over the unit square (ROC, precision-recall, calibration).

    Args:
        x: Points' x values in [0, 1], in drawing order.
        y: Their y values in [0, 1].
        title: What the chart shows (drawn above it and read by screen readers).
        x_label: The x axis.
        y_label: The y axis.
        diagonal: Draw the dashed line y = x (chance for ROC, perfect calibration).
        width: Pixels.
        height: Pixels.
    """
    if not x or len(x) != len(y):
        return Safe("")
    left, right, top, bottom = 30, 8, 18, 30
    w, h = width - left - right, height - top - bottom

    def xy(a: float, b: float) -> str:
        return f"{left + a * w:.1f},{top + (1 - b) * h:.1f}"

    body = [
        f'<text x="{left}" y="11" {_TEXT} font-weight="600">{esc(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{w}" height="{h}" fill="none" '
        'stroke="currentColor" stroke-opacity="0.3"/>',
        f'<text x="2" y="{top + 8}" {_TEXT}>1</text>',
        f'<text x="2" y="{top + h}" {_TEXT}>0</text>',
        f'<text x="{left + w / 2:.0f}" y="{height - 16}" text-anchor="middle" {_TEXT}>'
        f"{esc(x_label)}</text>",
        f'<text x="{left}" y="{height - 4}" {_TEXT} opacity="0.7">y: {esc(y_label)}</text>',
    ]
    if diagonal:
        body.append(
            f'<polyline points="{xy(0, 0)} {xy(1, 1)}" fill="none" stroke="currentColor" '
            'stroke-opacity="0.4" stroke-dasharray="4 3"/>'
        )
    path = " ".join(xy(a, b) for a, b in zip(x, y, strict=True))
    body.append(f'<polyline points="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    return _svg(width, height, "".join(body), title)


def bar_list(items: Sequence[tuple[str, float]], *, title: str, width: int = 420) -> Safe:
    """Horizontal bars, one per ``(label, value)`` in order, scaled to the largest value.

    Negative values draw no bar (their number is still shown).
    """
    if not items:
        return Safe("")
    row, label_w, value_w = 16, 150, 64
    peak = max(*(v for _, v in items), 1e-12)
    span = width - label_w - value_w
    body = []
    for i, (label, value) in enumerate(items):
        y = i * row
        size = max(value, 0.0) / peak * span
        body.append(f'<text x="0" y="{y + 11}" {_TEXT}>{esc(label[:24])}</text>')
        body.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{size:.1f}" height="{row - 6}" '
            f'fill="{LINE}"><title>{esc(label)}: {value:.4g}</title></rect>'
        )
        body.append(f'<text x="{label_w + size + 4:.1f}" y="{y + 11}" {_TEXT}>{value:.4g}</text>')
    return _svg(width, len(items) * row + 2, "".join(body), title)


def count_bars(
    labels: Sequence[str], counts: Sequence[int], *, title: str, width: int = 420, height: int = 150
) -> Safe:
    """Vertical bars of counts per bin (a histogram), every few bins labelled."""
    if not counts or len(labels) != len(counts):
        return Safe("")
    left, bottom, top = 4, 22, 8
    peak = max(*counts, 1)
    slot = (width - left * 2) / len(counts)
    every = max(len(counts) // 6, 1)
    body = []
    for i, (label, count) in enumerate(zip(labels, counts, strict=True)):
        h = count / peak * (height - top - bottom)
        x = left + i * slot
        body.append(
            f'<rect x="{x:.1f}" y="{height - bottom - h:.1f}" width="{max(slot - 1, 1):.1f}" '
            f'height="{h:.1f}" fill="{LINE}"><title>{esc(label)}: {count}</title></rect>'
        )
        if i % every == 0:
            body.append(
                f'<text x="{x + slot / 2:.1f}" y="{height - 8}" text-anchor="middle" {_TEXT}>'
                f"{esc(label)}</text>"
            )
    return _svg(width, height, "".join(body), title)
