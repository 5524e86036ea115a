"""The e-mail outbox: written in the event's transaction, one line per header, one failure
never stops the others, retried with a growing delay, and never sent twice."""

import datetime as dt
from email import message_from_bytes

import pytest
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from programmes import services
from programmes.models import AuditEntry, CityApplication, OutboxMessage
from programmes.services import outbox
from tests import factories

Status = OutboxMessage.Status
pytestmark = pytest.mark.django_db


def enqueue(recipient="ville@example.org", subject="Objet", **kwargs) -> OutboxMessage:
    return outbox.outbox_enqueue(
        recipient=recipient,
        subject=subject,
        body=kwargs.pop("body", "Texte"),
        kind=kwargs.pop("kind", OutboxMessage.Kind.NOTIFICATION),
        **kwargs,
    )


@pytest.fixture
def smtp_refuses(monkeypatch):
    """Make the mail server refuse the addresses given: ``smtp_refuses("a@x.org", ...)``;
    ``smtp_refuses("*")`` refuses every one."""
    refused: set[str] = set()
    real_send = EmailMultiAlternatives.send

    def send(self, *args, **kwargs):
        if "*" in refused or refused & set(self.to):
            raise ConnectionRefusedError(111, "Connection refused")
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    return lambda *addresses: refused.update(addresses)


def make_due(*messages: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
        next_attempt_at=timezone.now() - dt.timedelta(hours=2)
    )


# --- written in the same transaction --------------------------------------------------------


def test_a_rolled_back_event_leaves_neither_row_nor_email(
    django_capture_on_commit_callbacks, mailoutbox
):
    def event_that_fails():
        with transaction.atomic():
            enqueue()
            raise RuntimeError("the event failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        event_that_fails()
    assert not OutboxMessage.objects.exists()
    assert callbacks == []
    assert mailoutbox == []


def test_a_service_writes_its_email_before_the_commit_and_sends_it_after(
    open_call, people, complete_application, django_capture_on_commit_callbacks, mailoutbox
):
    application = complete_application(open_call)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.application_request_information(
            actor=people.organiser, application=application, message="Qui ?", base_url="https://x"
        )
    [message] = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.INFO_REQUESTED)
    assert message.status == Status.QUEUED  # written, not sent: nothing is committed yet
    assert (message.object_type, message.object_id) == ("cityapplication", str(application.pk))
    assert message.programme == open_call.programme
    assert message.language == "fr"
    assert mailoutbox == []
    for callback in callbacks:
        callback()
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    [email] = mailoutbox
    assert email.to == [application.contact_email]
    assert "Qui ?" in email.body


# --- headers on one line ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Saint-Denis\r\nBcc: pirate@example.org", "Saint-Denis Bcc: pirate@example.org"),
        ("Bondy\n\n\tX-Spam: 1", "Bondy X-Spam: 1"),
        ("Noisy\x00-le\x1bSec\u2028Grand\x85", "Noisy -le Sec Grand"),
        ("  Aubervilliers  ", "Aubervilliers"),
    ],
)
def test_header_line_keeps_a_header_on_one_line(raw, expected):
    assert outbox.header_line(raw) == expected


def test_a_city_name_cannot_add_a_header_to_an_email(
    open_call, people, complete_application, django_capture_on_commit_callbacks, mailoutbox
):
    city = factories.CityFactory(name="Saint-Denis\r\nBcc: pirate@example.org\r\n")
    application = complete_application(open_call, city=city)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_request_information(
            actor=people.organiser, application=application, message="Qui ?", base_url="https://x"
        )
    [email] = mailoutbox
    parsed = message_from_bytes(email.message().as_bytes())
    assert parsed["Bcc"] is None
    assert "\n" not in email.subject
    assert "\r" not in email.subject
    assert "Saint-Denis Bcc: pirate@example.org" in email.subject
    assert "pirate@example.org" not in email.recipients()
    stored = OutboxMessage.objects.get()
    assert stored.subject == email.subject
    assert "\n" not in stored.subject


def test_a_long_subject_is_cut_on_one_line():
    message = enqueue(subject="Ville " * 100)
    assert len(message.subject) <= outbox.SUBJECT_MAX_LENGTH
    assert message.subject.endswith("…")


def test_a_broken_address_is_not_queued():
    assert enqueue(recipient="pas une adresse\r\nBcc: x@y.org") is None
    assert not OutboxMessage.objects.exists()


# --- failures, retries, exactly once ---------------------------------------------------------


def test_one_message_that_fails_never_stops_the_others(smtp_refuses, mailoutbox, settings):
    settings.OUTBOX_DISPATCH_GRACE_SECONDS = 0
    smtp_refuses("refuse@example.org")
    messages = [enqueue(recipient=f"{name}@example.org") for name in ("a", "refuse", "b", "c")]
    make_due(*messages)
    assert outbox.outbox_dispatch() == 3
    assert sorted(email.to[0] for email in mailoutbox) == [
        "a@example.org",
        "b@example.org",
        "c@example.org",
    ]
    failed = OutboxMessage.objects.get(recipient="refuse@example.org")
    assert failed.status == Status.QUEUED
    assert failed.attempts == 1
    assert "Connection refused" in failed.last_error
    assert failed.next_attempt_at > timezone.now()


