"""Numbers written as Django's ``floatformat`` filter writes them, for a fraction of its cost.

``floatformat`` builds a decimal context, a list of digits and looks up the language's three
number formats for every value; the finances page prints some seventy amounts and the
participation page some fifty rates. :func:`decimal_text` gives the same text: rounded half up,
the reader's decimal separator, grouped by thousands when asked (or when
``USE_THOUSAND_SEPARATOR`` is on). Anything but an ordinary number (``None``, a text that is no
number, an infinite or enormous value, an unusual grouping) goes to ``floatformat`` itself, so
the two never disagree; ``tests/programmes/test_numbers.py`` compares them on many values.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.safestring import SafeString

from programmes.translated import per_language

# Values below this are rounded within the default decimal context (28 digits).
LIMIT = Decimal(10) ** 20
_STEPS = {places: Decimal(1).scaleb(-places) for places in range(7)}


@per_language
def _separators() -> tuple[str, str, object]:
    """The language's decimal and thousand separators and its grouping, from its format module."""
    return (
        formats.get_format("DECIMAL_SEPARATOR"),
        formats.get_format("THOUSAND_SEPARATOR"),
        formats.get_format("NUMBER_GROUPING"),
    )


def decimal_text(value, places: int, *, grouped: bool = False) -> str:
    """``floatformat(value, places)``, or ``floatformat(value, f"{places}g")`` when ``grouped``:
    ``places`` decimals when positive; when negative, at most that many and none for a whole
    number."""
    if isinstance(value, float):
        value = str(value)  # as floatformat reads a float: 2.675 stays 2.675, rounded to 2.68
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        number = None
    step = _STEPS.get(abs(places))
    if number is None or step is None or not number.is_finite() or abs(number) >= LIMIT:
        return floatformat(value, f"{places}g" if grouped else places)
    decimal_separator, thousand_separator, grouping = _separators()
    grouped = grouped or settings.USE_THOUSAND_SEPARATOR
    if grouped and (not isinstance(grouping, int) or grouping < 0):
        return floatformat(value, f"{places}g" if grouped else places)
    if places <= 0 and number == number.to_integral_value():
        whole, fraction = str(int(number)), ""
    else:
        whole, _, fraction = f"{number.quantize(step, ROUND_HALF_UP):f}".partition(".")
    sign = ""
    if whole[0] == "-":
        whole = whole[1:]
        if whole.strip("0") or fraction.strip("0"):  # floatformat writes no sign before a zero
            sign = "-"
    if grouped and grouping and len(whole) > grouping:
        head = len(whole) % grouping or grouping
        groups = [whole[:head]]
        groups += [whole[i : i + grouping] for i in range(head, len(whole), grouping)]
        whole = thousand_separator.join(groups)
    if fraction:
        return SafeString(f"{sign}{whole}{decimal_separator}{fraction}")
    return SafeString(f"{sign}{whole}")


def money_text(value) -> str:
    """An amount in euros as the pages write it: ``floatformat(value, "2g")``."""
    return decimal_text(value, 2, grouped=True)
