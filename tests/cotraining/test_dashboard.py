"""A facilitator's dashboard leads with today's sheets: the half-days of today in their
programmes, those whose activities they lead first, each with a direct link and its state;
at a fixed number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Category
from sessions.models import Slot
from tests import factories

pytestmark = pytest.mark.django_db


def today_slot(programme, part=Slot.Part.MORNING, *, day=None):
    day = day or factories.TrainingDayFactory(programme=programme, date=timezone.localdate())
    return factories.SlotFactory(day=day, part=part)


def test_a_facilitator_sees_todays_sheets_first_with_links_and_states(client):
    programme = factories.ProgrammeFactory(title="Co-formation de Bondy")
    facilitator = factories.user_with("facilitator", programme)
    morning = today_slot(programme)
    afternoon = today_slot(programme, Slot.Part.AFTERNOON, day=morning.day)
    # Yesterday's half-day is not today's; another programme's half-day is not theirs.
    factories.SlotFactory(
        day=factories.TrainingDayFactory(
            programme=programme, date=timezone.localdate() - dt.timedelta(days=1)
        )
    )
    today_slot(factories.ProgrammeFactory(title="Ailleurs"))
    # They lead the afternoon's activity: it comes first. The morning's sheet is under way.
    me = factories.ParticipantFactory(
        programme=programme, category=Category.FACILITATOR, user=facilitator
    )
    factories.ActivityFactory(slot=afternoon).facilitators.add(me)
    factories.AttendanceFactory(slot=morning, participant__programme=programme)
    client.force_login(facilitator)

    response = client.get(reverse("dashboard"))
    sheets = response.context["todays_sheets"]
    assert [slot.pk for slot in sheets] == [afternoon.pk, morning.pk]
    text = response.content.decode()
    assert text.index("Feuilles du jour") < text.index("Co-formation de Bondy</a>")
    assert reverse("sessions:attendance_sheet", args=[programme.slug, morning.pk]) in text
    assert "En cours : 1 ligne marquée" in text
    assert "Pas commencée" in text
    assert "vous animez une activité" in text
    assert "Ailleurs" not in text


def test_an_organiser_without_the_facilitator_role_has_no_sheets_of_the_day(client):
    programme = factories.ProgrammeFactory()
    organiser = factories.user_with("organiser", programme)
    today_slot(programme)
    client.force_login(organiser)
    response = client.get(reverse("dashboard"))
    assert response.context["todays_sheets"] == []
    assert "Feuilles du jour" not in response.content.decode()


def test_the_dashboard_runs_a_fixed_number_of_queries_whatever_the_sheets(client):
    programme = factories.ProgrammeFactory()
    facilitator = factories.user_with("facilitator", programme)
    today_slot(programme)
    client.force_login(facilitator)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("dashboard"))
    for _ in range(4):
        other = factories.ProgrammeFactory()
        factories.MembershipFactory(programme=other, user=facilitator, role="facilitator")
        slot = today_slot(other)
        today_slot(other, Slot.Part.AFTERNOON, day=slot.day)
        factories.AttendanceFactory(slot=slot, participant__programme=other)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("dashboard"))
    assert len(response.context["todays_sheets"]) == 9
    assert len(many) == len(few)
