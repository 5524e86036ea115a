"""The dashboard's to-do list: what each role has to do, computed from the data, in a fixed
number of queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from cotraining.selectors import todo_list
from programmes.models import CityApplication, Membership, Programme, TriadNominee
from sessions.models import TrainingDay
from tests import factories

pytestmark = pytest.mark.django_db

Role = Membership.Role
Status = CityApplication.Status


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    """A programme whose call closed yesterday, with one of every kind of person."""
    today = timezone.localdate()
    programme = factories.ProgrammeFactory(status=Programme.Status.SELECTION)
    call = factories.CallFactory(
        programme=programme,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today - dt.timedelta(days=1),
        published_at=timezone.now() - dt.timedelta(days=30),
    )
    people = {
        role: factories.MembershipFactory(programme=programme, role=role).user
        for role in (Role.ORGANISER, Role.REVIEWER, Role.FACILITATOR)
    }
    draft = factories.CityApplicationFactory(call=call, status=Status.INFO_REQUESTED)
    factories.TriadNomineeFactory(
        application=draft, role=TriadNominee.Role.PREFECTS_DELEGATE, email="", last_name="Petit"
    )
    contact = factories.UserFactory()
    factories.MembershipFactory(
        programme=programme, user=contact, role=Role.CITY_CONTACT, application=draft
    )
    people["city_contact"] = contact
    return programme, call, people


def add_applications(call, reviewer, n: int) -> None:
    """n submitted files: the first half assigned to the reviewer (without a review)."""
    for index in range(n):
        application = factories.CityApplicationFactory(
            call=call, status=Status.SUBMITTED, submitted_at=timezone.now()
        )
        if index % 2 == 0:
            factories.ReviewAssignmentFactory(application=application, reviewer=reviewer)


def add_sheets(programme, n_days: int, *, start: int = 1) -> None:
    """A morning sheet, left open, on each of n past days, and one today (once)."""
    today = timezone.localdate()
    for index in range(n_days):
        day = factories.TrainingDayFactory(
            programme=programme, date=today - dt.timedelta(days=start + index)
        )
        factories.SlotFactory(day=day, part="morning")
    today_day, _created = TrainingDay.objects.get_or_create(programme=programme, date=today)
    if not today_day.slots.filter(part="morning").exists():
        factories.SlotFactory(day=today_day, part="morning")
    else:
        factories.SlotFactory(day=today_day, part="afternoon")


def labels(user, programme, *, hour: int = 8):
    """The user's to-do labels at ``hour`` o'clock today (before or after the morning's end)."""
    now = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, 0)))
    return [item.label for item in todo_list(user=user, now=now).get(programme.pk, [])]


def test_each_role_sees_what_it_has_to_do(world):
    programme, call, people = world
    add_applications(call, people[Role.REVIEWER], 5)
    add_sheets(programme, 2)
    organiser = labels(people[Role.ORGANISER], programme)
    assert "2 files to assign" in organiser  # 5 submitted, 3 assigned
    assert "Selection to close" in organiser
    assert "2 sheets not closed" in organiser
    assert labels(people[Role.REVIEWER], programme) == ["3 reviews missing"]
    assert labels(people[Role.FACILITATOR], programme) == ["Today's sheet (1)"]
    # Once this morning is over, its open sheet is one more to close.
    assert "3 sheets not closed" in labels(people[Role.ORGANISER], programme, hour=13)
    city = labels(people["city_contact"], programme)
    assert "The organisers ask you for more information" in city
    assert any(
        label.startswith("Your application: Give the e-mail address of") and "Petit" in label
        for label in city
    ), city


def test_done_work_leaves_the_list(world):
    programme, call, people = world
    add_applications(call, people[Role.REVIEWER], 1)
    application = CityApplication.objects.get(call=call, status=Status.SUBMITTED)
    factories.ReviewFactory(
        application=application, reviewer=people[Role.REVIEWER], submitted_at=timezone.now()
    )
    call.selection_closed_at = timezone.now()
    call.save()
    assert labels(people[Role.REVIEWER], programme) == []
    assert labels(people[Role.ORGANISER], programme) == []


def test_each_line_is_a_link_on_the_dashboard(client, world):
    programme, call, people = world
    add_applications(call, people[Role.REVIEWER], 3)
    client.force_login(people[Role.ORGANISER])
    text = client.get(reverse("dashboard")).text
    url = reverse("programmes:application_list", args=[programme.slug]) + "?status=submitted"
    assert f'<a href="{url}">1 dossier à confier</a>' in text  # the page is in French
    assert f'href="{reverse("programmes:selection_board", args=[programme.slug])}"' in text


@pytest.mark.parametrize(
    ("who", "expected"),
    [(Role.ORGANISER, 6), (Role.REVIEWER, 6), (Role.FACILITATOR, 6), ("city_contact", 8)],
)
def test_the_dashboard_runs_the_same_queries_with_5_or_300_applications(
    client, world, who, expected
):
    programme, call, people = world
    client.force_login(people[who])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(queries)

    add_applications(call, people[Role.REVIEWER], 5)
    add_sheets(programme, 1)
    small = count()
    add_applications(call, people[Role.REVIEWER], 295)
    add_sheets(programme, 20, start=10)  # more past sheets, a second one today
    for _ in range(3):  # more programmes and roles
        factories.MembershipFactory(user=people[who], role=Role.FACILITATOR)
    assert count() == small
    # session, user; the memberships with their programmes and calls; the timetables (dates,
    # half-days held, sheets open and today's); the files to assign and reviews missing;
    # today's sheets; a city contact's application and its nominees
    assert small == expected


def test_the_reviewers_overview_lists_the_files_to_review(client, world):
    programme, call, people = world
    add_applications(call, people[Role.REVIEWER], 3)
    client.force_login(people[Role.REVIEWER])
    text = client.get(reverse("programme_overview", args=[programme.slug])).text
    assert "Les dossiers que j’évalue" in text
    assert text.count("à évaluer</span>") == 2
