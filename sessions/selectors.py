"""Reads for training days and attendance, and the one definition of the participation rate.

Participation rate = (present + late + left early) / expected, where *expected* is, for every
half-day that has been held, each trainee expected at it (triad members and activists;
facilitators and support people are not counted). An active trainee is expected at every
half-day, unless an ``ExpectedSpan`` bounds the half-days they are expected at: a replacement
from the half-day they joined, a person replaced (or whose city withdrew) until they left, their
attendance before kept. A person who left counts only where they were expected. A half-day is
held once its sheet is closed or has any record.
Excused absences are counted apart: they lower the rate like any absence, and are shown separately.
A trainee with no record on a held half-day counts as not attending.

Hours attended: a half-day attended (present, late or left early) counts for its whole length,
from the slot's start to its end time. Arrival and departure times are kept with a signature
only, and the attendance certificate states the half-days a person signed for, so a late arrival
is not pro-rated; the sheet's note says how late someone was when it matters.

Where each rule is written, once: which records count (``counted_records_filter``), which
half-days are held (``slots_held_filter``), which status adds to which count (``STATUS_COUNT``),
who is expected at which half-day (``_population``, ``expected_at_slot_filter``) and the rate
(``rate_percent``). The summary is computed by
``programme_participation_overview`` alone; ``programme_participation`` starts from it and adds
the breakdowns. Pages and documents read one of the two.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import NamedTuple, overload

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    StringAgg,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participants.models import TRAINEE_CATEGORIES, TRIAD_CATEGORIES, Category, Participant
from participants.selectors import CategoryCount, participant_counts_by_category
from programmes import prepared
from programmes.kept import kept
from programmes.models import AuditEntry, FiguresVersion, Membership
from programmes.permissions import remember_roles
from programmes.selectors import amount_sum, amount_to_receive
from programmes.stages import TrainingDates

from .models import (
    ATTENDING_STATUSES,
    Activity,
    Attendance,
    AttendanceChange,
    AttendanceSignature,
    AttendanceStatus,
    ExpectedSpan,
    Expense,
    PaperSheet,
    Slot,
    TrainingDay,
)


def rate_percent(attended: int, expected: int) -> Decimal | None:
    """A rate as a percentage with one decimal, rounded half up; None when nothing was expected."""
    if not expected:
        return None
    return (Decimal(attended) * 100 / Decimal(expected)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def hours(duration: dt.timedelta | None) -> Decimal:
    """A duration in hours with two decimals (3 h 30 min -> 3.50)."""
    if not duration:
        return Decimal("0.00")
    return (Decimal(duration.total_seconds()) / 3600).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


class RateMixin:
    """The rate and the unrecorded count of anything with expected/attended/excused/absent."""

    expected: int
    attended: int
    excused: int
    absent: int

    @property
    def rate(self) -> Decimal | None:
        """Participation rate in percent (one decimal), None when nothing was expected."""
        return rate_percent(self.attended, self.expected)

    @property
    def unrecorded(self) -> int:
        """Expected attendances nobody marked on a held half-day (they count as not attending)."""
        return self.expected - self.attended - self.excused - self.absent


@dataclass(frozen=True)
class ParticipationSummary(RateMixin):
    trainees: int
    slots_total: int
    slots_held: int
    expected: int
    attended: int
    excused: int
    absent: int


# --- What the participation figures are made of ----------------------------------------------


@dataclass(frozen=True)
class ParticipationRow(RateMixin):
    """One line of a breakdown (a category, a city, a day or a half-day).

    ``expected`` = trainees of the line x half-days held in the line; ``attended`` counts present,
    late and left early; ``excused`` and ``absent`` are recorded absences; ``unrecorded`` is what
    nobody marked on a held half-day (it counts as not attending).
    """

    key: object
    label: str
    expected: int
    attended: int
    excused: int
    absent: int


@dataclass(frozen=True)
class SlotInfo:
    """A half-day of the timetable as the figures see it."""

    id: int
    date: dt.date
    part: str
    part_label: str
    starts_at: dt.time
    ends_at: dt.time
    held: bool
    closed: bool

    @property
    def duration(self) -> dt.timedelta:
        return dt.datetime.combine(self.date, self.ends_at) - dt.datetime.combine(
            self.date, self.starts_at
        )

    @property
    def hours(self) -> Decimal:
        return hours(self.duration)

    @property
    def label(self) -> str:
        return f"{date_format(self.date, 'SHORT_DATE_FORMAT')} · {self.part_label}"


def commitment_kept(attended: int, held: int) -> bool:
    """A named commitment is kept when every half-day held so far was attended."""
    return held > 0 and attended >= held


@dataclass(frozen=True)
class ParticipantHours:
    """One trainee's attendance: half-days and hours attended against those held.

    ``named`` is the participant's consent to be named in reports for funders: a page or report
    for funders shows ``name`` only when it is true (``initials`` otherwise).
    """

    participant_id: int
    name: str
    initials: str
    named: bool
    category: str
    category_label: str
    city: str
    commitment_given: bool
    halfdays_attended: int
    halfdays_excused: int
    halfdays_held: int
    hours_attended: Decimal
    hours_held: Decimal

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.halfdays_attended, self.halfdays_held)

    @property
    def public_name(self) -> str:
        """What a funder may see: the full name with the person's consent, otherwise only the
        category ("Not named (ATD activist)")."""
        if self.named:
            return self.name
        return _("Not named (%(category)s)") % {"category": self.category_label}

    @property
    def kept(self) -> bool:
        return commitment_kept(self.halfdays_attended, self.halfdays_held)

    @property
    def missed(self) -> int:
        return max(self.halfdays_held - self.halfdays_attended, 0)


def order_for_readers(
    rows: Iterable[ParticipantHours], *, hidden: Callable[[ParticipantHours], bool]
) -> tuple[ParticipantHours, ...]:
    """The rows in the order a reader who may not see some names reads them.

    The order of the figures (category, then name) is kept for the named people; those whose
    name is ``hidden`` from the reader come after the named ones of their category, in the order
    they were registered. Sorted by their real names among the named, their place would show
    who they are. Pages and documents for funders both order people so."""
    rows = list(rows)
    category_order: dict[str, int] = {}
    for index, row in enumerate(rows):
        category_order.setdefault(row.category, index)

    def key(row: ParticipantHours):
        is_hidden = hidden(row)
        return (category_order[row.category], is_hidden, row.participant_id if is_hidden else 0)

    return tuple(sorted(rows, key=key))


@dataclass(frozen=True)
class TriadCell:
    """A city's triad on one half-day: how many of the three roles came (None when not held)."""

    slot_id: int
    roles_present: int | None

    @property
    def complete(self) -> bool | None:
        if self.roles_present is None:
            return None
        return self.roles_present == len(TRIAD_CATEGORIES)


@dataclass(frozen=True)
class TriadCityRow:
    """Triad completeness of one city: a half-day counts as complete when an elected official, a
    city professional and the prefect's delegate of the city all attended it."""

    city_id: int
    city: str
    members: int
    roles_fielded: int
    cells: tuple[TriadCell, ...]

    @property
    def halfdays_held(self) -> int:
        return sum(1 for cell in self.cells if cell.roles_present is not None)

    @property
    def halfdays_complete(self) -> int:
        return sum(1 for cell in self.cells if cell.complete)

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.halfdays_complete, self.halfdays_held)


