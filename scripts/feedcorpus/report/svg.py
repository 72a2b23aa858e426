"""Charts as inline SVG, drawn here: no JavaScript library, nothing loaded, readable without styles.

Horizontal bars (categories down the side, so long label names fit) and a heatmap. Every text is escaped;
each bar and cell carries a <title> with its exact value for a tooltip. The pages show the same figures in
a table next to each chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 760
FONT = 12
CHAR = 7.2  # average width of a 12px sans-serif character
Format = Callable[[float], str]


@dataclass(frozen=True)
class Series:
    """One bar per category; `colors`, when given, colours each category's bar on its own."""

    name: str
    color: str
    values: tuple[float, ...]
    colors: tuple[str, ...] | None = None


def text_width(text: str) -> float:
    """A generous estimate of a 12px sans-serif text's width (capitals are wide), to size label columns."""
    return sum(8.6 if c.isupper() or c.isdigit() else 6.8 if c.isalpha() else 4.6 for c in text)


def count(value: float) -> str:
    return f"{value:.0f}"


def ratio(value: float) -> str:
    return f"{value:.3f}"


def _text(x: float, y: float, content: str, *, anchor: str = "start", css: str = "", bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    extra = f' class="{css}"' if css else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{FONT}"{weight}{extra}>'
        f"{escape(content)}</text>"
    )


def _rect(x: float, y: float, w: float, h: float, color: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" fill="{escape(color)}">'
        f"<title>{escape(tip)}</title></rect>"
    )


def _frame(title: str, height: float, body: list[str], width: float = WIDTH) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" role="img" aria-label="{escape(title)}" font-family="sans-serif">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def _legend(series: Sequence[Series], y: float, x: float) -> list[str]:
    parts = []
    for item in series:
        parts.append(_rect(x, y - 10, 12, 12, item.color, item.name))
        parts.append(_text(x + 16, y, item.name))
        x += 16 + text_width(item.name) + 18
    return parts


def _ticks(maximum: float, fractional: bool) -> list[float]:
    """Four to six round steps up to the maximum."""
    if fractional:
        return [0, 0.25, 0.5, 0.75, 1.0]
    raw = maximum / 5
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return [step * i for i in range(int(maximum // step) + 2) if step * i <= maximum + step * 0.999]


def bars(
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    stacked: bool = False,
    fmt: Format = count,
    maximum: float | None = None,
    swatches: Sequence[str] | None = None,
) -> str:
    """Horizontal bars, one group per category: stacked (segments add up) or side by side."""
    left = max([text_width(c) for c in categories] + [30]) + (34 if swatches else 16)
    keyed = not (len(series) == 1 and series[0].colors)  # bars coloured per category need no legend
    top, right = (46.0 if keyed else 30.0), 70.0
    row = 24.0 if stacked else 14.0 * len(series) + 12
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    peak = maximum or max([*(totals if stacked else [v for s in series for v in s.values]), 1])
    ticks = _ticks(peak, fmt is ratio)
    scale = (WIDTH - left - right) / max(ticks[-1], peak)
    height = top + row * len(categories) + 30
    body = [_text(0, 16, title, bold=True), *(_legend(series, 36, left) if keyed else [])]
    for tick in ticks:
        x = left + tick * scale
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 24:.1f}" stroke="#ddd"/>')
        body.append(_text(x, height - 10, fmt(tick), anchor="middle", css="tick"))
    for i, category in enumerate(categories):
        y = top + i * row
        middle = y + row / 2 if stacked else y + 3 + 7 * len(series)  # the middle of the category's bars
        body.append(_text(left - 8, middle + 4, category, anchor="end"))
        if swatches:
            body.append(_rect(4, middle - 6, 12, 12, swatches[i], category))
        x = left
        for j, item in enumerate(series):
            value = item.values[i]
            width = value * scale
            if stacked:
                body.append(_rect(x, y + 3, width, row - 6, item.color, f"{category}, {item.name}: {fmt(value)}"))
                if width > len(fmt(value)) * CHAR + 6:
                    body.append(_text(x + width / 2, y + row / 2 + 4, fmt(value), anchor="middle"))
                x += width
            else:
                bar_y = y + 4 + j * 14
                color = item.colors[i] if item.colors else item.color
                body.append(_rect(left, bar_y, width, 12, color, f"{category}, {item.name}: {fmt(value)}"))
                body.append(_text(left + width + 4, bar_y + 10, fmt(value), css="value"))
        if stacked:
            body.append(_text(x + 4, y + row / 2 + 4, fmt(totals[i]), css="value", bold=True))
    return _frame(title, height, body)


def _shade(value: float) -> tuple[str, str]:
    """A cell colour from pale (0) to deep blue (1), and a text colour readable on it."""
    value = min(max(value, 0.0), 1.0)
    low, high = (247, 251, 255), (8, 69, 148)
    rgb = [round(a + (b - a) * value) for a, b in zip(low, high, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*rgb), ("#fff" if value > 0.55 else "#000")


def heatmap(
    title: str,
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[float | None]],
    *,
    fmt: Format = ratio,
    tips: Sequence[Sequence[str]] | None = None,
) -> str:
    """A table of values in 0..1 as shaded cells; None is an empty grey cell ("no entities")."""
    left = max([text_width(r) for r in rows] + [30]) + 14
    cell_w = max([text_width(c) for c in columns] + [40]) + 12
    cell_h, top = 28.0, 44.0
    height = top + cell_h * len(rows) + 8
    body = [_text(0, 16, title, bold=True)]
    for j, column in enumerate(columns):
        body.append(_text(left + (j + 0.5) * cell_w, top - 8, column, anchor="middle", css="column"))
    for i, name in enumerate(rows):
        y = top + i * cell_h
        body.append(_text(left - 8, y + cell_h / 2 + 4, name, anchor="end"))
        for j, value in enumerate(values[i]):
            x = left + j * cell_w
            tip = tips[i][j] if tips else f"{name}, {columns[j]}: {'–' if value is None else fmt(value)}"
            fill, ink = ("#eeeeee", "#666") if value is None else _shade(value)
            body.append(_rect(x + 1, y + 1, cell_w - 2, cell_h - 2, fill, tip))
            label = "–" if value is None else fmt(value)
            body.append(
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 4:.1f}" text-anchor="middle" '
                f'font-size="{FONT}" fill="{ink}">{escape(label)}</text>'
            )
    return _frame(title, height, body, max(left + cell_w * len(columns), len(title) * CHAR * 1.1))
