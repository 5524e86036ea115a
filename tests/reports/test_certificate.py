"""The certificat de réalisation of one person: French typography, downloaded by organisers,
e-mailed through the outbox with the PDF attached; an activist is named on their own."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from participants.models import Category
from programmes.models import Membership, OutboxMessage
from reports.documents import certificate_html
from tests import factories
from tests.conftest import normalise, pdf_text

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def activist(training):
    person = factories.ParticipantFactory(
        programme=training.programme,
        category=Category.ACTIVIST,
        first_name="Aimé",
        last_name="Secret",
        consent_name_in_reports=False,
        email="aime@example.org",
    )
    for slot in training.slots[:2]:
        factories.AttendanceFactory(participant=person, slot=slot, status="present")
    return person


def test_the_certificate_follows_the_model_in_french(training, activist):
    programme = training.programme
    programme.venue = "Centre international ATD Quart Monde, Pierrelaye"
    programme.start_date, programme.end_date = dt.date(2015, 1, 22), dt.date(2015, 1, 23)
    programme.organiser = factories.OrganisationFactory(name="Profession Banlieue")
    programme.save()
    with translation.override("fr"):
        html = certificate_html(
            programme=programme, participant_id=activist.pk, signatory="Claire Moreau"
        )
    assert "Certificat de réalisation" in html
    assert "Aimé Secret" in html  # named on their own certificate, consent or not
    assert "action de formation" in html
    assert "au Centre international ATD Quart Monde, Pierrelaye" in html
    assert "du 22\u00a0janvier 2015 au 23\u00a0janvier 2015" in html
    assert "\u00a0:" in html
    assert "Fait à Pierrelaye" in html
    assert "Profession Banlieue" in html


def test_an_organiser_downloads_it_and_others_get_404(client, training, activist, member):
    url = reverse("reports:certificate_pdf", args=[training.programme.slug, activist.pk])
    client.force_login(member(training.programme, Role.FACILITATOR))
    assert client.get(url).status_code == 404
    client.force_login(member(training.programme, Role.FUNDER))
    assert client.get(url).status_code == 404
    client.force_login(member(training.programme, Role.ORGANISER))
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "Aimé Secret" in normalise(pdf_text(response.content))


def test_nobody_attended_nothing_to_certify(client, training, organiser):
    person = training.trainees[0]
    client.force_login(organiser)
    url = reverse("reports:certificate_pdf", args=[training.programme.slug, person.pk])
    response = client.get(url)
    assert response.status_code in (302, 409)
    assert not response.get("Content-Type", "").startswith("application/pdf")


def test_it_is_sent_by_e_mail_with_the_pdf_attached(
    client, training, activist, organiser, django_capture_on_commit_callbacks
):
    client.force_login(organiser)
    url = reverse("reports:certificate_send", args=[training.programme.slug, activist.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    message = OutboxMessage.objects.get(kind=OutboxMessage.Kind.CERTIFICATE)
    assert message.recipient == "aime@example.org"
    assert message.attachment
    sent = [m for m in mail.outbox if m.to == ["aime@example.org"]]
    assert len(sent) == 1
    name, content, kind = sent[0].attachments[0]
    assert kind == "application/pdf"
    assert content.startswith(b"%PDF-")
    assert name.endswith(".pdf")


def test_without_an_address_it_says_so(client, training, organiser):
    person = training.trainees[0]
    person.email = ""
    person.save()
    factories.AttendanceFactory(participant=person, slot=training.slot, status="present")
    client.force_login(organiser)
    url = reverse("reports:certificate_send", args=[training.programme.slug, person.pk])
    client.post(url)
    assert not OutboxMessage.objects.filter(kind=OutboxMessage.Kind.CERTIFICATE).exists()


def test_the_certificate_carries_the_organisers_stamp_and_renders(training, activist):
    from django.core.files.base import ContentFile

    from reports.rendering import pdf_from_html

    organisation = factories.OrganisationFactory(name="Profession Banlieue")
    organisation.stamp.save("stamp.png", ContentFile(factories.png_logo()), save=True)
    programme = training.programme
    programme.organiser = organisation
    programme.save()
    html = certificate_html(programme=programme, participant_id=activist.pk, signatory="C. M.")
    assert 'class="certificate-stamp" src="data:image/png;base64,' in html
    assert pdf_from_html(html).pages == 1  # the renderer takes the inline stamp
