"""The headline participation figures read alone (``programme_participation_overview``) are
those of the full selector, in three queries whatever the size of the programme."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.utils import timezone

from participants.models import Category
from sessions.models import Attendance, Slot
from sessions.selectors import programme_participation, programme_participation_overview
from tests import factories

pytestmark = pytest.mark.django_db

Status = Attendance.Status


def build_varied_programme(programme) -> None:
    """A programme where every rule of the figures matters: half-days of uneven lengths that are
    held because they have records, because their sheet is closed, or only because a
    facilitator was recorded, and one not held yet; every status, trainees nobody marked,
    inactive people and facilitators with records (not counted), cities with incomplete triads,
    activists without a city, and another programme whose records must not count.

    Held: 3 h 30 + 3 h 15 + 2 h 45 + 2 h 35 = 12.08 h; planned: 15.58 h (and 3 h 30 not held).
    """
    day1 = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 22))
    day2 = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 23))
    day3 = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 26))
    recorded = factories.SlotFactory(day=day1, part=Slot.Part.MORNING)
    closed = factories.SlotFactory(
        day=day1, part=Slot.Part.AFTERNOON, ends_at=dt.time(17, 15), closed_at=timezone.now()
    )
    closed_empty = factories.SlotFactory(
        day=day2,
        part=Slot.Part.MORNING,
        starts_at=dt.time(9, 15),
        ends_at=dt.time(12),
        closed_at=timezone.now(),
    )
    facilitator_only = factories.SlotFactory(
        day=day2, part=Slot.Part.AFTERNOON, starts_at=dt.time(13, 45), ends_at=dt.time(16, 20)
    )
    factories.SlotFactory(day=day3, part=Slot.Part.MORNING)  # not held yet

    bondy = factories.CityFactory(name="Bondy")
    aubervilliers = factories.CityFactory(name="aubervilliers")  # sorted without its case
    people = [
        factories.ParticipantFactory(programme=programme, category=category, city=city)
        for category, city in [
            (Category.ELECTED_OFFICIAL, bondy),
            (Category.CITY_PROFESSIONAL, bondy),
            (Category.CITY_PROFESSIONAL, bondy),
            (Category.PREFECTS_DELEGATE, bondy),
            (Category.ELECTED_OFFICIAL, aubervilliers),
            (Category.PREFECTS_DELEGATE, aubervilliers),
            (Category.ACTIVIST, None),
            (Category.ACTIVIST, None),
            (Category.ACTIVIST, None),
        ]
    ]
    statuses = [Status.PRESENT, Status.LATE, Status.LEFT_EARLY, Status.EXCUSED, Status.ABSENT]
    for index, person in enumerate(people[:-1]):  # the last activist is never marked
        factories.AttendanceFactory(
            participant=person, slot=recorded, status=statuses[index % len(statuses)]
        )
        if index % 3:
            factories.AttendanceFactory(
                participant=person, slot=closed, status=statuses[(index + 2) % len(statuses)]
            )

    # Records that do not count: an inactive trainee, a facilitator, a support person.
    inactive = factories.ParticipantFactory(
        programme=programme, category=Category.ACTIVIST, is_active=False
    )
    facilitator = factories.ParticipantFactory(programme=programme, category=Category.FACILITATOR)
    support = factories.ParticipantFactory(programme=programme, category=Category.SUPPORT_PERSON)
    for slot in (recorded, closed):
        factories.AttendanceFactory(participant=inactive, slot=slot)
        factories.AttendanceFactory(participant=support, slot=slot)
    factories.AttendanceFactory(participant=facilitator, slot=facilitator_only)
    assert closed_empty.attendances.count() == 0

    # Another programme in the same cities: nothing of it counts here.
    other = factories.ProgrammeFactory()
    other_slot = factories.SlotFactory(day=factories.TrainingDayFactory(programme=other))
    for category, city in [(Category.ELECTED_OFFICIAL, bondy), (Category.ACTIVIST, None)]:
        factories.AttendanceFactory(
            participant=factories.ParticipantFactory(programme=other, category=category, city=city),
            slot=other_slot,
            status=Status.ABSENT,
        )


def test_the_overview_gives_the_full_selectors_figures_on_varied_data(programme):
    build_varied_programme(programme)

    full = programme_participation(programme=programme)
    light = programme_participation_overview(programme=programme)

    assert light.summary == full.summary
    assert light.summary.rate == full.summary.rate
    assert light.summary.unrecorded == full.summary.unrecorded > 0
    assert (light.summary.slots_held, light.summary.slots_total) == (4, 5)
    assert light.hours_delivered == full.hours_delivered == Decimal("12.08")
    assert light.hours_planned == full.hours_planned == Decimal("15.58")
    per_group = Counter((person.category, person.city) for person in full.participants)
    assert {(g.category, g.city): g.count for g in light.trainee_groups} == per_group
    assert sum(group.count for group in light.trainee_groups) == light.summary.trainees == 9


def test_the_overview_of_an_empty_programme_has_no_hours_and_no_rate(programme):
    overview = programme_participation_overview(programme=programme)

    assert overview.summary == programme_participation(programme=programme).summary
    assert overview.summary.rate is None
    assert overview.hours_delivered == overview.hours_planned == Decimal("0.00")
    assert overview.trainee_groups == ()


def test_the_overview_runs_three_queries_whatever_the_data_size(
    programme, django_assert_num_queries
):
    build_varied_programme(programme)
    with django_assert_num_queries(3):
        small = programme_participation_overview(programme=programme)

    slots = [
        factories.SlotFactory(day=factories.TrainingDayFactory(programme=programme))
        for _ in range(4)
    ]
    for _person in range(40):
        person = factories.ParticipantFactory(
            programme=programme, category=Category.ELECTED_OFFICIAL, city=factories.CityFactory()
        )
        for slot in slots:
            factories.AttendanceFactory(participant=person, slot=slot, status=Status.PRESENT)
    with django_assert_num_queries(3):
        large = programme_participation_overview(programme=programme)

    assert large.summary.trainees == small.summary.trainees + 40
    assert large.summary.attended == small.summary.attended + 160
