"""``{{ amount|money }}``: an amount in euros as ``floatformat:"2g"`` writes it, for less.

Two decimals rounded half up, the digits grouped by thousands with the reader's language's
separators ("12 345,60" in French, "12,345.60" in English). ``floatformat`` builds a decimal
context, a list of digits and three lookups of the language's formats for every amount, and
the finances page prints some seventy of them. Anything but an ordinary amount (``None``, a
text that is no number, an infinite or enormous number) goes to ``floatformat`` itself, so the
two never disagree.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.safestring import SafeString

from cotraining.translated import per_language

register = template.Library()

CENT = Decimal("0.01")
# Amounts below this are quantized within the default decimal context (28 digits).
LIMIT = Decimal(10) ** 20


@per_language
def _separators() -> tuple[str, str, object]:
    """The language's decimal and thousand separators and its grouping, from its format module."""
    return (
        formats.get_format("DECIMAL_SEPARATOR"),
        formats.get_format("THOUSAND_SEPARATOR"),
        formats.get_format("NUMBER_GROUPING"),
    )


def money_format(value) -> str:
    """``value`` with two decimals, grouped, in the active language, as ``floatformat(value,
    "2g")`` writes it."""
    if isinstance(value, float):
        value = str(value)  # as floatformat reads a float: 2.675 stays 2.675, rounded to 2.68
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return floatformat(value, "2g")
    if not amount.is_finite() or abs(amount) >= LIMIT:
        return floatformat(value, "2g")
    decimal_separator, thousand_separator, grouping = _separators()
    if not isinstance(grouping, int) or grouping <= 0:
        return floatformat(value, "2g")
    text = f"{amount.quantize(CENT, ROUND_HALF_UP):f}"
    sign = ""
    if text[0] == "-":
        text = text[1:]
        if text != "0.00":  # floatformat writes no sign before a zero
            sign = "-"
    whole, cents = text.split(".")
    if len(whole) > grouping:
        head = len(whole) % grouping or grouping
        groups = [whole[:head]]
        groups += [whole[i : i + grouping] for i in range(head, len(whole), grouping)]
        whole = thousand_separator.join(groups)
    return SafeString(f"{sign}{whole}{decimal_separator}{cents}")


@register.filter(is_safe=True)
def money(value) -> str:
    return money_format(value)
