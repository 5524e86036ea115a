"""Bar charts drawn as SVG by our own code, embedded in the PDFs (WeasyPrint draws inline SVG).

A chart is a picture of figures the document also prints in a table next to it, so a reader who
cannot see it loses nothing; it carries a title and a description for screen readers.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 70
BAR_HEIGHT = 16
ROW_HEIGHT = 24
TOP = 8
AXIS_HEIGHT = 22
GRID = (0, 25, 50, 75, 100)
MAX_LABEL = 32


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | None  # a percentage; None when there is nothing to measure yet


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def _percent(value: Decimal | None) -> str:
    """As in the tables: one decimal, none for a whole number (95,2 %, 100 %)."""
    return "—" if value is None else f"{floatformat(value, -1)} %"


def rate_chart(bars: Sequence[Bar], *, title: str, chart_id: str) -> SafeString:
    """Horizontal bars from 0 to 100 %, one per line, with the value printed after each bar."""
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW_HEIGHT * len(bars) + AXIS_HEIGHT
    bottom = TOP + ROW_HEIGHT * len(bars)
    grid = format_html_join(
        "",
        '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="#adb5bd" stroke-width="1"/>'
        '<text x="{x}" y="{label_y}" font-size="11" fill="#333333" text-anchor="middle">'
        "{tick} %</text>",
        (
            {
                "x": LABEL_WIDTH + area * tick // 100,
                "top": TOP,
                "bottom": bottom,
                "label_y": bottom + 15,
                "tick": tick,
            }
            for tick in GRID
        ),
    )
    rows = format_html_join(
        "",
        '<text x="{label_x}" y="{text_y}" font-size="12" fill="#111111" text-anchor="end">'
        "{label}</text>"
        '<rect x="{x}" y="{y}" width="{width}" height="{bar}" fill="#1f4e79"/>'
        '<text x="{value_x}" y="{text_y}" font-size="12" fill="#111111">{value}</text>',
        (
            {
                "label_x": LABEL_WIDTH - 8,
                "text_y": TOP + index * ROW_HEIGHT + BAR_HEIGHT - 4,
                "label": _short(bar.label),
                "x": LABEL_WIDTH,
                "y": TOP + index * ROW_HEIGHT,
                "width": f"{area * min(bar.value or 0, 100) / 100:.1f}",
                "bar": BAR_HEIGHT,
                "value_x": LABEL_WIDTH + area + 8,
                "value": _percent(bar.value),
            }
            for index, bar in enumerate(bars)
        ),
    )
    description = "; ".join(f"{bar.label}: {_percent(bar.value)}" for bar in bars)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="DejaVu Sans, sans-serif" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "{grid}{rows}</svg>",
        width=WIDTH,
        height=height,
        id=chart_id,
        title=title,
        description=description,
        grid=grid,
        rows=rows,
    )
