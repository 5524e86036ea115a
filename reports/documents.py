"""The HTML of each kind of report: the selector that gathers its data and the template that lays
it out for print. The PDF is made from this HTML by :func:`reports.rendering.pdf_from_html`.
"""

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programmes.models import Programme
from sessions.charts import PRINT, rate_chart
from sessions.models import Slot
from sessions.selectors import SheetGrouping, sheet_rows, slot_activities, slot_signatures

from . import selectors
from .models import ReportRun

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


# The data of each kind of report; ``signatory`` only matters to the certificates.
BUILDERS: dict[str, Callable] = {
    Kind.ATTENDANCE: lambda programme, signatory: selectors.attendance_report_data(
        programme=programme
    ),
    Kind.PARTICIPATION: lambda programme, signatory: selectors.participation_report_data(
        programme=programme
    ),
    Kind.FUNDER: lambda programme, signatory: selectors.funder_report_data(programme=programme),
    Kind.CERTIFICATES: lambda programme, signatory: selectors.certificates_data(
        programme=programme, signatory=signatory
    ),
}


def document_html(
    *,
    kind: str,
    programme: Programme,
    signatory: str = "",
    people: Collection[int] | None = None,
) -> DocumentHtml:
    """The report's HTML in the active language, and counts of the data it was built from.

    ``signatory`` is the name printed in the certificates' signature block (the organiser who
    asked for them). ``people`` (participant ids) keeps only their certificates: one part of a
    document built in parts (the counts stay those of the whole programme). Read-only.
    """
    report = BUILDERS[kind](programme, signatory)
    if people is not None:
        chosen = set(people)
        report = replace(
            report, people=[line for line in report.people if line.person.participant_id in chosen]
        )
    context = {
        "programme": programme,
        "report": report,
        "title": Kind(kind).label,
        "generated_at": timezone.localtime(),
        "LANGUAGE_CODE": get_language(),
    }
    if kind == Kind.PARTICIPATION:
        context["charts"] = _participation_charts(report.participation)
    html = render_to_string(f"reports/pdf/{kind}.html", context)
    return DocumentHtml(html=html, source=report.source)


def attendance_sheet_html(*, slot: Slot) -> str:
    """The blank attendance sheet of a half-day to print and sign (feuille d'émargement): the
    active trainees grouped by city, the activities and their facilitators, in the active
    language (three queries). Read-only."""
    activities = slot_activities(slot=slot)
    return render_to_string(
        "reports/pdf/attendance_sheet.html",
        {
            "programme": slot.day.programme,
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
    verification code in the footer of every page (four queries). Read-only."""
    slot = seal.slot
    activities = slot_activities(slot=slot)
    signatures = [
        signature
        for signature in slot_signatures(slot=slot)
        if signature.sequence <= seal.signature_count
    ]
    trainees = {s.participant_id: s for s in signatures if s.role == s.Role.TRAINEE}
    return render_to_string(
        "reports/pdf/sealed_sheet.html",
        {
            "programme": slot.day.programme,
            "slot": slot,
            "seal": seal,
            "rows": [
                (row, trainees.get(row.participant.pk))
                for row in sheet_rows(slot=slot, group_by=SheetGrouping.CITY)
            ],
            "trainers": [s for s in signatures if s.role == s.Role.TRAINER],
            "signature_count": len(signatures),
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
