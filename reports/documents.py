"""The HTML of each kind of report: the selector that gathers its data and the template that lays
it out for print. The PDF is made from this HTML by :func:`reports.rendering.pdf_from_html`.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programmes.models import Organisation, Programme
from sessions.charts import PRINT, rate_chart
from sessions.models import Slot
from sessions.selectors import (
    SheetGrouping,
    sheet_rows,
    signed_lines,
    slot_activities,
    slot_signatures,
)

from . import selectors
from .models import ReportRun, SealedSheet

Kind = ReportRun.Kind


@dataclass(frozen=True)
class DocumentHtml:
    html: str
    source: dict[str, int]


def _participation_charts(participation) -> dict:
    def chart(rows, *, title: str, chart_id: str):
        return rate_chart(rows, title=title, chart_id=chart_id, size=PRINT)

    return {
        "category": chart(
            participation.by_category,
            title=_("Participation rate by category"),
            chart_id="chart-category",
        ),
        "city": chart(
            participation.by_city,
            title=_("Participation rate by city"),
            chart_id="chart-city",
        ),
        "day": chart(
            participation.by_day, title=_("Participation rate by day"), chart_id="chart-day"
        ),
        "slot": chart(
            [row for row in participation.by_slot if row.expected],
            title=_("Participation rate by half-day"),
            chart_id="chart-slot",
        ),
    }


# The data of each kind of report; ``signatory`` only matters to the certificates, ``funder``
# to the funder report.
BUILDERS: dict[str, Callable] = {
    Kind.ATTENDANCE: lambda programme, signatory, funder: selectors.attendance_report_data(
        programme=programme
    ),
    Kind.PARTICIPATION: lambda programme, signatory, funder: selectors.participation_report_data(
        programme=programme
    ),
    Kind.FUNDER: lambda programme, signatory, funder: selectors.funder_report_data(
        programme=programme, funder=funder
    ),
    Kind.CERTIFICATES: lambda programme, signatory, funder: selectors.certificates_data(
        programme=programme, signatory=signatory
    ),
}


def document_html(
    *,
    kind: str,
    programme: Programme,
    signatory: str = "",
    funder: Organisation | None = None,
    people: Collection[int] | None = None,
) -> DocumentHtml:
    """The report's HTML in the active language, and counts of the data it was built from.

    ``signatory`` is the name printed in the certificates' signature block (the organiser who
    asked for them); ``funder`` the funder a funder report is made for (None: every funder in
    detail). Every report but the certificates opens on a cover page: the programme, its dates,
    the organiser's and funders' logos and the narrative in the active language. ``people``
    (participant ids) keeps only their certificates: one part of a document built in parts (the
    counts stay those of the whole programme). Read-only.
    """
    report = BUILDERS[kind](programme, signatory, funder)
    if people is not None:
        chosen = set(people)
        report = replace(
            report, people=[line for line in report.people if line.person.participant_id in chosen]
        )
    language = get_language()
    context = {
        "programme": programme,
        "report": report,
        "title": Kind(kind).label,
        "generated_at": timezone.localtime(),
        "LANGUAGE_CODE": language,
    }
    if kind != Kind.CERTIFICATES:
        context["cover"] = selectors.report_cover(
            programme=programme, language=language, funder=funder
        )
    if kind == Kind.PARTICIPATION:
        context["charts"] = _participation_charts(report.participation)
    html = render_to_string(f"reports/pdf/{kind}.html", context)
    return DocumentHtml(html=html, source=report.source)


def attendance_sheet_html(*, slot: Slot) -> str:
    """The blank attendance sheet of a half-day to print and sign (feuille d'émargement): the
    active trainees grouped by city with arrival and departure columns, the activities and their
    facilitators, the organiser's and funders' logos, in the active language (five queries).
    Read-only."""
    activities = slot_activities(slot=slot)
    return render_to_string(
        "reports/pdf/attendance_sheet.html",
        {
            "programme": slot.day.programme,
            "logos": selectors.programme_logos(programme=slot.day.programme).logos,
            "slot": slot,
            "rows": sheet_rows(slot=slot, group_by=SheetGrouping.CITY),
            "activities": activities,
            "facilitators": sorted(
                {
                    person.full_name
                    for activity in activities
                    for person in activity.facilitators.all()
                }
            ),
            "printed_at": timezone.localtime(),
            "LANGUAGE_CODE": get_language(),
        },
    )


def sealed_sheet_html(*, seal) -> str:
    """The filled-in sheet of a sealed half-day: each expected trainee with their status, times
    and signature (or mark and witness), the trainers' signatures, and the chain head and the
    verification code in the footer of every page, the corrections with their reasons, and the
    seal it replaces when the sheet was reopened (five queries). Read-only."""
    slot = seal.slot
    activities = slot_activities(slot=slot)
    signatures = [
        signature
        for signature in slot_signatures(slot=slot)
        if signature.sequence <= seal.signature_count
    ]
    lines = signed_lines(signatures)
    replaced = (
        SealedSheet.objects.filter(slot=slot, sealed_at__lte=seal.sealed_at)
        .exclude(pk=seal.pk)
        .order_by("-sealed_at", "-id")
        .first()
    )
    return render_to_string(
        "reports/pdf/sealed_sheet.html",
        {
            "programme": slot.day.programme,
            "slot": slot,
            "seal": seal,
            "rows": [
                (row, lines.get(row.participant.pk))
                for row in sheet_rows(slot=slot, group_by=SheetGrouping.CITY)
            ],
            "replaced": replaced,
            "trainers": [s for s in signatures if s.role == s.Role.TRAINER],
            "signature_count": sum(1 for s in signatures if not s.is_correction),
            "activities": activities,
            "facilitators": sorted(
                {
                    person.full_name
                    for activity in activities
                    for person in activity.facilitators.all()
                }
            ),
            "LANGUAGE_CODE": get_language(),
        },
    )


def certificate_html(*, programme: Programme, participant_id: int, signatory: str) -> str | None:
    """One trainee's certificat de réalisation (the page of the all-in-one document), or None
    when they attended no half-day. Read-only."""
    report = selectors.certificates_data(
        programme=programme, signatory=signatory, participant_id=participant_id
    )
    if not report.people:
        return None
    return render_to_string(
        "reports/pdf/certificates.html",
        {
            "programme": programme,
            "report": report,
            "title": str(Kind.CERTIFICATES.label),
            "generated_at": timezone.localtime(),
            "LANGUAGE_CODE": get_language(),
        },
    )
