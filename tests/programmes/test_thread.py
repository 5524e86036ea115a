"""The two-way "more information" thread: the organisers ask, the city answers in writing with a
document checked as the letter is, organisers and assigned reviewers read it, e-mails go."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from programmes import services
from programmes.models import ApplicationMessage, AuditEntry, CityApplication, OutboxMessage
from tests import factories
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db
Status = CityApplication.Status


@pytest.fixture
def file(open_call, complete_application, people):
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    factories.ReviewAssignmentFactory(application=application, reviewer=people.reviewer)
    return application, contact


def test_the_organisers_ask_the_city_answers_with_a_document_and_everyone_reads_it(
    client, file, people
):
    application, contact = file
    programme = application.call.programme
    client.force_login(people.organiser)
    asked = client.post(
        reverse(
            "programmes:application_request_information", args=[programme.slug, application.pk]
        ),
        {"message": "Pouvez-vous joindre la délibération du conseil municipal ?"},
    )
    assert asked.status_code == 302

    client.force_login(contact)
    city_page = reverse("programmes:city_application", args=[programme.slug, application.pk])
    assert "la délibération du conseil municipal" in client.get(city_page).content.decode()
    answer = reverse("programmes:city_application_message", args=[programme.slug, application.pk])
    not_pdf = client.post(
        answer,
        {
            "body": "Voici la délibération.",
            "attachment": SimpleUploadedFile("x.pdf", b"GIF89a", "application/pdf"),
        },
    )
    assert not_pdf.status_code == 400
    assert "Voici la délibération." in not_pdf.content.decode()  # nothing typed is lost
    assert not ApplicationMessage.objects.filter(side="city").exists()
    sent = client.post(
        answer,
        {
            "body": "Voici la délibération.",
            "attachment": SimpleUploadedFile("d.pdf", PDF_BYTES, "application/pdf"),
        },
    )
    assert sent.status_code == 302
    message = ApplicationMessage.objects.get(side="city")
    assert message.author == contact
    # The organisers and the file's reviewer are told; the audit names no text.
    told = OutboxMessage.objects.filter(object_id=str(application.pk), subject__contains="Réponse")
    assert {m.recipient_user for m in told} >= {people.organiser, people.reviewer}
    entry = AuditEntry.objects.get(action="application.message_posted")
    assert "délibération" not in str(entry.data)

    document = reverse(
        "programmes:application_message_attachment",
        args=[programme.slug, application.pk, message.pk],
    )
    detail = reverse("programmes:application_detail", args=[programme.slug, application.pk])
    for reader in (people.organiser, people.reviewer, contact):
        client.force_login(reader)
        assert client.get(document).status_code == 200
    for reader in (people.organiser, people.reviewer):
        client.force_login(reader)
        assert "Voici la délibération." in client.get(detail).content.decode()
    for outsider in (people.other_reviewer, people.funder, people.facilitator):
        client.force_login(outsider)
        assert client.get(document).status_code == 404
        assert client.get(detail).status_code == 404


def test_the_organisers_write_and_the_city_is_told(file, people):
    application, contact = file
    services.application_message_post(
        actor=people.organiser,
        application=application,
        side=ApplicationMessage.Side.ORGANISERS,
        body="Merci, c'est complet.",
    )
    assert OutboxMessage.objects.filter(
        recipient_user=contact, object_id=str(application.pk)
    ).exists()


def test_a_draft_or_withdrawn_city_cannot_write(client, open_call, complete_application):
    contact = factories.UserFactory()
    draft = complete_application(open_call, contact=contact, status=Status.DRAFT)
    client.force_login(contact)
    url = reverse("programmes:city_application_message", args=[open_call.programme.slug, draft.pk])
    assert client.post(url, {"body": "Bonjour"}).status_code == 404


def test_the_thread_costs_the_same_queries_whatever_its_length(client, file, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    application, contact = file
    programme = application.call.programme
    pages = [
        (
            people.organiser,
            reverse("programmes:application_detail", args=[programme.slug, application.pk]),
        ),
        (contact, reverse("programmes:city_application", args=[programme.slug, application.pk])),
    ]

    def counts():
        found = []
        for user, url in pages:
            client.force_login(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found.append(len(queries))
        return found

    small = counts()
    for index in range(12):
        ApplicationMessage.objects.create(
            application=application,
            author=contact if index % 2 else people.organiser,
            side="city" if index % 2 else "organisers",
            body=f"Message {index}",
            attachment=SimpleUploadedFile(f"{index}.pdf", PDF_BYTES, "application/pdf"),
        )
    assert counts() == small
