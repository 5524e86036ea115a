"""Two facilitators writing the same sheet at the same moment, for real (PostgreSQL, threads)."""

import threading

import pytest
from django.db import connection

from programmes.errors import DomainError
from sessions import services
from sessions.models import Attendance, AttendanceChange
from sessions.services import SheetEntry
from tests.factories import build_training

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"
    ),
]


def run_together(*jobs):
    """Start the jobs at the same instant; return what each returned or raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, job):
        from django.db import connections

        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("attempt", range(5))
def test_a_tap_and_a_whole_sheet_save_at_once_lose_nothing(programme, member, attempt):
    training = build_training(programme)
    first, second = member(programme, "facilitator"), member(programme, "facilitator")
    contested = training.trainees[0]
    everyone = [SheetEntry(person.pk, "present") for person in training.trainees]

    tap, sheet = run_together(
        lambda: services.attendance_record(
            slot=training.slot, participant_id=contested.pk, status="absent", version=0, user=first
        ),
        lambda: services.attendance_sheet_save(slot=training.slot, entries=everyone, user=second),
    )

    record = Attendance.objects.get(participant=contested, slot=training.slot)
    history = list(AttendanceChange.objects.filter(attendance=record))
    # Whoever wrote the contested line first won; the other was told, not silently overwritten.
    assert len(history) == 1
    assert history[0].new_status == record.status
    if record.status == "absent":
        assert not isinstance(tap, Exception)
        assert isinstance(sheet, DomainError) or [
            c.current.participant.pk for c in sheet.conflicts
        ] == [contested.pk]
    else:
        assert isinstance(tap, DomainError)
        assert sheet.created == len(training.trainees)
    # Lines nobody contested were saved by the sheet unless it was refused as a whole.
    others = Attendance.objects.filter(slot=training.slot).exclude(participant=contested)
    expected = 0 if isinstance(sheet, Exception) else len(training.trainees) - 1
    assert others.count() == expected


def test_two_taps_on_one_line_one_wins_and_the_other_is_told(programme, member):
    training = build_training(programme)
    first, second = member(programme, "facilitator"), member(programme, "facilitator")
    person, neighbour = training.trainees[:2]

    def tap(user, who, status):
        return lambda: services.attendance_record(
            slot=training.slot, participant_id=who.pk, status=status, version=0, user=user
        )

    one, other, elsewhere = run_together(
        tap(first, person, "present"),
        tap(second, person, "excused"),
        tap(second, neighbour, "late"),
    )

    outcomes = [one, other]
    assert sum(isinstance(outcome, services.AttendanceConflict) for outcome in outcomes) == 1
    winner = next(outcome for outcome in outcomes if not isinstance(outcome, Exception))
    assert Attendance.objects.get(participant=person).status == winner[0].status
    assert AttendanceChange.objects.filter(attendance__participant=person).count() == 1
    assert not isinstance(elsewhere, Exception)  # different lines never conflict
    assert Attendance.objects.get(participant=neighbour).status == "late"


@pytest.mark.parametrize("attempt", range(3))
def test_signatures_given_at_once_extend_one_chain_and_closing_waits_for_them(
    programme, member, attempt
):
    from reports.models import SealedSheet
    from sessions.models import AttendanceSignature
    from sessions.signatures import chain_check
    from tests import factories

    training = build_training(programme)
    user = member(programme, "facilitator")
    factories.sign_as_trainer(training.slot, training.facilitator, user=user)
    people = training.trainees[:4]
    for person in people:
        factories.AttendanceFactory(slot=training.slot, participant=person, status="present")

    def signing(person):
        return lambda: services.attendance_sign(
            slot=training.slot,
            participant_id=person.pk,
            role="trainee",
            user=user,
            strokes=factories.drawing(seed=person.pk),
        )

    outcomes = run_together(
        *(signing(person) for person in people),
        lambda: services.slot_close(slot=training.slot, user=user),
    )

    rows = list(AttendanceSignature.objects.filter(slot=training.slot).order_by("sequence"))
    check = chain_check(rows)
    assert check.intact
    assert [row.sequence for row in rows] == list(range(1, len(rows) + 1))
    signed = [o for o in outcomes[:-1] if isinstance(o, AttendanceSignature)]
    refused = [o for o in outcomes[:-1] if isinstance(o, DomainError)]
    assert len(signed) + len(refused) == len(people)
    assert all(error.code == "closed" for error in refused)
    # The seal covers exactly the signatures given before the sheet was closed: all of them.
    seal = SealedSheet.objects.get(slot=training.slot)
    assert (seal.signature_count, seal.chain_head) == (len(rows), check.head)
