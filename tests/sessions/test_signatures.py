"""Signatures on the attendance sheets: the hash chain, the refusals, append-only rows, the
signing page and its permissions."""

import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cotraining.personal_data import person_erase, person_export
from participants.models import Category
from programmes.errors import DomainError
from programmes.models import Membership
from sessions import services
from sessions.models import Attendance, AttendanceSignature
from sessions.signatures import GENESIS, chain_check, clean_strokes, strokes_svg
from tests import factories

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = Attendance.Status


def present(training, person, status=Status.PRESENT):
    return factories.AttendanceFactory(slot=training.slot, participant=person, status=status)


def sign(training, person, user, **kwargs):
    kwargs.setdefault("strokes", factories.drawing(seed=person.pk))
    return services.attendance_sign(
        slot=training.slot, participant_id=person.pk, role="trainee", user=user, **kwargs
    )


def test_signatures_chain_per_sheet_and_the_chain_is_recomputed(training, facilitator_user):
    people = training.trainees[:3]
    for person in people:
        present(training, person)
    made = [sign(training, person, facilitator_user) for person in people]
    trainer = factories.sign_as_trainer(training.slot, training.facilitator, user=facilitator_user)

    assert [row.sequence for row in made] == [1, 2, 3]
    assert made[0].previous_hash == GENESIS
    assert made[1].previous_hash == made[0].row_hash
    assert trainer.previous_hash == made[2].row_hash
    assert trainer.sequence == 4
    rows = list(AttendanceSignature.objects.filter(slot=training.slot).order_by("sequence"))
    check = chain_check(rows)
    assert check.intact
    assert check.head == trainer.row_hash
    assert check.count == 4
    assert made[0].svg.startswith("<svg")
    assert "<path" in made[0].svg
    assert made[0].method == "device"
    assert made[0].status == Status.PRESENT


def test_rows_are_never_updated_or_deleted(training, facilitator_user):
    person = training.trainees[0]
    present(training, person)
    row = sign(training, person, facilitator_user)
    row.status = Status.LATE
    with pytest.raises(TypeError):
        row.save()
    with pytest.raises(TypeError):
        row.delete()
    with pytest.raises(TypeError):
        AttendanceSignature.objects.filter(pk=row.pk).update(status=Status.LATE)
    with pytest.raises(TypeError):
        AttendanceSignature.objects.filter(pk=row.pk).delete()


def test_a_row_changed_in_the_database_is_refused_or_detected(training, facilitator_user):
    """PostgreSQL refuses the change (a trigger); elsewhere the recomputed chain shows it."""
    people = training.trainees[:2]
    for person in people:
        present(training, person)
    rows = [sign(training, person, facilitator_user) for person in people]
    sql = "UPDATE training_attendancesignature SET status = 'late' WHERE id = %s"
    if connection.vendor == "postgresql":
        with (
            pytest.raises(Exception, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [rows[0].pk])
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, [rows[0].pk])
    stored = list(AttendanceSignature.objects.filter(slot=training.slot).order_by("sequence"))
    assert not chain_check(stored).intact


def test_refusals(training, facilitator_user, organiser):
    person, absent, unmarked = training.trainees[:3]
    present(training, person, Status.LATE)
    present(training, absent, Status.ABSENT)

    def refused(code, **kwargs):
        with pytest.raises(DomainError) as error:
            services.attendance_sign(slot=training.slot, user=facilitator_user, **kwargs)
        assert error.value.code == code

    refused("not_attending", participant_id=absent.pk, role="trainee", strokes=factories.drawing())
    refused(
        "not_attending", participant_id=unmarked.pk, role="trainee", strokes=factories.drawing()
    )
    empty = json.dumps({"width": 400, "height": 160, "strokes": []})
    refused("empty_strokes", participant_id=person.pk, role="trainee", strokes=empty)
    refused("bad_strokes", participant_id=person.pk, role="trainee", strokes="<svg/>")
    refused("mark_required", participant_id=person.pk, role="trainee", as_mark=True, mark=" ")
    other = factories.ParticipantFactory(
        programme=training.programme, category=Category.FACILITATOR
    )
    refused(
        "not_a_facilitator", participant_id=other.pk, role="trainer", strokes=factories.drawing()
    )
    sign(training, person, facilitator_user)
    refused("already_signed", participant_id=person.pk, role="trainee", strokes=factories.drawing())
    assert AttendanceSignature.objects.count() == 1

    # Closing needs a trainer's signature; a closed sheet refuses signatures.
    with pytest.raises(DomainError) as error:
        services.slot_close(slot=training.slot, user=facilitator_user)
    assert error.value.code == "no_trainer_signature"
    factories.sign_as_trainer(training.slot, training.facilitator, user=facilitator_user)
    services.slot_close(slot=training.slot, user=facilitator_user)
    present(training, training.trainees[3])
    with pytest.raises(DomainError) as error:
        sign(training, training.trainees[3], facilitator_user)
    assert error.value.code == "closed"


def test_a_late_arrival_and_a_mark_with_a_witness(training, facilitator_user):
    late, marker = training.trainees[:2]
    present(training, late, Status.LATE)
    present(training, marker, Status.LEFT_EARLY)
    row = sign(training, late, facilitator_user)
    assert row.arrived_at is not None
    assert row.left_at is None
    mark = sign(training, marker, facilitator_user, strokes="", as_mark=True, mark="X")
    assert mark.method == "mark_with_witness"
    assert mark.witness == facilitator_user
    assert mark.mark == "X"
    assert mark.svg == ""
    assert mark.left_at is not None
    assert chain_check([row, mark]).intact


