"""Replacing a triad member: each person counts for the half-days they were expected at, on
the sheets, in the figures, and in the funder report's tables alike."""

import pytest
from django.urls import reverse

from participants.models import Category, Participant
from programmes.errors import Conflict, InvalidInput
from programmes.models import Membership
from reports.selectors import funder_report_data
from sessions import services
from sessions.selectors import attendance_slot_list, programme_participation, sheet_rows
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role
NEWCOMER = {
    "first_name": "Nadia",
    "last_name": "Nouvelle",
    "position": "Adjointe",
    "email": "",
    "phone": "",
}


def _all_present(training, slot, people):
    for person in people:
        factories.AttendanceFactory(slot=slot, participant=person)


def test_a_replaced_member_and_the_newcomer_count_for_their_own_half_days(training, organiser):
    first, second, third = training.slots
    leaving = next(p for p in training.trainees if p.category == Category.ELECTED_OFFICIAL)
    before = programme_participation(programme=training.programme)
    for slot in (first, second):
        _all_present(training, slot, training.trainees)

    newcomer = services.participant_replace(
        actor=organiser, participant=leaving, slot=third, fields=NEWCOMER
    )
    stayed = [p for p in training.trainees if p.pk != leaving.pk]
    _all_present(training, third, [*stayed, newcomer])

    leaving.refresh_from_db()
    assert not leaving.is_active
    assert (newcomer.city_id, newcomer.category, newcomer.peer_group_id) == (
        leaving.city_id,
        leaving.category,
        leaving.peer_group_id,
    )
    # The sheets: the one who left on the half-days before, the newcomer from the third.
    assert leaving.pk in {row.participant.pk for row in sheet_rows(slot=first)}
    assert newcomer.pk not in {row.participant.pk for row in sheet_rows(slot=first)}
    on_third = {row.participant.pk for row in sheet_rows(slot=third)}
    assert newcomer.pk in on_third
    assert leaving.pk not in on_third

    figures = programme_participation(programme=training.programme)
    trainees = before.summary.trainees
    # Nobody missed anything: each one was expected where they came.
    assert figures.summary.expected == trainees * 3
    assert figures.summary.attended == trainees * 3
    assert figures.summary.rate == 100
    assert figures.summary.trainees == trainees + 1
    lines = {line.participant_id: line for line in figures.participants}
    assert (lines[leaving.pk].halfdays_held, lines[leaving.pk].halfdays_attended) == (2, 2)
    assert (lines[newcomer.pk].halfdays_held, lines[newcomer.pk].halfdays_attended) == (1, 1)
    assert sum(row.expected for row in figures.by_slot) == figures.summary.expected
    assert sum(row.expected for row in figures.by_category) == figures.summary.expected
    assert sum(row.expected for row in figures.by_city) == figures.summary.expected
    # The funder report's tables add up to its headline.
    report = funder_report_data(programme=training.programme)
    trainee_rows = [row for row in report.categories if row.category in dict(Category.choices)]
    people = sum(
        row.count
        for row in trainee_rows
        if row.category not in (Category.FACILITATOR, Category.SUPPORT_PERSON)
    )
    assert people == report.participation.summary.trainees == trainees + 1
    assert sum(line.total for line in report.cities) == trainees + 1


def test_the_attendance_list_counts_only_records_within_each_persons_half_days(training, organiser):
    """The attendance list counts its records in two parts (people without a span, people with
    one): a record made outside someone's span counts nowhere, as in the figures."""
    first, second, third = training.slots
    leaving = next(p for p in training.trainees if p.category == Category.ELECTED_OFFICIAL)
    for slot in (first, second):
        _all_present(training, slot, training.trainees)
    newcomer = services.participant_replace(
        actor=organiser, participant=leaving, slot=third, fields=NEWCOMER
    )
    stayed = [p for p in training.trainees if p.pk != leaving.pk]
    _all_present(training, third, [*stayed, newcomer])
    # Outside their spans: the one who left on the third, the newcomer on the first.
    factories.AttendanceFactory(slot=third, participant=leaving)
    factories.AttendanceFactory(slot=first, participant=newcomer)

    figures = programme_participation(programme=training.programme)
    by_slot = {row.key: row for row in figures.by_slot}
    lines = attendance_slot_list(programme=training.programme)
    assert {line.pk for line in lines} == {first.pk, second.pk, third.pk}
    for line in lines:
        row = by_slot[line.pk]
        assert line.attended == row.attended == len(stayed) + 1
        assert line.recorded == row.attended + row.excused + row.absent
        assert line.expected == len(stayed) + 1


def test_a_replacement_is_refused_on_a_closed_sheet_or_for_someone_gone(training, organiser):
    first, _second, third = training.slots
    leaving = next(p for p in training.trainees if p.category == Category.CITY_PROFESSIONAL)
    activist = next(p for p in training.trainees if p.category == Category.ACTIVIST)
    first.closed_at = first.day.programme.created_at
    first.save()
    with pytest.raises(InvalidInput):
        services.participant_replace(
            actor=organiser, participant=leaving, slot=first, fields=NEWCOMER
        )
    with pytest.raises(Conflict):
        services.participant_replace(
            actor=organiser, participant=activist, slot=third, fields=NEWCOMER
        )
    services.participant_replace(actor=organiser, participant=leaving, slot=third, fields=NEWCOMER)
    with pytest.raises(Conflict):
        services.participant_replace(
            actor=organiser, participant=leaving, slot=third, fields=NEWCOMER
        )
    assert Participant.objects.filter(first_name="Nadia").count() == 1


def test_the_replacement_page_is_for_organisers_only(client, training, member):
    programme = training.programme
    url = reverse("sessions:triad_replace", args=[programme.slug])
    leaving = next(p for p in training.trainees if p.category == Category.PREFECTS_DELEGATE)
    for role in (Role.FACILITATOR, Role.FUNDER, Role.REVIEWER, None):
        client.force_login(factories.user_with(role, programme))
        assert client.get(url).status_code == 404
    client.force_login(member(programme, Role.ORGANISER))
    assert client.get(url).status_code == 200
    # Refused input is shown again with what was typed.
    refused = client.post(url, {"participant": leaving.pk, "first_name": "Nadia"})
    assert refused.status_code == 400
    assert "Nadia" in refused.content.decode()
    done = client.post(
        url,
        {"participant": leaving.pk, "slot": training.slots[2].pk, **NEWCOMER},
    )
    assert done.status_code == 302
    leaving.refresh_from_db()
    assert not leaving.is_active


def test_the_replacement_page_costs_the_same_queries_whatever_the_size(client, training, organiser):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(organiser)
    url = reverse("sessions:triad_replace", args=[training.programme.slug])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    factories.add_trainees(training.programme, cities=6, activists=3)
    factories.SlotFactory.create_batch(4, day__programme=training.programme)
    assert count() == small
