"""Queries compiled once per process (``programmes.prepared.Query``) give what the ORM gives,
for any value, and refuse a query they cannot serve."""

import datetime as dt

import pytest
from django.db.models import Count

from programmes import prepared
from programmes.models import Membership, Programme
from sessions.models import Slot
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _slots(programme, day):
    return (
        Slot.objects.filter(day__programme=programme, day__date__gte=day)
        .select_related("day")
        .order_by("day__date", "starts_at")
    )


SLOTS = prepared.Query(_slots, programme=int, day=dt.date)
SLOT_VALUES = prepared.Query(
    lambda programme, fields: (
        Slot.objects.filter(day__programme=programme)
        .values(*fields)
        .order_by("day__date", "starts_at")
    ),
    programme=int,
)
MEMBERS = prepared.Query(
    lambda username: (
        Membership.objects.filter(user__username=username)
        .values_list("programme__slug")
        .annotate(n=Count("id"))
        .order_by("programme__slug")
    ),
    username=str,
)


@pytest.fixture
def two_timetables():
    programmes = []
    for _ in range(2):
        programme = factories.ProgrammeFactory()
        for offset in range(3):
            day = factories.TrainingDayFactory(
                programme=programme, date=dt.date(2026, 3, 2) + dt.timedelta(days=offset)
            )
            factories.SlotFactory(day=day, part=Slot.Part.MORNING)
            factories.SlotFactory(day=day, part=Slot.Part.AFTERNOON)
        programmes.append(programme)
    return programmes


def test_objects_and_rows_are_those_of_the_orm_for_each_value(two_timetables, monkeypatch):
    monkeypatch.setattr(prepared, "CHECK", False)  # the comparison is this test's own
    for programme in two_timetables:
        for day in (dt.date(2026, 3, 1), dt.date(2026, 3, 3), dt.date(2027, 1, 1)):
            got = SLOTS(programme=programme.pk, day=day)
            expected = list(_slots(programme.pk, day))
            assert [(s.pk, s.day_id, s.starts_at) for s in got] == [
                (s.pk, s.day_id, s.starts_at) for s in expected
            ]
            assert [s.day.date for s in got] == [s.day.date for s in expected]  # joined
    fields = ("id", "day__date", "part")
    assert SLOT_VALUES(programme=two_timetables[1].pk, fields=fields) == list(
        Slot.objects.filter(day__programme=two_timetables[1])
        .values(*fields)
        .order_by("day__date", "starts_at")
    )


def test_a_string_value_and_a_shape_each_compile_once(two_timetables, django_assert_num_queries):
    user = factories.UserFactory(username="amina")
    for programme in two_timetables:
        factories.MembershipFactory(programme=programme, user=user, role=Role.FACILITATOR)
    slugs = sorted(programme.slug for programme in two_timetables)
    assert MEMBERS(username="amina") == [(slug, 1) for slug in slugs]
    assert MEMBERS(username="nobody") == []
    with django_assert_num_queries(1):
        assert len(SLOT_VALUES(programme=two_timetables[0].pk, fields=("id",))) == 6


def test_a_value_that_does_not_reach_the_sql_is_refused():
    ignored = prepared.Query(lambda programme: Programme.objects.all(), programme=int)
    with pytest.raises(prepared.PreparedQueryError, match="does not reach the SQL"):
        ignored(programme=1)


def test_a_query_that_depends_on_more_than_its_values_fails_under_the_check():
    # The day is read when building, not declared: the first compilation would be kept.
    clock = {"day": dt.date(2026, 3, 1)}
    hidden = prepared.Query(
        lambda programme: Slot.objects.filter(day__programme=programme, day__date=clock["day"]),
        programme=int,
    )
    hidden(programme=1)
    clock["day"] = dt.date(2026, 3, 2)
    with pytest.raises(prepared.PreparedQueryError, match="depends on more"):
        hidden(programme=1)


def test_a_query_with_no_possible_row_runs_nothing(django_assert_num_queries):
    empty = prepared.Query(
        lambda programme: Slot.objects.filter(day__programme=programme, pk__in=[]),
        programme=int,
    )
    with django_assert_num_queries(0):
        assert empty(programme=1) == []


def test_an_unknown_value_type_is_refused():
    with pytest.raises(prepared.PreparedQueryError, match="cannot be parameters"):
        prepared.Query(lambda amount: Programme.objects.all(), amount=float)


def test_a_big_integer_column_and_an_id_column_take_their_values(two_timetables):
    # On PostgreSQL a big integer column's parameter comes wrapped (psycopg's Int8), and an id
    # outside a 32-bit column's range compiles to "no row": both must still be parameters.
    from programmes.models import AuditEntry

    by_target = prepared.Query(
        lambda target, programme: AuditEntry.objects.filter(
            target_id=target, programme=programme
        ).values_list("action", flat=True),
        target=int,
        programme=int,
    )
    programme = two_timetables[0]
    AuditEntry.objects.create(programme=programme, target_id=5_000_000_000, action="big")
    AuditEntry.objects.create(programme=programme, target_id=7, action="small")
    assert by_target(target=5_000_000_000, programme=programme.pk) == ["big"]
    assert by_target(target=7, programme=programme.pk) == ["small"]
    assert by_target(target=7, programme=two_timetables[1].pk) == []


def test_a_list_of_ids_compiles_once_per_length(two_timetables, django_assert_num_queries):
    slots = prepared.Query(
        lambda ids: Slot.objects.filter(pk__in=ids).order_by("pk").values_list("pk", flat=True),
        ids=list,
    )
    pks = list(Slot.objects.order_by("pk").values_list("pk", flat=True))
    assert slots(ids=pks[:2]) == pks[:2]
    assert slots(ids=pks[2:4]) == pks[2:4]  # the same compilation, other ids
    assert slots(ids=[pks[5], pks[5], pks[0]]) == [pks[0], pks[5]]  # repeated ids dropped
    assert slots(ids=pks) == pks
    with django_assert_num_queries(0):
        assert slots(ids=[]) == []
