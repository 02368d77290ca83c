"""Server-side SVG bar charts for the admin dashboard (no JavaScript, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

Number = int | float | Decimal


def bar_chart(
    points: Sequence[tuple[str, Number]],
    *,
    title: str,
    unit: str = "",
    width: int = 360,
    height: int = 120,
    color: str = "#417690",
) -> SafeString:
    """One bar per (label, value); each bar has a tooltip; the largest value labels the axis."""
    top = max((float(value) for _, value in points), default=0.0) or 1.0
    plot_top, plot_bottom = 16, height - 14
    slot = width / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = (plot_bottom - plot_top) * float(value) / top
        bars.append(
            (
                round(index * slot + slot * 0.1, 2),
                round(plot_bottom - bar_height, 2),
                round(slot * 0.8, 2),
                round(bar_height, 2),
                color,
                f"{label}: {value}{unit}",
            )
        )
    body = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
        bars,
    )
    first = points[0][0] if points else ""
    last = points[-1][0] if points else ""
    return format_html(
        '<svg class="chairside-chart" role="img" aria-label="{title}" viewBox="0 0 {w} {h}" width="{w}" height="{h}"'
        ' xmlns="http://www.w3.org/2000/svg">'
        '<text x="0" y="11" font-size="11" fill="#333">{title} (max {top}{unit})</text>'
        '<line x1="0" y1="{bottom}" x2="{w}" y2="{bottom}" stroke="#ccc"/>{body}'
        '<text x="0" y="{h}" font-size="9" fill="#666">{first}</text>'
        '<text x="{w}" y="{h}" font-size="9" fill="#666" text-anchor="end">{last}</text></svg>',
        title=title,
        w=width,
        h=height,
        top=_plain(top if points else 0),
        unit=unit,
        bottom=plot_bottom,
        body=body,
        first=first,
        last=last,
    )


def _plain(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")
