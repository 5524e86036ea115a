"""The participation page's charts: :func:`sessions.charts.rate_chart` at screen size."""

from django import template

from sessions.charts import PRINT, SCREEN
from sessions.charts import rate_chart as draw_rate_chart

register = template.Library()


@register.simple_tag
def rate_chart(rows, *, title: str, chart_id: str, printed: bool = False):
    """One horizontal bar per row (anything with ``label`` and ``rate`` in percent); at print
    size for a document (``printed``)."""
    return draw_rate_chart(rows, title=title, chart_id=chart_id, size=PRINT if printed else SCREEN)
