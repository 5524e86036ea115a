"""CSV and XLSX exports of a programme: participants, attendance records, applications with
their scores and decisions, the budget, and the city contributions ledger.

Rows come from a fixed number of queries, read in chunks where they can be many, so an export
costs the same number of queries and little memory whatever the programme's size. CSV is
streamed; XLSX is written by openpyxl in write-only mode. Text typed by people is neutralised
against spreadsheet formulas (a cell starting with ``=``, ``+``, ``-`` or ``@`` gets a leading
apostrophe). CSV follows the reader's spreadsheet: in French, semicolons and decimal commas (a
French spreadsheet reads a comma as the decimal mark); in English, commas and decimal points;
both start with a byte-order mark so that the spreadsheet reads UTF-8. Money totals come from
``programmes.selectors.finance_totals``, as on the finances page.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from participants.models import Category, Participant
from programmes.models import CityApplication, ReviewScore, SelectionCriterion
from programmes.selectors import cost_gap, finance_totals, programme_finance_rows
from sessions.models import Attendance, AttendanceStatus, Slot

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATASETS = ("participants", "attendance", "applications", "budget", "contributions")
DATASET_LABELS = {
    "participants": gettext_lazy("Participants (names and contact details)"),
    "attendance": gettext_lazy("Attendance records"),
    "applications": gettext_lazy("Applications, their scores and decisions"),
    "budget": gettext_lazy("Budget: planned and actual"),
    "contributions": gettext_lazy("City contributions ledger"),
}
# CSV separators a person may choose; by default, the one of the page's language.
SEPARATORS = {"semicolon": ";", "comma": ","}
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def safe_text(value):
    """Text that a spreadsheet will show as typed, never run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@dataclass(frozen=True)
class Table:
    title: str
    header: list[str]
    rows: Iterable[list]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def participants_table(*, programme) -> Table:
    """Every participant of the programme with contact details and consents (one query)."""
    categories = dict(Category.choices)
    people = (
        Participant.objects.for_programme(programme)
        .select_related("city", "organisation", "peer_group")
        .order_by("category", "last_name", "first_name", "id")
    )
    rows = (
        [
            person.pk,
            safe_text(person.last_name),
            safe_text(person.first_name),
            str(categories.get(person.category, person.category)),
            safe_text(person.city.name if person.city else ""),
            safe_text(person.organisation.name if person.organisation else ""),
            safe_text(person.position),
            safe_text(person.email),
            safe_text(person.phone),
            safe_text(person.peer_group.name if person.peer_group else ""),
            _yes_no(person.commitment_given),
            _yes_no(person.consent_name_in_reports),
            _yes_no(person.consent_photos),
            _yes_no(person.is_active),
        ]
        for person in people.iterator(chunk_size=2000)
    )
    return Table(
        title=_("Participants"),
        header=[
            _("Id"),
            _("Last name"),
            _("First name"),
            _("Category"),
            _("City"),
            _("Organisation"),
            _("Position"),
            _("E-mail"),
            _("Phone"),
            _("Peer group"),
            _("Named commitment"),
            _("Agrees to be named in reports"),
            _("Agrees to be photographed"),
            _("Active"),
        ],
        rows=rows,
    )


def attendance_table(*, programme) -> Table:
    """One line per attendance record, in timetable order (one query). A record made offline
    gives the phone's time and says so."""
    offline = str(_("Yes"))
    categories = dict(Category.choices)
    statuses = dict(AttendanceStatus.choices)
    parts = dict(Slot.Part.choices)
    records = (
        Attendance.objects.filter(slot__day__programme=programme)
        .select_related("slot__day", "participant__city", "recorded_by")
        .order_by("slot__day__date", "slot__starts_at", "participant__last_name", "id")
    )
    rows = (
        [
            record.slot.day.date,
            str(parts.get(record.slot.part, record.slot.part)),
            record.slot.starts_at,
            record.slot.ends_at,
            record.participant_id,
            safe_text(record.participant.last_name),
            safe_text(record.participant.first_name),
            str(categories.get(record.participant.category, record.participant.category)),
            safe_text(record.participant.city.name if record.participant.city else ""),
            str(statuses.get(record.status, record.status)),
            safe_text(record.note),
            safe_text(record.recorded_by.get_username() if record.recorded_by else ""),
            # A tap made offline happened when the phone says, not when it reached us.
            timezone.localtime(record.recorded_offline_at or record.recorded_at).replace(
                tzinfo=None
            ),
            offline if record.recorded_offline_at else "",
        ]
        for record in records.iterator(chunk_size=2000)
    )
    return Table(
        title=_("Attendance"),
        header=[
            _("Date"),
            _("Half-day"),
            _("Starts at"),
            _("Ends at"),
            _("Participant id"),
            _("Last name"),
            _("First name"),
            _("Category"),
            _("City"),
            _("Status"),
            _("Note"),
            _("Recorded by"),
            _("Recorded at"),
            _("Recorded offline"),
        ],
        rows=rows,
    )


