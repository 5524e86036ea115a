"""Accounts: a forgotten password reset by e-mail, a password changed, one's profile; and the
reviewer told by e-mail of a file to review."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from programmes.models import CityApplication, Membership, UserProfile
from tests import factories
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

Role = Membership.Role


def test_the_login_page_and_the_user_menu_link_to_the_password_pages(client):
    assert f'href="{reverse("password_reset")}"' in client.get(reverse("login")).text
    client.force_login(factories.UserFactory())
    text = client.get(reverse("dashboard")).text
    assert f'href="{reverse("password_change")}"' in text
    assert f'href="{reverse("programmes:account")}"' in text


def test_a_forgotten_password_is_reset_from_the_e_mail(client):
    user = factories.UserFactory(email="claire@example.org")
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200
    assert "Mot de passe oublié" in page.text
    assert 'class="navbar' in page.text  # the site's frame, not the admin's
    response = client.post(reverse("password_reset"), {"email": "claire@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["claire@example.org"]
    assert "\n" not in message.subject
    assert "nouveau mot de passe" in message.subject
    link = re.search(r"https?://testserver(/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in form.text
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200  # refused by the password validators
    new = "another-good-password-9"
    done = client.post(set_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert client.get(done["Location"]).status_code == 200
    assert (
        client.post(reverse("login"), {"username": user.username, "password": new}).status_code
        == 302
    )
    client.logout()
    # The link works once.
    assert "n’est pas valable" in client.get(link, follow=True).text


def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_password_is_changed_from_the_old_one(client):
    user = factories.UserFactory()
    assert client.get(reverse("password_change")).status_code == 302  # log in first
    client.force_login(user)
    new = "another-good-password-9"
    wrong = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": new, "new_password2": new},
    )
    assert wrong.status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)


def test_the_account_page_saves_name_e_mail_and_language(client):
    user = factories.UserFactory()
    factories.UserFactory(email="taken@example.org")
    client.force_login(user)
    url = reverse("programmes:account")
    assert client.get(url).status_code == 200
    taken = client.post(
        url, {"first_name": "A", "last_name": "B", "email": "TAKEN@example.org", "language": "en"}
    )
    assert taken.status_code == 400
    assert not UserProfile.objects.filter(user=user).exists()
    assert client.post(url, {"first_name": "", "email": "x", "language": "de"}).status_code == 400
    response = client.post(
        url,
        {"first_name": "Anne", "last_name": "Roy", "email": "anne@example.org", "language": "en"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.last_name, user.email) == ("Anne", "Roy", "anne@example.org")
    assert user.profile.language == "en"
    assert client.get(reverse("programmes:account")).status_code == 200


def test_an_assigned_reviewer_is_e_mailed_in_their_language(
    client, django_capture_on_commit_callbacks
):
    programme = factories.ProgrammeFactory()
    organiser = factories.MembershipFactory(programme=programme, role=Role.ORGANISER).user
    english = factories.MembershipFactory(programme=programme, role=Role.REVIEWER).user
    UserProfile.objects.create(user=english, language="en")
    french = factories.MembershipFactory(programme=programme, role=Role.REVIEWER).user
    application = factories.CityApplicationFactory(
        call__programme=programme,
        status=CityApplication.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    client.force_login(organiser)
    url = reverse("programmes:application_assign", args=[programme.slug, application.pk])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reviewers": [english.pk], "whole": "1"}).status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [english.email]
    assert mail.outbox[0].subject == f"An application to review: {application.city.name}"
    detail = reverse("programmes:application_detail", args=[programme.slug, application.pk])
    assert f"http://testserver{detail}" in mail.outbox[0].body
    # Adding a second reviewer e-mails only the newcomer, in French.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"reviewers": [english.pk, french.pk], "whole": "1"})
    assert len(mail.outbox) == 2
    assert mail.outbox[1].to == [french.email]
    assert mail.outbox[1].subject.startswith("Une candidature à évaluer")
    # Only the programme's reviewers can be chosen.
    outsider = factories.UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reviewers": [outsider.pk], "whole": "1"}).status_code == 400
    assert len(mail.outbox) == 2
    assert get_user_model().objects.filter(review_assignments__application=application).count() == 2
