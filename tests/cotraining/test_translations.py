"""Every string is translated: French (the default) and English catalogues are complete."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_is_complete(language):
    catalogue = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert len(catalogue) > 100
    assert untranslated == []
    assert fuzzy == []


def test_french_keeps_the_placeholders():
    catalogue = polib.pofile(str(ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    import re

    placeholder = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            continue
        assert sorted(placeholder.findall(entry.msgid)) == sorted(
            placeholder.findall(entry.msgstr)
        ), entry.msgid
