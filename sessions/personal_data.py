"""What ``sessions`` (training) holds about a person: their attendance records and the history of
each record (who changed it, when, with which note).

Read by the registry in ``cotraining.personal_data`` (``person`` is its ``Person``)."""

from django.db.models import Prefetch

from .models import Attendance, AttendanceChange

MODELS = (Attendance, AttendanceChange)


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _user(user) -> dict | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name()}


def _attendance(record: Attendance) -> dict:
    slot = record.slot
    return {
        "date": _when(slot.day.date),
        "half_day": {"code": slot.part, "label": str(slot.get_part_display())},
        "starts_at": _when(slot.starts_at),
        "ends_at": _when(slot.ends_at),
        "status": {"code": record.status, "label": str(record.get_status_display())},
        "note": record.note,
        "recorded_by": _user(record.recorded_by),
        "recorded_at": _when(record.recorded_at),
        "history": [
            {
                "old_status": change.old_status or None,
                "new_status": change.new_status,
                "note": change.note,
                "changed_by": _user(change.changed_by),
                "changed_at": _when(change.changed_at),
            }
            for change in record.changes.all()
        ],
    }


def export(person) -> dict:
    """The attendance records with their half-day and history (two queries, whatever their
    number)."""
    records = (
        Attendance.objects.filter(participant_id=person.participant.pk)
        .select_related("slot__day", "recorded_by")
        .prefetch_related(
            Prefetch(
                "changes",
                queryset=AttendanceChange.objects.select_related("changed_by").order_by(
                    "changed_at", "pk"
                ),
            )
        )
        .order_by("slot__day__date", "slot__starts_at", "pk")
    )
    return {"attendance": [_attendance(record) for record in records]}


def erase(person) -> None:
    """Blank the notes of the records and of their history; every status stays, so that the
    participation figures funders received stay exact."""
    Attendance.objects.filter(participant_id=person.participant.pk).update(note="")
    AttendanceChange.objects.filter(attendance__participant_id=person.participant.pk).update(
        note=""
    )
