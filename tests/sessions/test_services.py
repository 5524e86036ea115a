import re

import pytest

from participants.models import Category
from programmes.errors import DomainError
from programmes.models import AuditEntry
from sessions import services
from sessions.models import Attendance, AttendanceChange
from sessions.services import AttendanceConflict, SheetEntry
from tests import factories

pytestmark = pytest.mark.django_db

Status = Attendance.Status


def record(training, person, status, *, version=0, user=None, note="", slot=None):
    return services.attendance_record(
        slot=slot or training.slot,
        participant_id=person.pk,
        status=status,
        note=note,
        version=version,
        user=user,
    )


def test_a_tap_creates_the_record_and_its_history(training, facilitator_user):
    person = training.trainees[0]

    row, changed = record(training, person, Status.PRESENT, user=facilitator_user, note=" ok ")

    assert changed
    assert (row.status, row.version, row.note) == (Status.PRESENT, 1, "ok")
    attendance = Attendance.objects.get(participant=person, slot=training.slot)
    assert attendance.recorded_by == facilitator_user
    (change,) = attendance.changes.all()
    assert (change.old_status, change.new_status, change.changed_by) == (
        "",
        Status.PRESENT,
        facilitator_user,
    )


def test_a_change_based_on_the_current_version_is_saved(training, facilitator_user):
    person = training.trainees[0]
    record(training, person, Status.PRESENT, user=facilitator_user)

    row, _ = record(training, person, Status.LATE, version=1, user=facilitator_user)

    assert (row.status, row.version) == (Status.LATE, 2)
    assert list(
        AttendanceChange.objects.order_by("id").values_list("old_status", "new_status")
    ) == [("", Status.PRESENT), (Status.PRESENT, Status.LATE)]


def test_a_stale_write_is_refused_with_the_current_value(training, organiser, facilitator_user):
    person = training.trainees[0]
    # Both facilitators opened the sheet when nobody was marked (version 0).
    record(training, person, Status.EXCUSED, user=organiser)

    with pytest.raises(AttendanceConflict) as refused:
        record(training, person, Status.ABSENT, version=0, user=facilitator_user)

    assert refused.value.current.status == Status.EXCUSED
    assert refused.value.current.version == 1
    assert person.full_name in refused.value.message
    assert Attendance.objects.get(participant=person).status == Status.EXCUSED
    assert AttendanceChange.objects.count() == 1


def test_a_stale_update_is_refused_too(training, organiser, facilitator_user):
    person = training.trainees[0]
    record(training, person, Status.PRESENT, user=organiser)
    record(training, person, Status.LATE, version=1, user=organiser)

    with pytest.raises(AttendanceConflict):
        record(training, person, Status.ABSENT, version=1, user=facilitator_user)
    assert Attendance.objects.get(participant=person).status == Status.LATE


def test_a_repeated_post_changes_nothing(training, facilitator_user):
    person = training.trainees[0]
    record(training, person, Status.PRESENT, user=facilitator_user)

    row, changed = record(training, person, Status.PRESENT, version=0, user=facilitator_user)

    assert not changed
    assert row.version == 1
    assert AttendanceChange.objects.count() == 1


def test_different_rows_never_conflict(training, organiser, facilitator_user):
    first, second = training.trainees[:2]
    record(training, first, Status.PRESENT, user=organiser)
    record(training, second, Status.ABSENT, user=facilitator_user)  # both saw version 0
    assert Attendance.objects.filter(slot=training.slot).count() == 2


@pytest.mark.parametrize("status", ["here", "", "PRESENT"])
def test_an_unknown_status_is_refused(training, facilitator_user, status):
    with pytest.raises(DomainError) as refused:
        record(training, training.trainees[0], status, user=facilitator_user)
    assert refused.value.code == "unknown_status"
    assert not Attendance.objects.exists()


def test_people_not_on_the_sheet_are_refused(training, facilitator_user):
    stranger = factories.ParticipantFactory(category=Category.ACTIVIST)  # another programme
    inactive = factories.ParticipantFactory(
        programme=training.programme, category=Category.ACTIVIST, is_active=False
    )
    for person in (stranger, inactive, training.facilitator):
        with pytest.raises(DomainError) as refused:
            record(training, person, Status.PRESENT, user=facilitator_user)
        assert refused.value.code == "unknown_participant"
    assert not Attendance.objects.exists()


