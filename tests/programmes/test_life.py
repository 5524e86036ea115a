"""The life of a programme after its call: stages derived from dates and events, a selected
city withdrawing after the selection, a waitlisted city given the free place, closing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from programmes import services
from programmes.errors import Conflict
from programmes.models import CityApplication, CityContribution, Membership, OutboxMessage
from programmes.selectors import programme_finance_figures, programme_finances, selection_figures
from programmes.stages import Stage, TrainingDates, programme_stage
from sessions.models import ExpectedSpan
from tests import factories

pytestmark = pytest.mark.django_db
Status = CityApplication.Status
Role = Membership.Role
TODAY = dt.date(2026, 12, 1)


# --- Stages ----------------------------------------------------------------------------------


def _stage(programme, call=None, **training):
    return programme_stage(
        programme=programme, call=call, training=TrainingDates(**training), today=TODAY
    ).stage


def test_the_stage_follows_the_dates_and_events_of_a_programme():
    programme = factories.ProgrammeFactory.build(
        start_date=dt.date(2027, 3, 1), end_date=dt.date(2027, 3, 5)
    )
    assert _stage(programme) == Stage.PREPARING
    call = factories.CallFactory.build(
        programme=programme, opens_on=dt.date(2026, 11, 1), closes_on=dt.date(2026, 12, 20)
    )
    assert _stage(programme, call) == Stage.PREPARING  # written, not published
    call.published_at = timezone.now()
    assert _stage(programme, call) == Stage.CALL_OPEN
    call.closes_on = dt.date(2026, 11, 30)
    assert _stage(programme, call) == Stage.SELECTION
    call.selection_closed_at = timezone.now()
    assert _stage(programme, call) == Stage.READY
    # A half-day held makes it training, whatever the dates typed.
    assert _stage(programme, call, any_held=True) == Stage.TRAINING
    programme.start_date, programme.end_date = dt.date(2026, 11, 28), dt.date(2026, 12, 3)
    assert _stage(programme, call) == Stage.TRAINING
    # The timetable's last day wins over the end date typed.
    assert _stage(programme, call, last_day=dt.date(2026, 11, 29)) == Stage.FOLLOW_UP
    programme.closed_at = timezone.now()
    assert _stage(programme, call) == Stage.CLOSED


def test_the_next_step_names_dates_in_the_readers_format():
    programme = factories.ProgrammeFactory.build(
        start_date=dt.date(2027, 1, 22), end_date=dt.date(2027, 1, 26)
    )
    call = factories.CallFactory.build(
        programme=programme,
        published_at=timezone.now(),
        selection_closed_at=timezone.now(),
    )
    stage = programme_stage(programme=programme, call=call, training=TrainingDates(), today=TODAY)
    assert stage.label == "Prêt pour la formation"
    assert stage.next_step == "La formation commence le 22 janvier 2027."


# --- A selected city withdraws after the selection ------------------------------------------


@pytest.fixture
def decided(open_call, complete_application, people):
    """Two cities, one selected and one waitlisted, the selection closed; one place."""
    organiser = people.organiser
    open_call.places = 1
    open_call.save()
    contact = factories.UserFactory()
    selected = complete_application(open_call, contact=contact)
    waitlisted = complete_application(open_call, contact=factories.UserFactory())
    services.application_decide(actor=organiser, application=selected, decision=Status.SELECTED)
    services.application_decide(actor=organiser, application=waitlisted, decision=Status.WAITLISTED)
    services.selection_close(actor=organiser, call=open_call, base_url="http://testserver")
    return selected, waitlisted, contact


def test_a_city_withdrawing_after_the_selection_frees_its_place_and_keeps_its_history(
    decided, people, django_capture_on_commit_callbacks
):
    selected, _waitlisted, contact = decided
    programme = selected.call.programme
    people_of_city = list(Participant.objects.filter(nominee__application=selected))
    assert len(people_of_city) == 3
    assert all(person.is_active for person in people_of_city)
    before = programme_finance_figures(programme=programme)
    assert before.contributions_pledged == Decimal("650.00")

    services.application_withdraw(actor=contact, application=selected, note="Élections")

    selected.refresh_from_db()
    assert selected.status == Status.WITHDRAWN
    # Its people are inactive, expected until now only (their attendance is kept).
    for person in people_of_city:
        person.refresh_from_db()
        assert not person.is_active
        span = ExpectedSpan.objects.get(participant=person)
        assert span.until_day == timezone.localdate()
        assert span.from_day is None
    # The contribution stays in the ledger, cancelled, and counts in no total.
    contribution = CityContribution.objects.get(application=selected)
    assert contribution.cancelled_at is not None
    finances = programme_finances(programme=programme)
    assert [row.pk for row in finances.contributions] == [contribution.pk]
    assert finances.figures.contributions_pledged == Decimal("0.00")
    # The organisers are told the place is free.
    told = OutboxMessage.objects.filter(recipient_user=people.organiser, object_id=str(selected.pk))
    assert told.filter(subject__contains="Une ville retenue s’est retirée").exists()
    # The board shows it honestly.
    figures = selection_figures(call=selected.call)
    assert (figures.selected, figures.left, figures.places_left) == (0, 1, 1)
    assert figures.free_text == (
        "1 ville retenue s’est retirée après la sélection : 1 place libre."
    )


def test_a_waitlisted_city_is_given_the_free_place_with_its_decision_email(decided, people):
    selected, waitlisted, contact = decided
    organiser = people.organiser
    with pytest.raises(Conflict) as refused:  # the one place is taken
        services.application_promote(
            actor=organiser, application=waitlisted, base_url="http://testserver"
        )
    assert refused.value.code == "no_place"
    services.application_withdraw(actor=contact, application=selected)
    about = OutboxMessage.objects.filter(kind="decision", object_id=str(waitlisted.pk))
    before = set(about.values_list("pk", flat=True))  # the waiting list's e-mail

    services.application_promote(
        actor=organiser, application=waitlisted, base_url="http://testserver"
    )

    waitlisted.refresh_from_db()
    assert waitlisted.status == Status.SELECTED
    told = about.exclude(pk__in=before)
    assert told.exists()  # to the contact's account and the e-mail in the file
    assert all(waitlisted.city.name in message.body for message in told)
    assert not any("liste d’attente" in message.body for message in told)
    newcomers = Participant.objects.filter(nominee__application=waitlisted)
    assert newcomers.count() == 3
    assert all(person.is_active for person in newcomers)
    # Expected from now on: the half-days already held are not theirs.
    assert all(
        ExpectedSpan.objects.get(participant=p).from_day == timezone.localdate() for p in newcomers
    )
    contribution = CityContribution.objects.get(application=waitlisted)
    assert contribution.cancelled_at is None
    assert programme_finance_figures(
        programme=waitlisted.call.programme
    ).contributions_pledged == Decimal("650.00")
    assert selection_figures(call=waitlisted.call).selected_text == ("1 ville retenue sur 1 place")


def test_promoting_is_refused_while_the_selection_is_open(open_call, complete_application, people):
    waitlisted = complete_application(open_call)
    services.application_decide(
        actor=people.organiser, application=waitlisted, decision=Status.WAITLISTED
    )
    with pytest.raises(Conflict) as refused:
        services.application_promote(
            actor=people.organiser, application=waitlisted, base_url="http://testserver"
        )
    assert refused.value.code == "open"


def test_the_board_offers_the_free_place_and_the_promotion_answers_others_404(
    client, decided, people
):
    selected, waitlisted, contact = decided
    programme = selected.call.programme
    services.application_withdraw(actor=contact, application=selected)
    client.force_login(people.organiser)
    page = client.get(reverse("programmes:selection_board", args=[programme.slug]))
    text = page.content.decode()
    assert "1 place libre" in text
    promote = reverse("programmes:application_promote", args=[programme.slug, waitlisted.pk])
    assert promote in text

    for outsider in (people.reviewer, people.funder, factories.UserFactory()):
        client.force_login(outsider)
        assert client.post(promote).status_code == 404
    client.force_login(people.organiser)
    assert client.post(promote).status_code == 302
    waitlisted.refresh_from_db()
    assert waitlisted.status == Status.SELECTED


def test_counts_read_naturally_in_both_languages():
    from django.utils import translation

    from programmes.selectors import SelectionFigures

    def text(selected, places):
        return SelectionFigures(
            places=places, selected=selected, waitlisted=0, rejected=0, pending=0, ineligible=0
        ).selected_text

    assert text(1, 1) == "1 ville retenue sur 1 place"
    assert text(3, 7) == "3 villes retenues sur 7 places"
    with translation.override("en"):
        assert text(1, 1) == "1 city selected of 1 place"
        assert text(3, 7) == "3 cities selected of 7 places"


# --- Closing ---------------------------------------------------------------------------------


def test_a_programme_is_closed_once_over_and_only_by_its_organisers(client, programme, member):
    organiser = member(programme, Role.ORGANISER)
    url = reverse("programmes:programme_close", args=[programme.slug])
    client.force_login(member(programme, Role.FACILITATOR))
    assert client.post(url).status_code == 404
    client.force_login(organiser)
    assert client.post(url).status_code == 302
    programme.refresh_from_db()
    assert programme.closed_at is not None
    with pytest.raises(Conflict):
        services.programme_close(actor=organiser, programme=programme)
    future = factories.ProgrammeFactory(end_date=TODAY + dt.timedelta(days=400))
    with pytest.raises(Conflict):
        services.programme_close(actor=organiser, programme=future)