@dataclass(frozen=True)
class Participation:
    """Every participation figure of a programme, built by :func:`programme_participation`.

    - ``summary``: the overall figures (same meaning as :func:`programme_participation_summary`);
    - ``by_category``, ``by_city``, ``by_day``, ``by_slot``: :class:`ParticipationRow` breakdowns.
      Categories are the four trainee categories in their usual order; cities are sorted by name
      with a last line for trainees without a city (the activists); days and half-days follow
      the timetable, and a half-day not held yet has ``expected == 0`` and ``rate is None``;
    - ``slots``: the timetable's half-days (:class:`SlotInfo`), in order, held or not;
    - ``hours_delivered``: length of the half-days held, in hours; ``hours_planned``: of all;
    - ``participants``: hours and half-days attended per trainee (:class:`ParticipantHours`),
      sorted by category, last name, first name;
    - ``triads``: triad completeness per city and half-day (:class:`TriadCityRow`), one cell per
      entry of ``slots``;
    - ``commitments``: the triad members among ``participants``: each one's named commitment
      (``commitment_given``) against the half-days attended (``kept``, ``missed``).
    """

    summary: ParticipationSummary
    by_category: tuple[ParticipationRow, ...]
    by_city: tuple[ParticipationRow, ...]
    by_day: tuple[ParticipationRow, ...]
    by_slot: tuple[ParticipationRow, ...]
    slots: tuple[SlotInfo, ...]
    hours_delivered: Decimal
    hours_planned: Decimal
    participants: "PersonLines"
    triads: tuple[TriadCityRow, ...]
    commitments: "PersonLines"

    def without_names(self) -> "Participation":
        """The same figures for a reader who sees a name only with the person's consent (a
        funder): the people not named come after the named ones of their category, so that the
        place of "Not named" among the names does not tell who it is."""
        return replace(
            self,
            participants=self.participants.ordered_for_readers(hidden=_not_named),
            commitments=self.commitments.ordered_for_readers(hidden=_not_named),
        )

    @property
    def triad_halfdays_complete(self) -> int:
        return sum(row.halfdays_complete for row in self.triads)

    @property
    def triad_halfdays_held(self) -> int:
        return sum(row.halfdays_held for row in self.triads)

    @property
    def triad_rate(self) -> Decimal | None:
        """Share of (city, held half-day) pairs where the city's triad was complete."""
        return rate_percent(self.triad_halfdays_complete, self.triad_halfdays_held)

    @property
    def commitments_given(self) -> int:
        return sum(1 for line in self.commitments.lines if line.commitment_given)

    @property
    def commitments_kept(self) -> int:
        return sum(
            1
            for line in self.commitments.lines
            if line.commitment_given and commitment_kept(line.halfdays_attended, line.halfdays_held)
        )


def _not_named(line) -> bool:
    return not line.named


def _pk(instance_or_pk) -> int:
    """The id a prepared query (``programmes.prepared.Query``) takes for a model or its id."""
    return getattr(instance_or_pk, "pk", instance_or_pk)


_SLOT_ROWS = prepared.Query(
    lambda programme: (
        Slot.objects.filter(day__programme=programme)
        .annotate(is_held=slots_held_filter())
        .values("id", "day__date", "part", "starts_at", "ends_at", "closed_at", "is_held")
        .order_by("day__date", "starts_at")
    ),
    programme=int,
)


def _slots(programme) -> tuple[SlotInfo, ...]:
    """The programme's half-days in timetable order, each flagged held or not (one query)."""
    part_labels = dict(Slot.Part.choices)
    rows = _SLOT_ROWS(programme=_pk(programme))
    return tuple(
        SlotInfo(
            id=row["id"],
            date=row["day__date"],
            part=row["part"],
            part_label=str(part_labels.get(row["part"], row["part"])),
            starts_at=row["starts_at"],
            ends_at=row["ends_at"],
            held=bool(row["is_held"]),
            closed=row["closed_at"] is not None,
        )
        for row in rows
    )


def _by_day(slots: tuple[SlotInfo, ...], by_slot: tuple[ParticipationRow, ...]):
    """Half-day lines added up per training day (the half-days were aggregated in the database)."""
    days: dict[dt.date, dict[str, int]] = {}
    for slot, row in zip(slots, by_slot, strict=True):
        totals = days.setdefault(slot.date, {"expected": 0, **NO_COUNTS})
        for name in totals:
            totals[name] += getattr(row, name)
    return tuple(
        ParticipationRow(key=date, label=date_format(date, "DATE_FORMAT"), **totals)
        for date, totals in days.items()
    )


class PersonLine(NamedTuple):
    """What a trainee's line is made of, read for every trainee; :class:`PersonLines` makes
    the :class:`ParticipantHours` of the lines read. The attributes that order and count the
    lines (``participant_id``, ``category``, ``named``, ``commitment_given``, the half-days)
    have the names of :class:`ParticipantHours`."""

    participant_id: int
    first_name: str
    last_name: str
    named: bool
    category: str
    city: str
    commitment_given: bool
    halfdays_attended: int
    halfdays_excused: int
    halfdays_held: int
    seconds_attended: int
    hours_held: Decimal


class PersonLines(Sequence[ParticipantHours]):
    """The trainees' lines (:class:`ParticipantHours`) in order, each made when it is read: a
    page shows 50 lines of 500, a document all of them. ``lines`` are their
    :class:`PersonLine`, for what is counted or ordered over everyone."""

    def __init__(self, lines: tuple[PersonLine, ...]):
        self.lines = lines

    def __len__(self) -> int:
        return len(self.lines)

    @overload
    def __getitem__(self, index: int) -> ParticipantHours: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[ParticipantHours, ...]: ...
    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(_line_hours(line) for line in self.lines[index])
        return _line_hours(self.lines[index])

    def __iter__(self) -> Iterator[ParticipantHours]:
        return (_line_hours(line) for line in self.lines)

    def __eq__(self, other) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def where(self, keep: Callable[[PersonLine], bool]) -> "PersonLines":
        return PersonLines(tuple(line for line in self.lines if keep(line)))

    def ordered_for_readers(self, *, hidden: Callable[[PersonLine], bool]) -> "PersonLines":
        """:func:`order_for_readers` of the lines."""
        return PersonLines(order_for_readers(self.lines, hidden=hidden))


# Category labels, translated when a line is made.
CATEGORY_LABELS = dict(Category.choices)


def _line_hours(line: PersonLine) -> ParticipantHours:
    category = line.category
    name = SimpleNamespace(first_name=line.first_name, last_name=line.last_name)
    return ParticipantHours(
        participant_id=line.participant_id,
        name=Participant.full_name.fget(name),
        initials=Participant.initials.fget(name),
        named=line.named,
        category=category,
        category_label=str(CATEGORY_LABELS.get(category, category)),
        city=line.city,
        commitment_given=line.commitment_given,
        halfdays_attended=line.halfdays_attended,
        halfdays_excused=line.halfdays_excused,
        halfdays_held=line.halfdays_held,
        hours_attended=hours(dt.timedelta(seconds=line.seconds_attended)),
        hours_held=line.hours_held,
    )


def _person_counts(programme, lengths: tuple[tuple[int, tuple[int, ...]], ...]):
    """Each trainee's counted records (``_trainee_records``): half-days attended and excused,
    seconds attended, the half-days' ``lengths`` (seconds, half-day ids) written in as
    constants."""
    length = Case(
        *(When(slot_id__in=ids, then=Value(seconds)) for seconds, ids in lengths),
        default=Value(0),
    )
    return (
        _trainee_records(programme)
        .values_list("participant_id")
        .order_by()
        .annotate(
            attended=Count("pk", filter=Q(status__in=COUNT_STATUSES["attended"])),
            excused=Count("pk", filter=Q(status__in=COUNT_STATUSES["excused"])),
            seconds=Sum(length, filter=Q(status__in=COUNT_STATUSES["attended"])),
        )
    )


_PERSON_COUNTS = prepared.Query(_person_counts, programme=int)


def _participant_hours(people: list[tuple], slots: tuple[SlotInfo, ...], programme):
    """Half-days and hours attended per trainee against the half-days held they were expected
    at: ``people`` are the trainees' ``PERSON_FIELDS`` in the lines' order, their records
    are counted per person in the database (one query, compiled once per timetable).

    A half-day attended counts for its whole length: each record adds its half-day's length,
    written in the query as a constant per half-day, so that the database adds up plain
    numbers. The lengths and half-days held of a span are worked out once per span (most
    trainees have none). Only the lines read become :class:`ParticipantHours`."""
    held = tuple(slot for slot in slots if slot.held)
    by_length: dict[int, list[int]] = {}
    for slot in slots:
        by_length.setdefault(int(slot.duration.total_seconds()), []).append(slot.id)
    lengths = tuple((seconds, tuple(ids)) for seconds, ids in by_length.items())
    counted = {
        pk: (attended, excused, seconds or 0)
        for pk, attended, excused, seconds in _PERSON_COUNTS(
            programme=_pk(programme), lengths=lengths
        )
    }
    expected_of: dict[tuple, tuple[int, Decimal]] = {}
    covered_by = _covered_by(held)
    nothing = (0, 0, 0)
    lines = []
    for pk, first, last, named, given, category, _city_id, city, active, *span in people:
        span = tuple(span)
        if span not in expected_of:
            expected = covered_by(span)
            expected_of[span] = (len(expected), _hours_of(expected))
        halfdays_held, hours_held = expected_of[span]
        if not active and not halfdays_held:
            continue  # left before any half-day they were expected at was held
        attended, excused, seconds = counted.get(pk, nothing)
        lines.append(
            PersonLine(
                pk,
                first,
                last,
                named,
                category,
                city or "",
                given,
                attended,
                excused,
                halfdays_held,
                seconds,
                hours_held,
            )
        )
    return PersonLines(tuple(lines))