def applications_table(*, programme) -> Table:
    """Every application of the programme's call (drafts left out) with its status (the
    decision, once taken), eligibility, reviews and average score overall and per criterion of
    the selection grid; no contact details (three queries)."""
    statuses = dict(CityApplication.Status.choices)
    criteria = list(
        SelectionCriterion.objects.filter(call__programme=programme).order_by("position", "id")
    )
    per_criterion: dict[tuple[int, int], float] = {
        (row["review__application"], row["criterion"]): row["average"]
        for row in ReviewScore.objects.filter(
            review__application__call__programme=programme, review__submitted_at__isnull=False
        )
        .order_by()
        .values("review__application", "criterion")
        .annotate(average=Avg("score"))
    }
    applications = (
        CityApplication.objects.for_programme(programme)
        .exclude(status=CityApplication.Status.DRAFT)
        .with_eligibility()
        .with_review_figures()
        .select_related("city")
        .order_by("city__name", "id")
    )

    def score(value):
        return round(value, 2) if value is not None else ""

    rows = (
        [
            application.pk,
            safe_text(application.city.name),
            safe_text(application.city.insee_code),
            str(statuses.get(application.status, application.status)),
            _local_datetime(application.submitted_at),
            _local_datetime(application.decided_at),
            application.contribution_pledged,
            _yes_no(application.eligible),
            application.review_count,
            score(application.average_score),
            *(score(per_criterion.get((application.pk, c.pk))) for c in criteria),
        ]
        for application in applications.iterator(chunk_size=2000)
    )
    return Table(
        title=_("Applications"),
        header=[
            _("Id"),
            _("City"),
            _("INSEE code"),
            _("Status"),
            _("Submitted at"),
            _("Decided at"),
            _("Contribution pledged (EUR)"),
            _("Eligible"),
            _("Reviews"),
            _("Average score"),
            *(_("Score: %(criterion)s") % {"criterion": c.label} for c in criteria),
        ],
        rows=rows,
    )


def _local_datetime(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else ""


def budget_table(*, programme) -> Table:
    """The budget lines, planned against actual with the gap and its explanation, and a last
    line of totals (``finance_totals``) (one query)."""
    lines = list(programme_finance_rows(programme=programme).budget_lines)
    categories = dict(lines[0].Category.choices) if lines else {}
    totals = finance_totals(fundings=[], budget_lines=lines, contributions=[])
    rows = [
        [
            str(categories.get(line.category, line.category)),
            safe_text(line.label),
            safe_text(line.funding.funder.name if line.funding else ""),
            line.planned_amount,
            line.actual_amount,
            cost_gap(planned=line.planned_amount, actual=line.actual_amount),
            safe_text(line.gap_explanation),
        ]
        for line in lines
    ]
    rows.append(
        [
            _("Total"),
            "",
            "",
            totals.budget_planned,
            totals.budget_actual,
            totals.budget_gap,
            "",
        ]
    )
    return Table(
        title=_("Budget"),
        header=[
            _("Category"),
            _("Budget line"),
            _("Funding source"),
            _("Planned (EUR)"),
            _("Actual (EUR)"),
            _("Gap (EUR)"),
            _("Explanation of the gap"),
        ],
        rows=rows,
    )


def contributions_table(*, programme) -> Table:
    """The selected cities' contributions ledger and a last line of totals
    (``finance_totals``) (one query)."""
    contributions = list(programme_finance_rows(programme=programme).contributions)
    totals = finance_totals(fundings=[], budget_lines=[], contributions=contributions)
    rows = [
        [
            safe_text(contribution.application.city.name),
            safe_text(contribution.agreement_reference),
            contribution.amount_pledged,
            contribution.amount_invoiced,
            contribution.invoiced_on or "",
            contribution.amount_received,
            contribution.received_on or "",
        ]
        for contribution in contributions
    ]
    rows.append(
        [
            _("Total"),
            "",
            totals.contributions_pledged,
            totals.contributions_invoiced,
            "",
            totals.contributions_received,
            "",
        ]
    )
    return Table(
        title=_("City contributions"),
        header=[
            _("City"),
            _("Agreement reference"),
            _("Pledged (EUR)"),
            _("Invoiced (EUR)"),
            _("Invoiced on"),
            _("Received (EUR)"),
            _("Received on"),
        ],
        rows=rows,
    )


TABLES = {
    "participants": participants_table,
    "attendance": attendance_table,
    "applications": applications_table,
    "budget": budget_table,
    "contributions": contributions_table,
}


def csv_separator(*, language: str, choice: str = "") -> str:
    """The separator asked for, else the one a spreadsheet expects in that language."""
    if choice in SEPARATORS:
        return SEPARATORS[choice]
    return ";" if (language or "").startswith("fr") else ","


class _Echo:
    """A file-like object whose write returns the line, for streaming a csv.writer."""

    def write(self, value: str) -> str:
        return value


def _csv_value(value, decimal_comma: bool):
    if decimal_comma and isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return value


def csv_lines(table: Table, *, separator: str = ",") -> Iterator[str]:
    """The table as CSV lines (with a BOM so that spreadsheets read it as UTF-8); with the
    semicolon, numbers get a decimal comma."""
    writer = csv.writer(_Echo(), delimiter=separator)
    decimal_comma = separator == ";"
    yield "\ufeff" + writer.writerow(table.header)
    for row in table.rows:
        yield writer.writerow([_csv_value(value, decimal_comma) for value in row])


def xlsx_bytes(table: Table) -> bytes:
    """The table as an XLSX workbook of one sheet, bold header frozen at the top."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in table.header:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in table.rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_file_name(*, dataset: str, file_format: str, programme) -> str:
    return f"{dataset}-{programme.slug}-{timezone.localdate():%Y-%m-%d}.{file_format}"