def test_a_closed_sheet_refuses_changes(training, facilitator_user):
    factories.sign_as_trainer(training.slot, training.facilitator, user=facilitator_user)
    services.slot_close(slot=training.slot, user=facilitator_user)
    with pytest.raises(DomainError) as refused:
        record(training, training.trainees[0], Status.PRESENT, user=facilitator_user)
    assert refused.value.code == "closed"
    with pytest.raises(DomainError):
        services.attendance_sheet_save(
            slot=training.slot,
            entries=[SheetEntry(training.trainees[0].pk, Status.PRESENT)],
            user=facilitator_user,
        )
    assert not Attendance.objects.exists()


def test_a_note_longer_than_allowed_is_refused(training, facilitator_user):
    with pytest.raises(DomainError) as refused:
        record(training, training.trainees[0], Status.LATE, note="x" * 501, user=facilitator_user)
    assert refused.value.code == "note_too_long"


def test_whole_sheet_save_writes_new_and_changed_rows(training, organiser, facilitator_user):
    first, second, third, *_ = training.trainees
    record(training, first, Status.PRESENT, user=organiser)

    result = services.attendance_sheet_save(
        slot=training.slot,
        entries=[
            SheetEntry(first.pk, Status.LEFT_EARLY, "left at 11", version=1),
            SheetEntry(second.pk, Status.PRESENT),
            SheetEntry(third.pk, Status.EXCUSED, "ill"),
        ],
        user=facilitator_user,
    )

    assert (result.created, result.updated, result.unchanged, result.conflicts) == (2, 1, 0, [])
    statuses = dict(Attendance.objects.values_list("participant_id", "status"))
    assert statuses == {first.pk: Status.LEFT_EARLY, second.pk: Status.PRESENT, third.pk: "excused"}
    assert Attendance.objects.get(participant=first).version == 2
    assert AttendanceChange.objects.filter(changed_by=facilitator_user).count() == 3
    assert (
        AttendanceChange.objects.get(
            attendance__participant=first, changed_by=facilitator_user
        ).old_status
        == Status.PRESENT
    )


def test_whole_sheet_save_keeps_others_changes_and_reports_them(
    training, organiser, facilitator_user
):
    first, second = training.trainees[:2]
    record(training, first, Status.ABSENT, user=organiser)  # saved after the form was loaded

    result = services.attendance_sheet_save(
        slot=training.slot,
        entries=[SheetEntry(first.pk, Status.PRESENT), SheetEntry(second.pk, Status.PRESENT)],
        user=facilitator_user,
    )

    assert result.created == 1
    (conflict,) = result.conflicts
    assert conflict.current.participant.pk == first.pk
    assert conflict.current.status == Status.ABSENT
    assert Attendance.objects.get(participant=first).status == Status.ABSENT


def test_a_stale_sheet_conflicts_only_on_lines_changed_here_and_elsewhere(
    training, organiser, facilitator_user
):
    first, second, third = training.trainees[:3]
    for person in (first, second, third):
        record(training, person, Status.PRESENT, user=facilitator_user)  # version 1 on screen
    record(training, first, Status.ABSENT, version=1, user=organiser, note="ill")  # meanwhile
    record(training, second, Status.ABSENT, version=1, user=organiser)

    seen = {"version": 1, "seen_status": Status.PRESENT, "seen_note": ""}
    result = services.attendance_sheet_save(
        slot=training.slot,
        entries=[
            SheetEntry(first.pk, Status.PRESENT, **seen),  # sent back as seen
            SheetEntry(second.pk, Status.LATE, **seen),  # changed here too
            SheetEntry(third.pk, Status.LEFT_EARLY, **seen),  # changed here only
        ],
        user=facilitator_user,
    )

    assert (result.updated, result.unchanged) == (1, 1)
    assert [conflict.current.participant.pk for conflict in result.conflicts] == [second.pk]
    now = {a.participant_id: (a.status, a.note, a.version) for a in Attendance.objects.all()}
    assert now[first.pk] == (Status.ABSENT, "ill", 2)  # left as it is now
    assert now[second.pk] == (Status.ABSENT, "", 2)
    assert now[third.pk] == (Status.LEFT_EARLY, "", 2)