# The participation page shows its tables of people this many lines a page.
PEOPLE_PAGE_SIZE = 50


def _triads(groups, slots: tuple[SlotInfo, ...], present: dict[tuple, int]):
    """Per city with triad members, how many of the three roles attended each half-day held;
    ``present`` holds the roles that attended per (city id, half-day id)."""
    cities: dict[int, dict] = {}
    for group in groups:
        if group.category not in TRIAD_VALUES or group.city_id is None:
            continue
        city = cities.setdefault(group.city_id, {"name": group.city, "members": 0, "roles": set()})
        city["members"] += group.count
        city["roles"].add(group.category)
    return tuple(
        TriadCityRow(
            city_id=city_id,
            city=city["name"],
            members=city["members"],
            roles_fielded=len(city["roles"]),
            cells=tuple(
                TriadCell(
                    slot_id=slot.id,
                    roles_present=present.get((city_id, slot.id), 0) if slot.held else None,
                )
                for slot in slots
            ),
        )
        for city_id, city in sorted(cities.items(), key=lambda item: item[1]["name"].casefold())
    )


# --- The one definition of the participation figures ----------------------------------------
#
# Every participation figure of a page or a document is built here, from three things defined
# once: which records count (``counted_records_filter``), which half-days are held
# (``slots_held_filter``) and which status adds to which count (``STATUS_COUNT``). Expected
# attendances are trainees x half-days held (``_row``), and the rate is ``rate_percent``.

COUNT_FIELDS = ("attended", "excused", "absent")
NO_COUNTS = dict.fromkeys(COUNT_FIELDS, 0)
# Which count a recorded status adds to: present, late and left early attend (the model's
# ATTENDING_STATUSES); excused and absent are counted apart.
STATUS_COUNT = {
    **{str(status): "attended" for status in ATTENDING_STATUSES},
    str(AttendanceStatus.EXCUSED): "excused",
    str(AttendanceStatus.ABSENT): "absent",
}
TRAINEE_VALUES = tuple(str(category) for category in TRAINEE_CATEGORIES)
TRIAD_VALUES = tuple(str(category) for category in TRIAD_CATEGORIES)


def slots_held_filter(slot: str = "") -> Q:
    """Slots that count as held: closed, or with at least one attendance record. ``slot`` is
    the lookup from the queried model to the slot (``"slots__"`` from a training day)."""
    return Q(**{f"{slot}closed_at__isnull": False}) | Q(
        Exists(Attendance.objects.filter(slot=OuterRef(f"{slot}pk")))
    )


def _within_span(slot: str, span: str) -> Q:
    """Half-days (reached by ``slot``: ``""`` from a slot, ``"slot__"`` from a record) that
    the span (reached by ``span``) covers: starting at or after its start, before its end."""
    day, start = f"{slot}day__date", f"{slot}starts_at"
    after_start = (
        Q(**{f"{span}from_day__isnull": True})
        | Q(**{f"{day}__gt": F(f"{span}from_day")})
        | Q(**{day: F(f"{span}from_day"), f"{start}__gte": F(f"{span}from_time")})
    )
    before_end = (
        Q(**{f"{span}until_day__isnull": True})
        | Q(**{f"{day}__lt": F(f"{span}until_day")})
        | Q(**{day: F(f"{span}until_day"), f"{start}__lt": F(f"{span}until_time")})
    )
    return after_start & before_end


def counted_records_filter(programme, prefix: str = "", slot: str = "slot__") -> Q:
    """The attendance records the figures count: those of the programme's trainees (triad
    members and activists) on the half-days they were expected at. ``prefix`` reaches the
    records through a relation (``"attendances__"`` from a slot, with ``slot=""``)."""
    person = f"{prefix}participant__"
    return Q(
        **{
            f"{person}programme": programme,
            f"{person}category__in": TRAINEE_VALUES,
        }
    ) & (
        Q(**{f"{person}is_active": True, f"{person}expected_span__isnull": True})
        | (
            Q(**{f"{person}expected_span__isnull": False})
            & _within_span(slot, f"{person}expected_span__")
        )
    )


def expected_at_slot_filter(slot: Slot) -> Q:
    """The participants expected at ``slot`` (to filter trainees): active without a span, or
    with a span that covers the half-day."""
    return _expected_at(slot.day.date, slot.starts_at)


def _expected_at(day: dt.date, start: dt.time) -> Q:
    """:func:`expected_at_slot_filter` of the half-day that starts on ``day`` at ``start``."""
    after_start = (
        Q(expected_span__from_day__isnull=True)
        | Q(expected_span__from_day__lt=day)
        | Q(expected_span__from_day=day, expected_span__from_time__lte=start)
    )
    before_end = (
        Q(expected_span__until_day__isnull=True)
        | Q(expected_span__until_day__gt=day)
        | Q(expected_span__until_day=day, expected_span__until_time__gt=start)
    )
    return Q(is_active=True, expected_span__isnull=True) | (
        Q(expected_span__isnull=False) & after_start & before_end
    )


def _trainee_records(programme):
    """Attendance records the figures count (``counted_records_filter``)."""
    return Attendance.objects.filter(slot__day__programme=programme).filter(
        counted_records_filter(programme)
    )


# The statuses each count is made of (``STATUS_COUNT`` read the other way).
COUNT_STATUSES = {
    name: tuple(status for status, count in STATUS_COUNT.items() if count == name)
    for name in COUNT_FIELDS
}


def _counts() -> dict[str, Count]:
    """The attended, excused and absent counts (``COUNT_FIELDS``): each record adds to the
    count its status gives it (``STATUS_COUNT``)."""
    return {name: Count("pk", filter=Q(status__in=COUNT_STATUSES[name])) for name in COUNT_FIELDS}


def _count_rows(records, *fields: str):
    """Rows of ``fields`` then their :func:`_counts`, one per value of ``fields`` (one query)."""
    return records.values_list(*fields).order_by().annotate(**_counts())


_TRAINEE_COUNT_ROWS = prepared.Query(
    lambda programme, fields: _count_rows(_trainee_records(programme), *fields), programme=int
)


def _trainee_record_counts(programme, *fields: str) -> dict[tuple, dict[str, int]]:
    """Attended, excused and absent per value of ``fields`` (:func:`_count_rows`) of the
    records the figures count (``_trainee_records``); all of them under ``()`` without
    ``fields``."""
    if not fields:  # one group: the records are all of the programme
        rows = _TRAINEE_COUNT_ROWS(programme=_pk(programme), fields=("participant__programme_id",))
        return {(): dict(zip(COUNT_FIELDS, rows[0][1:], strict=True))} if rows else {}
    size = len(fields)
    return {
        tuple(row[:size]): dict(zip(COUNT_FIELDS, row[size:], strict=True))
        for row in _TRAINEE_COUNT_ROWS(programme=_pk(programme), fields=fields)
    }


def _summed(lists: dict) -> dict:
    """Each key's count rows added up, as counts by name."""
    return {
        key: dict(zip(COUNT_FIELDS, map(sum, zip(*rows, strict=True)), strict=True))
        for key, rows in lists.items()
    }


def _row(*, key, label: str, expected: int, counts) -> ParticipationRow:
    """A line of figures: ``expected`` attendances (``_population``) and the records' counts."""
    return ParticipationRow(
        key=key,
        label=label,
        expected=expected,
        **{name: counts[name] for name in COUNT_FIELDS},
    )


def _added_up(groups, counts: dict[tuple, dict[str, int]]) -> dict[str, int]:
    """The expected attendances of several groups and their records' counts added up;
    ``counts`` are keyed by (category, city id)."""
    keys = [(group.category, group.city_id) for group in groups]
    return {
        "expected": sum(group.expected for group in groups),
        **{name: sum(counts.get(key, NO_COUNTS)[name] for key in keys) for name in COUNT_FIELDS},
    }


def _hours_of(slots) -> Decimal:
    return hours(sum((slot.duration for slot in slots), dt.timedelta()))


@dataclass(frozen=True)
class TraineeGroup:
    """The trainees of one category in one city (``city`` is "" for those without one):
    ``count`` people (the active ones, and those who left after being expected at a half-day
    held), ``expected`` attendances over the half-days held."""

    category: str
    city_id: int | None
    city: str
    count: int
    expected: int


