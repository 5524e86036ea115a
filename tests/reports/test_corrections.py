"""Corrections after closing (a new row with a reason, a new seal that names the one it
replaces), times edited before closing, and the paper fallback (a scan kept and counted)."""

import datetime as dt
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes.errors import DomainError
from programmes.models import Membership
from reports.models import SealedSheet
from reports.selectors import attendance_report_data, funder_report_data
from reports.services import sealed_sheet_build
from sessions import services as session_services
from sessions.models import Attendance, AttendanceSignature, PaperSheet
from sessions.signatures import chain_check
from tests import factories
from tests.conftest import normalise, pdf_text

pytestmark = pytest.mark.django_db

Role = Membership.Role
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def signed(training, facilitator_user):
    """Two trainees signed (one late), the facilitator signed as trainer."""
    for index, person in enumerate(training.trainees[:2]):
        factories.AttendanceFactory(
            slot=training.slot, participant=person, status="late" if index else "present"
        )
        session_services.attendance_sign(
            slot=training.slot,
            participant_id=person.pk,
            role="trainee",
            user=facilitator_user,
            strokes=factories.drawing(seed=index),
            arrived_at=dt.time(9, 40) if index else None,
        )
    factories.sign_as_trainer(training.slot, training.facilitator, user=facilitator_user)
    return training


def rows(training):
    return list(AttendanceSignature.objects.filter(slot=training.slot).order_by("sequence"))


def test_the_facilitator_corrects_an_arrival_time_before_closing(client, signed, facilitator_user):
    person = signed.trainees[1]
    client.force_login(facilitator_user)
    url = reverse(
        "sessions:attendance_correct", args=[signed.programme.slug, signed.slot.pk, person.pk]
    )
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="09:40"' in page.text  # prefilled from the signature
    refused = client.post(url, {"status": "late", "arrived_at": "09:50", "reason": ""})
    assert refused.status_code == 400
    assert 'value="09:50"' in refused.text  # what was typed is kept
    before = rows(signed)
    done = client.post(
        url, {"status": "late", "arrived_at": "09:50", "reason": "Arrivée notée trop tôt"}
    )
    assert done.status_code == 302
    after = rows(signed)
    assert [row.row_hash for row in after[: len(before)]] == [row.row_hash for row in before]
    correction = after[-1]
    assert (correction.method, correction.arrived_at, correction.reason) == (
        "correction",
        dt.time(9, 50),
        "Arrivée notée trop tôt",
    )
    assert chain_check(after).intact
    sheet = client.get(
        reverse("sessions:attendance_sheet", args=[signed.programme.slug, signed.slot.pk])
    )
    assert "09:50" in sheet.text
    assert "Arrivée notée trop tôt" in sheet.text


def test_after_closing_an_organiser_reopens_corrects_and_seals_again(
    client, signed, facilitator_user, organiser, django_capture_on_commit_callbacks
):
    person = signed.trainees[0]
    with django_capture_on_commit_callbacks(execute=True):
        session_services.slot_close(slot=signed.slot, user=facilitator_user)
    first = SealedSheet.objects.get(slot=signed.slot)
    with pytest.raises(DomainError):  # closed: reopen first
        session_services.attendance_correct(
            slot=signed.slot, participant_id=person.pk, user=organiser, reason="x", status="late"
        )
    signed.slot.refresh_from_db()
    session_services.slot_reopen(slot=signed.slot, user=organiser, reason="Retard oublié")
    client.force_login(organiser)
    sheet_url = reverse("sessions:attendance_sheet", args=[signed.programme.slug, signed.slot.pk])
    assert "Retard oublié" in client.get(sheet_url).text  # the sheet says it was reopened
    session_services.attendance_correct(
        slot=signed.slot,
        participant_id=person.pk,
        user=organiser,
        reason="Arrivé à 9 h 30",
        status="late",
        arrived_at=dt.time(9, 30),
    )
    assert Attendance.objects.get(slot=signed.slot, participant=person).status == "late"
    with django_capture_on_commit_callbacks(execute=True):
        session_services.slot_close(slot=signed.slot, user=organiser)
    first.refresh_from_db()
    second = SealedSheet.objects.get(slot=signed.slot, superseded_at=None)
    assert first.superseded_at is not None
    assert second.signature_count == len(rows(signed)) - 1 + 1  # every row of the chain
    sealed_sheet_build(seal_id=second.pk)
    second.refresh_from_db()
    text = normalise(pdf_text(second.file.read()))
    assert "Arrivé à 9 h 30" in text
    assert first.display_code in text  # the new seal names the one it replaces


def test_a_paper_scan_is_kept_hashed_and_counted_in_the_reports(client, training, facilitator_user):
    client.force_login(facilitator_user)
    url = reverse("sessions:paper_scan", args=[training.programme.slug, training.slot.pk])
    refused = client.post(url, {"scan": SimpleUploadedFile("x.txt", b"hello", "text/plain")})
    assert refused.status_code == 400
    assert "PNG" in refused.text  # the message names what is accepted
    assert not PaperSheet.objects.exists()
    assert (
        client.post(url, {"scan": SimpleUploadedFile("f.png", PNG, "image/png")}).status_code == 302
    )
    scan = PaperSheet.objects.get(slot=training.slot)
    assert scan.sha256 == hashlib.sha256(PNG).hexdigest()
    assert scan.content_type == "image/png"
    sheet = client.get(
        reverse("sessions:attendance_sheet", args=[training.programme.slug, training.slot.pk])
    )
    assert "data-signed-on-paper" in sheet.text
    download = client.get(
        reverse(
            "sessions:paper_scan_download",
            args=[training.programme.slug, training.slot.pk, scan.pk],
        )
    )
    assert b"".join(download.streaming_content) == PNG
    for person in training.trainees[:2]:
        factories.AttendanceFactory(slot=training.slot, participant=person, status="present")
    proofs = {
        line.slot.id: line for line in attendance_report_data(programme=training.programme).proofs
    }
    assert proofs[training.slot.pk].proof == "paper"
    report = funder_report_data(programme=training.programme)
    assert dict((value, count) for value, _, count in report.proof_totals)["paper"] == 1
