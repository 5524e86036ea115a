"""Celery tasks of the reports: thin wrappers that take ids and call the services.

The build task acknowledges its message only when it is finished (``acks_late``) and gives it
back to the queue when its worker process dies (``reject_on_worker_lost``), so a killed worker
loses nothing; the service makes a second delivery harmless. Status lives in the database.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import parts, services

BUSY_RETRIES = 3
BUSY_RETRY_SECONDS = 5


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def report_run_build_task(self, report_run_id: int) -> str:
    """Build the report run ``report_run_id`` (see ``services.report_run_build``); retry with
    a growing delay when the service asks for it or when the database fails even to record
    the failure."""
    try:
        outcome = services.report_run_build(report_run_id=report_run_id)
    except (OperationalError, InterfaceError) as exc:
        delay = services.RETRY_BASE_SECONDS * 2 ** min(self.request.retries, 5)
        raise self.retry(exc=exc, countdown=delay, max_retries=services.MAX_ATTEMPTS) from exc
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    if outcome.state == "busy" and self.request.retries < BUSY_RETRIES:
        # Another session holds the run's lock: a worker building it, or one that has just
        # been killed and whose database session is not closed yet. Look again shortly: the
        # run will then be done (nothing to do) or free (built here).
        raise self.retry(countdown=BUSY_RETRY_SECONDS, max_retries=None)
    return outcome.state


@shared_task(ignore_result=True)
def report_runs_requeue_task() -> int:
    """Send again to the workers the runs the broker never got or lost (every minute)."""
    return services.report_runs_requeue()


@shared_task(ignore_result=True)
def report_files_expire_task() -> int:
    """Delete the files of expired report runs (every hour)."""
    return services.report_files_expire()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def sealed_sheet_build_task(sealed_sheet_id: int) -> bool:
    """Render a sealed attendance sheet's PDF (see ``services.sealed_sheet_build``)."""
    return services.sealed_sheet_build(seal_id=sealed_sheet_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def certificate_email_task(programme_id: int, participant_id: int, signatory: str) -> bool:
    """Build one trainee's certificate and put the e-mail carrying it in the outbox."""
    return services.certificate_email(
        programme_id=programme_id, participant_id=participant_id, signatory=signatory
    )


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def report_part_build_task(self, part_id: int) -> str:
    """Build one part of a run built in parts, and merge the run after its last part (see
    ``parts.report_part_build``). A transient error is tried again with a growing delay; any
    other error, or too many tries, fails the run with a readable message."""
    try:
        state = parts.report_part_build(part_id=part_id)
    except services.TRANSIENT_ERRORS as exc:
        if self.request.retries < services.MAX_ATTEMPTS:
            delay = services.RETRY_BASE_SECONDS * 2**self.request.retries
            raise self.retry(exc=exc, countdown=delay, max_retries=None) from exc
        parts.report_part_failed(part_id=part_id, transient=True)
        return "failed"
    except Exception:
        services.logger.exception("Report part %s failed", part_id)
        parts.report_part_failed(part_id=part_id, transient=False)
        return "failed"
    if state == "busy" and self.request.retries < BUSY_RETRIES:
        raise self.retry(countdown=BUSY_RETRY_SECONDS, max_retries=None)
    return state
