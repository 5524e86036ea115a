"""A programme's figures version (``programmes.kept``): every write to a record its figures are
computed from changes it, whoever makes the write; its triggers are all there once the
migrations have run; and the pages that keep figures show a tap made a moment before."""

import datetime as dt
import importlib

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from participants.models import Category, Participant, PeerGroup
from programmes import kept
from programmes.models import City, FiguresVersion, Membership, Programme
from sessions.models import Attendance, ExpectedSpan, Slot, TrainingDay
from sessions.selectors import programme_participation
from tests import factories
from tests.factories import user_with

TRIGGERS = importlib.import_module("sessions.migrations.0009_figures_version_triggers")
Status = Attendance.Status


def version_of(programme):
    rows = FiguresVersion.objects.filter(programme_id=programme.pk)
    return rows.values_list("version", flat=True).first()


@pytest.mark.django_db
def test_every_trigger_is_there_once_the_migrations_have_run():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    expected = TRIGGERS.trigger_names()
    assert len(expected) == 25  # eight tables on insert, update and delete; users' names
    assert sorted(set(expected) - names) == []


def _span(training):
    return ExpectedSpan.objects.create(
        participant=training.trainees[0],
        from_day=training.slots[2].day.date,
        from_time=training.slots[2].starts_at,
    )


