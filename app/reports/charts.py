"""Horizontal bar charts drawn as inline SVG on the server (no script needed).

Each bar is a ``<rect class="bar">`` with a ``<title>`` (label and value) for screen
readers and tooltips; the value is also written as text next to the bar.
"""

from __future__ import annotations

from markupsafe import Markup, escape

ROW_HEIGHT = 28
LABEL_WIDTH = 260  # question names such as hospital.pick_department fit
BAR_WIDTH = 320
VALUE_WIDTH = 70


def bar_chart(title: str, bars: list[tuple[str, float]], *, unit: str = "") -> Markup:
    """An SVG chart with one bar per (label, value); an empty list draws no bars."""
    top = max((value for _, value in bars), default=0) or 1
    height = ROW_HEIGHT * max(len(bars), 1)
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" aria-label="{escape(title)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for row, (label, value) in enumerate(bars):
        y = row * ROW_HEIGHT
        length = round(BAR_WIDTH * value / top, 1)
        shown = f"{value:g}{unit}"
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 19}" text-anchor="end">{escape(label)}</text>'
            f'<rect class="bar" x="{LABEL_WIDTH}" y="{y + 4}" width="{length}" '
            f'height="{ROW_HEIGHT - 8}" fill="#2f6f9f">'
            f"<title>{escape(label)}：{escape(shown)}</title></rect>"
            f'<text x="{LABEL_WIDTH + length + 6}" y="{y + 19}">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
