import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import Category
from sessions.models import Attendance
from sessions.selectors import (
    attendance_slot_list,
    programme_participation,
)
from tests import factories

pytestmark = pytest.mark.django_db

Status = Attendance.Status


def make_triad(programme, city, *, commitment=True):
    return [
        factories.ParticipantFactory(
            programme=programme, category=category, city=city, commitment_given=commitment
        )
        for category in (
            Category.ELECTED_OFFICIAL,
            Category.CITY_PROFESSIONAL,
            Category.PREFECTS_DELEGATE,
        )
    ]


@pytest.fixture
def two_days(programme):
    """Two days, three half-days: day 1 morning (9:00-12:30) and afternoon (14:00-17:30),
    day 2 morning (not held yet)."""
    day1 = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 22))
    day2 = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 23))
    return [
        factories.SlotFactory(day=day1, part="morning"),
        factories.SlotFactory(day=day1, part="afternoon"),
        factories.SlotFactory(day=day2, part="morning"),
    ]


def mark(participant, slot, status):
    return factories.AttendanceFactory(participant=participant, slot=slot, status=status)


def test_rates_by_category_city_day_and_slot(programme, two_days):
    morning, afternoon, not_held = two_days
    bondy = factories.CityFactory(name="Bondy")
    aubervilliers = factories.CityFactory(name="Aubervilliers")
    elected_b, pro_b, delegate_b = make_triad(programme, bondy)
    elected_a, pro_a, delegate_a = make_triad(programme, aubervilliers)
    activist = factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    facilitator = factories.ParticipantFactory(programme=programme, category=Category.FACILITATOR)
    factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST, is_active=False)

    for person in (elected_b, pro_b, delegate_b, elected_a, pro_a, activist):
        mark(person, morning, Status.PRESENT)
    mark(delegate_a, morning, Status.EXCUSED)
    mark(facilitator, morning, Status.PRESENT)  # not a trainee: not counted
    mark(elected_b, afternoon, Status.LATE)
    mark(pro_b, afternoon, Status.LEFT_EARLY)
    mark(delegate_b, afternoon, Status.ABSENT)
    mark(activist, afternoon, Status.PRESENT)
    # Aubervilliers is not marked in the afternoon: it counts as not attending.

    figures = programme_participation(programme=programme)

    summary = figures.summary
    assert (summary.trainees, summary.slots_total, summary.slots_held) == (7, 3, 2)
    assert (summary.expected, summary.attended, summary.excused, summary.absent) == (14, 9, 1, 1)
    assert summary.rate == Decimal("64.3")
    assert summary.unrecorded == 3

    by_category = {row.key: row for row in figures.by_category}
    assert list(by_category) == [
        Category.ELECTED_OFFICIAL,
        Category.CITY_PROFESSIONAL,
        Category.PREFECTS_DELEGATE,
        Category.ACTIVIST,
    ]
    assert by_category[Category.ELECTED_OFFICIAL].expected == 4
    assert by_category[Category.ELECTED_OFFICIAL].attended == 3
    assert by_category[Category.PREFECTS_DELEGATE].rate == Decimal("25.0")
    assert by_category[Category.PREFECTS_DELEGATE].excused == 1
    assert by_category[Category.ACTIVIST].rate == Decimal("100.0")

    assert [(row.key, row.label, row.expected, row.attended) for row in figures.by_city[:2]] == [
        (aubervilliers.pk, "Aubervilliers", 6, 2),
        (bondy.pk, "Bondy", 6, 5),
    ]
    activists = figures.by_city[-1]
    assert (activists.key, activists.expected, activists.attended) == (None, 2, 2)
    assert activists.label  # "No city (activists)", translated
    assert [(row.key, row.expected, row.attended) for row in figures.by_day] == [
        (dt.date(2015, 1, 22), 14, 9),
        (dt.date(2015, 1, 23), 0, 0),
    ]
    assert [(row.expected, row.attended, row.rate) for row in figures.by_slot] == [
        (7, 6, Decimal("85.7")),
        (7, 3, Decimal("42.9")),
        (0, 0, None),
    ]
    assert [slot.held for slot in figures.slots] == [True, True, False]
    assert figures.hours_delivered == Decimal("7.00")
    assert figures.hours_planned == Decimal("10.50")


def test_hours_count_the_whole_half_day_for_late_and_left_early(programme, two_days):
    morning, afternoon, _ = two_days
    late_one = factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    mark(late_one, morning, Status.LATE)
    mark(late_one, afternoon, Status.EXCUSED)
    other = factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    mark(other, morning, Status.LEFT_EARLY)
    mark(other, afternoon, Status.PRESENT)

    figures = programme_participation(programme=programme)
    rows = {row.participant_id: row for row in figures.participants}

    assert rows[late_one.pk].hours_attended == Decimal("3.50")
    assert rows[late_one.pk].halfdays_attended == 1
    assert rows[late_one.pk].halfdays_excused == 1
    assert rows[other.pk].hours_attended == Decimal("7.00")
    assert rows[other.pk].hours_held == Decimal("7.00")
    assert rows[other.pk].rate == Decimal("100.0")


