"""Writes for the timetable and attendance.

Attendance uses optimistic concurrency: every write names the version of the record the user
saw (0 when there was none). A write based on a stale version is refused with the record's
current value, unless it asks for exactly what is already recorded (a repeated post), which is
accepted without a change. Different rows never conflict. Every change adds an
``AttendanceChange`` row; closing and reopening a sheet add an ``AuditEntry``.
"""

import datetime
import hashlib
import ipaddress
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from participants.models import TRIAD_CATEGORIES, Participant
from programmes.errors import Conflict, InvalidInput, NotFound
from programmes.forms.application import FILE_SIGNATURES, upload_kind
from programmes.models import Membership, OutboxMessage
from programmes.services import audit, notifications

from . import signals
from .changes import span_from, span_until
from .models import (
    ATTENDING_STATUSES,
    NOTE_MAX_LENGTH,
    Activity,
    Attendance,
    AttendanceChange,
    AttendanceSignature,
    AttendanceStatus,
    ExpectedSpan,
    Expense,
    PaperSheet,
    Slot,
    SyncedChange,
    TrainingDay,
)
from .selectors import SheetRow, sheet_rows, slot_facilitator_ids
from .signatures import GENESIS, Evidence, clean_strokes, row_hash, strokes_svg


class AttendanceConflict(Conflict):
    """The record changed since the user saw it: ``current`` is its value now."""

    def __init__(self, current: SheetRow):
        who = current.recorded_by or _("someone")
        status = current.status_label or _("not marked")
        super().__init__(
            _(
                "%(who)s changed %(name)s to “%(status)s” while you were looking at an older "
                "version; your change was not saved. Check and choose again."
            )
            % {"who": who, "name": current.participant.full_name, "status": status},
            code="conflict",
        )
        self.current = current


@dataclass(frozen=True)
class SheetEntry:
    """One line of a whole-sheet save: the status wanted, the version the user saw and, when
    the form sends them, the status and note that version had (``seen_*``; empty: unknown)."""

    participant_id: int
    status: str
    note: str = ""
    version: int = 0
    seen_status: str = ""
    seen_note: str = ""

    @property
    def untouched(self) -> bool:
        """The user sent the line back as they saw it: they did not change it."""
        return bool(self.seen_status) and (self.status, self.note) == (
            self.seen_status,
            self.seen_note,
        )


@dataclass
class SheetResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[AttendanceConflict] = field(default_factory=list)

    @property
    def saved(self) -> int:
        return self.created + self.updated


def _check_entry(status: str, note: str) -> None:
    if status not in AttendanceStatus.values:
        raise InvalidInput(_("Unknown attendance status: “%s”.") % status, code="unknown_status")
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(
            _("A note is at most %(max)d characters long.") % {"max": NOTE_MAX_LENGTH},
            code="note_too_long",
        )


def _closed_error() -> Conflict:
    return Conflict(
        _("This sheet is closed: an organiser must reopen it before any change."), code="closed"
    )


def attendance_record(
    *, slot: Slot, participant_id: int, status: str, note: str = "", version: int, user
) -> tuple[SheetRow, bool]:
    """Record one participant's status on one half-day (a tap on the sheet).

    ``version`` is the record's version the user saw, 0 when they saw no record. Returns the
    row as it is now and whether anything changed. Raises ``InvalidInput`` for an unknown
    status, ``NotFound`` for a person not expected on the sheet, ``Conflict`` for a closed
    sheet, and ``AttendanceConflict`` when the record changed meanwhile. Side effects: the
    record is created or updated (its version goes up by one) and an ``AttendanceChange`` is
    added. Three queries.
    """
    note = note.strip()
    _check_entry(status, note)
    if slot.is_closed:
        raise _closed_error()
    rows = sheet_rows(slot=slot, participant_id=participant_id)
    if not rows:
        # The person is named in the address of a tap: not on this sheet, not found.
        raise NotFound(_("This person is not on this sheet."), code="unknown_participant")
    current = rows[0]
    if current.status == status and current.note == note:
        return current, False  # a repeated post: nothing to change
    if current.version != version:
        raise AttendanceConflict(current)

    now = timezone.now()
    try:
        with transaction.atomic():
            if current.attendance_id:
                updated = Attendance.objects.filter(
                    pk=current.attendance_id, version=version, slot__closed_at__isnull=True
                ).update(
                    status=status,
                    note=note,
                    version=F("version") + 1,
                    recorded_by=user,
                    recorded_at=now,
                    recorded_offline_at=None,
                )
                if not updated:
                    raise IntegrityError("stale version or closed sheet")
                attendance_id = current.attendance_id
            else:
                attendance_id = Attendance.objects.create(
                    slot=slot,
                    participant_id=participant_id,
                    status=status,
                    note=note,
                    recorded_by=user,
                ).pk
            AttendanceChange.objects.create(
                attendance_id=attendance_id,
                old_status=current.status,
                new_status=status,
                note=note,
                changed_by=user,
            )
    except IntegrityError:
        # Someone else wrote this row first (or the sheet was just closed): show what is there.
        slot.refresh_from_db(fields=["closed_at"])
        if slot.is_closed:
            raise _closed_error() from None
        raise AttendanceConflict(sheet_rows(slot=slot, participant_id=participant_id)[0]) from None
    return replace(
        current,
        attendance_id=attendance_id,
        status=status,
        note=note,
        version=current.version + 1,
        recorded_by=user_label(user),
        recorded_at=now,
    ), True