def test_without_what_the_user_saw_a_stale_line_still_conflicts(
    training, organiser, facilitator_user
):
    """A client that does not send the seen values cannot tell an untouched line from a change:
    it keeps the safe answer, a conflict."""
    person = training.trainees[0]
    record(training, person, Status.PRESENT, user=facilitator_user)
    record(training, person, Status.ABSENT, version=1, user=organiser)
    result = services.attendance_sheet_save(
        slot=training.slot,
        entries=[SheetEntry(person.pk, Status.PRESENT, version=1)],
        user=facilitator_user,
    )
    assert len(result.conflicts) == 1


def test_whole_sheet_save_with_a_stranger_saves_nothing(training, facilitator_user):
    stranger = factories.ParticipantFactory(category=Category.ACTIVIST)
    with pytest.raises(DomainError) as refused:
        services.attendance_sheet_save(
            slot=training.slot,
            entries=[
                SheetEntry(training.trainees[0].pk, Status.PRESENT),
                SheetEntry(stranger.pk, Status.PRESENT),
            ],
            user=facilitator_user,
        )
    assert refused.value.code == "unknown_participant"
    assert not Attendance.objects.exists()


def test_mark_everyone_present_keeps_statuses_already_marked(training, facilitator_user):
    excused = training.trainees[0]
    record(training, excused, Status.EXCUSED, user=facilitator_user)

    result = services.attendance_mark_unrecorded_present(slot=training.slot, user=facilitator_user)

    assert result.created == len(training.trainees) - 1
    assert Attendance.objects.get(participant=excused).status == Status.EXCUSED
    assert Attendance.objects.filter(status=Status.PRESENT).count() == len(training.trainees) - 1


def test_closing_and_reopening_are_audited(training, facilitator_user, organiser):
    record(training, training.trainees[0], Status.PRESENT, user=facilitator_user)
    factories.sign_as_trainer(training.slot, training.facilitator, user=facilitator_user)

    services.slot_close(slot=training.slot, user=facilitator_user)
    training.slot.refresh_from_db()
    assert training.slot.is_closed
    assert training.slot.closed_by == facilitator_user
    closing = AuditEntry.objects.get(action="attendance.sheet_closed")
    assert closing.actor == facilitator_user
    assert closing.data == {"recorded": 1, "expected": len(training.trainees)}
    assert re.search(rf"\b1\b\D+\b{len(training.trainees)}\b", closing.display())  # 1 of 8
    assert str(training.slot) in closing.display()  # the half-day, by its current name
    with pytest.raises(DomainError):
        services.slot_close(slot=training.slot, user=facilitator_user)

    with pytest.raises(DomainError) as refused:
        services.slot_reopen(slot=training.slot, user=organiser, reason="   ")
    assert refused.value.code == "reason_required"

    services.slot_reopen(slot=training.slot, user=organiser, reason="Wrong person marked absent")
    training.slot.refresh_from_db()
    assert not training.slot.is_closed
    reopening = AuditEntry.objects.get(action="attendance.sheet_reopened")
    assert (reopening.actor, reopening.data) == (organiser, {"note": "Wrong person marked absent"})
    assert reopening.display().endswith("rouverte. Wrong person marked absent")


def test_a_half_day_with_records_cannot_be_deleted(training, organiser):
    record(training, training.trainees[0], Status.PRESENT, user=organiser)
    with pytest.raises(DomainError):
        services.timetable_delete(
            instance=training.slot.day, programme=training.programme, user=organiser
        )
    assert training.slot.day.slots.count() == 2  # nothing deleted
    empty = training.slots[2]
    services.timetable_delete(instance=empty, programme=training.programme, user=organiser)
    assert not type(empty).objects.filter(pk=empty.pk).exists()
    assert AuditEntry.objects.filter(action="timetable.slot_deleted").count() == 1
