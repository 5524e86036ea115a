import datetime as dt

import pytest
from django.utils import translation

from reports.typography import NBSP, NNBSP, at_place, date_long, french_spaces


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def test_the_first_of_the_month_is_an_ordinal_in_french():
    assert date_long(dt.date(2026, 12, 1)) == f"1er{NBSP}décembre 2026"
    assert date_long(dt.date(2015, 1, 22)) == f"22{NBSP}janvier 2015"
    assert date_long(dt.date(2026, 12, 1), "en") == "1 December 2026"


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Centre international ATD Quart Monde", "au Centre international ATD Quart Monde"),
        ("Maison des associations", "à la Maison des associations"),
        ("Espace Marcel Pagnol", "à l’Espace Marcel Pagnol"),
        ("Hôtel de ville", "à l’Hôtel de ville"),
        ("Université Paris 8", "à l’Université Paris 8"),
        ("Le Bourget", "au Bourget"),
        ("La Courneuve", "à la Courneuve"),
        ("Les Lilas", "aux Lilas"),
        ("Pierrelaye", "à Pierrelaye"),
        ("Ateliers Médicis", "aux Ateliers Médicis"),
    ],
)
def test_a_place_takes_the_preposition_french_needs(place, expected):
    assert at_place(place) == expected


def test_in_english_a_place_is_at():
    assert at_place("Centre international", "en") == "at Centre international"


def test_no_break_spaces_before_colon_percent_and_euro():
    assert french_spaces("Heures : 28") == f"Heures{NBSP}: 28"
    assert french_spaces("Heures: 28") == f"Heures{NBSP}: 28"
    assert french_spaces("95 % et 95%") == f"95{NBSP}% et 95{NBSP}%"
    assert french_spaces("36 000 €") == f"36 000{NBSP}€"
    assert french_spaces("Vraiment ?") == f"Vraiment{NNBSP}?"


def test_addresses_and_times_keep_their_colon():
    assert french_spaces("https://exemple.fr à 10:30") == "https://exemple.fr à 10:30"


def test_other_languages_are_left_alone():
    assert french_spaces("Hours: 28 95%", "en") == "Hours: 28 95%"