def test_triad_complete_only_when_all_three_roles_attend(programme, two_days):
    morning, afternoon, _ = two_days
    city = factories.CityFactory(name="Sevran")
    elected, pro, delegate = make_triad(programme, city)
    second_pro = factories.ParticipantFactory(
        programme=programme, category=Category.CITY_PROFESSIONAL, city=city
    )
    for person in (elected, pro, delegate):
        mark(person, morning, Status.PRESENT)
    # In the afternoon two professionals came but not the prefect's delegate.
    mark(elected, afternoon, Status.PRESENT)
    mark(pro, afternoon, Status.PRESENT)
    mark(second_pro, afternoon, Status.PRESENT)
    mark(delegate, afternoon, Status.EXCUSED)

    figures = programme_participation(programme=programme)

    (row,) = figures.triads
    assert (row.city, row.members, row.roles_fielded) == ("Sevran", 4, 3)
    assert [cell.complete for cell in row.cells] == [True, False, None]
    assert [cell.roles_present for cell in row.cells] == [3, 2, None]
    assert (row.halfdays_complete, row.halfdays_held, row.rate) == (1, 2, Decimal("50.0"))
    assert figures.triad_rate == Decimal("50.0")


def test_named_commitments_against_half_days_attended(programme, two_days):
    morning, afternoon, _ = two_days
    city = factories.CityFactory(name="Stains")
    elected, pro, delegate = make_triad(programme, city)
    pro.commitment_given = False
    pro.save()
    activist = factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    for person in (elected, pro, delegate, activist):
        mark(person, morning, Status.PRESENT)
    mark(elected, afternoon, Status.PRESENT)
    mark(delegate, afternoon, Status.ABSENT)

    figures = programme_participation(programme=programme)

    rows = {row.participant_id: row for row in figures.commitments}
    assert activist.pk not in rows  # only triad members commit by name
    assert rows[elected.pk].kept
    assert rows[elected.pk].commitment_given
    assert not rows[delegate.pk].kept
    assert rows[delegate.pk].missed == 1
    assert not rows[pro.pk].commitment_given
    assert (figures.commitments_given, figures.commitments_kept) == (2, 1)


def test_a_closed_sheet_without_records_counts_as_held(programme, two_days, django_user_model):
    morning, _, _ = two_days
    factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    morning.closed_at = dt.datetime(2015, 1, 22, 12, 30, tzinfo=dt.UTC)
    morning.save()

    figures = programme_participation(programme=programme)

    assert figures.summary.slots_held == 1
    assert figures.summary.expected == 1
    assert figures.summary.rate == Decimal("0.0")


def test_other_programmes_records_are_ignored(programme, two_days):
    morning, _, _ = two_days
    mine = factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    mark(mine, morning, Status.PRESENT)
    other_slot = factories.SlotFactory()
    other = factories.ParticipantFactory(
        programme=other_slot.day.programme, category=Category.ACTIVIST
    )
    mark(other, other_slot, Status.ABSENT)

    figures = programme_participation(programme=programme)

    assert figures.summary.absent == 0
    assert figures.summary.rate == Decimal("100.0")


def test_empty_programme_has_no_rate(programme):
    figures = programme_participation(programme=programme)
    assert figures.summary.rate is None
    assert figures.by_slot == ()
    assert figures.triads == ()


def build(programme, slots, *, cities, per_city):
    people = []
    for _city in range(cities):
        city = factories.CityFactory()
        for _ in range(per_city // 3):
            people += make_triad(programme, city)
    people += factories.ParticipantFactory.create_batch(
        per_city, programme=programme, category=Category.ACTIVIST
    )
    Attendance.objects.bulk_create(
        Attendance(participant=person, slot=slot, status=Status.PRESENT)
        for person in people
        for slot in slots
    )
    return people


def test_query_count_does_not_grow_with_data(programme, two_days):
    build(programme, two_days[:2], cities=1, per_city=3)
    with CaptureQueriesContext(connection) as small:
        programme_participation(programme=programme)
    build(programme, two_days[:2], cities=6, per_city=30)
    with CaptureQueriesContext(connection) as large:
        figures = programme_participation(programme=programme)
    assert figures.summary.trainees > 200
    assert len(small.captured_queries) == len(large.captured_queries) == 4


def test_the_current_half_day_comes_first(programme):
    tz = timezone.get_current_timezone()
    day1 = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 22))
    day2 = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 23))
    morning1 = factories.SlotFactory(day=day1, part="morning")  # 9:00-12:30
    afternoon1 = factories.SlotFactory(day=day1, part="afternoon")  # 14:00-17:30
    morning2 = factories.SlotFactory(day=day2, part="morning")

    def order(when):
        slots = attendance_slot_list(programme=programme, now=when.replace(tzinfo=tz))
        return [slot.pk for slot in slots]

    # During a half-day: that one, then the others in timetable order.
    assert order(dt.datetime(2015, 1, 22, 15, 0)) == [afternoon1.pk, morning1.pk, morning2.pk]
    # Over lunch: the next one to come.
    assert order(dt.datetime(2015, 1, 22, 13, 0))[0] == afternoon1.pk
    # After the training: the last one held.
    assert order(dt.datetime(2015, 3, 1, 10, 0))[0] == morning2.pk
    # Before it: the first one.
    assert order(dt.datetime(2015, 1, 1, 10, 0))[0] == morning1.pk
