"""Guessing passwords and scripting the public sign-up are slowed down, never locked for good."""

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from cotraining.middleware import SESSION_RENEWED_KEY
from programmes.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def try_login(client, username, password, address="203.0.113.7"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_pause_the_account_for_that_address_then_it_opens_again(client):
    user = factories.UserFactory(username="claire")
    started = time.monotonic()
    for _ in range(30):
        assert try_login(client, "claire", "wrong-guess").status_code in (200, 429)
    assert time.monotonic() - started < 60

    response = try_login(client, "claire", factories.PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)
    assert "la connexion avec cet identifiant est suspendue" in response.text
    assert "15 minutes" in response.text
    assert 'name="password"' in response.text  # the login page, with its form

    # The pause is recorded once, however many tries were refused during it.
    entries = AuditEntry.objects.filter(action="login.locked_out")
    assert [(e.target_type.model, e.target_id) for e in entries] == [("user", user.pk)]
    assert entries[0].data == {"ip": "203.0.113.7"}
    assert "203.0.113.7" in entries[0].display()

    # The same person from another address is not paused (the pair is).
    other = factories.UserFactory(username="other")
    assert (
        try_login(client, "claire", factories.PASSWORD, address="198.51.100.1").status_code == 302
    )
    client.logout()
    assert try_login(client, other.username, factories.PASSWORD).status_code == 302
    client.logout()

    # Sixteen minutes later the pause is over: no permanent lockout.
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))
    response = try_login(client, "claire", factories.PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_a_few_wrong_passwords_do_not_pause_and_a_success_resets_the_count(client, settings):
    factories.UserFactory(username="claire")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert try_login(client, "claire", "wrong").status_code == 200
    assert try_login(client, "claire", factories.PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert try_login(client, "claire", "wrong").status_code == 200
    assert try_login(client, "claire", factories.PASSWORD).status_code == 302


def test_the_pause_message_is_in_english_for_english_readers(client):
    factories.UserFactory(username="claire")
    for _ in range(6):
        try_login(client, "claire", "wrong")
    response = client.post(
        reverse("login"),
        {"username": "claire", "password": factories.PASSWORD},
        HTTP_ACCEPT_LANGUAGE="en",
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 429
    assert "Logging in with it is paused: try again in 15 minutes" in response.text


def test_the_public_sign_up_is_limited_per_address(client, settings, programme):
    settings.SIGNUP_ATTEMPTS_PER_HOUR = 3
    factories.CallFactory(
        programme=programme,
        published_at=timezone.now(),
        opens_on=timezone.localdate() - dt.timedelta(days=1),
        closes_on=timezone.localdate() + dt.timedelta(days=10),
    )
    url = reverse("programmes:apply_sign_up", args=[programme.slug])
    for _ in range(3):
        assert client.post(url, {}, REMOTE_ADDR="203.0.113.7").status_code == 400
    refused = client.post(url, {}, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    assert "Trop de tentatives" in refused.text
    assert client.post(url, {}, REMOTE_ADDR="198.51.100.1").status_code == 400
    # Reading the form is not counted.
    assert client.get(url, REMOTE_ADDR="203.0.113.7").status_code == 200


def test_asking_for_password_resets_is_limited_per_address(client, settings, mailoutbox):
    settings.SIGNUP_ATTEMPTS_PER_HOUR = 2
    user = factories.UserFactory(email="claire@example.org")
    url = reverse("password_reset")
    for _ in range(2):
        response = client.post(url, {"email": user.email}, REMOTE_ADDR="203.0.113.7")
        assert response.status_code == 302
    refused = client.post(url, {"email": user.email}, REMOTE_ADDR="203.0.113.7")
    assert refused.status_code == 429
    assert len(mailoutbox) == 2  # the third asked sent nothing


def test_behind_the_proxy_the_address_it_saw_counts_not_one_the_client_made_up(
    client, settings, programme
):
    settings.BEHIND_PROXY = True
    settings.SIGNUP_ATTEMPTS_PER_HOUR = 1
    factories.CallFactory(
        programme=programme,
        published_at=timezone.now(),
        opens_on=timezone.localdate() - dt.timedelta(days=1),
        closes_on=timezone.localdate() + dt.timedelta(days=10),
    )
    url = reverse("programmes:apply_sign_up", args=[programme.slug])
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    assert (
        client.post(url, {}, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7", **proxy).status_code
        == 400
    )
    made_up = client.post(url, {}, HTTP_X_FORWARDED_FOR="2.2.2.2, 203.0.113.7", **proxy)
    assert made_up.status_code == 429
    assert client.post(url, {}, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 400


def test_the_session_is_renewed_while_used_not_at_every_page(client, settings):
    user = factories.UserFactory()
    client.force_login(user)
    session = Session.objects.get()
    lifetime = settings.SESSION_COOKIE_AGE
    assert lifetime == 12 * 3600
    first_expiry = session.expire_date
    # Within the renewal interval a page does not write the session.
    client.get(reverse("dashboard"))
    assert Session.objects.get().expire_date == first_expiry
    # An hour of use later (the interval passed): the session is saved with a new expiry.
    store = client.session
    store[SESSION_RENEWED_KEY] = int(time.time()) - settings.SESSION_RENEW_AFTER - 1
    store.save()
    Session.objects.update(expire_date=timezone.now() + dt.timedelta(minutes=5))
    response = client.get(reverse("dashboard"))
    renewed = Session.objects.get().expire_date
    assert renewed > timezone.now() + dt.timedelta(seconds=lifetime - 60)
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == lifetime
