"""The policies of the apps above ``programmes`` (participants, half-days, report runs) answer
"may this user…?" and "which objects…?" alike, for every role and action; and the programme's
navigation shows exactly the pages whose views let the user in."""

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from cotraining.templatetags.programme_nav import PAGES
from participants.models import Participant
from participants.permissions import participant_policy
from programmes.models import Membership
from reports.models import ReportRun
from reports.permissions import report_run_policy
from sessions.models import Slot
from sessions.permissions import slot_policy
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role


@pytest.fixture
def world(db):
    """Two programmes with people, half-days and a run of every kind of report each; a user
    per role in the first, one with two roles across both, a superuser, an inactive user."""
    programmes = [factories.ProgrammeFactory(), factories.ProgrammeFactory()]
    for programme in programmes:
        factories.ParticipantFactory.create_batch(2, programme=programme)
        factories.SlotFactory.create_batch(2, day__programme=programme)
        for kind in ReportRun.Kind.values:
            factories.ReportRunFactory(programme=programme, kind=kind)
    # Funder reports made for one funder each: the funder's own, and another's.
    own, other = factories.OrganisationFactory(), factories.OrganisationFactory()
    for funder in (own, other):
        factories.ReportRunFactory(
            programme=programmes[0], kind=ReportRun.Kind.FUNDER, funder=funder
        )
    users = {role: factories.UserFactory() for role in Role.values}
    application = factories.CityApplicationFactory(call__programme=programmes[0])
    for role, user in users.items():
        factories.MembershipFactory(
            programme=programmes[0],
            user=user,
            role=role,
            application=application if role == Role.CITY_CONTACT else None,
            organisation=own if role == Role.FUNDER else None,
        )
    users["two_roles"] = factories.UserFactory()
    factories.MembershipFactory(programme=programmes[0], user=users["two_roles"], role="funder")
    factories.MembershipFactory(
        programme=programmes[1], user=users["two_roles"], role="facilitator"
    )
    users["superuser"] = factories.UserFactory(is_superuser=True)
    users["inactive"] = factories.UserFactory(is_active=False)
    factories.MembershipFactory(programme=programmes[0], user=users["inactive"], role="organiser")
    users["anonymous"] = AnonymousUser()
    return SimpleNamespace(users=users, programmes=programmes)


def agree(policy, action, users, model, related) -> dict:
    found = {}
    for name, user in users.items():
        objects = model.objects.select_related(related)
        allowed = {obj.pk for obj in objects if policy.user_has_permission(user, action, obj)}
        listed = set(policy.instances_user_can(user, action).values_list("pk", flat=True))
        if listed != allowed:
            found[name] = (listed, allowed)
    return found


@pytest.mark.parametrize(
    ("policy", "model", "related"),
    [
        (participant_policy, Participant, "programme"),
        (slot_policy, Slot, "day__programme"),
        (report_run_policy, ReportRun, "programme"),
    ],
    ids=["participants", "slots", "report runs"],
)
def test_each_policy_lists_exactly_what_it_allows(world, policy, model, related):
    actions = [*policy.actions, *(["view"] if model is ReportRun else [])]
    for action in actions:
        assert agree(policy, action, world.users, model, related) == {}, action


def test_report_runs_follow_the_kinds_each_role_may_ask_for(world):
    def kinds(user):
        runs = report_run_policy.instances_user_can(user, "view")
        return sorted(runs.filter(programme=world.programmes[0]).values_list("kind", flat=True))

    Kind = ReportRun.Kind
    assert kinds(world.users["organiser"]) == sorted([*Kind.values, Kind.FUNDER, Kind.FUNDER])
    # A funder: the shared reports, and the funder report made for its own organisation only.
    assert kinds(world.users["funder"]) == sorted(ReportRun.FUNDER_FACING_KINDS)
    assert kinds(world.users["facilitator"]) == []
    # A funder whose membership names no organisation gets no funder report at all.
    assert kinds(world.users["two_roles"]) == sorted(
        kind for kind in ReportRun.FUNDER_FACING_KINDS if kind != Kind.FUNDER
    )
    # One of each kind in each programme, and the funder reports made for one funder each.
    every_run = 2 * len(ReportRun.Kind.values) + 2
    assert report_run_policy.instances_user_can(world.users["superuser"], "view").count() == (
        every_run
    )


NAV = {
    "organiser": [
        "programme_overview",
        "programmes:application_list",
        "programmes:selection_board",
        "programmes:finances",
        "sessions:timetable",
        "participants:participant_list",
        "sessions:attendance_list",
        "sessions:participation",
        "reports:report_list",
        "programmes:team",
        "programmes:message_list",
        "programmes:journal",
        "programmes:notification_preferences",
    ],
    "reviewer": [
        "programme_overview",
        "programmes:application_list",
        "sessions:timetable",
        "programmes:notification_preferences",
    ],
    "facilitator": [
        "programme_overview",
        "sessions:timetable",
        "participants:participant_list",
        "sessions:attendance_list",
        "sessions:participation",
        "programmes:notification_preferences",
    ],
    "funder": [
        "programme_overview",
        "sessions:participation",
        "reports:report_list",
        "programmes:notification_preferences",
    ],
    # A city's contact chooses how the programme writes to them (reminders before the call closes).
    "city_contact": ["programme_overview", "programmes:notification_preferences"],
}


@pytest.mark.parametrize("role", sorted(NAV))
def test_the_navigation_shows_the_pages_the_views_open(world, role, client):
    """The menu asks the predicates the views check: each link opens, and every page the
    user may open is in the menu."""
    programme = world.programmes[0]
    user = world.users[role]
    request = RequestFactory().get("/")
    request.user = user
    html = Template("{% load programme_nav %}{% programme_nav programme %}").render(
        Context({"request": request, "programme": programme})
    )
    urls = {name: reverse(name, args=[programme.slug]) for name in NAV["organiser"]}
    assert [name for name, url in urls.items() if f'href="{url}"' in html] == NAV[role]
    client.force_login(user)
    opens = [name for name, url in urls.items() if client.get(url).status_code == 200]
    assert opens == NAV[role] or (role == "city_contact" and opens == ["programme_overview"])


@pytest.mark.parametrize(
    ("language", "name", "label"),
    [
        ("fr", "Rubriques du programme", "Budget et financements"),
        ("en", "Programme sections", "Budget and funding"),
    ],
)
def test_the_navigation_names_itself_and_marks_the_current_page(world, language, name, label):
    programme = world.programmes[0]
    request = RequestFactory().get("/")
    template = Template(
        '{% load programme_nav %}{% programme_nav programme "programmes:finances" %}'
    )
    finances = reverse("programmes:finances", args=[programme.slug])
    for role, expected in (("organiser", True), ("anonymous", False)):
        request.user = world.users[role]
        with translation.override(language):
            html = template.render(Context({"request": request, "programme": programme}))
        if not expected:  # a menu of one page or none is not drawn
            assert "<nav" not in html
            continue
        assert f'<nav aria-label="{name}" class="programme-nav">' in html
        assert (
            f'<a class="nav-link active" href="{finances}" aria-current="page">{label}</a>' in html
        )
        assert html.count('aria-current="page"') == 1
        assert html.count('<li class="nav-item">') == len(PAGES)  # an organiser opens every page
