"""Numbers and ``{{ amount|money }}`` are written as ``floatformat`` wrote them, in both
languages (:mod:`programmes.numbers`); texts escaped as ``escape`` did (:mod:`programmes.text`)."""

import random
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.test import override_settings
from django.utils import translation
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

from programmes.numbers import decimal_text, money_text
from programmes.text import conditionally_escaped, escaped

SPECIAL = [
    None,
    "",
    "not a number",
    "12.5",
    "-1234567.891",
    0,
    -0.0,
    0.0,
    Decimal("0"),
    Decimal("-0"),
    Decimal("-0.001"),
    Decimal("-0.004"),
    Decimal("-0.005"),
    Decimal("0.005"),
    Decimal("0.015"),
    1.005,
    2.675,
    -1234.565,
    Decimal("100.10"),
    Decimal("999.995"),
    Decimal("-999.995"),
    Decimal("1234567.891"),
    Decimal("1E+3"),
    Decimal("1.23E-7"),
    Decimal("12345678901234567890.125"),
    Decimal("99999999999999999999.995"),
    10**15,
    -(10**15),
    10**25,
    1e16,
    1e-5,
    float("inf"),
    float("-inf"),
    float("nan"),
    Decimal("NaN"),
    Decimal("Infinity"),
    True,
    123,
    -7,
    999,
    1000,
    -1000,
]


def _random_amounts(count: int) -> list:
    draw = random.Random(15)  # noqa: S311 - test data, not secrets
    amounts: list = []
    for _ in range(count):
        amounts.append(Decimal(draw.randint(-(10**12), 10**12)) / Decimal(10) ** draw.randint(0, 5))
        amounts.append(round(draw.uniform(-1e7, 1e7), draw.randint(0, 4)))
        amounts.append(draw.randint(-(10**9), 10**9))
    return amounts


@pytest.mark.parametrize("language", ["fr", "en"])
def test_money_writes_what_floatformat_2g_writes(language):
    with translation.override(language):
        for amount in SPECIAL + _random_amounts(3000):
            assert money_text(amount) == floatformat(amount, "2g"), amount


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("places", [-2, -1, 0, 1, 2, 3])
def test_decimal_text_writes_what_floatformat_writes(language, places):
    values = SPECIAL + _random_amounts(500)
    values += [Decimal("95.04"), Decimal("95.05"), Decimal("-0.04"), Decimal("100.0"), 99.95]
    values += [Decimal(n) / 7 for n in range(-300, 300)]  # rates with long decimals
    with translation.override(language):
        for value in values:
            assert decimal_text(value, places) == floatformat(value, places), (value, places)
            assert decimal_text(value, places, grouped=True) == floatformat(value, f"{places}g")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_decimal_text_groups_as_floatformat_when_the_setting_asks(language, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    with translation.override(language):
        for value in SPECIAL + _random_amounts(300):
            assert decimal_text(value, -1) == floatformat(value, -1), value


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "-12\xa0345\xa0678,90 € / € / 1\xa0000,00 €"),
        ("en", "-12,345,678.90 € / € / 1,000.00 €"),
    ],
)
def test_money_in_a_template_follows_the_language(language, expected):
    template = Template("{% load money %}{{ a|money }} € / {{ b|money }}€ / {{ c|money }} €")
    with translation.override(language):
        rendered = template.render(Context({"a": Decimal("-12345678.9"), "b": None, "c": 1000}))
    assert rendered == expected


def test_money_reads_the_separators_again_when_the_settings_change():
    with translation.override("en"):
        assert money_text(Decimal("1234.5")) == "1,234.50"
        # The module path alone does not clear Django's own cache of formats; a format setting does.
        swiss = {"FORMAT_MODULE_PATH": ["tests.programmes.formats"], "THOUSAND_SEPARATOR": "'"}
        with override_settings(**swiss):
            assert money_text(Decimal("1234.5")) == "1'234.50"
            assert floatformat(Decimal("1234.5"), "2g") == "1'234.50"
        assert money_text(Decimal("1234.5")) == "1,234.50"


@pytest.mark.parametrize(
    "value",
    ["Fonds d'expérimentation", '<b>"x"</b> & y', "", 12, None, Decimal("1.5"), mark_safe("<i>")],
)
def test_escaped_texts_are_djangos(value):
    assert escaped(value) == escape(value)
    assert conditionally_escaped(value) == conditional_escape(value)
