"""Data for the timetable and attendance tests: a programme with two days, three half-days,
two cities with full triads, activists, a facilitator and peer groups."""

import datetime as dt
from dataclasses import dataclass, field

import pytest

from participants.models import Category, PeerGroup
from programmes.models import Membership
from tests import factories

Role = Membership.Role


@dataclass
class Training:
    programme: object
    slots: list
    trainees: list
    facilitator: object
    groups: dict = field(default_factory=dict)

    @property
    def slot(self):
        return self.slots[0]


def add_trainees(programme, *, cities: int, activists: int, groups=None):
    """Full triads for ``cities`` new cities plus ``activists`` activists, in peer groups."""
    groups = groups or {}
    people = []
    for _city in range(cities):
        city = factories.CityFactory()
        for category in (
            Category.ELECTED_OFFICIAL,
            Category.CITY_PROFESSIONAL,
            Category.PREFECTS_DELEGATE,
        ):
            group = groups.get(
                PeerGroup.Knowledge.PROFESSIONAL
                if category == Category.CITY_PROFESSIONAL
                else PeerGroup.Knowledge.INSTITUTIONAL
            )
            people.append(
                factories.ParticipantFactory(
                    programme=programme, category=category, city=city, peer_group=group
                )
            )
    people += factories.ParticipantFactory.create_batch(
        activists,
        programme=programme,
        category=Category.ACTIVIST,
        peer_group=groups.get(PeerGroup.Knowledge.LIVED_EXPERIENCE),
    )
    return people


def build_training(programme, *, cities=2, activists=2) -> Training:
    facilitator = factories.ParticipantFactory(
        programme=programme, category=Category.FACILITATOR, first_name="Claire", last_name="Anim"
    )
    groups = {
        knowledge: factories.PeerGroupFactory(
            programme=programme, name=str(label), knowledge=knowledge, referent=facilitator
        )
        for knowledge, label in PeerGroup.Knowledge.choices
    }
    day1 = factories.TrainingDayFactory(
        programme=programme, date=dt.date(2015, 1, 22), place="Pierrelaye"
    )
    day2 = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 23))
    slots = [
        factories.SlotFactory(day=day1, part="morning"),
        factories.SlotFactory(day=day1, part="afternoon"),
        factories.SlotFactory(day=day2, part="morning"),
    ]
    activity = factories.ActivityFactory(
        slot=slots[0], kind="peer_group", title="Travail en groupes de pairs"
    )
    activity.facilitators.add(facilitator)
    trainees = add_trainees(programme, cities=cities, activists=activists, groups=groups)
    return Training(programme, slots, trainees, facilitator, groups)


@pytest.fixture
def training(programme):
    return build_training(programme)


@pytest.fixture
def organiser(programme, member):
    return member(programme, Role.ORGANISER)


@pytest.fixture
def facilitator_user(programme, member):
    return member(programme, Role.FACILITATOR)
