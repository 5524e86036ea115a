"""CSV and XLSX exports of a programme's participants and attendance records.

Rows come from one query each, read in chunks, so an export costs the same number of queries
and little memory whatever the programme's size. CSV is streamed; XLSX is written by openpyxl
in write-only mode. Text typed by people is neutralised against spreadsheet formulas
(a cell starting with ``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe).
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from participants.models import Category, Participant
from sessions.models import Attendance, AttendanceStatus, Slot

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATASETS = ("participants", "attendance")
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


TABLES = {"participants": participants_table, "attendance": attendance_table}


class _Echo:
    """A file-like object whose write returns the line, for streaming a csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV lines (with a BOM so that spreadsheets read it as UTF-8)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(table.header)
    for row in table.rows:
        yield writer.writerow(row)


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
