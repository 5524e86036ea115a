"""Simple bar charts drawn as SVG on the server: no chart library, nothing from a CDN."""

from dataclasses import dataclass

from django import template

register = template.Library()

ROW_HEIGHT = 28
LABEL_WIDTH = 150
TRACK_WIDTH = 150


@dataclass(frozen=True)
class Bar:
    label: str
    value: str
    y: int
    width: int


@register.inclusion_tag("sessions/components/bar_chart.html")
def rate_chart(rows, title: str = ""):
    """One horizontal bar per row (anything with ``label`` and ``rate`` in percent); a row
    without a rate (nothing expected yet) gets an empty track and a dash. The chart is drawn
    at its natural size (356 px wide, readable on a phone) and only shrinks when narrower."""
    bars = []
    for index, row in enumerate(rows):
        rate = row.rate
        label = str(row.label)
        bars.append(
            Bar(
                label=label if len(label) <= 20 else f"{label[:19]}…",
                value="—" if rate is None else f"{rate:.0f} %",
                y=index * ROW_HEIGHT,
                width=0 if rate is None else round(float(rate) * TRACK_WIDTH / 100),
            )
        )
    return {
        "bars": bars,
        "title": title,
        "height": max(len(bars), 1) * ROW_HEIGHT,
        "label_width": LABEL_WIDTH,
        "track_width": TRACK_WIDTH,
        "value_x": LABEL_WIDTH + TRACK_WIDTH + 8,
        "total_width": LABEL_WIDTH + TRACK_WIDTH + 56,
        "bar_height": ROW_HEIGHT - 10,
    }
