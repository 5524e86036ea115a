"""The HTML of each kind of report: the selector that gathers its data and the template that lays
it out for print. The PDF is made from this HTML by :func:`reports.rendering.pdf_from_html`.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from programmes.models import Programme

from . import selectors
from .charts import Bar, rate_chart
from .models import ReportRun

Kind = ReportRun.Kind


@dataclass(frozen=True)
class DocumentHtml:
    html: str
    source: dict[str, int]


def _participation_charts(participation) -> dict:
    def bars(rows):
        return [Bar(row.label, row.rate) for row in rows]

    return {
        "category": rate_chart(
            bars(participation.by_category),
            title=_("Participation rate by category"),
            chart_id="chart-category",
        ),
        "city": rate_chart(
            bars(participation.by_city),
            title=_("Participation rate by city"),
            chart_id="chart-city",
        ),
        "day": rate_chart(
            bars(participation.by_day), title=_("Participation rate by day"), chart_id="chart-day"
        ),
        "slot": rate_chart(
            bars(row for row in participation.by_slot if row.expected),
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


def document_html(*, kind: str, programme: Programme, signatory: str = "") -> DocumentHtml:
    """The report's HTML in the active language, and counts of the data it was built from.

    ``signatory`` is the name printed in the certificates' signature block (the organiser who
    asked for them). Read-only.
    """
    report = BUILDERS[kind](programme, signatory)
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
