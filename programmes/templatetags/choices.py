"""``{{ line|choice_label:"category" }}``: what ``line.get_category_display`` shows, from the
field's choices translated once per language.

``get_FOO_display`` builds a dictionary of the field's choices on every call, translating
each label to hash it: a table row of the finances page paid some ten catalogue look-ups for
one label.
"""

from django import template
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

from programmes.translated import per_language

register = template.Library()


@per_language
def _labels() -> dict:
    """(model, field name) -> {value: label}, filled as pages ask."""
    return {}


@register.filter
def choice_label(instance, name: str):
    labels = _labels()
    key = (type(instance), name)
    choices = labels.get(key)
    field = instance._meta.get_field(name)
    if choices is None:
        choices = labels[key] = {
            make_hashable(value): force_str(label) for value, label in field.flatchoices
        }
    value = getattr(instance, field.attname)
    return force_str(choices.get(make_hashable(value), value), strings_only=True)
