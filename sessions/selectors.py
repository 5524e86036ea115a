"""Reads for training days and attendance, and the one definition of the participation rate.

Participation rate = (present + late + left early) / expected, where *expected* is, for every
half-day that has been held, each active trainee (triad members and activists; facilitators and
support people are not counted). A half-day is held once its sheet is closed or has any record.
Excused absences are counted apart: they lower the rate like any absence, and are shown separately.
A trainee with no record on a held half-day counts as not attending.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q

from participants.models import Participant

from .models import ATTENDING_STATUSES, Attendance, AttendanceStatus, Slot


def rate_percent(attended: int, expected: int) -> Decimal | None:
    """A rate as a percentage with one decimal, rounded half up; None when nothing was expected."""
    if not expected:
        return None
    return (Decimal(attended) * 100 / Decimal(expected)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class ParticipationSummary:
    trainees: int
    slots_total: int
    slots_held: int
    expected: int
    attended: int
    excused: int
    absent: int

    @property
    def rate(self) -> Decimal | None:
        return rate_percent(self.attended, self.expected)

    @property
    def unrecorded(self) -> int:
        return self.expected - self.attended - self.excused - self.absent


def slots_held_filter() -> Q:
    """Slots that count as held: closed, or with at least one attendance record."""
    return Q(closed_at__isnull=False) | Q(Exists(Attendance.objects.filter(slot=OuterRef("pk"))))


def programme_participation_summary(*, programme) -> ParticipationSummary:
    """Overall participation figures of a programme, computed from the records (three queries)."""
    trainees = Participant.objects.for_programme(programme).trainees()
    slot_counts = Slot.objects.filter(day__programme=programme).aggregate(
        total=Count("id"), held=Count("id", filter=slots_held_filter())
    )
    counts = Attendance.objects.filter(
        slot__day__programme=programme,
        participant__in=trainees,
    ).aggregate(
        attended=Count("id", filter=Q(status__in=ATTENDING_STATUSES)),
        excused=Count("id", filter=Q(status=AttendanceStatus.EXCUSED)),
        absent=Count("id", filter=Q(status=AttendanceStatus.ABSENT)),
    )
    trainee_count = trainees.count()
    return ParticipationSummary(
        trainees=trainee_count,
        slots_total=slot_counts["total"],
        slots_held=slot_counts["held"],
        expected=trainee_count * slot_counts["held"],
        **counts,
    )
