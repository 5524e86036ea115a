"""Demo data for the documents funders see: the organisations' logos (simple SVG drawn here,
the same on every build) and the programme's narrative in French and English."""

from django.core.files.base import ContentFile
from django.utils.html import escape

from programmes.models import Organisation, Programme

# Organisation name -> (initials, colour): invented logos, not the real ones.
DEMO_LOGOS = {
    "Profession Banlieue": ("PB", "#1f4e79"),
    "ATD Quart Monde": ("ATD", "#8a1c1c"),
    "Préfecture de la Seine-Saint-Denis": ("P93", "#2e5e2e"),
    "Fonds d'expérimentation sociale (démo)": ("FES", "#6b3fa0"),
}

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


def build_documents(programme: Programme) -> None:
    """Give the organiser, the partner and the funders their logo, and the programme its
    narrative. An organisation that already has a logo keeps it."""
    for organisation in Organisation.objects.filter(name__in=DEMO_LOGOS).order_by("name"):
        if organisation.logo:
            continue
        initials, colour = DEMO_LOGOS[organisation.name]
        organisation.logo.save("logo.svg", ContentFile(svg_logo(initials, colour)), save=True)
    programme.narrative_fr = NARRATIVE_FR
    programme.narrative_en = NARRATIVE_EN
    programme.save(update_fields=["narrative_fr", "narrative_en"])