def test_retry_delays_grow_then_stop_at_the_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    minutes = [outbox.retry_delay(attempt).total_seconds() / 60 for attempt in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_failing_message_is_tried_again_later_and_marked_failed_after_the_last_attempt(
    smtp_refuses, mailoutbox, settings
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    smtp_refuses("*")
    message = enqueue()
    waits = []
    for _attempt in range(3):
        make_due(message)
        before = timezone.now()
        outcome = outbox.outbox_send(message_id=message.pk)
        message.refresh_from_db()
        if message.next_attempt_at:
            waits.append(round((message.next_attempt_at - before).total_seconds() / 60))
    assert outcome == "failed"
    assert waits == [1, 2]
    assert message.status == Status.FAILED
    assert message.attempts == 3
    assert "Connection refused" in message.last_error
    make_due(message)
    assert outbox.outbox_send(message_id=message.pk) == "skipped"  # failed stays failed
    assert mailoutbox == []


def test_a_message_not_yet_due_is_not_sent(smtp_refuses, mailoutbox):
    smtp_refuses("*")
    message = enqueue()
    make_due(message)
    assert outbox.outbox_send(message_id=message.pk) == "retry"
    assert outbox.outbox_send(message_id=message.pk) == "skipped"  # its next attempt is later
    assert OutboxMessage.objects.get().attempts == 1


def test_a_message_is_claimed_before_sending_so_a_second_sender_skips_it(monkeypatch, mailoutbox):
    """Beat's dispatch and the task (or two workers) reaching one message at once: the one that
    comes while the other is talking to the mail server finds it claimed."""
    message = enqueue()
    make_due(message)
    real_send = EmailMultiAlternatives.send
    second = []

    def send(self, *args, **kwargs):
        second.append(outbox.outbox_send(message_id=message.pk))
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send)
    assert outbox.outbox_send(message_id=message.pk) == "sent"
    assert second == ["skipped"]
    assert outbox.outbox_send(message_id=message.pk) == "skipped"
    assert len(mailoutbox) == 1
    assert OutboxMessage.objects.get().attempts == 1


def test_a_message_left_sending_by_a_dead_worker_is_sent_after_the_timeout(mailoutbox, settings):
    settings.OUTBOX_SENDING_TIMEOUT = 600
    settings.OUTBOX_DISPATCH_GRACE_SECONDS = 0
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=Status.SENDING, claimed_at=timezone.now() - dt.timedelta(minutes=5), attempts=1
    )
    assert outbox.outbox_dispatch() == 0  # it may still be on its way
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_at=timezone.now() - dt.timedelta(minutes=11)
    )
    assert outbox.outbox_dispatch() == 1
    message.refresh_from_db()
    assert (message.status, message.attempts) == (Status.SENT, 2)
    assert len(mailoutbox) == 1


def test_a_message_the_broker_never_received_is_sent_by_the_dispatch(
    monkeypatch, django_capture_on_commit_callbacks, mailoutbox, settings
):
    from programmes.tasks import outbox_message_send_task

    def broker_down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(outbox_message_send_task, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = enqueue()
    assert OutboxMessage.objects.get().status == Status.QUEUED
    assert mailoutbox == []
    settings.OUTBOX_DISPATCH_GRACE_SECONDS = 30
    assert outbox.outbox_dispatch() == 0  # the task may still be on its way
    settings.OUTBOX_DISPATCH_GRACE_SECONDS = 0
    assert outbox.outbox_dispatch() == 1
    assert outbox.outbox_dispatch() == 0
    message.refresh_from_db()
    assert message.status == Status.SENT
    assert len(mailoutbox) == 1


def test_a_key_sends_a_message_once():
    assert enqueue(key="reminder:call:1:7d:1") is not None
    assert enqueue(key="reminder:call:1:7d:1") is None
    assert OutboxMessage.objects.count() == 1


# --- resending ----------------------------------------------------------------------------------


def test_resending_queues_an_audited_copy_and_keeps_the_original(
    people, open_call, django_capture_on_commit_callbacks, mailoutbox
):
    application = factories.CityApplicationFactory(call=open_call)
    with django_capture_on_commit_callbacks(execute=True):
        original = enqueue(programme=open_call.programme, about=application)
    with django_capture_on_commit_callbacks(execute=True):
        copy = outbox.outbox_resend(actor=people.organiser, message=original)
    assert copy.pk != original.pk
    assert copy.resent_from == original
    assert (copy.object_type, copy.object_id) == ("cityapplication", str(application.pk))
    copy.refresh_from_db()
    assert copy.status == Status.SENT
    assert len(mailoutbox) == 2
    entry = AuditEntry.objects.get(action="outbox.resent")
    assert entry.actor == people.organiser
    assert entry.target_id == original.pk


def test_selection_close_writes_one_decision_per_city_and_their_sending_cannot_undo_it(
    open_call, people, complete_application, smtp_refuses, django_capture_on_commit_callbacks
):
    for status in (CityApplication.Status.SELECTED, CityApplication.Status.REJECTED):
        complete_application(open_call, status=status)
    smtp_refuses("*")
    with django_capture_on_commit_callbacks(execute=True):
        count = services.selection_close(actor=people.organiser, call=open_call, base_url="")
    assert count == 2
    open_call.refresh_from_db()
    assert open_call.is_selection_closed
    decisions = OutboxMessage.objects.filter(kind=OutboxMessage.Kind.DECISION)
    assert decisions.count() == 2
    assert set(decisions.values_list("status", flat=True)) == {Status.QUEUED}
    assert all(message.attempts == 1 for message in decisions)


def test_a_key_written_meanwhile_by_another_run_is_not_an_error(monkeypatch):
    """Two runs of a periodic task at once: the second finds the key taken at the insert."""
    enqueue(key="digest:1:a@example.org:2015-01-21")
    monkeypatch.setattr(
        OutboxMessage.objects, "filter", lambda **kwargs: OutboxMessage.objects.none()
    )
    with transaction.atomic():
        assert enqueue(key="digest:1:a@example.org:2015-01-21") is None
        assert enqueue(recipient="b@example.org") is not None  # the transaction goes on
    assert OutboxMessage.objects.count() == 2
