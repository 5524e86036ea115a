"""The one definition of the participation figures (``programme_participation_overview``, which
``programme_participation`` starts from) on data where every rule matters, and what each page
and document shows of it.

``factories.build_varied_programme`` gives, for 9 active trainees and 4 of 5 half-days held:

- records on the first half-day: 6 attending, 1 excused, 1 absent (the last activist unmarked);
- on the second (closed): 2 attending, 1 excused, 2 absent;
- the third is closed with no record, the fourth has only a facilitator's record, the fifth is
  not held; an inactive activist, a support person and another programme have records too.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from participants.models import Category
from programmes.models import Membership
from sessions.models import Attendance
from sessions.selectors import (
    attendance_slot_list,
    programme_participation,
    programme_participation_overview,
    programme_participation_summary,
)
from tests import factories
from tests.factories import build_varied_programme

pytestmark = pytest.mark.django_db

Status = Attendance.Status
Role = Membership.Role


def figures_of(row) -> tuple:
    return (row.expected, row.attended, row.excused, row.absent, row.rate)


def test_the_summary_counts_active_trainees_on_held_half_days_only(programme):
    build_varied_programme(programme)

    summary = programme_participation_overview(programme=programme).summary

    assert (summary.trainees, summary.slots_held, summary.slots_total) == (9, 4, 5)
    # 9 trainees x 4 half-days held; 8 attending, 2 excused, 3 absent, 23 nobody marked.
    assert figures_of(summary) == (36, 8, 2, 3, Decimal("22.2"))
    assert summary.unrecorded == 23


def test_hours_count_half_days_of_uneven_lengths(programme):
    build_varied_programme(programme)

    overview = programme_participation_overview(programme=programme)

    # Held: 3 h 30 + 3 h 15 + 2 h 45 + 2 h 35; planned adds 3 h 30 not held yet.
    assert overview.hours_delivered == Decimal("12.08")
    assert overview.hours_planned == Decimal("15.58")
    assert [slot.held for slot in overview.slots] == [True, True, True, True, False]


def test_the_breakdowns_add_up_to_the_summary(programme):
    build_varied_programme(programme)

    with translation.override("en"):
        figures = programme_participation(programme=programme)

    assert figures.summary == programme_participation_overview(programme=programme).summary
    assert [figures_of(row) for row in figures.by_category] == [
        (8, 2, 0, 1, Decimal("25.0")),  # elected officials
        (8, 2, 1, 1, Decimal("25.0")),  # city professionals
        (8, 2, 1, 0, Decimal("25.0")),  # prefect's delegates
        (12, 2, 0, 1, Decimal("16.7")),  # activists
    ]
    assert [(row.label, *figures_of(row)) for row in figures.by_city] == [
        ("aubervilliers", 8, 3, 0, 1, Decimal("37.5")),
        ("Bondy", 16, 3, 2, 1, Decimal("18.8")),
        ("No city (activists)", 12, 2, 0, 1, Decimal("16.7")),
    ]
    assert [figures_of(row) for row in figures.by_slot] == [
        (9, 6, 1, 1, Decimal("66.7")),
        (9, 2, 1, 2, Decimal("22.2")),
        (9, 0, 0, 0, Decimal("0.0")),  # closed without a record: held, nobody came
        (9, 0, 0, 0, Decimal("0.0")),  # only the facilitator was marked
        (0, 0, 0, 0, None),  # not held yet
    ]
    for breakdown in (figures.by_category, figures.by_city, figures.by_slot, figures.by_day):
        for name in ("expected", "attended", "excused", "absent"):
            assert sum(getattr(row, name) for row in breakdown) == getattr(figures.summary, name)


def test_nothing_expected_gives_no_rate_rather_than_a_division_by_zero(programme):
    empty = programme_participation(programme=programme)
    assert figures_of(empty.summary) == (0, 0, 0, 0, None)
    assert empty.hours_delivered == empty.hours_planned == Decimal("0.00")

    # Trainees, but no half-day held yet.
    factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    factories.SlotFactory(day__programme=programme)
    figures = programme_participation(programme=programme)
    assert figures_of(figures.summary) == (0, 0, 0, 0, None)
    assert [row.rate for row in (*figures.by_category, *figures.by_slot)] == [None] * 5

    # A half-day held (closed), but nobody left to expect.
    other = factories.ProgrammeFactory()
    factories.SlotFactory(day__programme=other, closed_at="2015-01-22T12:00:00Z")
    factories.ParticipantFactory(programme=other, category=Category.ACTIVIST, is_active=False)
    summary = programme_participation_summary(programme=other)
    assert (summary.slots_held, summary.expected, summary.rate) == (1, 0, None)


def test_the_attendance_list_counts_the_same_records(programme):
    build_varied_programme(programme)
    by_slot = {row.key: row for row in programme_participation(programme=programme).by_slot}

    for slot in attendance_slot_list(programme=programme):
        row = by_slot[slot.pk]
        assert slot.attended == row.attended
        assert slot.recorded == row.attended + row.excused + row.absent
        assert slot.expected == 9


def test_the_overview_runs_three_queries_whatever_the_data_size(
    programme, django_assert_num_queries
):
    build_varied_programme(programme)
    with django_assert_num_queries(3):
        small = programme_participation_overview(programme=programme)

    # Days of their own: the factory's dates depend on how many days this process made before.
    slots = [
        factories.SlotFactory(
            day=factories.TrainingDayFactory(
                programme=programme, date=dt.date(2016, 6, 1) + dt.timedelta(days=index)
            )
        )
        for index in range(4)
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


def test_every_page_shows_the_one_rate(client, programme, member):
    build_varied_programme(programme)
    client.force_login(member(programme, Role.ORGANISER))

    participation = client.get(reverse("sessions:participation", args=[programme.slug])).text
    overview = client.get(reverse("programme_overview", args=[programme.slug])).text

    # 8 of 36: 22.2 %, shown rounded on the cards and with its decimal in the sentence.
    assert 'data-figure="participation-rate">22 %' in participation
    assert "22,2 %" in participation
    assert 'data-figure="attended">8<' in participation
    assert 'data-figure="participation-rate">22 %' in overview
