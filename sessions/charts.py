"""Bar charts of rates drawn as SVG by our own code: no chart library, nothing from a CDN.

One helper for the pages and the documents: the participation page shows the chart in the
browser (``templatetags/participation_charts.py``) and the reports print it (WeasyPrint draws
inline SVG); only the size differs. A chart pictures figures printed in a table next to it, so a
reader who cannot see it loses nothing; it carries a title and a description for screen readers.

One rounding rule, the tables' own: a rate is printed with at most one decimal and none for a
whole number, in the reader's language (95,2 %, 100 %), and its bar is drawn to that same
rate, a tenth of a pixel at most from its exact length. A line without a rate (nothing expected
yet) has no bar and a dash.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

GRID = (0, 25, 50, 75, 100)
ROW_HEIGHT = 24
BAR_HEIGHT = 16
TOP = 8
AXIS_HEIGHT = 22


@dataclass(frozen=True)
class ChartSize:
    """Where a chart is shown: its width, the room for labels and values, the font size and
    how many characters of a label fit before it is cut."""

    width: int
    label_width: int
    value_width: int
    font_size: int
    max_label: int

    @property
    def track(self) -> int:
        return self.width - self.label_width - self.value_width


# Readable on a phone at its natural size; it only shrinks when the screen is narrower.
SCREEN = ChartSize(width=356, label_width=150, value_width=56, font_size=13, max_label=20)
# Across an A4 page's text column.
PRINT = ChartSize(width=640, label_width=210, value_width=70, font_size=12, max_label=32)


def rate_text(rate: Decimal | None) -> str:
    """A rate as the tables print it: "95,2 %", "100 %", or a dash when there is none."""
    return "—" if rate is None else f"{floatformat(rate, -1)} %"


def bar_length(rate: Decimal | None, track: int) -> str:
    """The length of a rate's bar on a track of ``track`` units (0 to 100 %), one decimal."""
    if rate is None:
        return "0.0"
    share = min(max(Decimal(rate), Decimal(0)), Decimal(100)) / 100
    return f"{track * share:.1f}"


def _short(label: str, size: ChartSize) -> str:
    return label if len(label) <= size.max_label else label[: size.max_label - 1] + "…"


def rate_chart(rows: Iterable, *, title: str, chart_id: str, size: ChartSize) -> SafeString:
    """Horizontal bars from 0 to 100 %, one per row (anything with ``label`` and ``rate``),
    with the value printed after each bar. ``chart_id`` must be unique on the page."""
    rows = list(rows)
    track = size.track
    bottom = TOP + ROW_HEIGHT * len(rows)
    grid = format_html_join(
        "",
        '<line x1="{x}" y1="{top}" x2="{x}" y2="{bottom}" stroke="#adb5bd" stroke-width="1"/>'
        '<text x="{x}" y="{label_y}" font-size="11" fill="#333333" text-anchor="middle">'
        "{tick} %</text>",
        (
            {
                "x": size.label_width + track * tick // 100,
                "top": TOP,
                "bottom": bottom,
                "label_y": bottom + 15,
                "tick": tick,
            }
            for tick in GRID
        ),
    )
    bars = format_html_join(
        "",
        '<text class="chart__label" x="{label_x}" y="{text_y}" font-size="{font}" '
        'fill="#111111" text-anchor="end">{label}</text>'
        '<rect class="chart__track" x="{x}" y="{y}" width="{track}" height="{bar}" '
        'fill="#f1f3f5"/>'
        '<rect class="chart__bar" x="{x}" y="{y}" width="{length}" height="{bar}" '
        'fill="#1f4e79"/>'
        '<text class="chart__value" x="{value_x}" y="{text_y}" font-size="{font}" '
        'fill="#111111">{value}</text>',
        (
            {
                "label_x": size.label_width - 8,
                "text_y": TOP + index * ROW_HEIGHT + BAR_HEIGHT - 4,
                "font": size.font_size,
                "label": _short(str(row.label), size),
                "x": size.label_width,
                "y": TOP + index * ROW_HEIGHT,
                "track": track,
                "length": bar_length(row.rate, track),
                "bar": BAR_HEIGHT,
                "value_x": size.label_width + track + 8,
                "value": rate_text(row.rate),
            }
            for index, row in enumerate(rows)
        ),
    )
    description = "; ".join(f"{row.label}: {rate_text(row.rate)}" for row in rows)
    height = bottom + AXIS_HEIGHT
    return format_html(
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        'font-family="DejaVu Sans, sans-serif" '
        'aria-labelledby="{id}-title {id}-desc">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>'
        "{grid}{bars}</svg>",
        width=size.width,
        height=height,
        id=chart_id,
        title=title,
        description=description,
        grid=grid,
        bars=bars,
    )