def test_strokes_are_checked_and_drawn_from_numbers_only():
    drawing = clean_strokes(
        json.dumps(
            {"width": 300, "height": 100, "strokes": [[[10, 10, 0]], [[1, 2, 0], [3, 4, 9]]]}
        )
    )
    svg = strokes_svg(drawing)
    assert "M10 10h0.1" in svg
    assert "M1 2L3 4" in svg
    for bad in ('{"width": "1e999", "height": 5, "strokes": []}', "[]", "", "null"):
        with pytest.raises(DomainError):
            clean_strokes(bad)
    with pytest.raises(DomainError):
        clean_strokes(json.dumps({"width": 300, "height": 100, "strokes": [[["<a>", 1, 0]]]}))


def test_erasing_a_person_blanks_the_evidence_and_the_chain_still_verifies(
    training, facilitator_user, organiser
):
    person = training.trainees[0]
    present(training, person)
    sign(training, person, facilitator_user, user_agent="Phone", ip_address="2001:DB8:0::1")
    assert AttendanceSignature.objects.get(participant=person).ip_address == "2001:db8::1"
    exported = person_export(programme=training.programme, participant_id=person.pk, user=organiser)
    assert exported["signatures"][0]["signature_svg"].startswith("<svg")

    person_erase(participant=person, user=organiser)

    row = AttendanceSignature.objects.get(participant=person)
    assert (row.svg, row.strokes, row.user_agent, row.ip_address) == ("", [], "", None)
    assert row.evidence_erased_at is not None
    assert chain_check([row]).intact


# --- The signing page ------------------------------------------------------------------------


def sign_url(training, role, person):
    return reverse(
        "sessions:attendance_sign",
        args=[training.programme.slug, training.slot.pk, role, person.pk],
    )


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.FACILITATOR])
def test_facilitators_and_organisers_sign_on_the_page(client, training, member, role):
    person = training.trainees[0]
    present(training, person)
    client.force_login(member(training.programme, role))
    page = client.get(sign_url(training, "trainee", person))
    assert page.status_code == 200
    assert "signature_pad.umd.min.js" in page.text
    assert "signature-canvas" in page.text

    response = client.post(
        sign_url(training, "trainee", person),
        {"strokes": factories.drawing()},
        HTTP_USER_AGENT="Tablet/1.0",
    )
    assert response.status_code == 302
    row = AttendanceSignature.objects.get()
    assert row.user_agent == "Tablet/1.0"
    assert row.ip_address == "127.0.0.1"
    sheet = client.get(
        reverse("sessions:attendance_sheet", args=[training.programme.slug, training.slot.pk])
    )
    assert 'class="signature-svg"' in sheet.text


def test_a_refused_signature_says_why(client, training, facilitator_user):
    person = training.trainees[0]
    present(training, person)
    client.force_login(facilitator_user)
    response = client.post(sign_url(training, "trainee", person), {"strokes": ""})
    assert response.status_code == 400
    assert "signature" in response.text.lower()
    marked = client.post(sign_url(training, "trainee", person), {"as_mark": "on", "mark": "JD"})
    assert marked.status_code == 302
    assert AttendanceSignature.objects.get().mark == "JD"


@pytest.mark.parametrize("role", [Role.FUNDER, Role.REVIEWER, None])
def test_others_get_a_404(client, training, member, role):
    person = training.trainees[0]
    present(training, person)
    user = member(training.programme, role) if role else factories.UserFactory()
    client.force_login(user)
    assert client.get(sign_url(training, "trainee", person)).status_code == 404
    assert (
        client.post(sign_url(training, "trainee", person), {"strokes": factories.drawing()})
    ).status_code == 404
    assert not AttendanceSignature.objects.exists()


def test_unknown_people_and_roles_are_404(client, training, facilitator_user):
    client.force_login(facilitator_user)
    stranger = factories.ParticipantFactory(category=Category.FACILITATOR)
    assert client.get(sign_url(training, "trainer", stranger)).status_code == 404
    assert client.get(sign_url(training, "trainee", training.facilitator)).status_code == 404
    assert client.get(sign_url(training, "boss", training.trainees[0])).status_code == 404
    assert client.get(sign_url(training, "trainer", training.facilitator)).status_code == 200


def test_the_sheet_runs_the_same_queries_with_0_and_28_signatures(client, programme, member):
    training = factories.build_training(programme, cities=8, activists=4)
    user = member(programme, Role.FACILITATOR)
    client.force_login(user)
    url = reverse("sessions:attendance_sheet", args=[programme.slug, training.slot.pk])
    for person in training.trainees:
        present(training, person)
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    assert len(training.trainees) == 28
    for person in training.trainees:
        sign(training, person, user)
    with CaptureQueriesContext(connection) as after:
        page = client.get(url)
    assert page.text.count('class="signature-svg"') == 28
    assert len(after.captured_queries) == len(before.captured_queries)
    # session, user, slot with the user's roles, rows, activities with their facilitators,
    # signatures, history, paper scans, last reopening
    assert len(after.captured_queries) == 9


def test_the_unique_sequence_is_enforced_by_the_database(training, facilitator_user):
    person = training.trainees[0]
    present(training, person)
    row = sign(training, person, facilitator_user)
    copy = AttendanceSignature(
        **{
            field.attname: getattr(row, field.attname)
            for field in AttendanceSignature._meta.concrete_fields
            if field.name not in ("id", "row_hash")
        },
        row_hash="f" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save(force_insert=True)
