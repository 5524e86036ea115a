"""Self check-in: the rotating QR code, its refusals (another half-day, older than 60 s, outside
the half-day), the personal link, and what the participant's phone shows."""

import datetime as dt
import re
import types
import zoneinfo

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from programmes.models import Membership
from sessions import checkin
from sessions.models import Attendance, AttendanceSignature
from sessions.signatures import chain_check
from tests import factories

pytestmark = pytest.mark.django_db

Role = Membership.Role
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# The first half-day of ``build_training``: 22 January 2015, 09:00-12:30.
DURING = dt.datetime(2015, 1, 22, 9, 5, tzinfo=PARIS)


class Clock:
    """Moves the server's clock (Django's ``now`` and the signer's ``time``) at will."""

    def __init__(self, monkeypatch, moment):
        self.moment = moment
        monkeypatch.setattr(timezone, "now", lambda: self.moment.astimezone(dt.UTC))
        monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=self.timestamp))

    def timestamp(self) -> float:
        return self.moment.timestamp()

    def move(self, **delta) -> None:
        self.moment += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, DURING)


def code_url(training, slot=None) -> str:
    slot = slot or training.slot
    return reverse("sessions:checkin", args=[slot.pk, checkin.code_make(slot)])


def with_link(client, person):
    token = checkin.person_token(person)
    assert client.get(reverse("sessions:checkin_person", args=[token])).status_code == 200


def test_a_participant_signs_on_their_phone_with_a_personal_link(client, training, clock):
    person = training.trainees[0]
    with_link(client, person)
    url = code_url(training)
    page = client.get(url)
    assert page.status_code == 200
    assert person.full_name in page.text
    assert 'id="signature-canvas"' in page.text
    pass_token = re.search(r'name="pass" value="([^"]+)"', page.text).group(1)
    clock.move(seconds=90)  # signing slowly: the pass holds, the code alone would not
    done = client.post(
        url,
        {"strokes": factories.drawing(), "pass": pass_token},
        HTTP_USER_AGENT="Phone",
        REMOTE_ADDR="203.0.113.9",
    )
    assert done.status_code == 200
    assert 'data-state="signed"' in done.text
    row = AttendanceSignature.objects.get(slot=training.slot, participant=person)
    assert (row.method, row.captured_by, row.user_agent, row.ip_address) == (
        "self_checkin",
        None,
        "Phone",
        "203.0.113.9",
    )
    assert row.status == Attendance.Status.PRESENT
    assert Attendance.objects.get(slot=training.slot, participant=person).status == "present"
    assert chain_check([row]).intact


def test_a_logged_in_participant_signs_as_themselves_and_late_counts_as_late(
    client, training, clock
):
    person = training.trainees[1]
    person.user = factories.UserFactory()
    person.save()
    client.force_login(person.user)
    clock.move(minutes=40)  # 09:45: more than 15 minutes after the start
    url = code_url(training)
    page = client.get(url)
    pass_token = re.search(r'name="pass" value="([^"]+)"', page.text).group(1)
    assert client.post(url, {"strokes": factories.drawing(), "pass": pass_token}).status_code == 200
    row = AttendanceSignature.objects.get(slot=training.slot, participant=person)
    assert (row.captured_by, row.status, row.arrived_at) == (
        person.user,
        Attendance.Status.LATE,
        dt.time(9, 45),
    )


def test_a_code_older_than_60_seconds_is_refused(client, training, clock):
    with_link(client, training.trainees[0])
    url = code_url(training)
    clock.move(seconds=61)
    refused = client.get(url)
    assert refused.status_code == 410
    assert 'data-state="refused"' in refused.text
    assert not AttendanceSignature.objects.exists()


def test_a_code_of_another_half_day_is_refused(client, training, clock):
    with_link(client, training.trainees[0])
    other = training.slots[1]
    url = reverse("sessions:checkin", args=[training.slot.pk, checkin.code_make(other)])
    refused = client.get(url)
    assert refused.status_code == 400
    assert 'data-state="refused"' in refused.text


def test_a_forged_code_and_a_post_without_pass_are_refused(client, training, clock):
    person = training.trainees[0]
    with_link(client, person)
    forged = reverse("sessions:checkin", args=[training.slot.pk, "12:abc:def"])
    assert client.get(forged).status_code == 400
    url = code_url(training)
    assert client.post(url, {"strokes": factories.drawing(), "pass": "x"}).status_code == 400
    assert not AttendanceSignature.objects.exists()


def test_the_code_is_refused_outside_the_half_day(client, training, clock):
    with_link(client, training.trainees[0])
    clock.moment = dt.datetime(2015, 1, 22, 8, 20, tzinfo=PARIS)  # opens at 08:30
    assert client.get(code_url(training)).status_code == 409
    clock.moment = dt.datetime(2015, 1, 22, 8, 31, tzinfo=PARIS)
    assert client.get(code_url(training)).status_code == 200
    clock.moment = dt.datetime(2015, 1, 22, 12, 31, tzinfo=PARIS)
    refused = client.get(code_url(training))
    assert refused.status_code == 409
    assert 'data-state="refused"' in refused.text


def test_without_account_or_link_the_phone_is_asked_who_it_is(client, training, clock):
    page = client.get(code_url(training))
    assert page.status_code == 200
    assert 'data-state="who"' in page.text
    assert 'id="signature-canvas"' not in page.text


def test_the_facilitator_sees_a_qr_code_that_changes(client, training, clock, member):
    user = member(training.programme, Role.FACILITATOR)
    client.force_login(user)
    url = reverse("sessions:checkin_code", args=[training.programme.slug, training.slot.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "<svg" in page.text
    assert "checkin-qr" in page.text
    assert 'hx-trigger="every 60s"' in page.text
    first = re.search(r"check-in/\d+/([^/\"]+)/", page.text).group(1)
    clock.move(seconds=60)
    fragment = client.get(url, HTTP_HX_REQUEST="true")
    second = re.search(r"check-in/\d+/([^/\"]+)/", fragment.text).group(1)
    assert first != second
    assert "<html" not in fragment.text
    assert training.trainees[0].full_name in page.text  # personal links, for people without
    funder = member(training.programme, Role.FUNDER)
    client.force_login(funder)
    assert client.get(url).status_code == 404


def test_a_bad_personal_link_is_404(client):
    assert client.get(reverse("sessions:checkin_person", args=["nope"])).status_code == 404


def test_the_recorded_address_is_the_one_the_trusted_proxy_saw(client, training, clock, settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]
    person = training.trainees[2]
    with_link(client, person)
    url = code_url(training)
    page = client.get(url)
    pass_token = re.search(r'name="pass" value="([^"]+)"', page.text).group(1)
    client.post(
        url,
        {"strokes": factories.drawing(), "pass": pass_token},
        REMOTE_ADDR="172.18.0.5",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.23",
    )
    row = AttendanceSignature.objects.get(slot=training.slot, participant=person)
    assert row.ip_address == "198.51.100.23"
