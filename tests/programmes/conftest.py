"""Fixtures for the call, applications, reviews and selection: an open call and complete files."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone, translation

from programmes.models import CityApplication, Membership, Programme, TriadNominee
from tests import factories
from tests.factories import make_triad

Role = Membership.Role
NomineeRole = TriadNominee.Role


@pytest.fixture(autouse=True)
def _french():
    """Messages are checked in French, the default language, whatever a previous test chose."""
    with translation.override("fr"):
        yield


@pytest.fixture
def open_call(db):
    """A published call, open today, with a three-criterion grid and two places."""
    today = timezone.localdate()
    programme = factories.ProgrammeFactory(
        status=Programme.Status.CALL_OPEN,
        start_date=today + dt.timedelta(days=60),  # the training comes after its call
        end_date=today + dt.timedelta(days=64),
    )
    call = factories.CallFactory(
        programme=programme,
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=20),
        published_at=timezone.now(),
        required_contribution=Decimal("500.00"),
        places=2,
    )
    for position, label in enumerate(["Engagement du trinôme", "Motivation", "Besoins des QPV"]):
        factories.SelectionCriterionFactory(call=call, label=label, position=position)
    return call


@pytest.fixture
def complete_application():
    """Make an application whose file is complete: ``complete_application(call, status=...)``."""

    def make(call, *, status=CityApplication.Status.SUBMITTED, contact=None, **kwargs):
        application = factories.CityApplicationFactory(
            call=call,
            status=status,
            contact_user=contact,
            contribution_pledged=kwargs.pop("contribution_pledged", Decimal("650.00")),
            priority_neighbourhoods="Franc-Moisin\nSemard",
            submitted_at=None if status == CityApplication.Status.DRAFT else timezone.now(),
            **kwargs,
        )
        make_triad(application)
        if contact is not None:
            factories.MembershipFactory(
                programme=call.programme,
                user=contact,
                role=Role.CITY_CONTACT,
                application=application,
            )
        return application

    return make


@pytest.fixture
def people(open_call, member):
    """One user per role in the open call's programme, and an assigned reviewer."""
    programme = open_call.programme
    return SimpleNamespace(
        organiser=member(programme, Role.ORGANISER),
        reviewer=member(programme, Role.REVIEWER),
        other_reviewer=member(programme, Role.REVIEWER),
        facilitator=member(programme, Role.FACILITATOR),
        funder=member(programme, Role.FUNDER),
    )
