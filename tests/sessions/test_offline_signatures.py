"""Signatures made on a phone without a connection (issue 13, last part): sent with the taps,
appended to the sheet's chain when they arrive (server clock, receipt order), with the phone's
time kept apart; once per change id; refused on a closed sheet."""

import datetime as dt
import json
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reports.models import SealedSheet
from sessions import services
from sessions.models import Attendance, AttendanceSignature, SyncedChange
from sessions.signatures import chain_check
from tests import factories
from tests.conftest import normalise, pdf_text

pytestmark = pytest.mark.django_db


def sync_url(slot) -> str:
    return reverse("sessions:attendance_sync", args=[slot.day.programme.slug, slot.pk])


def send(client, slot, changes):
    return client.post(
        sync_url(slot),
        json.dumps({"changes": changes}),
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )


def tap(person, status="present", minutes_ago=40):
    return {
        "id": str(uuid.uuid4()),
        "participant": person.pk,
        "kind": "tap",
        "status": status,
        "note": "",
        "version": 0,
        "device_time": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat(),
    }


def signature(person, *, role="trainee", minutes_ago=30, **more):
    return {
        "id": str(more.pop("id", uuid.uuid4())),
        "participant": person.pk,
        "kind": "signature",
        "role": role,
        "version": 0,
        "strokes": factories.drawing(seed=person.pk),
        "device_time": (timezone.now() - dt.timedelta(minutes=minutes_ago)).isoformat(),
    } | more


