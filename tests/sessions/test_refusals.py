"""A refusal of the attendance services is answered from its error's class: on the sheet it
came from (a line, the form) with the status the class gives, or back to the sheet with the
message for the buttons that post and go back."""

import pytest
from django.urls import reverse
from django.utils import timezone

from programmes.models import Membership
from sessions.models import Attendance

pytestmark = pytest.mark.django_db
Role = Membership.Role
HTMX = {"HTTP_HX_REQUEST": "true"}


def slot_url(name, training, *extra):
    return reverse(name, args=[training.programme.slug, training.slot.pk, *extra])


@pytest.fixture
def closed(training):
    training.slot.closed_at = timezone.now()
    training.slot.save(update_fields=["closed_at"])
    return training


def test_closing_a_closed_sheet_goes_back_to_the_sheet_with_the_reason(client, closed, member):
    client.force_login(member(closed.programme, Role.FACILITATOR))
    response = client.post(slot_url("sessions:slot_close", closed) + "?group=city")
    sheet = slot_url("sessions:attendance_sheet", closed)
    assert (response.status_code, response.url) == (302, f"{sheet}?group=city")
    page = client.get(response.url)
    assert "Cette feuille est déjà close." in page.text


def test_deleting_a_half_day_with_records_goes_back_to_the_timetable(client, training, member):
    client.force_login(member(training.programme, Role.ORGANISER))
    Attendance.objects.create(participant=training.trainees[0], slot=training.slot)
    url = reverse("sessions:slot_delete", args=[training.programme.slug, training.slot.pk])
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("sessions:timetable", args=[training.programme.slug])
    assert "ne peut pas être supprimée" in client.get(response.url).text


def test_a_tap_on_a_closed_sheet_is_a_409_line_and_an_unknown_person_a_404(client, closed, member):
    client.force_login(member(closed.programme, Role.FACILITATOR))
    person = closed.trainees[0]
    data = {f"status_{person.pk}": "present", f"version_{person.pk}": 0}
    refused = client.post(slot_url("sessions:attendance_record", closed, person.pk), data, **HTMX)
    assert refused.status_code == 409
    assert "Cette feuille est close" in refused.text
    assert 'class="att-row' in refused.text  # the line, to swap in place

    closed.slot.closed_at = None
    closed.slot.save(update_fields=["closed_at"])
    stranger = 10**6
    data = {f"status_{stranger}": "present", f"version_{stranger}": 0}
    missing = client.post(slot_url("sessions:attendance_record", closed, stranger), data, **HTMX)
    assert missing.status_code == 404
