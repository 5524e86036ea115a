"""Demo data for the documents funders see: the organisations' logos (simple SVG drawn here,
the same on every build) and the programme's narrative in French and English."""

import re

from django.core.files.base import ContentFile
from django.utils.html import escape

from programmes.models import Programme

# Invented logos (not the real ones): initials on one of these colours, in a fixed order.
LOGO_COLOURS = ("#1f4e79", "#8a1c1c", "#2e5e2e", "#6b3fa0", "#7a4b00")
SMALL_WORDS = {"de", "la", "le", "des", "du", "d", "l", "et", "pour", "à"}

NARRATIVE_FR = (
    "Objectifs : préparer sept villes de Seine-Saint-Denis à installer les conseils citoyens "
    "que la loi Lamy rend obligatoires, en formant ensemble des élus, des professionnels, des"
    " délégués du préfet et des militants Quart Monde, par le croisement des savoirs et des "
    "pratiques.\n\n"
    "Ce qui s'est passé : quatre jours et demi à Pierrelaye, à partir du 22 janvier 2015 ; "
    "les groupes de pairs ont travaillé séparément, puis en plénière ; les militants ont "
    "préparé et animé des matinées ; une restitution a clos la formation.\n\n"
    "Résultats : 28 participants, une participation de 95 %, des zones d'action identifiées "
    "ensemble dans chaque ville, et des recommandations pour associer les habitants en "
    "situation de pauvreté aux conseils citoyens."
)

NARRATIVE_EN = (
    "Objectives: prepare seven cities of Seine-Saint-Denis to set up the citizens' councils "
    "the Lamy law makes mandatory, by training elected officials, professionals, prefect's "
    "delegates and ATD activists together, through the crossing of knowledge and practice.\n\n"
    "What happened: four and a half days in Pierrelaye from 22 January 2015; the peer groups "
    "worked separately, then in plenary; the activists prepared and led morning sessions; a "
    "closing presentation ended the training.\n\n"
    "Outcomes: 28 participants, 95 % participation, zones of action identified together in "
    "each city, and recommendations for involving residents living in poverty in the "
    "citizens' councils."
)


def svg_logo(initials: str, colour: str) -> bytes:
    """A plain logo: the initials in white on a coloured rounded square, with a thin band.
    Nothing random, so that two builds give the same bytes."""
    text = escape(initials)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="120" viewBox="0 0 240 120">'
        f'<rect x="4" y="4" width="232" height="112" rx="18" fill="{colour}"/>'
        '<rect x="4" y="92" width="232" height="8" fill="#ffffff" opacity="0.6"/>'
        '<text x="120" y="74" font-family="DejaVu Sans, sans-serif" font-size="48" '
        f'font-weight="bold" fill="#ffffff" text-anchor="middle">{text}</text>'
        "</svg>"
    ).encode()


def initials(name: str) -> str:
    """Up to four capitals from the name's significant words ("ATD Quart Monde": "AQM")."""
    words = [w for w in re.split(r"[^\w]+", name) if w and w.lower() not in SMALL_WORDS]
    return "".join(word[0].upper() for word in words if not word.isdigit())[:4] or "?"


def build_documents(programme: Programme) -> None:
    """Give the organiser, the partners and the funders a logo, and the programme its
    narrative in both languages. An organisation that already has a logo keeps it."""
    organisations = [
        programme.organiser,
        *programme.partners.order_by("name"),
        *(funding.funder for funding in programme.fundings.order_by("-amount_awarded", "id")),
    ]
    for index, organisation in enumerate(organisations):
        if organisation is None or organisation.logo:
            continue
        logo = svg_logo(initials(organisation.name), LOGO_COLOURS[index % len(LOGO_COLOURS)])
        organisation.logo.save("logo.svg", ContentFile(logo), save=True)
    programme.narrative_fr = NARRATIVE_FR
    programme.narrative_en = NARRATIVE_EN
    programme.save(update_fields=["narrative_fr", "narrative_en"])
