"""E-mails survive hostile names: every header is one line, and one failing message never stops
the others of a batch (issue 9, item 1)."""

import pytest
from django.core import mail, signing
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse

from programmes import services
from programmes.models import CityApplication, Programme
from programmes.selectors import INVITATION_SALT
from programmes.text import one_line
from tests import factories
from tests.factories import application_post

pytestmark = pytest.mark.django_db
Status = CityApplication.Status
HOSTILE = "Evil\r\nBcc: x@example.org"


def test_one_line_collapses_breaks_and_drops_direction_controls():
    assert one_line(HOSTILE) == "Evil Bcc: x@example.org"
    assert one_line("  Saint-\u202eDenis\u2069 \t\n93 \x00") == "Saint-Denis 93"
    assert one_line("Ligne\u2028suivante\u0085fin") == "Ligne suivante fin"
    assert one_line(None) == ""


def test_a_city_named_with_a_line_break_signs_up_and_submits_and_is_mailed(
    client, open_call, django_capture_on_commit_callbacks
):
    """The visitor who types a hostile city name is never answered 500; the receipt goes out
    with a one-line subject."""
    programme = open_call.programme
    token = signing.dumps(
        {"programme": programme.pk, "email": "claire@ville.fr"}, salt=INVITATION_SALT
    )
    response = client.post(
        reverse("programmes:apply_invitation", args=[programme.slug, token]),
        {
            "first_name": "Claire\r\nBcc: y@example.org",
            "last_name": "Martin",
            "email": "claire@ville.fr",
            "new_city_name": HOSTILE,
            "new_city_insee_code": "93066",
            "new_city_departement": "93",
        },
    )
    assert response.status_code == 302  # the invited address goes on to its password
    response = client.post(
        response.url,
        {
            "new_password1": "un-mot-de-passe-solide-42",
            "new_password2": "un-mot-de-passe-solide-42",
        },
    )
    assert response.status_code == 302
    application = CityApplication.objects.select_related("city", "contact_user").get(
        city__insee_code="93066"
    )
    assert application.city.name == "Evil Bcc: x@example.org"
    assert application.contact_user.first_name == "Claire Bcc: y@example.org"

    edit = reverse("programmes:city_application_edit", args=[programme.slug, application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit, application_post(action="submit"))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED
    [email] = mail.outbox
    assert "\n" not in email.subject
    assert "\r" not in email.subject
    assert email.subject.endswith("Evil Bcc: x@example.org")
    assert email.bcc == []
    assert email.message()["Bcc"] is None


def test_a_header_is_one_line_even_from_a_name_saved_before_the_rule(
    open_call, people, django_capture_on_commit_callbacks
):
    """Names already in the database with a line break (saved by an update that skips the
    model) still give a one-line subject: the function that builds messages cleans headers."""
    Programme.objects.filter(pk=open_call.programme.pk).update(title="Co-formation\r\nBcc: z")
    programme = Programme.objects.get(pk=open_call.programme.pk)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(
            actor=people.organiser,
            programme=programme,
            email="maire@bondy.fr",
            city_name="Bondy",
            message="",
            base_url="http://testserver",
        )
    [email] = mail.outbox
    assert email.subject.endswith("Co-formation Bcc: z")
    assert email.to == ["maire@bondy.fr"]


def test_closing_the_selection_sends_every_decision_even_when_one_message_fails(
    open_call, people, complete_application, django_capture_on_commit_callbacks, monkeypatch
):
    open_call.places = 10
    open_call.save(update_fields=["places"])
    applications = [
        complete_application(open_call, status=status, contact_email=f"ville{index}@example.org")
        for index, status in enumerate(
            [Status.SELECTED] * 4 + [Status.WAITLISTED] * 3 + [Status.REJECTED] * 3
        )
    ]
    failing = applications[3].contact_email
    send_messages = EmailBackend.send_messages

    def one_fails(self, messages):
        if any(failing in message.to for message in messages):
            raise ValueError("Header values can't contain newlines")
        return send_messages(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", one_fails)
    with django_capture_on_commit_callbacks(execute=True):
        count = services.selection_close(
            actor=people.organiser, call=open_call, base_url="http://testserver"
        )
    assert count == 10
    sent = sorted(address for email in mail.outbox for address in email.to)
    assert sent == sorted(a.contact_email for a in applications if a.contact_email != failing)
    assert len(mail.outbox) == 9


def test_names_and_titles_are_saved_on_one_line_whatever_the_way_in():
    city = factories.CityFactory(name="Saint-\u202eDenis\r\n")
    programme = factories.ProgrammeFactory(title="Co-\u2066formation\n2015")
    assert city.name == "Saint-Denis"
    assert programme.title == "Co-formation 2015"