SPAN_FIELDS = ("from_day", "from_time", "until_day", "until_time")
# What the figures read of each trainee, in the order of the figures' lines.
PERSON_FIELDS = (
    "pk",
    "first_name",
    "last_name",
    "consent_name_in_reports",
    "commitment_given",
    "category",
    "city_id",
    "city__name",
    "is_active",
    *(f"expected_span__{name}" for name in SPAN_FIELDS),
)
PERSON_ORDER = ("category", "last_name", "first_name", "pk")


def _trainees(programme):
    """The trainees the figures count: triad members and activists, active or with a span
    (someone who left is counted where they were expected)."""
    return (
        Participant.objects.for_programme(programme)
        .filter(category__in=TRAINEE_VALUES)
        .filter(Q(is_active=True) | Q(expected_span__isnull=False))
    )


def _covered_by(slots: tuple[SlotInfo, ...]) -> Callable[[tuple], tuple[SlotInfo, ...]]:
    """The half-days of ``slots`` a span covers (the span as ``SPAN_FIELDS`` values, all None
    for a trainee without one), worked out once per span: most trainees share a few."""
    covered: dict[tuple, tuple[SlotInfo, ...]] = {}

    def of(span: tuple) -> tuple[SlotInfo, ...]:
        if span not in covered:
            covers = ExpectedSpan(**dict(zip(SPAN_FIELDS, span, strict=True))).covers
            covered[span] = tuple(slot for slot in slots if covers(slot.date, slot.starts_at))
        return covered[span]

    return of


def _population_of(rows: Iterable[tuple], slots: tuple[SlotInfo, ...]):
    """Who is expected at which half-day: the trainee groups (``TraineeGroup``) and the number
    of trainees expected at each half-day of ``slots``, held or not, from ``rows`` of trainees
    counted per (category, city id, city, active, span), the span as ``SPAN_FIELDS``."""
    groups: dict[tuple, dict] = {}
    by_slot = dict.fromkeys((slot.id for slot in slots), 0)
    covered_by = _covered_by(slots)
    for (category, city_id, city, active, span), n in rows:
        covered = covered_by(span)
        held = sum(1 for slot in covered if slot.held)
        if not active and not held:
            continue  # left before any half-day they were expected at was held
        group = groups.setdefault(
            (category, city_id), {"city": city or "", "count": 0, "expected": 0}
        )
        group["count"] += n
        group["expected"] += n * held
        for slot in covered:
            by_slot[slot.id] += n
    return (
        tuple(
            TraineeGroup(category=category, city_id=city_id, **values)
            for (category, city_id), values in groups.items()
        ),
        by_slot,
    )


_POPULATION_ROWS = prepared.Query(
    lambda programme: (
        _trainees(programme)
        .values_list(
            "category",
            "city_id",
            "city__name",
            "is_active",
            *(f"expected_span__{name}" for name in SPAN_FIELDS),
        )
        .order_by()
        .annotate(n=Count("id"))
    ),
    programme=int,
)
_PEOPLE_ROWS = prepared.Query(
    lambda programme: _trainees(programme).values_list(*PERSON_FIELDS).order_by(*PERSON_ORDER),
    programme=int,
)


def _population(programme, slots: tuple[SlotInfo, ...]):
    """:func:`_population_of` the programme's trainees counted in the database (one query):
    people without a span fall in one row per category and city, so the rows stay few."""
    rows = _POPULATION_ROWS(programme=_pk(programme))
    return _population_of((((*row[:4], tuple(row[4:-1])), row[-1]) for row in rows), slots)


@dataclass(frozen=True)
class ParticipationOverview:
    """The headline figures, for a page or a document that needs no breakdown nor per-trainee
    line: ``summary``; ``hours_delivered`` (length of the half-days held, in hours) and
    ``hours_planned`` (of all); ``slots``, the timetable's half-days (:class:`SlotInfo`) in
    order, held or not; ``trainee_groups``, the trainees per category and city (the
    population every breakdown is built from)."""

    summary: ParticipationSummary
    hours_delivered: Decimal
    hours_planned: Decimal
    slots: tuple[SlotInfo, ...]
    trainee_groups: tuple[TraineeGroup, ...]
    expected_by_slot: dict[int, int]


def _overview(counts: dict[str, int], slots: tuple[SlotInfo, ...], population):
    """The overview from the records' overall ``counts``, the half-days and the
    :func:`_population_of` the trainees."""
    groups, by_slot = population
    held = tuple(slot for slot in slots if slot.held)
    trainees = sum(group.count for group in groups)
    overall = _row(
        key=None, label="", expected=sum(group.expected for group in groups), counts=counts
    )
    return ParticipationOverview(
        summary=ParticipationSummary(
            trainees=trainees,
            slots_total=len(slots),
            slots_held=len(held),
            expected=overall.expected,
            attended=overall.attended,
            excused=overall.excused,
            absent=overall.absent,
        ),
        hours_delivered=_hours_of(held),
        hours_planned=_hours_of(slots),
        slots=slots,
        trainee_groups=groups,
        expected_by_slot=by_slot,
    )


@kept
def programme_participation_overview(*, programme) -> ParticipationOverview:
    """The participation summary of a programme, its hours, half-days and trainee groups.

    This is the one computation of the summary: :func:`programme_participation` builds it the
    same way from the same counts, and every page and document reads one or the other. Three
    queries whatever the number of trainees, records or half-days: the trainees counted per
    category and city; their records counted (one row: the funder report reads this selector
    for its speed); the half-days, each flagged held or not. Read-only.
    """
    counts = _trainee_record_counts(programme).get((), NO_COUNTS)
    slots = _slots(programme)
    return _overview(counts, slots, _population(programme, slots))


def programme_participation_summary(*, programme) -> ParticipationSummary:
    """The overall participation figures of a programme (three queries): those of
    :func:`programme_participation_overview`."""
    return programme_participation_overview(programme=programme).summary


@kept
def programme_participation(*, programme) -> Participation:
    """All participation figures of a programme, aggregated in the database.

    Four queries whatever the number of participants, records or half-days: the half-days, as
    :func:`programme_participation_overview` reads them; the trainees, whose lines they are
    and who make up the trainee groups (counted here, as the overview counts them in the
    database); the records counted per half-day, category and city, from which the summary
    (added up as the overview does), the breakdowns (which add up to the summary) and the
    roles present per city and half-day are all taken; and the records counted per person.
    Each query is compiled once per process (``programmes.prepared``: building a query costs
    more than running it). Read-only.

    See the module docstring for the definitions (rate, expected, held half-day, hours). Only
    active trainees count; records of facilitators and support people are ignored.
    """
    slot_rows: dict[int, list] = {}
    group_rows: dict[tuple, list] = {}
    roles_present: dict[tuple, int] = {}
    attended = COUNT_FIELDS.index("attended")
    for slot_id, category, city_id, *counts in _TRAINEE_COUNT_ROWS(
        programme=programme.pk,
        fields=("slot_id", "participant__category", "participant__city_id"),
    ):
        slot_rows.setdefault(slot_id, []).append(counts)
        group_rows.setdefault((category, city_id), []).append(counts)
        if category in TRIAD_VALUES and counts[attended]:
            roles_present[city_id, slot_id] = roles_present.get((city_id, slot_id), 0) + 1
    per_slot, per_group = _summed(slot_rows), _summed(group_rows)
    overall = {name: sum(counts[name] for counts in per_slot.values()) for name in COUNT_FIELDS}
    slots = _slots(programme)
    people = _PEOPLE_ROWS(programme=programme.pk)
    # The population, counted here from the people read for their lines.
    population = Counter((*row[5:9], tuple(row[9:])) for row in people)
    overview = _overview(overall, slots, _population_of(population.items(), slots))
    summary, groups = overview.summary, overview.trainee_groups
    by_slot = tuple(
        _row(
            key=slot.id,
            label=slot.label,
            expected=overview.expected_by_slot[slot.id] if slot.held else 0,
            counts=per_slot.get(slot.id, NO_COUNTS),
        )
        for slot in slots
    )

    def breakdown(key, label: str, members) -> ParticipationRow:
        total = _added_up(members, per_group)
        return _row(key=key, label=label, expected=total["expected"], counts=total)

    by_category = tuple(
        breakdown(value, str(label), [g for g in groups if g.category == value])
        for value, label in Category.choices
        if value in TRAINEE_VALUES
    )
    city_names = {group.city_id: group.city for group in groups}
    by_city = tuple(
        breakdown(
            city_id,
            city_names[city_id] or _("No city (activists)"),
            [g for g in groups if g.city_id == city_id],
        )
        for city_id in sorted(
            city_names, key=lambda city_id: (city_id is None, city_names[city_id].casefold())
        )
    )
    participants = _participant_hours(people, slots, programme)
    return Participation(
        summary=summary,
        by_category=by_category,
        by_city=by_city,
        by_day=_by_day(slots, by_slot),
        by_slot=by_slot,
        slots=slots,
        hours_delivered=overview.hours_delivered,
        hours_planned=overview.hours_planned,
        participants=participants,
        triads=_triads(groups, slots, roles_present),
        commitments=participants.where(lambda line: line.category in TRIAD_VALUES),
    )


