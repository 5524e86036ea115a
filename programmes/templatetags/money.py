"""``{{ amount|money }}``: an amount in euros as ``floatformat:"2g"`` writes it ("12 345,60" in
French, "12,345.60" in English), at a fifth of its cost (:mod:`programmes.numbers`)."""

from django import template

from programmes.numbers import money_text

register = template.Library()


@register.filter(is_safe=True)
def money(value) -> str:
    return money_text(value)
