"""The overview and dashboard of a programme's life: its derived stage and what comes next, the
set-up checklist ticked from the data, the call's own tab; the demo's stages."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cotraining.demo import OPEN_SLUG, SLUG
from programmes.models import Membership, Programme
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def new_programme(db):
    today = timezone.localdate()
    return factories.ProgrammeFactory(
        status=Programme.Status.DRAFT,
        venue="",
        start_date=today + dt.timedelta(days=90),
        end_date=today + dt.timedelta(days=94),
    )


def _checklist(text: str) -> dict[str, str]:
    import re

    return dict(re.findall(r'data-check="(\w+)" data-done="(\w+)"', text))


def test_a_new_programme_shows_its_stage_and_a_checklist_ticked_from_the_data(
    client, new_programme, member
):
    organiser = member(new_programme, Role.ORGANISER)
    client.force_login(organiser)
    url = reverse("programme_overview", args=[new_programme.slug])

    def page():
        with CaptureQueriesContext(connection) as queries:
            text = client.get(url).content.decode()
        return text, len(queries)

    text, queries = page()
    assert 'data-stage="preparing"' in text
    assert "En préparation" in text
    assert "Écrire l’appel à candidatures." in text
    assert _checklist(text) == dict.fromkeys(
        ["dates", "call", "team", "money", "timetable", "groups"], "false"
    )
    assert reverse("programmes:call_edit", args=[new_programme.slug]) in text

    new_programme.venue = "Pierrelaye"
    new_programme.save()
    call = factories.CallFactory(programme=new_programme)
    factories.SelectionCriterionFactory.create_batch(3, call=call)
    factories.MembershipFactory.create_batch(3, programme=new_programme, role=Role.FACILITATOR)
    factories.FundingFactory.create_batch(3, programme=new_programme)
    factories.BudgetLineFactory.create_batch(3, programme=new_programme)
    day = factories.TrainingDayFactory(programme=new_programme, date=new_programme.start_date)
    factories.SlotFactory(day=day, part="morning")
    factories.SlotFactory(day=day, part="afternoon")
    factories.PeerGroupFactory.create_batch(3, programme=new_programme)

    text, more = page()
    assert set(_checklist(text).values()) == {"true"}
    assert "Publier l’appel à candidatures." in text
    assert more == queries  # the checklist and the stage cost the same whatever the data


def test_the_dashboard_shows_each_programmes_stage_and_next_step(client, new_programme, member):
    organiser = member(new_programme, Role.ORGANISER)
    past = factories.ProgrammeFactory()  # January 2015, no closing recorded
    factories.MembershipFactory(programme=past, user=organiser)
    client.force_login(organiser)
    text = client.get(reverse("dashboard")).content.decode()
    assert 'data-stage="preparing"' in text
    assert 'data-stage="follow_up"' in text
    assert "Suivi" in text


def test_the_call_has_its_own_tab_and_a_criterion_can_be_added_before_it_is_saved(
    client, new_programme, member
):
    client.force_login(member(new_programme, Role.ORGANISER))
    url = reverse("programmes:call_edit", args=[new_programme.slug])
    page = client.get(url)
    text = page.content.decode()
    assert 'aria-current="page">Appel<' in text
    rows = text.count('class="criterion-row')
    posted = {
        "title": "Appel 2027",
        "opens_on": "2026-12-01",
        "closes_on": "2027-01-31",
        "required_contribution": "500",
        "places": "5",
        "criteria-TOTAL_FORMS": str(rows),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "1",
        "criteria-MAX_NUM_FORMS": "1000",
        **{f"criteria-{index}-label": f"Critère {index}" for index in range(rows - 1)},
        f"criteria-{rows - 1}-label": "Un critère à moi",
        "add_criterion": "1",
    }
    added = client.post(url, posted)
    assert added.status_code == 200
    text = added.content.decode()
    assert text.count('class="criterion-row') == rows + 1
    assert "Un critère à moi" in text
    assert "Appel 2027" in text
    assert "is-invalid" not in text
    posted.pop("add_criterion")
    posted["criteria-TOTAL_FORMS"] = str(rows + 1)
    posted[f"criteria-{rows}-label"] = "Encore un"
    assert client.post(url, posted).status_code == 302
    labels = set(new_programme.call.criteria.values_list("label", flat=True))
    assert {"Un critère à moi", "Encore un"} <= labels


def test_the_demo_programmes_read_their_stage(client, settings):
    settings.DEBUG = True
    call_command("demo_data", password="demo-pass-123", stdout=None)
    demo = Programme.objects.get(slug=SLUG)
    organiser = Membership.objects.filter(programme=demo, role=Role.ORGANISER).first().user
    client.force_login(organiser)
    text = client.get(reverse("programme_overview", args=[SLUG])).content.decode()
    assert 'data-stage="closed">Terminé<' in text
    assert "Appel ouvert" not in text
    dashboard = client.get(reverse("dashboard")).content.decode()
    if Membership.objects.filter(programme__slug=OPEN_SLUG, user=organiser).exists():
        assert 'data-stage="call_open">Appel ouvert<' in dashboard
