"""The database itself refuses data that breaks the domain's invariants."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from participants.models import Category
from tests import factories

pytestmark = pytest.mark.django_db


def refused(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_one_attendance_per_participant_and_slot():
    attendance = factories.AttendanceFactory()
    assert refused(
        lambda: factories.AttendanceFactory(
            participant=attendance.participant, slot=attendance.slot
        )
    )


def test_a_slot_starts_before_it_ends():
    assert refused(lambda: factories.SlotFactory(starts_at=dt.time(14, 0), ends_at=dt.time(12, 0)))
    assert refused(lambda: factories.SlotFactory(starts_at=dt.time(9, 0), ends_at=dt.time(9, 0)))


def test_one_morning_per_day():
    slot = factories.SlotFactory()
    assert refused(lambda: factories.SlotFactory(day=slot.day, part=slot.part))


@pytest.mark.parametrize(
    ("factory", "field"),
    [
        (factories.FundingFactory, "amount_awarded"),
        (factories.FundingFactory, "amount_received"),
        (factories.FundingFactory, "amount_requested"),
        (factories.BudgetLineFactory, "planned_amount"),
        (factories.BudgetLineFactory, "actual_amount"),
        (factories.CallFactory, "required_contribution"),
        (factories.CityApplicationFactory, "contribution_pledged"),
        (factories.CityContributionFactory, "amount_received"),
    ],
)
def test_amounts_are_not_negative(factory, field):
    assert refused(lambda: factory(**{field: Decimal("-0.01")}))
    assert factory(**{field: Decimal("0.00")}).pk


def test_one_application_per_city_and_call():
    application = factories.CityApplicationFactory()
    assert refused(
        lambda: factories.CityApplicationFactory(call=application.call, city=application.city)
    )
    # The same city may apply to another programme's call.
    assert factories.CityApplicationFactory(city=application.city).pk


def test_review_scores_are_between_1_and_5():
    assert refused(lambda: factories.ReviewScoreFactory(score=6))
    assert refused(lambda: factories.ReviewScoreFactory(score=0))
    assert factories.ReviewScoreFactory(score=5).pk


def test_a_call_opens_before_it_closes():
    assert refused(
        lambda: factories.CallFactory(opens_on=dt.date(2015, 1, 2), closes_on=dt.date(2015, 1, 1))
    )


def test_a_programme_starts_before_it_ends():
    assert refused(
        lambda: factories.ProgrammeFactory(
            start_date=dt.date(2015, 2, 1), end_date=dt.date(2015, 1, 1)
        )
    )


def test_a_city_contact_membership_names_its_application():
    assert refused(lambda: factories.MembershipFactory(role="city_contact", application=None))


def test_a_role_is_held_once_per_programme():
    membership = factories.MembershipFactory()
    assert refused(
        lambda: factories.MembershipFactory(
            programme=membership.programme, user=membership.user, role=membership.role
        )
    )


def test_activists_need_no_email_nor_phone_but_triad_members_need_a_city():
    activist = factories.ParticipantFactory(category=Category.ACTIVIST, email="", phone="")
    activist.full_clean()
    assert activist.city is None
    assert refused(
        lambda: factories.ParticipantFactory(category=Category.ELECTED_OFFICIAL, city=None)
    )


def test_a_triad_nominee_becomes_at_most_one_participant():
    nominee = factories.TriadNomineeFactory()
    factories.ParticipantFactory(nominee=nominee, category=Category.ELECTED_OFFICIAL)
    assert refused(
        lambda: factories.ParticipantFactory(nominee=nominee, category=Category.ELECTED_OFFICIAL)
    )
