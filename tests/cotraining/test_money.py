"""``{{ amount|money }}`` writes every amount as ``floatformat:"2g"`` did, in both languages."""

import random
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.test import override_settings
from django.utils import translation

from cotraining.templatetags.money import money_format

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
            assert money_format(amount) == floatformat(amount, "2g"), amount


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
        assert money_format(Decimal("1234.5")) == "1,234.50"
        # The module path alone does not clear Django's own cache of formats; a format setting does.
        swiss = {"FORMAT_MODULE_PATH": ["tests.cotraining.formats"], "THOUSAND_SEPARATOR": "'"}
        with override_settings(**swiss):
            assert money_format(Decimal("1234.5")) == "1'234.50"
            assert floatformat(Decimal("1234.5"), "2g") == "1'234.50"
        assert money_format(Decimal("1234.5")) == "1,234.50"