# --- Timetable and attendance sheets -------------------------------------------------------


@dataclass(frozen=True)
class TimetableActivity:
    pk: int
    kind: str
    kind_label: str
    title: str
    description: str
    peer_group: str  # its name, "" without one
    facilitators: tuple[str, ...]  # full names, by last then first name


@dataclass(frozen=True)
class TimetableSlot:
    pk: int
    label: str  # as ``str(slot)``: "22/01/2015 Matin"
    heading: str  # "Matin · 09:00–12:30"
    is_closed: bool
    activities: tuple[TimetableActivity, ...]

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class TimetableDay:
    pk: int
    date_heading: str  # "Jeudi 22 janvier 2015"
    date_label: str  # "22/01/2015"
    title: str
    place: str
    slots: tuple[TimetableSlot, ...]


_TIMETABLE_FACILITATORS = prepared.Query(
    lambda programme: (
        Activity.facilitators.through.objects.filter(activity__slot__day__programme=programme)
        .order_by("participant__last_name", "participant__first_name")
        .values_list("activity_id", "participant__first_name", "participant__last_name")
    ),
    programme=int,
)
_TIMETABLE_ACTIVITIES = prepared.Query(
    lambda programme: (
        Activity.objects.filter(slot__day__programme=programme)
        .order_by("slot", "position", "id")
        .values("id", "slot_id", "kind", "title", "description", "peer_group__name")
    ),
    programme=int,
)
_TIMETABLE_SLOTS = prepared.Query(
    lambda programme: (
        Slot.objects.filter(day__programme=programme)
        .order_by("starts_at")
        .values("id", "day_id", "day__date", "part", "starts_at", "ends_at", "closed_at")
    ),
    programme=int,
)
_TIMETABLE_DAYS = prepared.Query(
    lambda programme: (
        TrainingDay.objects.filter(programme=programme)
        .order_by("date")
        .values("id", "date", "title", "place")
    ),
    programme=int,
)


def timetable_days(*, programme) -> list[TimetableDay]:
    """The programme's days in order, each with its half-days and their activities, peer groups
    and facilitators, as plain values (four queries whatever the size)."""
    facilitators: dict[int, list[str]] = {}
    programme = _pk(programme)
    for activity_id, first_name, last_name in _TIMETABLE_FACILITATORS(programme=programme):
        # As ``Participant.full_name``.
        facilitators.setdefault(activity_id, []).append(f"{first_name} {last_name}".strip())
    kinds = dict(Activity.Kind.choices)
    activities: dict[int, list[TimetableActivity]] = {}
    for row in _TIMETABLE_ACTIVITIES(programme=programme):
        activities.setdefault(row["slot_id"], []).append(
            TimetableActivity(
                pk=row["id"],
                kind=row["kind"],
                kind_label=str(kinds.get(row["kind"], row["kind"])),
                title=row["title"],
                description=row["description"],
                peer_group=row["peer_group__name"] or "",
                facilitators=tuple(facilitators.get(row["id"], ())),
            )
        )
    parts = dict(Slot.Part.choices)
    slots: dict[int, list[TimetableSlot]] = {}
    for row in _TIMETABLE_SLOTS(programme=programme):
        part = str(parts.get(row["part"], row["part"]))
        times = f"{time_format(row['starts_at'], 'H:i')}–{time_format(row['ends_at'], 'H:i')}"
        slots.setdefault(row["day_id"], []).append(
            TimetableSlot(
                pk=row["id"],
                label=f"{date_format(row['day__date'], 'DATE_FORMAT')} {part}",  # Slot.__str__
                heading=f"{part} · {times}",
                is_closed=row["closed_at"] is not None,
                activities=tuple(activities.get(row["id"], ())),
            )
        )
    return [
        TimetableDay(
            pk=row["id"],
            date_heading=capfirst(date_format(row["date"], "l j F Y")),
            date_label=date_format(row["date"], "DATE_FORMAT"),
            title=row["title"],
            place=row["place"],
            slots=tuple(slots.get(row["id"], ())),
        )
        for row in _TIMETABLE_DAYS(programme=programme)
    ]


def _slot_of_programme(slot, slug, reader=None):
    """The half-day ``slot`` of the programme ``slug`` with its day, programme and figures
    version, and with ``reader`` (a user's id) the roles that user holds in the programme,
    comma-separated (null without any)."""
    slots = (
        Slot.objects.select_related("day__programme", "closed_by")
        .filter(pk=slot, day__programme__slug=slug)
        .annotate(figures_version=FiguresVersion.of("day__programme_id"))
    )
    if reader is not None:
        roles = (
            Membership.objects.filter(programme=OuterRef("day__programme_id"), user=reader)
            .order_by()
            .values("programme")
            .annotate(roles=StringAgg("role", Value(",")))
            .values("roles")[:1]
        )
        slots = slots.annotate(reader_roles=Subquery(roles))
    return slots.order_by("pk")[:1]


_SLOT_OF_PROGRAMME = prepared.Query(_slot_of_programme, slot=int, slug=str)
_SLOT_FOR_READER = prepared.Query(_slot_of_programme, slot=int, slug=str, reader=int)


def slot_get(*, slug: str, slot_id: int, reader: int | None = None) -> Slot:
    """The half-day ``slot_id`` of the programme ``slug``, with its day and programme (one
    query); 404 when it does not exist or belongs to another programme. With ``reader`` (a
    user's id), the roles that user holds in the programme are read with it, where
    ``programmes.permissions.programme_roles`` looks first (as a programme page's programme
    is read with them)."""
    if reader is None:
        slots = _SLOT_OF_PROGRAMME(slot=slot_id, slug=slug)
    else:
        slots = _SLOT_FOR_READER(slot=slot_id, slug=slug, reader=reader)
    if not slots:
        raise Http404
    slot = slots[0]
    programme = slot.day.programme
    # The programme's figures version (``programmes.kept``), read with it.
    programme.figures_version = slot.figures_version
    if reader is not None:
        remember_roles(programme, reader, slot.reader_roles.split(",") if slot.reader_roles else ())
    return slot


def current_slot_order(slots: list, now: dt.datetime) -> list:
    """The slot happening now (or the next one today, or else the next to come, or else the
    last one held) first, the others in timetable order. A slot has ``pk``, ``date``,
    ``starts_at`` and ``ends_at``."""
    if not slots:
        return []
    local = timezone.localtime(now)
    today, time = local.date(), local.time()

    def key(slot):
        return (slot.date, slot.starts_at)

    running = [s for s in slots if s.date == today and s.starts_at <= time <= s.ends_at]
    upcoming = [s for s in slots if key(s) >= (today, time)]
    current = (running or upcoming or [max(slots, key=key)])[0]
    return [current, *(slot for slot in slots if slot.pk != current.pk)]


@dataclass(frozen=True)
class AttendanceSlot:
    """A half-day on the attendance page: when it is, its activities' titles, whether its
    sheet is closed, and its trainees' figures: ``expected`` at it, ``recorded`` (their records)
    and ``attended`` (those present, late or left early)."""

    pk: int
    date: dt.date
    part_label: str
    starts_at: dt.time
    ends_at: dt.time
    is_closed: bool
    activities: tuple[str, ...]
    expected: int
    recorded: int
    attended: int


_ACTIVITY_TITLES = prepared.Query(
    lambda programme: (
        Activity.objects.filter(slot__day__programme=programme)
        .order_by("slot", "position", "id")
        .values_list("slot_id", "title")
    ),
    programme=int,
)


@kept
def _slot_counts(*, programme, slots: tuple[SlotInfo, ...]):
    """The records counted per half-day (``_trainee_record_counts``) and who is expected at
    each (``_population``), kept while the programme's records stay the same."""
    return _trainee_record_counts(programme, "slot_id"), _population(programme, slots)[1]


