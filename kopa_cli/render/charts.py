"""Bar charts as inline SVG for HTML reports, drawn with leather.

leather (wireservice, the agate family) draws plain SVG through ElementTree: no scripts,
no fonts or images to fetch, and the same bytes for the same numbers, so a report's golden
file stays stable. (pygal, the other candidate, embeds a script, a random id and the day's
date in every chart.) kopa wraps leather's drawing in its own ``<svg role="img">`` with a
``<title>`` and ``<desc>`` that read out every bar, for screen readers; the report prints
the same numbers in a table beside the chart.

Imported only when an HTML report is rendered.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from decimal import Decimal

import leather
from markupsafe import Markup

from kopa_cli.core import formatting

WIDTH = 640
BAR_HEIGHT = 28
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Liberation Sans', sans-serif"

# leather's look is module-level settings: a plain system font, no grey panel, kopa's blue.
for _setting in ("title_font_family", "legend_font_family", "axis_title_font_family", "tick_font_family"):
    setattr(leather.theme, _setting, _FONT)
leather.theme.background_color = "#ffffff"
_BAR_COLOR = "#1f5f99"


def bar_chart(chart_id: str, title: str, bars: Sequence[tuple[str, Decimal | int]],
              shown: Callable[[Decimal | int], str]) -> Markup:
    """A horizontal bar chart of ``bars`` ((label, value), top to bottom) as an ``<svg>`` element.

    ``shown`` formats a value for the text alternative (e.g. the money filter); the axis shows
    whole numbers, grouped as the language writes them.
    ``chart_id`` must be unique in the page: it ties the ``<title>`` and ``<desc>`` to the chart.
    """
    values = [(float(value), label) for label, value in bars]  # drawn only: the table has the exact values
    chart = leather.Chart()
    chart.add_x_axis(tick_formatter=lambda value, _index, _count: formatting.number(round(value)))
    chart.add_bars(values, fill_color=_BAR_COLOR)
    height = 60 + BAR_HEIGHT * max(1, len(bars))
    svg = ET.Element("svg", {
        "xmlns": "http://www.w3.org/2000/svg",
        "viewBox": f"0 0 {WIDTH} {height}",
        "width": "100%",
        "role": "img",
        "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
        "class": "chart",
    })
    ET.SubElement(svg, "title", id=f"{chart_id}-title").text = title
    ET.SubElement(svg, "desc", id=f"{chart_id}-desc").text = "; ".join(f"{label}: {shown(value)}" for label, value in bars)
    svg.append(chart.to_svg_group(width=WIDTH, height=height))
    return Markup(ET.tostring(svg, encoding="unicode"))
