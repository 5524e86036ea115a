"""The session store reads a session as Django's does: a live one signs the person in, an
expired or deleted one does not."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_live_session_signs_in_and_an_expired_or_deleted_one_does_not(client):
    user = factories.UserFactory()
    client.force_login(user)
    assert client.get(reverse("dashboard")).status_code == 200
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))

    client.force_login(user)
    assert client.get(reverse("dashboard")).status_code == 200
    Session.objects.all().delete()
    assert client.get(reverse("dashboard")).status_code == 302


def test_the_session_keeps_what_was_stored_in_it(client):
    client.force_login(factories.UserFactory())
    session = client.session
    session["kept"] = "value"
    session.save()
    assert client.get(reverse("dashboard")).wsgi_request.session["kept"] == "value"


def test_the_signed_in_user_is_read_whole_and_stays_checked_against_its_password(client):
    user = factories.UserFactory(first_name="Ada", last_name="Lovelace", is_staff=True)
    client.force_login(user)
    request_user = client.get(reverse("dashboard")).wsgi_request.user
    stored = get_user_model().objects.get(pk=user.pk)
    for field in stored._meta.concrete_fields:
        read, expected = getattr(request_user, field.attname), getattr(stored, field.attname)
        assert (read, type(read)) == (expected, type(expected)), field.name
    assert not request_user._state.adding

    # A password changed elsewhere ends the session (Django's check of the session's hash).
    stored.set_password("another-long-password")
    stored.save()
    assert client.get(reverse("dashboard")).status_code == 302


def test_a_deactivated_or_deleted_user_is_signed_out(client):
    user = factories.UserFactory()
    client.force_login(user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(reverse("dashboard")).status_code == 302

    other = factories.UserFactory()
    client.force_login(other)
    assert client.get(reverse("dashboard")).status_code == 200
    other.delete()
    assert client.get(reverse("dashboard")).status_code == 302