def user_label(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def _lock_sheet(slot: Slot) -> datetime.datetime | None:
    """Lock a sheet for a write of many lines (inside a transaction); return when it was
    closed. FOR NO KEY UPDATE: it does not block the key-share lock that a tap's insert takes on
    the slot through its foreign key (FOR UPDATE did, and deadlocked with it). The existing
    records are locked too: a tap saved meanwhile waits, then sees a new version."""
    closed_at = (
        Slot.objects.select_for_update(no_key=True)
        .filter(pk=slot.pk)
        .values_list("closed_at", flat=True)
        .get()
    )
    list(Attendance.objects.select_for_update(no_key=True).filter(slot=slot).values_list("pk"))
    return closed_at


def attendance_sheet_save(*, slot: Slot, entries: Sequence[SheetEntry], user) -> SheetResult:
    """Save a whole sheet at once (the form used without JavaScript), in one bulk write.

    A line the user did not change (sent back as they saw it) is left as it is now, even if
    someone changed it meanwhile. A line changed both here and elsewhere since the user's
    version is not saved and comes back in ``result.conflicts`` with the current value; the
    others are saved. Nothing is saved when an entry names an unknown status or a person not on
    the sheet (``InvalidInput``), or when the sheet is closed (``Conflict``).
    Side effects: records created and updated in bulk, one ``AttendanceChange`` per change.
    At most six queries whatever the number of participants.
    """
    entries = [
        replace(entry, note=entry.note.strip(), seen_note=entry.seen_note.strip())
        for entry in entries
    ]
    for entry in entries:
        _check_entry(entry.status, entry.note)
    result = SheetResult()
    try:
        with transaction.atomic():
            if _lock_sheet(slot) is not None:
                raise _closed_error()
            current = {row.participant.pk: row for row in sheet_rows(slot=slot)}
            unknown = [entry for entry in entries if entry.participant_id not in current]
            if unknown:
                raise InvalidInput(
                    _("The sheet names a person who is not expected on it; nothing was saved."),
                    code="unknown_participant",
                )
            now = timezone.now()
            to_create, to_update, olds = [], [], {}
            for entry in entries:
                row = current[entry.participant_id]
                if (row.status == entry.status and row.note == entry.note) or (
                    row.version != entry.version and entry.untouched
                ):
                    result.unchanged += 1
                elif row.version != entry.version:
                    result.conflicts.append(AttendanceConflict(row))
                elif row.attendance_id:
                    olds[row.attendance_id] = row.status
                    to_update.append(
                        Attendance(
                            pk=row.attendance_id,
                            participant_id=entry.participant_id,
                            slot=slot,
                            status=entry.status,
                            note=entry.note,
                            version=row.version + 1,
                            recorded_by=user,
                            recorded_at=now,
                            recorded_offline_at=None,
                        )
                    )
                else:
                    to_create.append(
                        Attendance(
                            participant_id=entry.participant_id,
                            slot=slot,
                            status=entry.status,
                            note=entry.note,
                            recorded_by=user,
                        )
                    )
            if to_create:
                Attendance.objects.bulk_create(to_create)
            if to_update:
                Attendance.objects.bulk_update(
                    to_update,
                    [
                        "status",
                        "note",
                        "version",
                        "recorded_by",
                        "recorded_at",
                        "recorded_offline_at",
                    ],
                )
            AttendanceChange.objects.bulk_create(
                AttendanceChange(
                    attendance_id=record.pk,
                    old_status=olds.get(record.pk, ""),
                    new_status=record.status,
                    note=record.note,
                    changed_by=user,
                )
                for record in [*to_create, *to_update]
            )
    except IntegrityError:
        raise Conflict(
            _(
                "Another facilitator saved this sheet at the same moment; nothing was saved. "
                "Save again."
            ),
            code="busy",
        ) from None
    result.created, result.updated = len(to_create), len(to_update)
    return result


def attendance_mark_unrecorded_present(*, slot: Slot, user) -> SheetResult:
    """Mark as present everyone on the sheet who has no record yet (a status already marked,
    excused or absent included, is left alone). Same side effects as a whole-sheet save."""
    entries = [
        SheetEntry(participant_id=row.participant.pk, status=AttendanceStatus.PRESENT)
        for row in sheet_rows(slot=slot)
        if not row.status
    ]
    return attendance_sheet_save(slot=slot, entries=entries, user=user)


@dataclass(frozen=True)
class OfflineChange:
    """A change made on a phone without a connection: a tap (status and note) or, with
    ``mark_present``, "mark everyone not yet marked as present" for one line. ``version`` is the
    line's version the phone showed; ``device_time`` when it was made, by the phone's clock."""

    change_id: uuid.UUID
    participant_id: int
    status: str
    note: str
    version: int
    device_time: datetime.datetime
    mark_present: bool = False


@dataclass(frozen=True)
class OfflineSignature:
    """A signature (``strokes`` as the signing page posts them) or a mark with the user as
    witness (``as_mark``) drawn on a phone without a connection; ``device_time`` when, by the
    phone's clock. Arrival and departure (a late person, one who left early) as typed, if
    typed."""

    change_id: uuid.UUID
    participant_id: int
    role: str
    device_time: datetime.datetime
    strokes: str = ""
    mark: str = ""
    as_mark: bool = False
    arrived_at: datetime.time | None = None
    left_at: datetime.time | None = None
    user_agent: str = ""
    ip_address: str | None = None


@dataclass
class SyncOutcome:
    """What became of one offline change, with the line as it is now (None: not on the
    sheet) and, when it was not applied, why."""

    change_id: uuid.UUID
    result: str
    row: SheetRow | None
    message: str = ""


def _sync_message(result: str, row: SheetRow | None, change: OfflineChange) -> str:
    Result = SyncedChange.Result
    if result == Result.CONFLICT and row is not None:
        wanted = AttendanceStatus(change.status).label
        return "%s %s" % (  # noqa: UP031 - two translated sentences side by side
            AttendanceConflict(row).message,
            _("Your choice on the phone was “%(status)s”.") % {"status": wanted},
        )
    if result == Result.CLOSED:
        return _closed_error().message
    if result == Result.REFUSED:
        return _("This person is no longer on this sheet; the change was not saved.")
    return ""


def attendance_sync(*, slot: Slot, changes: Sequence[OfflineChange], user) -> list[SyncOutcome]:
    """Apply changes made offline, in the order they were made, with the rules of a tap.

    A change based on an older version of a line that someone else changed meanwhile is not
    applied (``conflict``, with the line's current value); one asking for what is already
    recorded changes nothing (``unchanged``). A change whose id was already received is not
    applied again: its first result is answered. On a closed sheet nothing is applied
    (``closed``). Side effects: records created and updated in bulk with the device's time in
    ``recorded_offline_at`` (never later than the time received), one ``AttendanceChange`` per
    applied change and one ``SyncedChange`` per new change id. A fixed number of queries
    whatever the number of changes.
    """
    for change in changes:
        if isinstance(change, OfflineChange) and not change.mark_present:
            _check_entry(change.status, change.note.strip())
    received = timezone.now()
    outcomes: list[SyncOutcome] = []
    try:
        current = _sync_apply(
            slot=slot, changes=changes, user=user, received=received, outcomes=outcomes
        )
    except IntegrityError:
        # A tap saved the same new line at the same moment: the phone sends again later.
        raise Conflict(
            _("Another facilitator saved this sheet at the same moment; nothing was saved."),
            code="busy",
        ) from None
    by_change = {change.change_id: change for change in changes}
    for outcome in outcomes:
        change = by_change[outcome.change_id]
        outcome.row = current.get(change.participant_id)
        if isinstance(change, OfflineSignature):
            outcome.message = outcome.message or _signature_sync_message(outcome.result)
        else:
            outcome.message = _sync_message(outcome.result, outcome.row, change)
    return outcomes


def _signature_sync_message(result: str) -> str:
    Result = SyncedChange.Result
    if result == Result.CLOSED:
        return _(
            "The sheet was closed before the signature made offline arrived; it was not "
            "added. An organiser may reopen the sheet."
        )
    if result == Result.UNCHANGED:
        return _("This person had already signed this sheet; the second signature was not added.")
    if result == Result.REFUSED:
        return _("This signature could not be added to the sheet.")
    return ""


def _synced(change, *, slot, user, received, result) -> SyncedChange:
    """The row that remembers a change id and what became of it."""
    return SyncedChange(
        change_id=change.change_id,
        slot=slot,
        user=user,
        device_time=change.device_time,
        received_at=received,
        result=result,
    )


def _sync_apply(*, slot, changes, user, received, outcomes) -> dict[int, SheetRow]:
    Result = SyncedChange.Result
    with transaction.atomic():
        closed_at = _lock_sheet(slot)
        known = dict(
            SyncedChange.objects.filter(
                change_id__in=[change.change_id for change in changes]
            ).values_list("change_id", "result")
        )
        current = {row.participant.pk: row for row in sheet_rows(slot=slot)}
        before = {}  # participant id -> version of the line before this batch changed it
        history, synced, offline_at = [], [], {}
        signatures = []
        for change in changes:
            if change.change_id in known:
                outcomes.append(SyncOutcome(change.change_id, known[change.change_id], None))
                continue
            if isinstance(change, OfflineSignature):
                # After the taps: a person marked present offline then signed.
                signatures.append(change)
                continue
            row = current.get(change.participant_id)
            status, note = change.status, change.note.strip()
            if row is None:
                result = Result.REFUSED
            elif closed_at is not None:
                result = Result.CLOSED
            elif change.mark_present and row.status:
                result = Result.UNCHANGED  # marked meanwhile: a status already marked is kept
            elif change.mark_present:
                status, note = AttendanceStatus.PRESENT, row.note
                result = Result.APPLIED
            elif (row.status, row.note) == (status, note):
                result = Result.UNCHANGED
            elif change.version not in (row.version, before.get(change.participant_id)):
                result = Result.CONFLICT
            else:
                result = Result.APPLIED
            if result == Result.APPLIED:
                before.setdefault(row.participant.pk, row.version)
                history.append((row.participant.pk, row.status, status, note))
                current[row.participant.pk] = replace(
                    row,
                    status=status,
                    note=note,
                    version=row.version + 1,
                    recorded_by=user_label(user),
                    recorded_at=received,
                )
                # A phone whose clock runs fast cannot have recorded after we received it.
                offline_at[change.participant_id] = min(change.device_time, received)
            synced.append(_synced(change, slot=slot, user=user, received=received, result=result))
            known[change.change_id] = result
            outcomes.append(SyncOutcome(change.change_id, result, None))
        _sync_write(
            slot=slot,
            user=user,
            rows=current,
            before=before,
            history=history,
            offline_at=offline_at,
            received=received,
        )
        if signatures:
            _sync_signatures(
                slot=slot,
                changes=signatures,
                user=user,
                closed=closed_at is not None,
                rows=current,
                received=received,
                outcomes=outcomes,
                synced=synced,
            )
        SyncedChange.objects.bulk_create(synced)
    return current


def _offline_signature_refusal(
    change: OfflineSignature, row: SheetRow | None, facilitators: set[int]
) -> tuple[str, str]:
    """Why a signature made offline cannot join the sheet (result and message), or ``("", "")``."""
    Role, Result = AttendanceSignature.Role, SyncedChange.Result
    if change.role == Role.TRAINEE:
        if row is None:
            return Result.REFUSED, _("This person is no longer on this sheet.")
        if row.status not in ATTENDING_STATUSES:
            return Result.REFUSED, _(
                "Only a person marked present, late or left early signs the sheet."
            )
    elif change.role != Role.TRAINER or change.participant_id not in facilitators:
        return Result.REFUSED, _(
            "Only a facilitator of this half-day’s activities signs as trainer."
        )
    return "", ""


def _sync_signatures(*, slot, changes, user, closed, rows, received, outcomes, synced) -> None:
    """Append the signatures made offline to the sheet's chain in the order they arrive, with
    the server's clock as ``signed_at`` and the phone's as ``device_signed_at`` (never later
    than received). Four queries whatever their number (the slot is locked by the caller)."""
    Method, Result = AttendanceSignature.Method, SyncedChange.Result
    facilitators = slot_facilitator_ids(slot=slot)
    existing = list(
        AttendanceSignature.objects.filter(slot=slot)
        .exclude(method=Method.CORRECTION)
        .values_list("participant_id", "role")
    )
    signed = set(existing)
    last = (
        AttendanceSignature.objects.filter(slot=slot)
        .order_by("-sequence")
        .values("sequence", "row_hash")
        .first()
    )
    sequence, previous = (last["sequence"], last["row_hash"]) if last else (0, GENESIS)
    new_rows = []
    for change in changes:
        row = rows.get(change.participant_id)
        result, message = _offline_signature_refusal(change, row, facilitators)
        if closed:
            result, message = Result.CLOSED, ""
        elif not result and (change.participant_id, change.role) in signed:
            result = Result.UNCHANGED
        if not result:
            try:
                evidence = _offline_evidence(change, user)
            except InvalidInput as problem:
                result, message = Result.REFUSED, problem.message
        if not result:
            device = min(change.device_time, received)
            status = row.status if change.role == AttendanceSignature.Role.TRAINEE else ""
            local = timezone.localtime(device).time().replace(second=0, microsecond=0)
            arrived_at, left_at = _line_times(
                status, change.arrived_at, change.left_at, default=(local, local)
            )
            sequence += 1
            signature = AttendanceSignature(
                slot=slot,
                sequence=sequence,
                participant_id=change.participant_id,
                role=change.role,
                status=status,
                method=Method.MARK_WITH_WITNESS if change.as_mark else Method.DEVICE,
                witness=user if change.as_mark else None,
                captured_by=user,
                strokes=evidence.strokes,
                svg=evidence.svg,
                mark=evidence.mark,
                user_agent=evidence.user_agent,
                ip_address=evidence.ip_address,
                signed_at=received,
                device_signed_at=device,
                arrived_at=arrived_at,
                left_at=left_at,
                evidence_hash=evidence.digest,
                previous_hash=previous,
            )
            signature.row_hash = row_hash(previous, signature)
            previous = signature.row_hash
            new_rows.append(signature)
            signed.add((change.participant_id, change.role))
            result = Result.APPLIED
        synced.append(_synced(change, slot=slot, user=user, received=received, result=result))
        outcomes.append(SyncOutcome(change.change_id, result, None, message))
    # bulk_create inserts only: the rows stay append-only (their save() refuses updates).
    AttendanceSignature.objects.bulk_create(new_rows)


def _offline_evidence(change: OfflineSignature, user) -> Evidence:
    """A signature made offline's evidence, checked as the signing page's (``InvalidInput``)."""
    ip_address, user_agent = _normalised_address(change.ip_address), change.user_agent[:300]
    if change.as_mark:
        mark = change.mark.strip()
        if not mark or len(mark) > MARK_MAX_LENGTH:
            raise InvalidInput(
                _("Write the initials or a cross (at most %(max)d characters).")
                % {"max": MARK_MAX_LENGTH},
                code="mark_required",
            )
        return Evidence([], "", mark, user_agent, ip_address)
    drawing = clean_strokes(change.strokes)
    return Evidence(drawing, strokes_svg(drawing), "", user_agent, ip_address)


def _sync_write(*, slot, user, rows, before, history, offline_at, received) -> None:
    """Write the lines a batch of offline changes changed (``before``: their version before),
    in bulk, and one history row per applied change."""
    to_create, to_update = [], []
    for participant_id in before:
        row = rows[participant_id]
        record = Attendance(
            pk=row.attendance_id,
            participant_id=participant_id,
            slot=slot,
            status=row.status,
            note=row.note,
            version=row.version,
            recorded_by=user,
            recorded_at=received,
            recorded_offline_at=offline_at[participant_id],
        )
        (to_update if row.attendance_id else to_create).append(record)
    if to_create:
        Attendance.objects.bulk_create(to_create)
    if to_update:
        Attendance.objects.bulk_update(
            to_update,
            ["status", "note", "version", "recorded_by", "recorded_at", "recorded_offline_at"],
        )
    ids = {record.participant_id: record.pk for record in [*to_create, *to_update]}
    for participant_id, record_id in ids.items():
        rows[participant_id] = replace(rows[participant_id], attendance_id=record_id)
    AttendanceChange.objects.bulk_create(
        AttendanceChange(
            attendance_id=ids[participant_id],
            old_status=old_status,
            new_status=new_status,
            note=note,
            changed_by=user,
        )
        for participant_id, old_status, new_status, note in history
    )


@transaction.atomic
def slot_close(*, slot: Slot, user) -> Slot:
    """Close (sign) a half-day's sheet: it becomes read-only. Side effect: an audit entry."""
    locked = (
        Slot.objects.select_for_update(no_key=True, of=("self",))
        .select_related("day")
        .get(pk=slot.pk)
    )
    if locked.is_closed:
        raise Conflict(_("This sheet is already closed."), code="already_closed")
    if not AttendanceSignature.objects.filter(
        slot=locked, role=AttendanceSignature.Role.TRAINER
    ).exists():
        raise Conflict(
            _(
                "A trainer must sign the sheet before it is closed: one of the half-day’s "
                "facilitators signs below, then close it."
            ),
            code="no_trainer_signature",
        )
    rows = sheet_rows(slot=locked)
    recorded = sum(1 for row in rows if row.status)
    locked.closed_at = timezone.now()
    locked.closed_by = user
    locked.save(update_fields=["closed_at", "closed_by"])
    audit(
        programme=locked.day.programme,
        actor=user,
        action="attendance.sheet_closed",
        obj=locked,
        data={"recorded": recorded, "expected": len(rows)},
    )
    slot.closed_at, slot.closed_by = locked.closed_at, locked.closed_by
    # The seal (``reports``) is made in this transaction; its PDF after the commit.
    signals.sheet_closed.send(sender=Slot, slot=locked, user=user)
    return slot


@transaction.atomic
def slot_reopen(*, slot: Slot, user, reason: str) -> Slot:
    """Reopen a closed sheet so that it can be corrected; the reason is required and kept in
    the audit trail."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why the sheet is reopened."), code="reason_required")
    locked = (
        Slot.objects.select_for_update(no_key=True, of=("self",))
        .select_related("day")
        .get(pk=slot.pk)
    )
    if not locked.is_closed:
        raise Conflict(_("This sheet is not closed."), code="not_closed")
    locked.closed_at = None
    locked.closed_by = None
    locked.save(update_fields=["closed_at", "closed_by"])
    audit(
        programme=locked.day.programme,
        actor=user,
        action="attendance.sheet_reopened",
        obj=locked,
        data={"note": reason},
    )
    slot.closed_at, slot.closed_by = None, None
    signals.sheet_reopened.send(sender=Slot, slot=locked, user=user)
    return slot


# --- Signatures ----------------------------------------------------------------------------


def _normalised_address(value: str | None) -> str | None:
    """An IP address in its one written form (``None`` when it is not one)."""
    try:
        return ipaddress.ip_address((value or "").strip()).compressed
    except ValueError:
        return None


MARK_MAX_LENGTH = 20
REASON_MAX_LENGTH = 500
# A self check-in this long after the half-day's start counts as a late arrival.
LATE_AFTER = datetime.timedelta(minutes=15)


def _line_times(status: str, arrived_at, left_at, *, default) -> tuple:
    """The arrival kept for a late person, the departure for one who left early (each given,
    else ``default``'s); no time for the other statuses."""
    arrived = (arrived_at or default[0]) if status == AttendanceStatus.LATE else None
    left = (left_at or default[1]) if status == AttendanceStatus.LEFT_EARLY else None
    return arrived, left


def _lock_open_slot(slot: Slot) -> Slot:
    locked = (
        Slot.objects.select_for_update(no_key=True, of=("self",))
        .select_related("day")
        .get(pk=slot.pk)
    )
    if locked.is_closed:
        raise _closed_error()
    return locked


def _chain_append(*, slot: Slot, evidence: Evidence, **fields) -> AttendanceSignature:
    """Append one row at the end of ``slot``'s chain (the slot row is locked by the caller)."""
    last = (
        AttendanceSignature.objects.filter(slot=slot)
        .order_by("-sequence")
        .values("sequence", "row_hash")
        .first()
    )
    row = AttendanceSignature(
        slot=slot,
        sequence=(last["sequence"] + 1) if last else 1,
        strokes=evidence.strokes,
        svg=evidence.svg,
        mark=evidence.mark,
        user_agent=evidence.user_agent,
        ip_address=evidence.ip_address,
        reason=evidence.reason,
        signed_at=fields.pop("signed_at", None) or timezone.now(),
        evidence_hash=evidence.digest,
        previous_hash=last["row_hash"] if last else GENESIS,
        **fields,
    )
    row.row_hash = row_hash(row.previous_hash, row)
    row.save(force_insert=True)
    return row


def attendance_sign(
    *,
    slot: Slot,
    participant_id: int,
    role: str,
    user,
    strokes: str = "",
    mark: str = "",
    as_mark: bool = False,
    arrived_at=None,
    left_at=None,
    user_agent: str = "",
    ip_address: str | None = None,
    self_checkin: bool = False,
) -> AttendanceSignature:
    """Add one signature (drawn on the device: ``strokes``) or mark (``as_mark``, the
    user as witness) to a half-day's sheet, at the end of the sheet's hash chain.

    A trainee signs when marked present, late or left early; a trainer when a facilitator of
    one of the half-day's activities. ``self_checkin``: the person drew on their own phone
    (``user`` is their account, or None through a personal link; no mark, nobody to witness
    it). Refuses a closed sheet, a person who already signed it, empty strokes or an empty
    mark (``DomainError``). Arrival (late) and departure (left early) default to now. Side
    effect: one new row, never a change to an existing one; the slot row is locked while the
    chain is extended.
    """
    Role, Method = AttendanceSignature.Role, AttendanceSignature.Method
    if role not in Role.values:
        raise InvalidInput(_("Unknown signer."), code="unknown_role")
    mark = mark.strip()
    if as_mark and not self_checkin:
        if not mark or len(mark) > MARK_MAX_LENGTH:
            raise InvalidInput(
                _("Write the initials or a cross (at most %(max)d characters).")
                % {"max": MARK_MAX_LENGTH},
                code="mark_required",
            )
        drawing, svg, method, witness = [], "", Method.MARK_WITH_WITNESS, user
    else:
        drawing = clean_strokes(strokes)
        svg, witness, mark = strokes_svg(drawing), None, ""
        method = Method.SELF_CHECKIN if self_checkin else Method.DEVICE
    with transaction.atomic():
        locked = _lock_open_slot(slot)
        status = ""
        if role == Role.TRAINEE:
            rows = sheet_rows(slot=locked, participant_id=participant_id)
            if not rows:
                raise NotFound(_("This person is not on this sheet."), code="unknown_participant")
            status = rows[0].status
            if status not in ATTENDING_STATUSES:
                raise Conflict(
                    _("Only a person marked present, late or left early signs the sheet."),
                    code="not_attending",
                )
        elif participant_id not in slot_facilitator_ids(slot=locked):
            raise InvalidInput(
                _("Only a facilitator of this half-day’s activities signs as trainer."),
                code="not_a_facilitator",
            )
        if AttendanceSignature.objects.filter(
            slot=locked, participant_id=participant_id, role=role
        ).exists():
            raise Conflict(_("This person has already signed this sheet."), code="already_signed")
        local = timezone.localtime().time().replace(second=0, microsecond=0)
        arrived_at, left_at = _line_times(status, arrived_at, left_at, default=(local, local))
        evidence = Evidence(drawing, svg, mark, user_agent[:300], _normalised_address(ip_address))
        return _chain_append(
            slot=locked,
            evidence=evidence,
            participant_id=participant_id,
            role=role,
            status=status,
            method=method,
            witness=witness,
            captured_by=user,
            arrived_at=arrived_at,
            left_at=left_at,
        )


def attendance_self_checkin(
    *,
    slot: Slot,
    participant_id: int,
    user,
    strokes: str,
    user_agent: str = "",
    ip_address: str | None = None,
) -> AttendanceSignature:
    """A participant signs on their own phone (the sheet's QR code; the code itself is checked
    by the view). A person not marked yet, or marked absent or excused, becomes present, or
    late when it is more than ``LATE_AFTER`` past the half-day's start (arrival: now); a
    status already attending is kept. Side effects: the attendance record (and its history)
    when the status changes, then one signature row; all or nothing."""
    drawing = clean_strokes(strokes)  # refuse an empty drawing before touching the record
    del drawing
    with transaction.atomic():
        locked = _lock_open_slot(slot)
        rows = sheet_rows(slot=locked, participant_id=participant_id)
        if not rows:
            raise NotFound(_("This person is not on this sheet."), code="unknown_participant")
        current = rows[0]
        if current.status not in ATTENDING_STATUSES:
            now = timezone.localtime()
            start = datetime.datetime.combine(now.date(), locked.starts_at, tzinfo=now.tzinfo)
            late = now.date() == locked.day.date and now > start + LATE_AFTER
            attendance_record(
                slot=locked,
                participant_id=participant_id,
                status=AttendanceStatus.LATE if late else AttendanceStatus.PRESENT,
                note=current.note,
                version=current.version,
                user=user,
            )
        return attendance_sign(
            slot=locked,
            participant_id=participant_id,
            role=AttendanceSignature.Role.TRAINEE,
            user=user,
            strokes=strokes,
            user_agent=user_agent,
            ip_address=ip_address,
            self_checkin=True,
        )


def attendance_correct(
    *,
    slot: Slot,
    participant_id: int,
    user,
    reason: str,
    status: str | None = None,
    arrived_at=None,
    left_at=None,
    user_agent: str = "",
    ip_address: str | None = None,
) -> AttendanceSignature:
    """Correct a signed line: the status, or the arrival or departure time prefilled from the
    tap. The signature row stays as it was given; a new ``correction`` row joins the chain with
    the new values and the reason (the last row of a person is what the sheet shows). An open
    sheet only: after closing, an organiser reopens it first (its seal is superseded) and seals
    it again by closing. Side effects: the correction row, and the attendance record (with its
    history) when the status changes."""
    Role, Method = AttendanceSignature.Role, AttendanceSignature.Method
    reason = reason.strip()
    if not reason:
        raise InvalidInput(_("Say why this line is corrected."), code="reason_required")
    if len(reason) > REASON_MAX_LENGTH:
        raise InvalidInput(
            _("A reason is at most %(max)d characters long.") % {"max": REASON_MAX_LENGTH},
            code="reason_too_long",
        )
    with transaction.atomic():
        locked = _lock_open_slot(slot)
        signed = (
            AttendanceSignature.objects.filter(
                slot=locked, participant_id=participant_id, role=Role.TRAINEE
            )
            .order_by("-sequence")
            .first()
        )
        if signed is None:
            raise NotFound(_("This person has not signed this sheet."), code="not_signed")
        rows = sheet_rows(slot=locked, participant_id=participant_id)
        current = rows[0]
        status = status or current.status
        _check_entry(status, "")
        if status != current.status:
            attendance_record(
                slot=locked,
                participant_id=participant_id,
                status=status,
                note=current.note,
                version=current.version,
                user=user,
            )
        arrived_at, left_at = _line_times(
            status, arrived_at, left_at, default=(signed.arrived_at, signed.left_at)
        )
        evidence = Evidence([], "", "", user_agent[:300], _normalised_address(ip_address), reason)
        correction = _chain_append(
            slot=locked,
            evidence=evidence,
            participant_id=participant_id,
            role=Role.TRAINEE,
            status=status,
            method=Method.CORRECTION,
            captured_by=user,
            arrived_at=arrived_at,
            left_at=left_at,
        )
        audit(
            programme=locked.day.programme,
            actor=user,
            action="attendance.line_corrected",
            obj=locked,
            related=correction.participant,
            data={"status": status, "sequence": correction.sequence},
        )
        return correction


def paper_scan_add(*, slot: Slot, upload, user) -> PaperSheet:
    """Keep the scan of a half-day's sheet signed in ink (already checked by the form: a PDF,
    PNG or JPEG no larger than a letter), with its SHA-256; the sheet then counts as signed on
    paper. Scans are added, never replaced. Side effects: the stored file and an audit entry."""
    kind = upload_kind(upload, kinds=tuple(FILE_SIGNATURES))
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[kind]
    with transaction.atomic():
        scan = PaperSheet(slot=slot, content_type=kind, sha256=digest.hexdigest(), uploaded_by=user)
        scan.file.save(f"paper-sheet-{slot.pk}.{extension}", upload, save=False)
        scan.save()
        audit(
            programme=slot.day.programme,
            actor=user,
            action="attendance.paper_scan_added",
            obj=slot,
            data={"sha256": scan.sha256},
        )
    return scan


# --- Timetable -----------------------------------------------------------------------------


def timetable_kind(instance: TrainingDay | Slot | Activity) -> str:
    """The word naming a timetable row in audit actions (``timetable.slot_created``...)."""
    return {TrainingDay: "trainingday", Slot: "slot", Activity: "activity"}[type(instance)]


@transaction.atomic
def timetable_save(*, instance: TrainingDay | Slot | Activity, programme, user, facilitators=None):
    """Create or update a training day, a half-day or an activity (already validated by its
    form) and note it in the audit trail. ``facilitators`` sets an activity's facilitators."""
    created = instance.pk is None
    instance.save()
    if facilitators is not None:
        instance.facilitators.set(facilitators)
    audit(
        programme=programme,
        actor=user,
        action=f"timetable.{timetable_kind(instance)}_{'created' if created else 'updated'}",
        obj=instance,
    )
    return instance


@transaction.atomic
def timetable_delete(*, instance: TrainingDay | Slot | Activity, programme, user) -> None:
    """Delete a training day, a half-day or an activity. A day or half-day with attendance
    records cannot be deleted: the records are evidence for funders."""
    slots = (
        Slot.objects.filter(day=instance)
        if isinstance(instance, TrainingDay)
        else Slot.objects.filter(pk=instance.pk)
        if isinstance(instance, Slot)
        else Slot.objects.none()
    )
    if (
        Attendance.objects.filter(slot__in=slots).exists()
        or AttendanceSignature.objects.filter(slot__in=slots).exists()
    ):
        raise Conflict(
            _("Attendance was recorded on this half-day: it cannot be deleted."),
            code="has_records",
        )
    if isinstance(instance, TrainingDay) and Expense.objects.filter(day=instance).exists():
        raise Conflict(
            _("Expenses are recorded for this day: it cannot be deleted."), code="has_expenses"
        )
    audit(
        programme=programme,
        actor=user,
        action=f"timetable.{timetable_kind(instance)}_deleted",
        obj=instance,
        data={"label": str(instance)},  # a date, a half-day or an activity's title
    )
    instance.delete()


Role = Membership.Role


# --- reminders (periodic, idempotent: one outbox key per day or half-day and person) -------


def training_day_reminders_send(*, today: datetime.date | None = None) -> int:
    """The day before a training day, tell the programme's facilitators which sheets they will
    open, with the link to each. Returns the e-mails written."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    written = 0
    days = (
        TrainingDay.objects.filter(date=tomorrow)
        .select_related("programme")
        .prefetch_related("slots")
    )
    for day in days:
        programme = day.programme
        sheets = " ".join(
            notifications.site_url(
                reverse("sessions:attendance_sheet", args=[programme.slug, slot.pk])
            )
            for slot in day.slots.all()
        )
        with transaction.atomic():
            written += notifications.notify(
                programme=programme,
                users=notifications.programme_members(programme, Role.FACILITATOR),
                subject=gettext_noop("Tomorrow, %(date)s: %(programme)s"),
                text=gettext_noop(
                    "Tomorrow, %(date)s, is a training day of %(programme)s. The attendance "
                    "sheets you will open: %(sheets)s"
                ),
                params={
                    "date": day.date,
                    "programme": programme.title,
                    "sheets": sheets,
                },
                path=reverse("sessions:attendance_list", args=[programme.slug]),
                about=day,
                kind=OutboxMessage.Kind.REMINDER,
                key=f"reminder:day:{day.pk}:{{user}}",
            )
    return written


def open_sheet_reminders_send(*, today: datetime.date | None = None) -> int:
    """Tell the organisers, once per half-day, that the sheet of a past half-day is still open.
    Returns the e-mails written."""
    today = today or timezone.localdate()
    written = 0
    slots = Slot.objects.filter(closed_at__isnull=True, day__date__lt=today).select_related(
        "day__programme"
    )
    for slot in slots:
        programme = slot.day.programme
        with transaction.atomic():
            written += notifications.notify(
                programme=programme,
                users=notifications.programme_members(programme, Role.ORGANISER),
                subject=gettext_noop("A sheet is still open: %(halfday)s"),
                text=gettext_noop(
                    "The attendance sheet of %(halfday)s is still open. Check it and close it."
                ),
                params={"halfday": slot},
                path=reverse("sessions:attendance_sheet", args=[programme.slug, slot.pk]),
                about=slot,
                kind=OutboxMessage.Kind.REMINDER,
                key=f"reminder:sheet:{slot.pk}:{{user}}",
            )
    return written


# --- the activists' expenses -------------------------------------------------------------------


def _check_expense(programme, fields: dict) -> None:
    """Every object an expense names belongs to the programme, and its status fits how it is
    paid (what the organisers booked is paid, never reimbursed)."""
    problems = []
    if fields["participant"].programme_id != programme.pk:
        problems.append(_("This person does not take part in this programme."))
    if fields["day"].programme_id != programme.pk:
        problems.append(_("This day is not one of the programme's training days."))
    if fields["budget_line"].programme_id != programme.pk:
        problems.append(_("This budget line is not the programme's."))
    funding = fields.get("funding")
    if funding is not None and funding.programme_id != programme.pk:
        problems.append(_("This funding is not the programme's."))
    if fields["status"] == Expense.Status.REIMBURSED and fields["mode"] != Expense.Mode.CLAIMED:
        problems.append(
            _("An expense the organisers booked is paid, not reimbursed: choose “Paid”.")
        )
    if fields["amount"] is None or fields["amount"] < 0:
        problems.append(_("An amount cannot be negative."))
    if problems:
        raise InvalidInput(problems, code="expense_invalid")


@transaction.atomic
def expense_save(*, programme, actor, fields: dict, expense: Expense | None = None) -> Expense:
    """Record or change one expense of a person's training day (checked against the
    programme); audited without the person's name or the note."""
    _check_expense(programme, fields)
    created = expense is None
    expense = expense or Expense(
        created_by=actor if actor is not None and actor.is_authenticated else None
    )
    for name, value in fields.items():
        setattr(expense, name, value)
    expense.save()
    audit(
        programme=programme,
        actor=actor,
        action="expense.created" if created else "expense.updated",
        obj=expense,
        related=expense.participant,
        data={"amount": str(expense.amount), "status": expense.status, "kind": expense.kind},
    )
    return expense


@transaction.atomic
def participant_replace(*, actor, participant, slot: Slot, fields: dict):
    """Replace a triad member (a new elected official after an election, a professional who
    left) from the half-day ``slot``: the person leaves, inactive, expected only at the
    half-days before (their attendance and history kept); the newcomer joins in the same
    category, city and peer group, expected from ``slot`` on. ``fields``: the newcomer's
    ``first_name``, ``last_name``, ``position``, ``email``, ``phone``. Refused for a person
    already gone or not in a triad, or from a half-day whose sheet is closed or before the
    person joined. Side effect: an audit entry. Returns the newcomer."""
    old = Participant.objects.select_for_update().get(pk=participant.pk)
    if slot.day.programme_id != old.programme_id:
        raise NotFound()
    if old.category not in TRIAD_CATEGORIES or old.erased_at is not None:
        raise Conflict(_("Only a member of a city's triad can be replaced."), code="not_triad")
    if not old.is_active:
        raise Conflict(_("This person has already left the programme."), code="inactive")
    if slot.is_closed:
        raise InvalidInput(
            _("The sheet of this half-day is closed: choose a half-day still to come."),
            code="slot_closed",
        )
    start = (slot.day.date, slot.starts_at)
    span = ExpectedSpan.objects.filter(participant=old).first()
    if span is not None and span.from_day is not None and start <= (span.from_day, span.from_time):
        raise InvalidInput(
            _("This person joined on that half-day or later: choose a later half-day."),
            code="slot_too_early",
        )
    new = Participant.objects.create(
        programme_id=old.programme_id,
        category=old.category,
        city_id=old.city_id,
        organisation_id=old.organisation_id,
        peer_group_id=old.peer_group_id,
        first_name=fields["first_name"],
        last_name=fields.get("last_name", ""),
        position=fields.get("position", ""),
        email=fields.get("email", ""),
        phone=fields.get("phone", ""),
        consent_recorded_at=timezone.now(),
    )
    old.is_active = False
    old.save(update_fields=["is_active", "updated_at"])
    span_until(old, *start)
    span_from(new, *start)
    audit(
        programme=old.programme,
        actor=actor,
        action="participants.replaced",
        obj=old,
        related=new,
        data={"slot": slot.pk},
    )
    return new
