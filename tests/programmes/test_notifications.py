"""Notifications: who is told what, each person's choice, and periodic tasks that never send
anything twice."""

import datetime as dt

import pytest
from django.utils import timezone

from programmes import services
from programmes.models import CityApplication, NotificationPreference, OutboxMessage
from programmes.services import notifications
from programmes.tasks import call_closing_reminders_task, notification_digests_task
from sessions import services as sessions_services
from sessions.models import Slot
from sessions.tasks import open_sheet_reminders_task, training_day_reminders_task
from tests import factories

Status = OutboxMessage.Status
Kind = OutboxMessage.Kind
Choice = NotificationPreference.Choice
pytestmark = pytest.mark.django_db


def notified(kind=Kind.NOTIFICATION) -> dict[str, str]:
    """Recipient address -> status of the notifications written."""
    return dict(OutboxMessage.objects.filter(kind=kind).values_list("recipient", "status"))


def choose(user, programme, choice):
    notifications.notification_preference_set(user=user, programme=programme, choice=choice)


def test_submission_tells_the_organisers_with_a_link_to_the_file(
    open_call, people, complete_application, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://cotraining.example.org"
    contact = factories.UserFactory()
    application = complete_application(
        open_call, status=CityApplication.Status.DRAFT, contact=contact
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(actor=contact, application=application, base_url="")
    assert notified() == {people.organiser.email: Status.SENT}
    message = OutboxMessage.objects.get(kind=Kind.NOTIFICATION)
    slug = open_call.programme.slug
    link = f"https://cotraining.example.org/programmes/{slug}/applications/{application.pk}/"
    assert link in message.body
    assert f"https://cotraining.example.org/programmes/{slug}/notifications/" in message.body
    assert message.recipient_user == people.organiser
    assert application.city.name in message.subject


def test_an_answer_to_a_request_tells_the_organisers_and_the_reviewers_of_the_file(
    open_call, people, complete_application
):
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    services.reviewers_assign(
        actor=people.organiser, application=application, reviewers=[people.reviewer]
    )
    services.application_request_information(
        actor=people.organiser, application=application, message="Qui ?", base_url=""
    )
    services.application_submit(actor=contact, application=application, base_url="")
    assert set(notified()) == {people.organiser.email, people.reviewer.email}
    assert people.other_reviewer.email not in notified()  # not assigned to this file
    assert all(
        "renvoy" in s
        for s in OutboxMessage.objects.values_list("subject", flat=True)
        # the assignment's own e-mail to the reviewer is not about the answer
        .exclude(subject__startswith="Une candidature à évaluer")
        .filter(kind=Kind.NOTIFICATION)
    )


def test_a_withdrawal_tells_the_organisers_but_not_the_one_who_withdrew(
    open_call, people, complete_application
):
    contact = factories.UserFactory()
    application = complete_application(open_call, contact=contact)
    services.application_withdraw(actor=contact, application=application)
    assert set(notified()) == {people.organiser.email}
    # An organiser who withdraws it for the city is not told of their own act.
    other = complete_application(open_call)
    services.application_withdraw(actor=people.organiser, application=other)
    assert OutboxMessage.objects.filter(kind=Kind.NOTIFICATION).count() == 1


def test_each_person_chooses_every_message_a_digest_or_none(
    open_call, people, member, complete_application
):
    programme = open_call.programme
    digest_organiser = member(programme, "organiser")
    silent_organiser = member(programme, "organiser")
    choose(digest_organiser, programme, Choice.DIGEST)
    choose(silent_organiser, programme, Choice.NONE)
    contact = factories.UserFactory()
    application = complete_application(
        open_call, status=CityApplication.Status.DRAFT, contact=contact
    )
    services.application_submit(actor=contact, application=application, base_url="")
    assert notified() == {
        people.organiser.email: Status.QUEUED,
        digest_organiser.email: Status.HELD,
    }
    # Decisions always go, whatever the city contact chose.
    choose(contact, programme, Choice.NONE)
    application.status = CityApplication.Status.SELECTED
    application.save()
    services.selection_close(actor=people.organiser, call=open_call, base_url="")
    assert contact.email in notified(Kind.DECISION)


def test_the_daily_digest_gathers_held_messages_once(
    open_call, member, complete_application, mailoutbox, django_capture_on_commit_callbacks
):
    programme = open_call.programme
    organiser = member(programme, "organiser")
    choose(organiser, programme, Choice.DIGEST)
    for _index in range(3):
        contact = factories.UserFactory()
        application = complete_application(
            open_call, status=CityApplication.Status.DRAFT, contact=contact
        )
        services.application_submit(actor=contact, application=application, base_url="")
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_digests_task.apply().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notification_digests_task.apply().get() == 0  # running twice sends nothing twice
    [email] = [email for email in mailoutbox if organiser.email in email.to]
    assert "3" in email.subject
    digest = OutboxMessage.objects.get(kind=Kind.DIGEST)
    assert digest.status == Status.SENT
    assert set(digest.digested.values_list("status", flat=True)) == {Status.DIGESTED}
    assert digest.digested.count() == 3
    for application in CityApplication.objects.all():
        assert application.city.name in email.body


def test_the_preferences_page_saves_a_members_choice(client, open_call, people):
    slug = open_call.programme.slug
    client.force_login(people.funder)
    url = f"/programmes/{slug}/notifications/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Un résumé quotidien" in page.text
    assert client.post(url, {"choice": "bogus"}).status_code == 400
    assert client.post(url, {"choice": Choice.DIGEST}).status_code == 302
    assert NotificationPreference.objects.get(user=people.funder).choice == Choice.DIGEST
    client.force_login(factories.UserFactory())  # not a member
    assert client.get(url).status_code == 404


# --- reminders ----------------------------------------------------------------------------------


def test_city_contacts_are_reminded_a_week_and_a_day_before_the_call_closes_once_each(
    open_call, complete_application
):
    contact = factories.UserFactory()
    draft = complete_application(open_call, status=CityApplication.Status.DRAFT, contact=contact)
    submitted_contact = factories.UserFactory()
    complete_application(open_call, contact=submitted_contact)

    closes = open_call.closes_on
    assert notifications.call_closing_reminders_send(today=closes - dt.timedelta(days=8)) == 0
    week_before = closes - dt.timedelta(days=7)
    assert notifications.call_closing_reminders_send(today=week_before) == 1
    assert notifications.call_closing_reminders_send(today=week_before) == 0
    assert notifications.call_closing_reminders_send(today=closes - dt.timedelta(days=1)) == 1
    reminders = OutboxMessage.objects.filter(kind=Kind.REMINDER)
    assert set(reminders.values_list("recipient", flat=True)) == {contact.email}
    assert sorted(reminders.values_list("key", flat=True)) == [
        f"reminder:call:{open_call.pk}:1d:{contact.pk}",
        f"reminder:call:{open_call.pk}:7d:{contact.pk}",
    ]
    assert f"/applications/{draft.pk}/" in reminders.first().body
    # The task runs for today: the call closes in 20 days, nothing is due.
    assert call_closing_reminders_task.apply().get() == 0


def test_facilitators_hear_the_day_before_which_sheets_they_will_open(people, open_call):
    programme = open_call.programme
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    day = factories.TrainingDayFactory(programme=programme, date=tomorrow)
    morning = factories.SlotFactory(day=day, part=Slot.Part.MORNING)
    assert training_day_reminders_task.apply().get() == 1
    assert training_day_reminders_task.apply().get() == 0
    [message] = OutboxMessage.objects.filter(kind=Kind.REMINDER)
    assert message.recipient == people.facilitator.email
    assert f"/attendance/{morning.pk}/" in message.body


def test_organisers_hear_once_about_a_sheet_of_a_past_half_day_still_open(people, open_call):
    programme = open_call.programme
    past = factories.TrainingDayFactory(
        programme=programme, date=timezone.localdate() - dt.timedelta(days=2)
    )
    open_slot = factories.SlotFactory(day=past, part=Slot.Part.MORNING)
    factories.SlotFactory(day=past, part=Slot.Part.AFTERNOON, closed_at=timezone.now())
    assert open_sheet_reminders_task.apply().get() == 1
    assert sessions_services.open_sheet_reminders_send() == 0
    [message] = OutboxMessage.objects.filter(kind=Kind.REMINDER)
    assert message.recipient == people.organiser.email
    assert message.key == f"reminder:sheet:{open_slot.pk}:{people.organiser.pk}"
