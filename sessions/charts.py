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

from django.utils.safestring import SafeString, mark_safe

from programmes.numbers import decimal_text
from programmes.text import conditionally_escaped as conditional_escape
from programmes.text import escaped as escape

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
    return "—" if rate is None else f"{decimal_text(rate, -1)} %"


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
    with the value printed after each bar. ``chart_id`` must be unique on the page.

    Written with plain strings, every text escaped as ``format_html`` would: it also escaped
    each number of each bar, and a page draws four charts."""
    track = size.track
    label_width, font = size.label_width, size.font_size
    bars, described = [], []
    for index, row in enumerate(rows):
        label, rate = str(row.label), row.rate
        value = rate_text(rate)
        y = TOP + index * ROW_HEIGHT
        text_y = y + BAR_HEIGHT - 4
        bars.append(
            f'<text class="chart__label" x="{label_width - 8}" y="{text_y}" font-size="{font}" '
            f'fill="#111111" text-anchor="end">{conditional_escape(_short(label, size))}</text>'
            f'<rect class="chart__track" x="{label_width}" y="{y}" width="{track}" '
            f'height="{BAR_HEIGHT}" fill="#f1f3f5"/>'
            f'<rect class="chart__bar" x="{label_width}" y="{y}" '
            f'width="{bar_length(rate, track)}" height="{BAR_HEIGHT}" fill="#1f4e79"/>'
            f'<text class="chart__value" x="{label_width + track + 8}" y="{text_y}" '
            f'font-size="{font}" fill="#111111">{conditional_escape(value)}</text>'
        )
        described.append(f"{label}: {value}")
    bottom = TOP + ROW_HEIGHT * len(bars)
    grid = "".join(
        f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{bottom}" stroke="#adb5bd" stroke-width="1"/>'
        f'<text x="{x}" y="{bottom + 15}" font-size="11" fill="#333333" text-anchor="middle">'
        f"{tick} %</text>"
        for tick, x in ((tick, label_width + track * tick // 100) for tick in GRID)
    )
    chart_id = conditional_escape(chart_id)
    return mark_safe(  # noqa: S308 - every text is escaped, the rest are numbers
        '<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {size.width} {bottom + AXIS_HEIGHT}" width="{size.width}" '
        f'height="{bottom + AXIS_HEIGHT}" font-family="DejaVu Sans, sans-serif" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{conditional_escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape("; ".join(described))}</desc>'
        f"{grid}{''.join(bars)}</svg>"
    )