def results(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [answer["result"] for answer in response.json()["results"]]


def chain(slot):
    return list(AttendanceSignature.objects.filter(slot=slot).order_by("sequence"))


def test_a_signature_made_offline_joins_the_chain_at_receipt_with_the_phones_time(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    slot, (first, second, *_) = training.slot, training.trainees
    factories.AttendanceFactory(slot=slot, participant=first, status="present")
    online = services.attendance_sign(
        slot=slot,
        participant_id=first.pk,
        role="trainee",
        user=facilitator_user,
        strokes=factories.drawing(),
    )
    # Offline: the second person is marked late, then signs, 30 minutes ago by the phone.
    answer = send(client, slot, [tap(second, "late"), signature(second, minutes_ago=30)])
    assert results(answer) == ["applied", "applied"]
    rows = chain(slot)
    assert [row.participant_id for row in rows] == [first.pk, second.pk]
    offline = rows[1]
    assert offline.previous_hash == online.row_hash
    assert offline.recorded_offline
    assert not online.recorded_offline
    assert timezone.now() - offline.signed_at < dt.timedelta(minutes=1)
    made = timezone.now() - offline.device_signed_at
    assert dt.timedelta(minutes=29) < made < dt.timedelta(minutes=31)
    assert offline.status == "late"
    # A late person's arrival defaults to the time on the phone, not the time received.
    assert offline.arrived_at == timezone.localtime(offline.device_signed_at).time().replace(
        second=0, microsecond=0
    )
    assert offline.svg.startswith("<svg")
    assert offline.method == "device"
    assert chain_check(rows).intact


def test_the_device_time_is_part_of_the_hash(client, training, facilitator_user):
    client.force_login(facilitator_user)
    slot, person = training.slot, training.trainees[0]
    factories.AttendanceFactory(slot=slot, participant=person, status="present")
    assert results(send(client, slot, [signature(person)])) == ["applied"]
    row = chain(slot)[0]
    assert chain_check([row]).intact
    row.device_signed_at -= dt.timedelta(hours=1)
    assert not chain_check([row]).intact


def test_a_signature_sent_twice_is_added_once(client, training, facilitator_user):
    client.force_login(facilitator_user)
    slot, person = training.slot, training.trainees[0]
    factories.AttendanceFactory(slot=slot, participant=person, status="present")
    sent = signature(person)
    assert results(send(client, slot, [sent])) == ["applied"]
    assert results(send(client, slot, [sent])) == ["applied"]
    # Another change id for a person who already signed: not a second row either.
    again = send(client, slot, [signature(person)])
    assert results(again) == ["unchanged"]
    assert "already signed" in again.json()["results"][0]["message"]
    assert len(chain(slot)) == 1
    assert SyncedChange.objects.filter(slot=slot).count() == 2


def test_a_closed_sheet_refuses_a_signature_made_offline_and_says_so(
    client, training, facilitator_user
):
    client.force_login(facilitator_user)
    slot, person = training.slot, training.trainees[0]
    factories.AttendanceFactory(slot=slot, participant=person, status="present")
    factories.sign_as_trainer(slot, training.facilitator, user=facilitator_user)
    services.slot_close(slot=slot, user=facilitator_user)
    answer = send(client, slot, [signature(person)])
    assert results(answer) == ["closed"]
    assert "closed" in answer.json()["results"][0]["message"]
    assert len(chain(slot)) == 1
    assert chain_check(chain(slot)).intact


def test_refusals_are_per_signature_and_the_rest_is_saved(client, training, facilitator_user):
    client.force_login(facilitator_user)
    slot, (absent, present, marked, *_) = training.slot, training.trainees
    factories.AttendanceFactory(slot=slot, participant=absent, status="absent")
    factories.AttendanceFactory(slot=slot, participant=present, status="present")
    factories.AttendanceFactory(slot=slot, participant=marked, status="present")
    answer = send(
        client,
        slot,
        [
            signature(absent),
            signature(present, strokes='{"width": 400, "height": 160, "strokes": []}'),
            signature(marked, as_mark=True, mark="J.D.", strokes=""),
            signature(training.trainees[3], role="trainer"),
        ],
    )
    assert results(answer) == ["refused", "refused", "applied", "refused"]
    messages = [a["message"] for a in answer.json()["results"]]
    assert "present, late or left early" in messages[0]
    assert "empty" in messages[1]
    assert "facilitator" in messages[3]
    (row,) = chain(slot)
    assert (row.participant, row.method, row.mark, row.witness) == (
        marked,
        "mark_with_witness",
        "J.D.",
        facilitator_user,
    )
    assert Attendance.objects.get(slot=slot, participant=absent).status == "absent"


def test_a_trainer_signs_offline(client, training, facilitator_user):
    client.force_login(facilitator_user)
    slot = training.slot
    activity = slot.activities.first() or factories.ActivityFactory(slot=slot)
    activity.facilitators.add(training.facilitator)
    assert results(send(client, slot, [signature(training.facilitator, role="trainer")])) == [
        "applied"
    ]
    assert chain(slot)[0].role == "trainer"


def test_sending_signatures_takes_the_same_number_of_queries_for_2_or_30(
    client, programme, facilitator_user
):
    training = factories.build_training(programme, cities=12, activists=2)
    client.force_login(facilitator_user)
    people = training.trainees
    for person in people:
        factories.AttendanceFactory(slot=training.slot, participant=person, status="present")

    def count(changes) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert set(results(send(client, training.slot, changes))) == {"applied"}
        return len(queries)

    count([signature(people[0])])  # the session is cached as on a server
    few = count([signature(person) for person in people[1:3]])
    many = count([signature(person) for person in people[3:33]])
    assert len(people) >= 33
    assert few == many
    assert chain_check(chain(training.slot)).intact
    assert len(chain(training.slot)) == 33


def test_the_sheet_and_the_sealed_pdf_say_signed_offline_and_when_received(
    client, training, facilitator_user, django_capture_on_commit_callbacks
):
    client.force_login(facilitator_user)
    slot, person = training.slot, training.trainees[0]
    factories.AttendanceFactory(slot=slot, participant=person, status="present")
    assert results(send(client, slot, [signature(person, minutes_ago=90)])) == ["applied"]
    row = chain(slot)[0]
    device = timezone.localtime(row.device_signed_at).strftime("%H:%M")
    received = timezone.localtime(row.signed_at).strftime("%H:%M")
    sheet_url = reverse("sessions:attendance_sheet", args=[slot.day.programme.slug, slot.pk])
    sheet = client.get(sheet_url)
    assert f"signée hors ligne à {device}, reçue à {received}" in normalise(sheet.text)
    factories.sign_as_trainer(slot, training.facilitator, user=facilitator_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.slot_close(slot=slot, user=facilitator_user)
    seal = SealedSheet.objects.get(slot=slot, superseded_at=None)
    text = normalise(pdf_text(seal.file.read()))
    assert f"signée hors ligne à {device} (horloge du téléphone), reçue le" in text
    assert received in text
