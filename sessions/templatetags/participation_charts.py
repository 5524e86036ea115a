"""The participation page's charts: :func:`sessions.charts.rate_chart` at screen size."""

from django import template

from sessions.charts import SCREEN
from sessions.charts import rate_chart as draw_rate_chart

register = template.Library()


@register.simple_tag
def rate_chart(rows, *, title: str, chart_id: str):
    """One horizontal bar per row (anything with ``label`` and ``rate`` in percent)."""
    return draw_rate_chart(rows, title=title, chart_id=chart_id, size=SCREEN)
