"""``{% load i18n i18n_once %}``: ``{% translate "text" %}`` looked up once per language.

Django's ``{% translate %}`` looks the text up in the catalogue on every render, about as
costly as rendering a table cell; a page says thirty to eighty fixed texts, the frame a dozen.
Loaded after ``i18n``, this library's ``translate`` (and ``trans``) compiles the tag with
Django's own parser and, when the text and its context are written in the template (no
variable, no filter), keeps what Django rendered for each language, then reuses it; any other
use of the tag stays Django's node. The tag's syntax is unchanged, so ``makemessages`` reads
it as before. What is kept is forgotten when a setting changes (a test that swaps the
languages or the catalogues).
"""

from django import template
from django.template.base import FilterExpression, Variable
from django.templatetags.i18n import TranslateNode, do_translate
from django.utils.translation import get_language

from programmes.translated import forgotten_with_settings

register = template.Library()

_rendered: dict[tuple, str] = forgotten_with_settings({})


def _constant(expression: FilterExpression | None) -> bool:
    if expression is None:
        return True
    if expression.filters:
        return False
    var = expression.var
    if isinstance(var, Variable):
        return var.literal is not None and var.lookups is None
    return isinstance(var, str)  # a constant the parser has already resolved


class TranslateOnceNode(TranslateNode):
    """A ``{% translate %}`` of a text written in the template, rendered once per language."""

    def __init__(self, node: TranslateNode):
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        context = node.message_context.var if node.message_context else None
        self.key = (self.filter_expression.var.literal, context, node.noop)

    def render(self, context):
        key = (self.key, get_language(), context.autoescape)
        try:
            value = _rendered[key]
        except KeyError:
            value = super().render(context)
            if self.asvar:
                value = context[self.asvar]
            _rendered[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def translate_once(parser, token):
    node = do_translate(parser, token)
    if _constant(node.filter_expression) and _constant(node.message_context):
        return TranslateOnceNode(node)
    return node
