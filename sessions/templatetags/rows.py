"""``{{ pattern|row_url:pk }}``: a row's address from its list's pattern (``programmes.addresses``),
instead of a ``{% url %}`` resolved for every row."""

from django import template

from programmes.addresses import row_url as _row_url

register = template.Library()


@register.filter
def row_url(pattern: str, pk) -> str:
    return _row_url(pattern, pk)
