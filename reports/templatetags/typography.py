"""Template filters of ``reports.typography``: ``date_long``, ``at_place``, ``french_spaces``."""

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

from reports import typography

register = template.Library()


@register.filter
def date_long(value):
    return typography.date_long(value)


@register.filter
def at_place(value):
    return typography.at_place(value)


@register.filter(needs_autoescape=True)
def french_spaces(value, autoescape=True):
    text = conditional_escape(value) if autoescape else str(value)
    return mark_safe(typography.french_spaces(str(text)))  # noqa: S308 - escaped above
