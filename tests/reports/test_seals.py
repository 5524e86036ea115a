"""Sealed attendance sheets: closing seals the chain, the PDF is built by a task, /verify/
answers anyone without personal data, and a changed byte or row is not matching."""

import pytest
from django.db import connection
from django.urls import reverse

from programmes.models import Membership
from reports.models import SEAL_CODE_ALPHABET, SealedSheet
from reports.services import sealed_sheet_build
from sessions import services as session_services
from sessions.models import Attendance, AttendanceSignature
from tests import factories
from tests.conftest import normalise, pdf_text

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def signed(training, facilitator_user):
    """The first half-day: every trainee present and signed but one who marks, and the
    facilitator signed as trainer."""
    for index, person in enumerate(training.trainees):
        factories.AttendanceFactory(
            slot=training.slot, participant=person, status="late" if index == 1 else "present"
        )
        session_services.attendance_sign(
            slot=training.slot,
            participant_id=person.pk,
            role="trainee",
            user=facilitator_user,
            **(
                {"as_mark": True, "mark": "X"}
                if index == 0
                else {"strokes": factories.drawing(seed=index)}
            ),
        )
    factories.sign_as_trainer(training.slot, training.facilitator, user=facilitator_user)
    return training


def close(training, user, capture):
    with capture(execute=True):
        session_services.slot_close(slot=training.slot, user=user)
    return SealedSheet.objects.get(slot=training.slot, superseded_at=None)


def verify(client, **data):
    return client.post(reverse("reports:verify"), data)


def test_closing_seals_the_chain_and_the_task_builds_the_pdf(
    signed, facilitator_user, django_capture_on_commit_callbacks
):
    seal = close(signed, facilitator_user, django_capture_on_commit_callbacks)
    last = AttendanceSignature.objects.filter(slot=signed.slot).order_by("-sequence").first()
    assert seal.chain_head == last.row_hash
    assert seal.signature_count == len(signed.trainees) + 1
    assert len(seal.code) == 10
    assert set(seal.code) <= set(SEAL_CODE_ALPHABET)
    assert seal.file_sha256  # built by the task, run eagerly after the commit
    text = normalise(pdf_text(seal.file.read()))
    assert seal.display_code in text
    assert seal.chain_head in text.replace(" ", "")
    assert signed.trainees[2].full_name in text
    assert "Marque « X »" in text
    assert signed.facilitator.full_name in text
    assert "Travail en groupes de pairs" in text


def test_verify_by_code_is_public_and_names_nobody(
    client, signed, facilitator_user, django_capture_on_commit_callbacks
):
    seal = close(signed, facilitator_user, django_capture_on_commit_callbacks)
    assert client.get(reverse("reports:verify")).status_code == 200
    answer = verify(client, code=seal.display_code.lower().replace("-", " "))
    assert answer.status_code == 200
    assert 'data-verify-result="intact"' in answer.text
    assert signed.programme.title in answer.text
    assert str(seal.signature_count) in answer.text
    for person in [*signed.trainees, signed.facilitator]:
        assert person.last_name not in answer.text
    assert facilitator_user.username not in answer.text
    unknown = verify(client, code="ZZZZZ-ZZZZZ")
    assert 'data-verify-result="not-matching"' in unknown.text


def test_verify_a_pdf_and_one_changed_byte_is_not_matching(
    client, signed, facilitator_user, django_capture_on_commit_callbacks
):
    seal = close(signed, facilitator_user, django_capture_on_commit_callbacks)
    content = seal.file.read()
    intact = verify(client, file=factories.pdf_upload(content))
    assert 'data-verify-result="intact"' in intact.text
    changed = bytearray(content)
    changed[len(changed) // 2] ^= 0x01
    tampered = verify(client, file=factories.pdf_upload(bytes(changed)))
    assert tampered.status_code == 200
    assert 'data-verify-result="not-matching"' in tampered.text


def test_a_row_changed_in_the_database_makes_the_code_not_matching(
    client, signed, facilitator_user, django_capture_on_commit_callbacks
):
    seal = close(signed, facilitator_user, django_capture_on_commit_callbacks)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # the trigger guards the rows: go around it
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE training_attendancesignature SET status = 'absent' WHERE slot_id = %s "
            "AND sequence = 2",
            [signed.slot.pk],
        )
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    answer = verify(client, code=seal.code)
    assert 'data-verify-result="not-matching"' in answer.text


def test_reopening_supersedes_the_seal_and_closing_again_makes_a_new_one(
    client, signed, facilitator_user, organiser, django_capture_on_commit_callbacks
):
    first = close(signed, facilitator_user, django_capture_on_commit_callbacks)
    session_services.slot_reopen(slot=signed.slot, user=organiser, reason="Erreur de statut")
    first.refresh_from_db()
    assert first.superseded_at is not None
    second = close(signed, facilitator_user, django_capture_on_commit_callbacks)
    assert second.pk != first.pk
    assert second.code != first.code
    old = verify(client, code=first.code)
    assert 'data-verify-result="intact"' in old.text
    assert "rouverte" in old.text


