"""Celery tasks of programmes: thin wrappers that take ids and call the services.

Status lives in the outbox rows: a task that is delivered twice, or that runs while the periodic
dispatch sends the same message, finds the message claimed or sent and does nothing.
"""

from celery import shared_task

from .services import notifications, outbox


@shared_task(ignore_result=True)
def outbox_message_send_task(message_id: int) -> str:
    """Send the outbox message ``message_id`` if it is due (see ``outbox.outbox_send``); a
    failure puts it back in the queue with its next attempt, which the dispatch sends."""
    return outbox.outbox_send(message_id=message_id)


@shared_task(ignore_result=True)
def outbox_dispatch_task() -> int:
    """Send the messages the broker never received and those due again (every minute)."""
    return outbox.outbox_dispatch()


@shared_task(ignore_result=True)
def call_closing_reminders_task() -> int:
    """Remind city contacts of their draft a week and a day before the call closes."""
    return notifications.call_closing_reminders_send()


@shared_task(ignore_result=True)
def notification_digests_task() -> int:
    """Send each person's daily digest of the notifications they chose to receive so."""
    return notifications.notification_digests_send()
