"""The session store reads a session as Django's does: a live one signs the person in, an
expired or deleted one does not."""

import datetime as dt

import pytest
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