@pytest.mark.parametrize(
    ("data", "status"), [({}, 400), ({"code": ""}, 400), ({"code": "x" * 41}, 400)]
)
def test_bad_input_is_a_400_with_a_message(client, data, status):
    assert verify(client, **data).status_code == status


def test_an_oversized_upload_is_refused(client, settings, monkeypatch):
    monkeypatch.setattr("reports.forms.VERIFY_MAX_BYTES", 100)
    answer = verify(client, file=factories.pdf_upload(b"%PDF-" + b"0" * 200))
    assert answer.status_code == 400
    assert "Mo" in answer.text or "MB" in answer.text


def test_the_sealed_pdf_is_for_those_who_take_attendance(
    client, signed, facilitator_user, member, django_capture_on_commit_callbacks
):
    close(signed, facilitator_user, django_capture_on_commit_callbacks)
    url = reverse("reports:sealed_sheet_pdf", args=[signed.programme.slug, signed.slot.pk])
    client.force_login(member(signed.programme, Role.FUNDER))
    assert client.get(url).status_code == 404
    client.force_login(facilitator_user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    open_sheet = reverse(
        "reports:sealed_sheet_pdf", args=[signed.programme.slug, signed.slots[1].pk]
    )
    assert client.get(open_sheet).status_code == 404


def test_a_sheet_of_28_signatures_seals_whole(programme, member):
    """The time is measured by ``bench/seal.py`` (not asserted here: a busy machine would make
    the test fail for nothing)."""
    training = factories.build_training(programme, cities=8, activists=4)
    user = member(programme, Role.FACILITATOR)
    for index, person in enumerate(training.trainees):
        factories.AttendanceFactory(slot=training.slot, participant=person, status="present")
        session_services.attendance_sign(
            slot=training.slot,
            participant_id=person.pk,
            role="trainee",
            user=user,
            strokes=factories.drawing(strokes=3, points=40, seed=index),
        )
    factories.sign_as_trainer(training.slot, training.facilitator, user=user)
    assert Attendance.objects.filter(slot=training.slot).count() == 28
    session_services.slot_close(slot=training.slot, user=user)
    seal = SealedSheet.objects.get(slot=training.slot)
    assert seal.signature_count == 29
    sealed_sheet_build(seal_id=seal.pk)
    seal.refresh_from_db()
    assert len(pdf_text(seal.file.read()).split("\f")) >= 1
    assert seal.file_sha256


def test_erasing_a_person_deletes_the_sealed_pdfs_and_the_code_still_verifies(
    client, signed, facilitator_user, organiser, django_capture_on_commit_callbacks
):
    from cotraining.personal_data import person_erase

    seal = close(signed, facilitator_user, django_capture_on_commit_callbacks)
    storage, name = seal.file.storage, seal.file.name
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(participant=signed.trainees[2], user=organiser)
    seal.refresh_from_db()
    assert not seal.file
    assert not storage.exists(name)
    assert 'data-verify-result="intact"' in verify(client, code=seal.code).text
    client.force_login(facilitator_user)
    url = reverse("reports:sealed_sheet_pdf", args=[signed.programme.slug, signed.slot.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert "code reste vérifiable" in client.get(response.url).text


def test_the_reports_say_how_each_half_day_was_proven(
    signed, facilitator_user, django_capture_on_commit_callbacks
):
    from reports.documents import document_html
    from reports.models import ReportRun
    from reports.rendering import pdf_from_html
    from reports.selectors import attendance_report_data, funder_report_data

    close(signed, facilitator_user, django_capture_on_commit_callbacks)
    factories.AttendanceFactory(
        slot=signed.slots[1], participant=signed.trainees[0], status="present"
    )  # held (a record), never signed
    proofs = {
        line.slot.id: line for line in attendance_report_data(programme=signed.programme).proofs
    }
    assert set(proofs) == {signed.slots[0].pk, signed.slots[1].pk}  # the third is not held
    sealed, unsigned = proofs[signed.slots[0].pk], proofs[signed.slots[1].pk]
    assert (sealed.proof, sealed.trainee_signatures, sealed.trainer_signatures) == (
        "app",
        len(signed.trainees),
        1,
    )
    assert sealed.attended == len(signed.trainees)
    assert (unsigned.proof, unsigned.trainee_signatures, unsigned.attended) == ("none", 0, 1)
    assert funder_report_data(programme=signed.programme).proofs == list(proofs.values())

    for kind in (ReportRun.Kind.ATTENDANCE, ReportRun.Kind.FUNDER):
        html = document_html(kind=kind, programme=signed.programme).html
        text = normalise(pdf_text(pdf_from_html(html).content))
        assert "Comment la présence a été prouvée" in text
        assert "Signée dans l’application" in text
        assert "Non prouvée" in text
