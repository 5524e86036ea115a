"""What ``sessions`` (training) holds about a person: their attendance records, the history of
each record (who changed it, when, with which note) and their signatures on the sheets.

Read by the registry in ``cotraining.personal_data`` (``person`` is its ``Person``)."""

from django.db.models import Prefetch
from django.utils import timezone

from .models import Attendance, AttendanceChange, AttendanceSignature, Expense

MODELS = (Attendance, AttendanceChange, AttendanceSignature, Expense)


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
        # Made on a phone without a connection: when, by the phone's clock.
        "recorded_offline_at": _when(record.recorded_offline_at),
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
    """The attendance records with their half-day and history, the signatures and the expenses
    (four queries, whatever their number)."""
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
    signatures = (
        AttendanceSignature.objects.filter(participant_id=person.participant.pk)
        .select_related("slot__day")
        .order_by("slot__day__date", "slot__starts_at", "sequence")
    )
    expenses = (
        Expense.objects.filter(participant_id=person.participant.pk)
        .select_related("day", "payer", "budget_line")
        .order_by("day__date", "kind", "pk")
    )
    return {
        "attendance": [_attendance(record) for record in records],
        "signatures": [_signature(signature) for signature in signatures],
        "expenses": [_expense(expense) for expense in expenses],
    }


def _expense(expense: Expense) -> dict:
    return {
        "date": _when(expense.day.date),
        "kind": {"code": expense.kind, "label": str(expense.get_kind_display())},
        "amount": str(expense.amount),
        "mode": expense.mode,
        "status": expense.status,
        "paid_by": expense.payer.name,
        "budget_line": expense.budget_line.label,
        "paid_on": _when(expense.paid_on),
        "note": expense.note,
    }


def _signature(signature: AttendanceSignature) -> dict:
    slot = signature.slot
    return {
        "date": _when(slot.day.date),
        "half_day": {"code": slot.part, "label": str(slot.get_part_display())},
        "role": signature.role,
        "status": signature.status,
        "method": signature.method,
        "signed_at": _when(signature.signed_at),
        "arrived_at": _when(signature.arrived_at),
        "left_at": _when(signature.left_at),
        "signature_svg": signature.svg,
        "strokes": signature.strokes,
        "mark": signature.mark,
        "user_agent": signature.user_agent,
        "ip_address": signature.ip_address,
        "reason": signature.reason,
        "row_sha256": signature.row_hash,
    }


def erase(person) -> None:
    """Blank the notes of the records and of their history, and the evidence of their
    signatures (drawing, image, mark, device, address); every status and every signature's
    hashes stay, so that the participation figures funders received stay exact and the sealed
    sheets still verify."""
    Attendance.objects.filter(participant_id=person.participant.pk).update(note="")
    # The amounts stay (the accounts funders received); the note may say something personal.
    Expense.objects.filter(participant_id=person.participant.pk).update(note="")
    AttendanceChange.objects.filter(attendance__participant_id=person.participant.pk).update(
        note=""
    )
    AttendanceSignature.objects.filter(
        participant_id=person.participant.pk, evidence_erased_at__isnull=True
    )._erase(
        strokes=[],
        svg="",
        mark="",
        user_agent="",
        ip_address=None,
        reason="",
        evidence_erased_at=timezone.now(),
    )
