"""French typography for printed documents (the certificat de réalisation first).

- ``date_long``: "1er décembre 2026" in French (the ordinal on the first of the month),
  "1 December 2026" in English;
- ``at_place``: the place with the preposition French needs: "au Centre international ATD
  Quart Monde", "à la Maison des associations", "à l'Espace…", "aux Ateliers…", "à Pierrelaye";
- ``french_spaces``: a no-break space (U+00A0) before ":", "%" and "€", and a narrow no-break
  space (U+202F) before ";", "!" and "?", replacing any ordinary space there, so that the sign
  never starts a line. Only for French text; other languages are returned as they are.
"""

import datetime as dt
import re

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import get_language

NBSP = "\u00a0"
NNBSP = "\u202f"

# Nouns that open a place's name, by the article they take (a heuristic: the list grows with
# the places the programmes name).
MASCULINE = {
    "centre", "château", "foyer", "palais", "musée", "théâtre", "lycée", "collège", "campus",
    "domaine", "siège", "conseil", "local", "pôle", "gymnase", "village", "parc", "moulin",
    "espace", "hôtel", "institut", "atelier", "auditorium", "amphithéâtre",
}  # fmt: skip
FEMININE = {
    "maison", "salle", "mairie", "cité", "bourse", "fondation", "université", "préfecture",
    "ferme", "médiathèque", "bibliothèque", "résidence", "halle", "chapelle", "villa", "base",
}  # fmt: skip
PLURAL = {"ateliers", "halles", "salons", "jardins", "archives", "docks"}
VOWELS = "aâàeéèêëiîïoôuûùyh"


def is_french(language: str | None = None) -> bool:
    return (language or get_language() or "").split("-")[0] == "fr"


def date_long(value: dt.date, language: str | None = None) -> str:
    """A date written out, "le" excluded: "1er décembre 2026", "22 janvier 2015"."""
    if value is None:
        return ""
    with translation.override(language or get_language()):
        text = date_format(value, "j F Y")
    if is_french(language) and value.day == 1:
        text = "1er" + text[1:]
    return text.replace(" ", NBSP, 1) if is_french(language) else text


def at_place(name: str, language: str | None = None) -> str:
    """The place after "at": "au Centre…", "à la Maison…", "à l'Espace…", "à Pierrelaye"."""
    name = (name or "").strip()
    if not name:
        return ""
    if not is_french(language):
        return f"at {name}"
    first, _, rest = name.partition(" ")
    word = first.lower()
    if word == "le":
        return f"au {rest}"
    if word == "les":
        return f"aux {rest}"
    if word == "la":
        return f"à la {rest}"
    if word.startswith(("l'", "l’")):
        return f"à {name}"
    if word in PLURAL:
        return f"aux {name}"
    if word in MASCULINE or word in FEMININE:
        if word[0] in VOWELS and word not in ("halle", "halles"):
            return f"à l’{name}"
        return f"au {name}" if word in MASCULINE else f"à la {name}"
    return f"à {name}"


_BEFORE_WIDE = re.compile(r"[ \u00a0\u202f]*(?<=[\w)\]»\s\u00a0\u202f])([:])(?=\s|$)")
_BEFORE_SIGN = re.compile(r"(?<=\d)[ \u00a0\u202f]*([%€])")
_BEFORE_NARROW = re.compile(r"(?<=[\w)\]»])[ \u00a0\u202f]*([;!?])(?=\s|$)")


def french_spaces(text: str, language: str | None = None) -> str:
    """``text`` with the spaces French puts before ":", "%", "€", ";", "!" and "?" (see the
    module). A colon inside a word or an address ("https://", "10:30") is left alone."""
    if not text or not is_french(language):
        return text
    text = _BEFORE_WIDE.sub(NBSP + r"\1", text)
    text = _BEFORE_SIGN.sub(NBSP + r"\1", text)
    return _BEFORE_NARROW.sub(NNBSP + r"\1", text)
