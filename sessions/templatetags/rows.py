"""``{{ pattern|row_url:pk }}``: a row's address from its list's pattern (``programmes.addresses``),
instead of a ``{% url %}`` resolved for every row; ``{% row_pattern "app:view" slug as pattern %}``
makes the pattern in a template, once before the loop."""

from django import template

from programmes.addresses import row_pattern as _row_pattern
from programmes.addresses import row_url as _row_url

register = template.Library()


@register.filter
def row_url(pattern: str, pk) -> str:
    return _row_url(pattern, pk)


@register.simple_tag
def row_pattern(viewname: str, *args, after: str = "") -> str:
    """The address of ``viewname`` for ``args``, then the row's place, then ``after`` (one
    more argument, when the row is not the last)."""
    return _row_pattern(viewname, *args, after=(after,) if after else ())