def attendance_slot_list(*, programme, now: dt.datetime | None = None) -> list[AttendanceSlot]:
    """The programme's half-days for the attendance page, current one first (four queries
    whatever the size: the half-days, their activities' titles, the records counted per
    half-day and status as the participation figures count them, and who is expected at each
    half-day, ``_population``)."""
    slots = _slots(programme)
    titles: dict[int, list[str]] = {}
    for slot_id, title in _ACTIVITY_TITLES(programme=_pk(programme)):
        titles.setdefault(slot_id, []).append(title)
    counts, expected = _slot_counts(programme=programme, slots=slots)
    lines = []
    for slot in slots:
        figures = counts.get((slot.id,), NO_COUNTS)
        lines.append(
            AttendanceSlot(
                pk=slot.id,
                date=slot.date,
                part_label=slot.part_label,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                is_closed=slot.closed,
                activities=tuple(titles.get(slot.id, ())),
                expected=expected.get(slot.id, 0),
                # Every status adds to one of the three counts (STATUS_COUNT).
                recorded=sum(figures[name] for name in COUNT_FIELDS),
                attended=figures["attended"],
            )
        )
    return current_slot_order(lines, now or timezone.now())


class SheetGrouping(models.TextChoices):
    PEER_GROUP = "peer_group", gettext_lazy("By peer group")
    CITY = "city", gettext_lazy("By city")


@dataclass(frozen=True)
class SheetPerson:
    """Who a sheet line is about, as the sheets, their documents and the signing pages show
    them: the name, the category, the city's and the peer group's names ("" without one). A
    plain value: a participant, a city and a peer group built as model instances for each of
    500 lines were three quarters of a long sheet's reading."""

    pk: int
    first_name: str
    last_name: str
    category: str
    city: str
    peer_group: str

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:  # as ``Participant.full_name``
        return f"{self.first_name} {self.last_name}".strip()

    def get_category_display(self) -> str:
        return str(Category(self.category).label)


@dataclass(frozen=True)
class SheetRow:
    """One expected participant on a sheet, with their record if any (``version`` 0: none)."""

    participant: SheetPerson
    group: str
    attendance_id: int | None
    status: str
    note: str
    version: int
    recorded_by: str
    recorded_at: dt.datetime | None

    @property
    def status_label(self) -> str:
        return str(AttendanceStatus(self.status).label) if self.status else ""


def _sheet_people(programme, slot, day, start, by_city: bool, participant=None):
    """The trainees expected at the half-day ``slot`` (starting on ``day`` at ``start``) with
    their record there, as :func:`sheet_rows` reads them (``participant`` alone if given)."""
    people = (
        Participant.objects.for_programme(programme)
        .filter(category__in=TRAINEE_VALUES)
        .filter(_expected_at(day, start))
        .annotate(record=FilteredRelation("attendances", condition=Q(attendances__slot=slot)))
    )
    if participant is not None:
        people = people.filter(pk=participant)
    if by_city:
        people = people.order_by(
            F("city__name").asc(nulls_last=True), "category", "last_name", "first_name", "pk"
        )
    else:
        people = people.order_by(
            F("peer_group__name").asc(nulls_last=True), "last_name", "first_name", "pk"
        )
    return people.values_list(
        "pk",
        "first_name",
        "last_name",
        "category",
        "city__name",
        "peer_group__name",
        "record__id",
        "record__status",
        "record__note",
        "record__version",
        "record__recorded_at",
        "record__recorded_by__first_name",
        "record__recorded_by__last_name",
        "record__recorded_by__username",
    )


_SHEET_KINDS = {"programme": int, "slot": int, "day": dt.date, "start": dt.time}
_SHEET_PEOPLE = prepared.Query(_sheet_people, **_SHEET_KINDS)
_SHEET_PERSON = prepared.Query(_sheet_people, **_SHEET_KINDS, participant=int)


def sheet_rows(*, slot: Slot, group_by: str = SheetGrouping.PEER_GROUP, participant_id=None):
    """The expected participants of a half-day's sheet (the trainees expected at it) with
    their current record, sorted by group (peer group or city) then name (one query). Of each
    person only the name, category, city and peer group are read (``SheetPerson``).

    With ``participant_id``, only that participant's row (an empty list if not expected).
    """
    values = {
        "slot": slot.pk,
        "day": slot.day.date,
        "start": slot.starts_at,
        # One of the two orders: any other value asks for the peer groups'.
        "by_city": group_by == SheetGrouping.CITY,
    }
    if participant_id is None:
        return list(_sheet_rows_kept(programme=slot.day.programme, **values))
    people = _SHEET_PERSON(programme=slot.day.programme_id, **values, participant=participant_id)
    return list(_sheet_rows_of(people, by_city=values["by_city"]))


@kept
def _sheet_rows_kept(*, programme, **values) -> tuple["SheetRow", ...]:
    """The sheet's rows, kept while the programme's records stay the same (the people, their
    records and who marked them are all written under its figures version)."""
    people = _SHEET_PEOPLE(programme=_pk(programme), **values)
    return _sheet_rows_of(people, by_city=values["by_city"])


def _sheet_rows_of(people, *, by_city: bool) -> tuple["SheetRow", ...]:
    """:class:`SheetRow` of each of ``people`` (``_sheet_people``'s rows)."""
    no_group = _("No city") if by_city else _("No peer group")
    rows = []
    for (
        pk,
        first_name,
        last_name,
        category,
        city,
        peer_group,
        record_id,
        status,
        note,
        version,
        recorded_at,
        by_first,
        by_last,
        by_username,
    ) in people:
        by = f"{by_first or ''} {by_last or ''}".strip()
        person = SheetPerson(
            pk=pk,
            first_name=first_name,
            last_name=last_name,
            category=category,
            city=city or "",
            peer_group=peer_group or "",
        )
        rows.append(
            SheetRow(
                participant=person,
                group=(city if by_city else peer_group) or no_group,
                attendance_id=record_id,
                status=status or "",
                note=note or "",
                version=version or 0,
                recorded_by=by or by_username or "",
                recorded_at=recorded_at,
            )
        )
    return tuple(rows)


def sheet_counts(rows: list[SheetRow]) -> dict[str, int]:
    """Counts per status of the rows already loaded for the sheet, plus ``unrecorded``."""
    counts = {status: 0 for status in AttendanceStatus.values}
    counts["unrecorded"] = 0
    for row in rows:
        counts[row.status or "unrecorded"] += 1
    return counts


def sheet_history(*, slot: Slot) -> list[AttendanceChange]:
    """Every change made on the half-day's sheet, newest first, with who and whom (one query).
    Of the people only the names are read."""
    return _SHEET_HISTORY(slot=slot.pk)


_SHEET_HISTORY = prepared.Query(
    lambda slot: (
        AttendanceChange.objects.filter(attendance__slot=slot)
        .select_related("attendance__participant", "changed_by")
        .only(
            "old_status",
            "new_status",
            "note",
            "changed_at",
            "attendance__participant__first_name",
            "attendance__participant__last_name",
            "changed_by__first_name",
            "changed_by__last_name",
            "changed_by__username",
        )
        .order_by("-changed_at", "-id")
    ),
    slot=int,
)


def slot_activities(*, slot: Slot) -> list[Activity]:
    """The half-day's activities with their peer group and facilitators (two queries)."""
    return list(
        slot.activities.select_related("peer_group")
        .prefetch_related("facilitators")
        .order_by("position", "id")
    )


@dataclass(frozen=True)
class SheetActivity:
    title: str
    peer_group: str  # its name, "" without one
    facilitators: tuple[SheetPerson, ...]  # by last then first name


_SHEET_ACTIVITIES = prepared.Query(
    lambda slot: (
        Activity.objects.filter(slot=slot)
        .order_by("position", "id", "facilitators__last_name", "facilitators__first_name")
        .values_list(
            "id",
            "title",
            "peer_group__name",
            "facilitators__id",
            "facilitators__first_name",
            "facilitators__last_name",
            "facilitators__category",
        )
    ),
    slot=int,
)


def sheet_activities(*, slot: Slot) -> list[SheetActivity]:
    """The half-day's activities as its sheet shows them, with their peer group and
    facilitators, as plain values (one query: ``slot_activities`` takes two, and builds model
    instances the sheet only reads a few names of)."""
    activities: dict[int, tuple[str, str, list[SheetPerson]]] = {}
    for activity_id, title, peer_group, pk, first_name, last_name, category in _SHEET_ACTIVITIES(
        slot=slot.pk
    ):
        _title, _group, people = activities.setdefault(activity_id, (title, peer_group, []))
        if pk is not None:
            people.append(SheetPerson(pk, first_name, last_name, category, "", ""))
    return [
        SheetActivity(title=title, peer_group=peer_group or "", facilitators=tuple(people))
        for title, peer_group, people in activities.values()
    ]