# Each write, on a programme with one record: what it changes.
WRITES = {
    "a new record": lambda t, record: Attendance.objects.create(
        participant=t.trainees[1], slot=t.slot, status=Status.PRESENT
    ),
    "a record's status": lambda t, record: Attendance.objects.filter(pk=record.pk).update(
        status=Status.ABSENT
    ),
    "a record deleted": lambda t, record: record.delete(),
    "a trainee's category": lambda t, record: Participant.objects.filter(
        pk=t.trainees[0].pk
    ).update(category=Category.ACTIVIST),
    "a trainee who left": lambda t, record: Participant.objects.filter(pk=t.trainees[0].pk).update(
        is_active=False
    ),
    "a new trainee": lambda t, record: factories.ParticipantFactory(
        programme=t.programme, category=Category.ACTIVIST
    ),
    "a span given": lambda t, record: _span(t),
    "a half-day's end": lambda t, record: Slot.objects.filter(pk=t.slot.pk).update(
        ends_at=dt.time(13, 0)
    ),
    "a half-day closed": lambda t, record: Slot.objects.filter(pk=t.slot.pk).update(
        closed_at=dt.datetime(2015, 1, 22, 12, 45, tzinfo=dt.UTC)
    ),
    "a new half-day": lambda t, record: factories.SlotFactory(day=t.slot.day, part="evening"),
    "a day's date": lambda t, record: TrainingDay.objects.filter(pk=t.slots[2].day_id).update(
        date=dt.date(2015, 1, 24)
    ),
    "a city's name": lambda t, record: City.objects.filter(pk=t.trainees[0].city_id).update(
        name="Saint-Denis (93)"
    ),
    "a peer group's name": lambda t, record: PeerGroup.objects.filter(
        pk=t.trainees[0].peer_group_id
    ).update(name="Groupe des élus"),
    "the name of who marked a line": lambda t, record: (
        get_user_model().objects.filter(pk=record.recorded_by_id).update(last_name="Martin-Durand")
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("write", WRITES, ids=str)
def test_every_write_the_figures_read_changes_the_version(write, training):
    record = factories.AttendanceFactory(
        participant=training.trainees[0], slot=training.slot, recorded_by=factories.UserFactory()
    )
    before = version_of(training.programme)
    assert before is not None

    WRITES[write](training, record)

    assert version_of(training.programme) != before


@pytest.mark.django_db
def test_a_span_changed_or_removed_changes_the_version(training):
    span = _span(training)
    before = version_of(training.programme)
    ExpectedSpan.objects.filter(pk=span.pk).update(
        until_day=dt.date(2015, 1, 23), until_time=dt.time(14, 0)
    )
    changed = version_of(training.programme)
    span.delete()
    assert len({before, changed, version_of(training.programme)}) == 3


@pytest.mark.django_db
def test_another_programmes_writes_leave_the_version_as_it_was(training):
    other = factories.build_training(factories.ProgrammeFactory())
    recorder, ours = factories.UserFactory(), factories.UserFactory()
    factories.AttendanceFactory(
        participant=training.trainees[0], slot=training.slot, recorded_by=ours
    )
    before = version_of(training.programme)

    factories.AttendanceFactory(
        participant=other.trainees[0], slot=other.slot, recorded_by=recorder
    )
    Participant.objects.filter(pk=other.trainees[1].pk).update(is_active=False)
    get_user_model().objects.filter(pk=recorder.pk).update(first_name="Odile")
    # A login writes the user's row, not their name.
    get_user_model().objects.update(last_login=dt.datetime(2026, 12, 2, tzinfo=dt.UTC))

    assert version_of(training.programme) == before


@pytest.mark.django_db
def test_a_new_programme_has_its_version_and_deleting_one_with_records_works(training):
    assert version_of(factories.ProgrammeFactory()) is not None
    record = factories.AttendanceFactory(participant=training.trainees[0], slot=training.slot)

    Programme.objects.filter(pk=training.programme.pk).delete()

    assert not Attendance.objects.filter(pk=record.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_the_pages_show_a_tap_made_a_moment_before_and_keep_their_figures_till_then(client):
    """Committed writes, as in production (on PostgreSQL the version changes at commit)."""
    programme = factories.ProgrammeFactory()
    training = factories.build_training(programme)
    client.force_login(user_with(Membership.Role.ORGANISER, programme))
    person = training.trainees[0]
    participation = reverse("sessions:participation", args=[programme.slug])
    attendance = reverse("sessions:attendance_list", args=[programme.slug])
    overview = reverse("programme_overview", args=[programme.slug])
    sheet = reverse("sessions:attendance_sheet", args=[programme.slug, training.slot.pk])

    def figures():
        return (
            client.get(participation).context["figures"],
            client.get(attendance).text,
            client.get(overview).context["participation"],
            client.get(sheet).context["rows"],
        )

    first = figures()
    again = figures()
    # Read again without a write: the same figures, kept (the very same objects).
    assert again[0] is first[0]
    assert again[2] is first[2]
    assert [view.row for view in again[3]] == [view.row for view in first[3]]
    assert all(a.row is b.row for a, b in zip(again[3], first[3], strict=True))
    assert "0 renseignés sur 8, 0 présents" in again[1]

    response = client.post(
        reverse("sessions:attendance_record", args=[programme.slug, training.slot.pk, person.pk]),
        {f"status_{person.pk}": Status.PRESENT, f"note_{person.pk}": "", f"version_{person.pk}": 0},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200

    after = figures()
    assert after[0] is not first[0]
    assert after[0].summary.attended == first[0].summary.attended + 1
    assert "1 renseignés sur 8, 1 présents" in after[1]
    assert after[2].attended == first[2].attended + 1
    line = next(view.row for view in after[3] if view.row.participant.pk == person.pk)
    assert (line.status, line.version) == (Status.PRESENT, 1)


@pytest.mark.django_db
def test_figures_are_kept_only_for_a_request_that_writes_nothing(training):
    programme = Programme.objects.get(pk=training.programme.pk)
    with kept.reading():  # no figures version on a programme read another way
        assert programme_participation(programme=programme) is not programme_participation(
            programme=programme
        )
    programme.figures_version = version_of(programme)
    with kept.reading():  # as in a GET
        assert programme_participation(programme=programme) is programme_participation(
            programme=programme
        )
    # A POST, a task: what they write changes the version after they read it.
    assert programme_participation(programme=programme) is not programme_participation(
        programme=programme
    )


def test_a_kept_figure_that_differs_from_a_new_count_fails_the_check(monkeypatch):
    monkeypatch.setattr(kept, "CHECK", True)
    counts = iter([1, 2])
    read = kept.kept(lambda *, programme: next(counts))
    programme = type("Programme", (), {"pk": -1, "figures_version": 7})()

    with kept.reading():
        assert read(programme=programme) == 1
        with pytest.raises(kept.StaleFigures):
            read(programme=programme)
