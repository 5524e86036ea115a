"""The permission policies answer both questions from one rule: for every kind of user and
every action, the objects ``instances_user_can`` returns are exactly those for which
``user_has_permission`` says yes, on programmes at every stage and applications in every
status."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from programmes.models import CityApplication, Membership, Programme
from programmes.permissions import (
    ApplicationPolicy,
    application_policy,
    can_decide_application,
    can_view_application,
    programme_policy,
)
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role
Status = CityApplication.Status


@pytest.fixture
def world(db):
    """Three programmes (the training begun; its call still being selected; its selection
    closed), each with an application in every status, and users holding every kind of
    right: one role, several roles, an assignment without the reviewer role, a contact, a
    superuser, an inactive organiser."""
    today = timezone.localdate()
    begun = factories.ProgrammeFactory(status=Programme.Status.RUNNING)
    selecting = factories.ProgrammeFactory(
        status=Programme.Status.SELECTION,
        start_date=today + dt.timedelta(days=40),
        end_date=today + dt.timedelta(days=44),
    )
    closed = factories.ProgrammeFactory(
        status=Programme.Status.SELECTION,
        start_date=today + dt.timedelta(days=90),
        end_date=today + dt.timedelta(days=94),
    )
    calls = {
        begun: factories.CallFactory(programme=begun, published_at=timezone.now()),
        selecting: factories.CallFactory(programme=selecting, published_at=timezone.now()),
        closed: factories.CallFactory(
            programme=closed, published_at=timezone.now(), selection_closed_at=timezone.now()
        ),
    }
    applications = {
        (programme, status): factories.CityApplicationFactory(call=call, status=status)
        for programme, call in calls.items()
        for status in Status.values
    }

    def user(**kwargs):
        return factories.UserFactory(**kwargs)

    def role(person, programme, role, application=None):
        factories.MembershipFactory(
            programme=programme, user=person, role=role, application=application
        )

    people = SimpleNamespace(
        organiser=user(),
        reviewer=user(),
        both=user(),
        assigned_without_role=user(),
        facilitator=user(),
        funder=user(),
        contact=user(),
        superuser=user(is_superuser=True),
        superuser_contact=user(is_superuser=True),
        inactive=user(is_active=False),
    )
    for programme in (begun, selecting):
        role(people.organiser, programme, Role.ORGANISER)
        role(people.facilitator, programme, Role.FACILITATOR)
    for programme in (selecting, closed):
        role(people.reviewer, programme, Role.REVIEWER)
    role(people.both, begun, Role.ORGANISER)
    role(people.both, selecting, Role.REVIEWER)
    role(people.both, selecting, Role.FUNDER)
    role(people.funder, closed, Role.FUNDER)
    role(people.inactive, selecting, Role.ORGANISER)
    for status in (Status.DRAFT, Status.SUBMITTED, Status.UNDER_REVIEW, Status.SELECTED):
        for programme in (selecting, closed):
            for reviewer in (people.reviewer, people.both, people.assigned_without_role):
                factories.ReviewAssignmentFactory(
                    application=applications[programme, status], reviewer=reviewer
                )
    # One contact per application would be the rule; a person holding two files (in two
    # programmes) and a superuser who is a city's contact test the edges.
    for programme, status in [
        (selecting, Status.INFO_REQUESTED),
        (begun, Status.SELECTED),
        (closed, Status.WAITLISTED),
    ]:
        role(people.contact, programme, Role.CITY_CONTACT, applications[programme, status])
    role(people.superuser_contact, selecting, Role.CITY_CONTACT, applications[selecting, "draft"])
    users = {name: value for name, value in vars(people).items()} | {"anonymous": AnonymousUser()}
    return SimpleNamespace(users=users, begun=begun, selecting=selecting, closed=closed)


def fresh_applications():
    """Loaded again, so that no permission answer is cached from another user."""
    return list(CityApplication.objects.select_related("call__programme"))


def disagreements(policy, action, users, objects) -> dict[str, tuple[set, set]]:
    """Per user whose answers differ: (listed, allowed)."""
    found = {}
    for name, user in users.items():
        allowed = {obj.pk for obj in objects() if policy.user_has_permission(user, action, obj)}
        listed = set(policy.instances_user_can(user, action).values_list("pk", flat=True))
        if listed != allowed:
            found[name] = (listed, allowed)
    return found


@pytest.mark.parametrize("action", ApplicationPolicy.ACTIONS)
def test_application_policy_lists_exactly_what_it_allows(world, action):
    assert disagreements(application_policy, action, world.users, fresh_applications) == {}


@pytest.mark.parametrize("action", ApplicationPolicy.ACTIONS)
def test_application_policy_lists_the_same_within_one_programme(world, action):
    """Given the programme, the roles are decided once instead of queried per application:
    the applications listed are still exactly those allowed, of that programme only."""
    found = {}
    for programme_pk in (world.begun.pk, world.selecting.pk, world.closed.pk):
        for name, user in world.users.items():
            programme = Programme.objects.get(pk=programme_pk)
            allowed = {
                application.pk
                for application in fresh_applications()
                if application.call.programme_id == programme_pk
                and application_policy.user_has_permission(user, action, application)
            }
            listed = set(
                application_policy.instances_user_can(user, action, programme).values_list(
                    "pk", flat=True
                )
            )
            if listed != allowed:
                found[name, programme_pk] = (listed, allowed)
    assert found == {}


@pytest.mark.parametrize("action", sorted(programme_policy.actions))
def test_programme_policy_lists_exactly_what_it_allows(world, action):
    programmes = Programme.objects.all
    assert disagreements(programme_policy, action, world.users, programmes) == {}


def test_the_answers_are_the_rules_of_the_pages(world):
    """The agreement above would hold for a policy that allows nothing: check a few answers
    the permission matrix relies on."""
    users = world.users

    def pks(user, action, programme):
        return set(
            application_policy.instances_user_can(user, action)
            .filter(call__programme=programme)
            .values_list("status", flat=True)
        )

    # Organisers see every file but drafts; reviewers only those assigned to them.
    assert pks(users["organiser"], "view", world.selecting) == set(Status.values) - {"draft"}
    assert pks(users["reviewer"], "view", world.selecting) == {
        Status.SUBMITTED,
        Status.UNDER_REVIEW,
        Status.SELECTED,
    }
    assert pks(users["assigned_without_role"], "view", world.selecting) == set()
    assert pks(users["superuser"], "view", world.selecting) == set(Status.values) - {"draft"}
    # Decisions while the selection is open, from every status the organisers hold.
    assert pks(users["organiser"], "decide", world.selecting) == set(Status.values) - {
        Status.DRAFT,
        Status.WITHDRAWN,
    }
    assert pks(users["superuser"], "decide", world.closed) == set()
    # The city withdraws until the training begins, and edits while it may submit.
    assert pks(users["contact"], "withdraw", world.selecting) == {Status.INFO_REQUESTED}
    assert pks(users["contact"], "withdraw", world.begun) == set()
    assert pks(users["contact"], "edit", world.selecting) == {Status.INFO_REQUESTED}
    assert pks(users["contact"], "edit", world.closed) == set()
    # A superuser is no city's contact by role, but a membership naming the file counts.
    assert pks(users["superuser_contact"], "edit", world.selecting) == {Status.DRAFT}
    assert pks(users["inactive"], "view", world.selecting) == set()
    application = CityApplication.objects.get(call__programme=world.selecting, status="selected")
    assert can_view_application(users["both"], application)
    assert can_decide_application(users["organiser"], application)
    assert not can_decide_application(users["both"], application)  # a reviewer there


def test_the_programme_list_is_the_policy(world, client):
    """The dashboard lists what ``ProgrammePolicy`` lets the user view, and nothing else."""
    client.force_login(world.users["funder"])
    page = client.get("/")
    assert world.closed.title in page.text
    assert world.selecting.title not in page.text
    assert world.begun.title not in page.text
