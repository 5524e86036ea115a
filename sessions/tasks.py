"""Celery tasks of the training days: the periodic reminders (thin wrappers of the services)."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def training_day_reminders_task() -> int:
    """The day before a training day, tell its facilitators which sheets they will open."""
    return services.training_day_reminders_send()


@shared_task(ignore_result=True)
def open_sheet_reminders_task() -> int:
    """Tell the organisers about the sheets of past half-days that are still open."""
    return services.open_sheet_reminders_send()
