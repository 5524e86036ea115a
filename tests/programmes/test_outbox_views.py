"""The programme's e-mails page, the resend button and the e-mails on an application's file:
organisers only (404 for everyone else), a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.models import AuditEntry, CityApplication, OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
QUERY_BUDGET = 10


def add_messages(programme, count: int, *, about=None, users=()) -> list[OutboxMessage]:
    users = list(users)
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(
            programme=programme,
            recipient=f"r{n}@example.org",
            recipient_user=users[n % len(users)] if users else None,
            language="fr",
            subject=f"Objet {n}",
            body="Texte",
            kind=OutboxMessage.Kind.DECISION,
            status=[Status.SENT, Status.FAILED, Status.QUEUED][n % 3],
            sent_at=timezone.now() if n % 3 == 0 else None,
            attempts=1,
            last_error="" if n % 3 == 0 else "ConnectionRefusedError: refused",
            object_type="cityapplication" if about else "",
            object_id=str(about.pk) if about else "",
        )
        for n in range(count)
    )


def count_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries)


@pytest.fixture
def application(open_call):
    return factories.CityApplicationFactory(call=open_call, status=CityApplication.Status.SUBMITTED)


@pytest.mark.parametrize("role", ["reviewer", "other_reviewer", "facilitator", "funder"])
def test_only_organisers_see_the_programmes_emails(client, open_call, people, application, role):
    programme = open_call.programme
    [message] = add_messages(programme, 1, about=application)
    client.force_login(getattr(people, role))
    slug = programme.slug
    assert client.get(reverse("programmes:message_list", args=[slug])).status_code == 404
    resend = reverse("programmes:message_resend", args=[slug, message.pk])
    assert client.post(resend).status_code == 404
    assert OutboxMessage.objects.count() == 1
    factories.ReviewAssignmentFactory(application=application, reviewer=people.reviewer)
    if role == "reviewer":  # the assigned reviewer sees the file, but not its e-mails
        page = client.get(reverse("programmes:application_detail", args=[slug, application.pk]))
        assert page.status_code == 200
        assert message.recipient not in page.text
        assert "application_messages" not in page.context


def test_an_organiser_of_another_programme_gets_404(client, open_call, member, application):
    [message] = add_messages(open_call.programme, 1)
    other = factories.ProgrammeFactory()
    client.force_login(member(other, "organiser"))
    slug = open_call.programme.slug
    assert client.get(reverse("programmes:message_list", args=[slug])).status_code == 404
    # Their own programme's address with this programme's message id: not found either.
    resend = reverse("programmes:message_resend", args=[other.slug, message.pk])
    assert client.post(resend).status_code == 404


def test_the_organiser_sees_what_was_sent_what_failed_and_why(client, open_call, people):
    add_messages(open_call.programme, 3)
    client.force_login(people.organiser)
    url = reverse("programmes:message_list", args=[open_call.programme.slug])
    page = client.get(url)
    assert "r0@example.org" in page.text
    assert "ConnectionRefusedError: refused" in page.text
    assert "Échoué" in page.text or "failed" in page.text
    failed = client.get(url, {"status": Status.FAILED})
    assert [m.recipient for m in failed.context["page"].object_list] == ["r1@example.org"]
    assert client.get(url, {"status": "bogus"}).status_code == 200  # ignored, not a 500


def test_resending_queues_a_copy_and_goes_back_to_the_file(
    client, open_call, people, application, django_capture_on_commit_callbacks, mailoutbox
):
    [message] = add_messages(open_call.programme, 1, about=application)
    slug = open_call.programme.slug
    file_url = reverse("programmes:application_detail", args=[slug, application.pk])
    client.force_login(people.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programmes:message_resend", args=[slug, message.pk]), {"next": file_url}
        )
    assert response.status_code == 302
    assert response.url == file_url
    copy = OutboxMessage.objects.exclude(pk=message.pk).get()
    assert (copy.status, copy.resent_from) == (Status.SENT, message)
    assert [email.to for email in mailoutbox] == [[message.recipient]]
    assert AuditEntry.objects.filter(action="outbox.resent", actor=people.organiser).exists()
    page = client.get(file_url)
    assert page.text.count(message.recipient) >= 2  # the original and the copy, on the file
    outside = client.post(
        reverse("programmes:message_resend", args=[slug, message.pk]),
        {"next": "https://elsewhere.example.org/"},
    )
    assert outside.url == reverse("programmes:message_list", args=[slug])
    assert (
        client.get(reverse("programmes:message_resend", args=[slug, message.pk])).status_code == 405
    )


def test_the_emails_page_runs_a_fixed_number_of_queries_with_5_or_300_messages(
    client, open_call, people
):
    programme = open_call.programme
    users = [factories.UserFactory() for _ in range(5)]
    add_messages(programme, 5, users=users)
    client.force_login(people.organiser)
    url = reverse("programmes:message_list", args=[programme.slug])
    count_queries(client, url)
    small = count_queries(client, url)
    add_messages(programme, 295, users=users)
    large = count_queries(client, url)
    assert OutboxMessage.objects.count() == 300
    assert small == large
    assert large <= QUERY_BUDGET


def test_the_file_shows_its_emails_in_a_fixed_number_of_queries(
    client, open_call, people, application
):
    programme = open_call.programme
    add_messages(programme, 5, about=application, users=[people.funder])
    client.force_login(people.organiser)
    url = reverse("programmes:application_detail", args=[programme.slug, application.pk])
    count_queries(client, url)
    small = count_queries(client, url)
    add_messages(programme, 295, about=application, users=[people.funder])
    add_messages(programme, 20)  # about nothing: not on this file
    large = count_queries(client, url)
    assert small == large
    page = client.get(url)
    assert len(page.context["application_messages"]) == 300