def slot_facilitator_ids(*, slot: Slot) -> set[int]:
    """The ids of the facilitators of the half-day's activities: who may sign as trainer (one
    query)."""
    return set(
        Participant.objects.filter(facilitated_activities__slot=slot).values_list("pk", flat=True)
    )


def slot_signatures(*, slot: Slot) -> list[AttendanceSignature]:
    """The signatures of a half-day's sheet in the order they were given, with the names of
    the person and the witness (one query). Only what the pages and the sealed sheet show is
    read: without the strokes (they show the SVG drawn from them, and decoding each drawing's
    JSON was a good part of a signed sheet's time), the device, the hashes, nor every column of
    two people."""
    return _SLOT_SIGNATURES(slot=slot.pk)


_SLOT_SIGNATURES = prepared.Query(
    lambda slot: (
        AttendanceSignature.objects.filter(slot=slot)
        .select_related("participant", "witness")
        .only(
            "slot",
            "sequence",
            "role",
            "status",
            "method",
            "svg",
            "mark",
            "signed_at",
            "device_signed_at",
            "arrived_at",
            "left_at",
            "reason",
            "evidence_erased_at",
            "participant__first_name",
            "participant__last_name",
            "witness__first_name",
            "witness__last_name",
            "witness__username",
        )
        .order_by("sequence")
    ),
    slot=int,
)


def slot_paper_scans(*, slot: Slot) -> list[PaperSheet]:
    """The scans of the sheet signed in ink, the latest first: when and their SHA-256 (one
    query)."""
    return _PAPER_SCANS(slot=slot.pk)


_PAPER_SCANS = prepared.Query(
    lambda slot: PaperSheet.objects.filter(slot=slot).only("slot", "sha256", "uploaded_at"),
    slot=int,
)


def slot_last_reopening(*, slot: Slot):
    """The audit entry of the sheet's last reopening (who, when, why), or None (one query)."""
    entries = _LAST_REOPENING(slot=slot.pk, slot_type=ContentType.objects.get_for_model(Slot).pk)
    return entries[0] if entries else None


_LAST_REOPENING = prepared.Query(
    lambda slot, slot_type: (
        AuditEntry.objects.filter(
            target_type=slot_type,
            target_id=slot,
            action="attendance.sheet_reopened",
        )
        .select_related("actor")
        .only("created_at", "data", "actor__first_name", "actor__last_name", "actor__username")
        .order_by("-created_at", "-id")[:1]
    ),
    slot=int,
    slot_type=int,
)


@dataclass
class SignedLine:
    """A trainee's signature on a sheet and what later rows said about it: ``latest`` is the
    row that gives the status and times now (the signature itself, or its last correction)."""

    signature: AttendanceSignature
    corrections: list[AttendanceSignature]

    @property
    def latest(self) -> AttendanceSignature:
        return self.corrections[-1] if self.corrections else self.signature


def signed_lines(signatures) -> dict[int, SignedLine]:
    """The trainees' signed lines by participant id, from a sheet's rows in sequence order (no
    query)."""
    lines: dict[int, SignedLine] = {}
    for row in signatures:
        if row.role != AttendanceSignature.Role.TRAINEE:
            continue
        if row.method == AttendanceSignature.Method.CORRECTION:
            if row.participant_id in lines:
                lines[row.participant_id].corrections.append(row)
        elif row.participant_id not in lines:
            lines[row.participant_id] = SignedLine(signature=row, corrections=[])
    return lines


# --- How attendance was proven -------------------------------------------------------------


class Proof(models.TextChoices):
    """How a held half-day's attendance is proven: a sheet closed with a trainer's signature
    and the trainees' signatures in the app, or nothing the app can show."""

    SIGNED_IN_APP = "app", gettext_lazy("Signed in the app")
    SIGNED_ON_PAPER = "paper", gettext_lazy("Signed on paper")
    NOT_PROVEN = "none", gettext_lazy("Not proven")


@dataclass(frozen=True)
class SlotProof:
    slot: SlotInfo
    attended: int  # trainees marked present, late or left early
    trainee_signatures: int
    trainer_signatures: int
    paper_scans: int = 0

    @property
    def proof(self) -> str:
        if self.slot.closed and self.trainer_signatures:
            return Proof.SIGNED_IN_APP
        if self.paper_scans:
            return Proof.SIGNED_ON_PAPER
        return Proof.NOT_PROVEN

    @property
    def proof_label(self) -> str:
        return str(Proof(self.proof).label)


def proof_totals(proofs: list[SlotProof]) -> list[tuple[str, str, int]]:
    """How many held half-days were proven each way: (value, label, count) in ``Proof`` order."""
    return [
        (value, str(label), sum(1 for line in proofs if line.proof == value))
        for value, label in Proof.choices
    ]


def programme_attendance_proofs(*, programme, slots: tuple[SlotInfo, ...]) -> list[SlotProof]:
    """For each held half-day of ``slots`` (the figures' own), how its attendance is proven (in
    the app, on paper: a scan kept, or not) and how many trainees and trainers signed it (one
    query)."""
    Role = AttendanceSignature.Role
    counts = {
        row["pk"]: row
        for row in Slot.objects.filter(day__programme=programme)
        .annotate(
            attended=Count(
                "attendances",
                filter=counted_records_filter(programme, "attendances__", slot="")
                & Q(attendances__status__in=ATTENDING_STATUSES),
                distinct=True,
            ),
            # People, not rows: a correction adds a row to a line already signed.
            trainees=Count(
                "signatures__participant",
                filter=Q(signatures__role=Role.TRAINEE)
                & ~Q(signatures__method=AttendanceSignature.Method.CORRECTION),
                distinct=True,
            ),
            trainers=Count(
                "signatures__participant", filter=Q(signatures__role=Role.TRAINER), distinct=True
            ),
            papers=Count("paper_sheets", distinct=True),
        )
        .values("pk", "attended", "trainees", "trainers", "papers")
    }
    return [
        SlotProof(
            slot=slot,
            attended=counts[slot.id]["attended"],
            trainee_signatures=counts[slot.id]["trainees"],
            trainer_signatures=counts[slot.id]["trainers"],
            paper_scans=counts[slot.id]["papers"],
        )
        for slot in slots
        if slot.held and slot.id in counts
    ]


# --- The activists' expenses (so that nobody advances money) ----------------------------------


@dataclass(frozen=True)
class ExpenseFigures:
    """Planned (every expense recorded) against paid (paid or reimbursed), in euros."""

    planned: Decimal
    paid: Decimal

    @property
    def still_to_pay(self) -> Decimal:
        return amount_to_receive(awarded=self.planned, received=self.paid)


def expense_totals(expenses: Iterable[Expense]) -> ExpenseFigures:
    """The totals of the expenses given (no query), added up as every money total is
    (``programmes.selectors.amount_sum``)."""
    expenses = list(expenses)
    return ExpenseFigures(
        planned=amount_sum(expenses, "amount"),
        paid=amount_sum([e for e in expenses if e.is_spent], "amount"),
    )


@dataclass(frozen=True)
class ExpenseLine:
    expense: Expense
    # The half-days of that day the person attended ("Morning", "Afternoon"); empty: a warning.
    attended: tuple[str, ...]

    @property
    def attended_that_day(self) -> bool:
        return bool(self.attended)


@dataclass(frozen=True)
class CostLine:
    """What one thing (a person, a budget line, a funding) cost: ``label`` as the reader may
    see it."""

    label: str
    figures: ExpenseFigures
    key: int = 0
    detail: str = ""


@dataclass(frozen=True)
class ExpensesOverview:
    lines: list[ExpenseLine]
    people: list[CostLine]
    budget_lines: list[CostLine]
    fundings: list[CostLine]
    figures: ExpenseFigures

    @property
    def warnings(self) -> int:
        return sum(1 for line in self.lines if not line.attended_that_day)


def _person_labels(participants, *, for_funders: bool) -> dict[int, str]:
    """Each person's name, or, in a document for funders, "Activist n" / "Participant n" for
    whoever did not consent to be named (numbered in the order they were registered)."""
    labels, numbers = {}, {}
    for participant in sorted(participants, key=lambda p: p.pk):
        if for_funders and not participant.consent_name_in_reports:
            activist = participant.category == Category.ACTIVIST
            numbers[activist] = numbers.get(activist, 0) + 1
            template = _("Activist %(number)d") if activist else _("Participant %(number)d")
            labels[participant.pk] = template % {"number": numbers[activist]}
        else:
            labels[participant.pk] = participant.full_name
    return labels


