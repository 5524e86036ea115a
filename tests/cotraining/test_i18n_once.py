"""``{% load i18n i18n_once %}`` renders every ``{% translate %}`` as Django's own tag does,
and every template that translates loads it."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.test import override_settings
from django.utils import translation

from cotraining.templatetags import i18n_once

ROOT = Path(__file__).resolve().parents[2]

TAGS = (
    "[{% translate 'Expected' %}]"
    '[{% trans "Log out" %}]'
    "[{% translate 'Closed' context 'programme stage' %}][{% translate 'Closed' %}]"
    "[{% translate 'Expected' noop %}]"
    "[{% translate 'Expected' as expected %}{{ expected }}]"
    "[{% translate 'Expected'|upper %}]"
    "[{% translate text %}]"
    "[{% translate 'Selection' context kind %}]"
    "[{% translate '<b>Expected</b> & 100 %%' %}]"
    "[{% translate 'not in the catalogue' %}]"
)


def render(libraries: str, language: str, autoescape: bool = True) -> str:
    source = f"{{% load {libraries} %}}"
    source += TAGS if autoescape else f"{{% autoescape off %}}{TAGS}{{% endautoescape %}}"
    template = engines["django"].from_string(source)
    with translation.override(language):
        return template.render({"text": "Expected", "kind": "programme stage"})


@pytest.mark.parametrize("language", ["fr", "en", None])
@pytest.mark.parametrize("autoescape", [True, False])
def test_the_once_tag_renders_what_djangos_renders(language, autoescape):
    django = render("i18n", language, autoescape)
    for _ in range(2):  # rendered, then reused
        assert render("i18n i18n_once", language, autoescape) == django
    if language == "fr":
        assert django.startswith("[Attendus][Se déconnecter][Terminé][Clôturé]")


def test_the_once_tag_follows_the_language_switched_between_renders():
    template = engines["django"].from_string("{% load i18n i18n_once %}{% translate 'Expected' %}")
    for language, expected in [("fr", "Attendus"), ("en", "Expected"), ("fr", "Attendus")]:
        with translation.override(language):
            assert template.render({}) == expected


def test_a_change_of_settings_forgets_the_texts():
    template = engines["django"].from_string("{% load i18n i18n_once %}{% translate 'Expected' %}")
    with translation.override("fr"):
        template.render({})
    assert i18n_once._rendered
    with override_settings(LANGUAGES=[("fr", "French")]):
        assert not i18n_once._rendered


def test_every_template_that_translates_loads_the_once_tag():
    load = re.compile(r"\{% load ([^%]*?) ?%\}")
    missing = []
    for path in sorted((ROOT / "templates").rglob("*.*")):
        text = path.read_text()
        if "{% translate " not in text and "{% trans " not in text:
            continue
        libraries = [name for match in load.finditer(text) for name in match.group(1).split()]
        if "i18n_once" not in libraries or libraries.index("i18n_once") < libraries.index("i18n"):
            missing.append(str(path.relative_to(ROOT)))
    assert missing == []
