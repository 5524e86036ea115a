"""The demo programme holds the reference figures of DOMAIN.md, computed from its records."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cotraining.demo import OPEN_SLUG, SLUG
from participants.models import Category, Participant
from participants.selectors import participant_counts_by_category
from programmes.models import (
    ApplicationEvent,
    CityApplication,
    Funding,
    Membership,
    Organisation,
    OutboxMessage,
    Programme,
)
from programmes.selectors import (
    followup_board,
    programme_application_figures,
    programme_finance_figures,
)
from sessions.models import ATTENDING_STATUSES, Attendance, AttendanceSignature, Expense, Slot
from sessions.selectors import programme_expenses, programme_participation_summary
from sessions.signatures import chain_check

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo_builder():
    """``demo`` (tests/conftest.py, built once for the module) is what the command loads."""

    def build():
        with override_settings(DEBUG=True):
            call_command("demo_data", password="demo-pass-123", stdout=None)

    return build


@pytest.fixture(autouse=True)
def _debug(settings):
    settings.DEBUG = True  # as under ``make demo``, where the demo is loaded


def test_demo_programme_has_the_reference_figures(demo):
    applications = programme_application_figures(programme=demo)
    assert (applications.total, applications.selected, applications.places) == (12, 7, 7)
    statuses = set(CityApplication.objects.for_programme(demo).values_list("status", flat=True))
    assert statuses == {"selected", "waitlisted", "rejected"}

    counts = {row.category: row.count for row in participant_counts_by_category(programme=demo)}
    assert counts[Category.ELECTED_OFFICIAL] == 7
    assert counts[Category.CITY_PROFESSIONAL] == 8
    assert counts[Category.PREFECTS_DELEGATE] == 7
    assert counts[Category.ACTIVIST] == 6
    assert counts[Category.FACILITATOR] == 5
    assert Participant.objects.for_programme(demo).trainees().count() == 28

    assert Slot.objects.filter(day__programme=demo).count() == 9
    summary = programme_participation_summary(programme=demo)
    assert summary.expected == 28 * 9
    assert summary.rate.quantize(Decimal("1")) == Decimal("95")
    assert summary.unrecorded == 0

    finances = programme_finance_figures(programme=demo)
    assert finances.funding_awarded == Decimal("32000.00")
    assert finances.contributions_pledged == Decimal("4500.00")
    assert finances.budget_planned == Decimal("36000.00")


def log_in(client, username: str) -> bool:
    """Through the login form, as a person does (django-axes checks every login's request)."""
    response = client.post(reverse("login"), {"username": username, "password": "demo-pass-123"})
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_demo_accounts_log_in_and_see_their_dashboard(client, demo):
    for username in ("organiser", "reviewer", "facilitator", "funder", "city", "admin"):
        assert log_in(client, username), username
        response = client.get(reverse("dashboard"))
        assert demo.title in response.text, username
        assert client.get(reverse("programme_overview", args=[SLUG])).status_code == 200
        client.logout()


def test_the_organiser_overview_shows_the_reference_figures(client, demo):
    assert log_in(client, "organiser")
    text = client.get(reverse("programme_overview", args=[SLUG])).text
    assert 'data-figure="applications">12<' in text
    assert 'data-figure="selected">7 / 7<' in text
    assert 'data-figure="participants">28<' in text
    assert 'data-figure="participation-rate">95 %<' in text


def test_the_rate_follows_the_records_not_a_stored_figure(client, demo):
    present = Attendance.objects.filter(slot__day__programme=demo, status="present")
    present.filter(pk__in=list(present.values_list("pk", flat=True)[:30])).update(status="absent")
    summary = programme_participation_summary(programme=demo)
    assert summary.attended == 239 - 30
    assert summary.rate < 90


def test_demo_data_is_idempotent(settings, demo):
    call_command("demo_data", password="demo-pass-123", stdout=None)
    programme = Programme.objects.get(slug=SLUG)
    assert Programme.objects.filter(slug=SLUG).count() == 1
    assert Participant.objects.for_programme(programme).trainees().count() == 28
    assert Membership.objects.filter(programme=programme).count() == 6
    assert programme_application_figures(programme=programme).total == 12


def test_demo_data_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_data")
    assert not Programme.objects.filter(slug=SLUG).exists()
    call_command("demo_data", force=True, stdout=None)
    assert Programme.objects.filter(slug=SLUG).exists()


def test_the_second_demo_programme_has_an_open_call_with_an_application_in_every_state(demo):
    from django.utils import timezone

    programme = Programme.objects.get(slug=OPEN_SLUG)
    assert programme.call.is_open_on(timezone.localdate())
    statuses = set(
        CityApplication.objects.for_programme(programme).values_list("status", flat=True)
    )
    assert statuses == set(CityApplication.Status.values)
    draft = CityApplication.objects.for_programme(programme).get(status="draft")
    assert draft.contact_user.username == "city"
    # Selected cities' triads became participants through the selection service.
    selected_nominees = sum(
        application.nominees.count()
        for application in CityApplication.objects.for_programme(programme).filter(
            status="selected"
        )
    )
    assert Participant.objects.for_programme(programme).count() == selected_nominees > 0


def test_the_demo_history_is_dated_when_it_happened(demo):
    """Marks, submissions and decisions of the 2015 programme read 2014 and 2015, not the day
    the demo was loaded ("marked at 08:05" on a sheet of 22 January 2015, before it began)."""
    for attendance in Attendance.objects.filter(slot__day__programme=demo).select_related(
        "slot__day"
    ):
        recorded = timezone.localtime(attendance.recorded_at)
        slot = attendance.slot
        assert recorded.date() == slot.day.date
        assert slot.starts_at <= recorded.time() <= slot.ends_at
        assert slot.closed_at is None or attendance.recorded_at <= slot.closed_at
    events = ApplicationEvent.objects.filter(application__call__programme=demo)
    assert {event.created_at.year for event in events} == {2014}
    for application in CityApplication.objects.filter(call__programme__slug=OPEN_SLUG).exclude(
        submitted_at=None
    ):
        submission = application.events.get(to_status="submitted")
        assert submission.created_at == application.submitted_at
        # Nobody of the organisers submits a city's file; cities without an account show nobody.
        assert submission.actor == application.contact_user


def test_the_demo_outbox_holds_the_2015_emails_dated_then_and_sends_nothing(demo, mailoutbox):
    messages = OutboxMessage.objects.filter(programme=demo)
    applications = CityApplication.objects.filter(call__programme=demo)
    assert {m.created_at.year for m in messages} <= {2014, 2015}
    assert {m.sent_at.year for m in messages.filter(status="sent")} <= {2014, 2015}
    for application in applications:
        about = messages.filter(object_type="cityapplication", object_id=str(application.pk))
        assert about.filter(kind="submitted", status="sent").count() == 1
        assert about.filter(kind="decision", status="sent").count() == 1
        decision = about.get(kind="decision", status="sent")
        assert application.city.name in decision.subject
    failed = messages.get(status="failed")
    assert "Mailbox full" in failed.last_error
    assert failed.copies.get().status == "sent"  # the organiser sent it again
    assert messages.filter(kind="reminder", recipient_user__username="facilitator").exists()
    assert mailoutbox == []  # history, not e-mails to send when the demo loads


def test_every_closed_2015_sheet_is_signed_by_its_trainees_and_a_trainer(demo):
    for slot in Slot.objects.filter(day__programme=demo):
        assert slot.is_closed
        rows = list(AttendanceSignature.objects.filter(slot=slot).order_by("sequence"))
        assert chain_check(rows).intact
        trainees = {row.participant_id for row in rows if row.role == "trainee"}
        attending = Attendance.objects.filter(slot=slot, status__in=ATTENDING_STATUSES)
        assert trainees == set(attending.values_list("participant_id", flat=True))
        assert any(row.role == "trainer" for row in rows)
        assert any(row.method == "mark_with_witness" for row in rows)
        assert all(slot.closed_at >= row.signed_at for row in rows)
        # The chain's order is the order received, whatever the phones' clocks said.
        assert [row.signed_at for row in rows] == sorted(row.signed_at for row in rows)
    # Pierrelaye's first afternoon, without a network: its trainees signed offline.
    offline = AttendanceSignature.objects.filter(device_signed_at__isnull=False)
    assert set(offline.values_list("slot__part", flat=True)) == {Slot.Part.AFTERNOON}
    assert all(row.device_signed_at < row.signed_at for row in offline)


def test_each_selected_city_followed_up_its_council_through_2015_and_2016(demo):
    board = followup_board(programme=demo, with_names=True, today=dt.date(2017, 1, 1))
    assert len(board) == 7
    dates = [line.milestone.date for city in board for line in city.milestones if line.milestone]
    assert {date.year for date in dates} == {2015, 2016}
    # Every city created its council; some went further than others.
    assert all(city.milestones[0].milestone is not None for city in board)
    assert sorted({city.milestones_reached for city in board}) == [1, 2, 3, 4]
    assert all(len(city.actions) == 4 and city.done >= 1 for city in board)
    assert sum(city.late for city in board) > 0
    assert all(line.owner for city in board for line in city.actions)  # carried by the triad


def test_the_activists_expenses_are_paid_by_the_organisers_and_a_local_authority(demo):
    expenses = Expense.objects.filter(day__programme=demo)
    assert {e.participant.category for e in expenses} == {Category.ACTIVIST}
    payers = {e.payer.kind for e in expenses if e.is_spent}
    assert payers == {Organisation.Kind.NGO, Organisation.Kind.LOCAL_AUTHORITY}
    assert Funding.objects.get(programme=demo, kind=Funding.Kind.LOCAL_AUTHORITY)
    overview = programme_expenses(programme=demo)
    assert overview.warnings == 0  # only days the activists attended
    assert 0 < overview.figures.paid < overview.figures.planned
    # The documented totals stay (the local authority paid the suppliers directly).
    finances = programme_finance_figures(programme=demo)
    assert finances.funding_awarded == Decimal("32000.00")