def _grouped(expenses, key, label) -> list[CostLine]:
    groups: dict = {}
    for expense in expenses:
        groups.setdefault(key(expense), []).append(expense)
    lines = [
        CostLine(label=label(rows[0]), figures=expense_totals(rows), key=group or 0)
        for group, rows in groups.items()
    ]
    return sorted(lines, key=lambda line: line.label.casefold())


def programme_expenses(*, programme, for_funders: bool = False) -> ExpensesOverview:
    """Every expense of the programme by day and person, each with the half-days the person
    attended that day (none: the page warns), and what each person, budget line and funding
    cost, planned against paid (two queries, whatever the number of expenses). For funders,
    people who did not consent are not named."""
    expenses = list(
        Expense.objects.filter(day__programme=programme)
        .select_related("participant", "day", "payer", "budget_line", "funding__funder")
        .order_by("day__date", "participant__last_name", "participant__first_name", "kind", "id")
    )
    attended: dict[tuple[int, int], list[str]] = {}
    rows = (
        Attendance.objects.filter(
            slot__day__programme=programme,
            status__in=ATTENDING_STATUSES,
            participant_id__in=Expense.objects.filter(day__programme=programme).values(
                "participant_id"
            ),
        )
        .order_by("slot__starts_at")
        .values_list("participant_id", "slot__day_id", "slot__part")
    )
    parts = dict(Slot.Part.choices)
    for participant_id, day_id, part in rows:
        attended.setdefault((participant_id, day_id), []).append(str(parts[part]))
    labels = _person_labels({e.participant for e in expenses}, for_funders=for_funders)
    people = _grouped(expenses, lambda e: e.participant_id, lambda e: labels[e.participant_id])
    if for_funders:
        # Anonymous people listed after the named ones, in their numbers' order.
        people.sort(key=lambda line: (line.key not in _named(expenses), line.label.casefold()))
    return ExpensesOverview(
        lines=[
            ExpenseLine(expense=e, attended=tuple(attended.get((e.participant_id, e.day_id), ())))
            for e in expenses
        ],
        people=people,
        budget_lines=_grouped(expenses, lambda e: e.budget_line_id, lambda e: e.budget_line.label),
        fundings=_grouped(
            expenses,
            lambda e: e.funding_id,
            lambda e: str(e.funding.funder) if e.funding else _("No funding"),
        ),
        figures=expense_totals(expenses),
    )


@dataclass(frozen=True)
class ExpenseCosts:
    """What the people, the budget lines and the fundings cost, without the expenses one by one."""

    people: list[CostLine]
    budget_lines: list[CostLine]
    fundings: list[CostLine]
    figures: ExpenseFigures


@dataclass(frozen=True)
class _ExpenseSum:
    """The expenses of one person, charged to one budget line and one funding, in one status,
    summed: adds up (``expense_totals``) and groups (``_grouped``) as the expenses would."""

    amount: Decimal
    is_spent: bool
    participant_id: int
    budget_line_id: int
    budget_line_label: str
    funding_id: int | None
    funder: str


_EXPENSE_SUMS = prepared.Query(
    lambda programme: (
        Expense.objects.filter(day__programme=programme)
        .values(
            "participant_id",
            "participant__first_name",
            "participant__last_name",
            "budget_line_id",
            "budget_line__label",
            "funding_id",
            "funding__funder__name",
            "status",
        )
        .order_by()
        .annotate(total=Sum("amount"))
    ),
    programme=int,
)


def programme_expense_costs(*, programme) -> ExpenseCosts:
    """The totals of ``programme_expenses`` (per person, budget line and funding, planned
    against paid), for a page that lists no expense: one query, the amounts summed in the
    database per person, budget line, funding and status (a few rows whatever the number of
    expenses), then added up per person, line and funding as the expenses are."""
    rows = _EXPENSE_SUMS(programme=_pk(programme))
    sums, people = [], {}
    for row in rows:
        person = row["participant_id"]
        if person not in people:
            people[person] = Participant(
                pk=person,
                first_name=row["participant__first_name"],
                last_name=row["participant__last_name"],
            )
        sums.append(
            _ExpenseSum(
                amount=row["total"],
                is_spent=row["status"] in Expense.SPENT_STATUSES,
                participant_id=person,
                budget_line_id=row["budget_line_id"],
                budget_line_label=row["budget_line__label"],
                funding_id=row["funding_id"],
                funder=row["funding__funder__name"],
            )
        )
    # By person then line: the order the lines come in when their labels are the same.
    sums.sort(key=lambda e: (e.participant_id, e.budget_line_id))
    labels = _person_labels(people.values(), for_funders=False)
    return ExpenseCosts(
        people=_grouped(sums, lambda e: e.participant_id, lambda e: labels[e.participant_id]),
        budget_lines=_grouped(sums, lambda e: e.budget_line_id, lambda e: e.budget_line_label),
        fundings=_grouped(
            sums,
            lambda e: e.funding_id,
            # The funder's name, as ``str()`` of the funder in ``programme_expenses``.
            lambda e: e.funder if e.funding_id else _("No funding"),
        ),
        figures=expense_totals(sums),
    )


def _named(expenses) -> set[int]:
    return {e.participant_id for e in expenses if e.participant.consent_name_in_reports}


@dataclass(frozen=True)
class TimetableFigures:
    """A programme's timetable as the dashboard reads it: its dates (``programmes.stages``)
    and, when asked at a moment, its half-days past with their sheet still open and today's."""

    dates: TrainingDates
    open_past: int = 0
    today: int = 0


def _timetable_figure_rows(programmes, today=None, time=None):
    """:func:`programme_timetable_figures`'s row per programme of ``programmes`` (their ids),
    with the counts at the moment ``today`` and ``time`` when given."""
    counts = {}
    if today is not None:
        past = Q(date__lt=today) | Q(date=today, slots__ends_at__lte=time)
        counts = {
            "open_past": models.Count("slots", filter=past & Q(slots__closed_at__isnull=True)),
            "today": models.Count("slots", filter=Q(date=today)),
        }
    return (
        TrainingDay.objects.filter(programme_id__in=programmes)
        .order_by()
        .values("programme_id")
        .annotate(
            first=models.Min("date"),
            last=models.Max("date"),
            held=models.Count("slots", filter=slots_held_filter("slots__")),
            **counts,
        )
    )


_TIMETABLE_FIGURES = prepared.Query(_timetable_figure_rows, programmes=list)
_TIMETABLE_FIGURES_AT = prepared.Query(
    _timetable_figure_rows, programmes=list, today=dt.date, time=dt.time
)


def programme_timetable_figures(
    *, programme_ids, now: dt.datetime | None = None
) -> dict[int, TimetableFigures]:
    """For each programme: the first and last training day, whether a half-day was held and,
    with ``now``, how many half-days ended before it with their sheet open and how many are
    today. One query whatever the number of programmes or days (no query without ids)."""
    ids = list(dict.fromkeys(programme_ids))
    if not ids:
        return {}
    if now is None:
        found = _TIMETABLE_FIGURES(programmes=ids)
    else:
        local = timezone.localtime(now)
        found = _TIMETABLE_FIGURES_AT(programmes=ids, today=local.date(), time=local.time())
    rows = {row["programme_id"]: row for row in found}
    empty: dict = {}
    return {
        pk: TimetableFigures(
            dates=TrainingDates(
                first_day=rows.get(pk, empty).get("first"),
                last_day=rows.get(pk, empty).get("last"),
                any_held=bool(rows.get(pk, empty).get("held")),
            ),
            open_past=rows.get(pk, empty).get("open_past", 0),
            today=rows.get(pk, empty).get("today", 0),
        )
        for pk in ids
    }


def programme_training_dates(*, programme_ids) -> dict[int, TrainingDates]:
    """What the stage of each programme needs from its timetable (``programmes.stages``): the
    first and last training day and whether a half-day was held. One query whatever the
    number of programmes or days."""
    return {
        pk: figures.dates
        for pk, figures in programme_timetable_figures(programme_ids=programme_ids).items()
    }


def people_by_category(*, programme, overview: ParticipationOverview) -> list[CategoryCount]:
    """People per category, in the categories' order: the trainees as the participation figures
    count them (``overview.trainee_groups``: someone replaced, or whose city withdrew, counts
    where they were expected), the others (facilitators, support people) when active. One
    query; a table of it adds up to the figures' trainees."""
    counts = participant_counts_by_category(programme=programme)
    trainees: dict[str, int] = {}
    for group in overview.trainee_groups:
        trainees[group.category] = trainees.get(group.category, 0) + group.count
    return [
        replace(row, count=trainees.get(row.category, 0)) if row.category in TRAINEE_VALUES else row
        for row in counts
    ]
