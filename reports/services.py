"""Writes for the reports: ask for a run, hand it to the workers, build it, re-queue the runs the
broker lost, and remove expired files.

How a run stays safe when things fail:

- The view's request creates the row and, after commit, sends the row's id to the broker. If
  Redis cannot be reached the row stays ``queued`` with no ``queued_at`` and the periodic
  :func:`report_runs_requeue` sends it once Redis is back: nobody has to ask again.
- A build holds a PostgreSQL advisory lock on the run for as long as it works on it. The lock
  belongs to the worker's database session, so it disappears with a worker that is killed; the
  message that worker held comes back to the queue (late acknowledgement), and the next worker
  finds the run ``running`` but unlocked, and builds it again. Two messages for the same run (a
  re-queue while a build goes on) cannot build it twice: the second one finds it locked, or done.
  Without PostgreSQL (SQLite in development) a ``running`` run counts as abandoned once it has
  shown no sign of life for ``REPORT_HEARTBEAT_TIMEOUT``.
- While it builds, a run shows a sign of life (``heartbeat_at``) with each step and every third
  of ``REPORT_HEARTBEAT_TIMEOUT`` from a thread beside the build. A killed main worker process
  gives its message back to nobody: the periodic re-queue, or the next person asking for the
  same report, sends a run that has gone quiet to the workers again.
- The file of a run always has the same name, so a build that is repeated replaces the file a
  dead worker may have written instead of adding a second one.
- A transient error (database, storage) puts the run back in the queue with a delay that doubles;
  after three attempts, or at once for any other error, the run fails with a message a person
  can read.
"""

import hashlib
import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from programmes.errors import Conflict, InvalidInput, TooManyRequests
from programmes.models import Funding, Organisation, OutboxMessage, Programme
from programmes.services import audit
from sessions.models import AttendanceSignature
from sessions.signatures import chain_check

from . import parts, selectors
from .documents import document_html
from .locks import advisory_lock, locks_available
from .models import (
    SEAL_CODE_ALPHABET,
    SEAL_CODE_LENGTH,
    ReportRun,
    SealedSheet,
    report_file_path,
)
from .rendering import pdf_from_html
from .research import research_zip

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_BASE_SECONDS = 10
# Errors worth another try: the database or the file storage was briefly unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)
# First key of the two-part advisory locks, so that ours cannot meet another use of them.
LOCK_NAMESPACE = 5_105


@dataclass(frozen=True)
class ReportRequest:
    run: ReportRun
    created: bool  # False: the same report was already waiting or being built
    resent: bool = False  # the existing run's build had stopped: it was sent to the workers again

    @property
    def handed_to_workers(self) -> bool:
        return self.run.queued_at is not None


def _audit(*, user, action: str, run: ReportRun) -> None:
    audit(
        actor=user,
        programme=run.programme,
        action=action,
        obj=run,
        data={"kind": run.kind, "language": run.language},
    )


@transaction.atomic
def report_run_request(
    *, programme: Programme, kind: str, language: str, user, funder: Organisation | None = None
) -> ReportRequest:
    """Ask for a report: create a queued run and send it to the workers after commit.

    While the same report (programme, kind, language) is queued or running, no second run is
    created: the existing one is returned with ``created=False``, and sent to the workers again
    (``resent=True``) when its build has stopped showing signs of life. A user who already has
    ``REPORT_MAX_ACTIVE_RUNS_PER_USER`` runs waiting or being built is refused
    (``too_many_active_runs``), so that nobody can fill the workers and the disk. Writes an audit
    entry. The caller checks the permission; an unknown kind or language raises
    ``InvalidInput``; too many runs, ``TooManyRequests``. ``funder`` makes a funder report
    for that funder of the programme (its own agreement in detail, the others' as totals); the
    caller decides who may ask for which (a funder: only its own).
    """
    if kind not in ReportRun.Kind.values:
        raise InvalidInput(_("This kind of report does not exist."), code="unknown_kind")
    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(_("Reports are made in French or English."), code="unknown_language")
    if kind != ReportRun.Kind.FUNDER:
        funder = None
    elif (
        funder is not None
        and not Funding.objects.filter(programme=programme, funder=funder).exists()
    ):
        raise InvalidInput(_("This organisation does not fund the programme."), code="not_a_funder")
    active = ReportRun.objects.active().filter(
        programme=programme, kind=kind, language=language, funder=funder
    )
    existing = active.first()
    if existing is not None:
        if existing.is_abandoned(now=timezone.now()):
            transaction.on_commit(lambda: report_run_enqueue(run=existing))
            return ReportRequest(run=existing, created=False, resent=True)
        return ReportRequest(run=existing, created=False)
    limit = settings.REPORT_MAX_ACTIVE_RUNS_PER_USER
    # One person's requests one after the other, so that two at once cannot both fit the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    if ReportRun.objects.active().filter(requested_by=user).count() >= limit:
        raise TooManyRequests(
            ngettext(
                "You already have %(count)d report being prepared: wait until it is ready "
                "before asking for another one.",
                "You already have %(count)d reports being prepared: wait until one of them is "
                "ready before asking for another one.",
                limit,
            )
            % {"count": limit},
            code="too_many_active_runs",
        )
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                programme=programme, kind=kind, language=language, requested_by=user, funder=funder
            )
    except IntegrityError:
        # Someone asked for the same report at the same moment: theirs is the one.
        return ReportRequest(run=active.get(), created=False)
    _audit(user=user, action="report.requested", run=run)
    transaction.on_commit(lambda: report_run_enqueue(run=run))
    return ReportRequest(run=run, created=True)


def report_run_enqueue(*, run: ReportRun) -> bool:
    """Send the run's id to the workers; record when (``queued_at``) or, when the broker cannot
    be reached, clear it so that the periodic re-queue sends it later. Never raises for a broker
    failure. Without a broker (development) the task runs here and now."""
    # Imported here: the task module imports this one.
    from .tasks import report_run_build_task

    run.queued_at = timezone.now()
    ReportRun.objects.filter(pk=run.pk).update(queued_at=run.queued_at)
    try:
        report_run_build_task.apply_async(args=[run.pk])
    except (BrokerError, RedisError, OSError) as exc:
        logger.warning("Report run %s not queued, the broker is unreachable: %s", run.pk, exc)
        run.queued_at = None
        ReportRun.objects.filter(pk=run.pk).update(queued_at=None)
        return False
    return True


def report_runs_requeue() -> int:
    """Send again the runs no worker will build otherwise (see ``report_runs_stuck``); run by
    Celery beat every minute. Stops at the first broker failure. Returns how many were sent."""
    sent = 0
    for run in selectors.report_runs_stuck(now=timezone.now()):
        if not report_run_enqueue(run=run):
            break
        sent += 1
    if sent:
        logger.info("Re-queued %d report run(s)", sent)
    return sent


def report_files_expire() -> int:
    """Delete the files of the runs whose lifetime is over and mark the runs expired (the row
    stays, as a record of what was produced); run by Celery beat every hour."""
    expired = 0
    for run in selectors.report_runs_expired(now=timezone.now()):
        if run.file:
            run.file.delete(save=False)
        storage = run.file.storage
        for name in parts.run_people_files(run):
            storage.delete(name)
        run.status = ReportRun.Status.EXPIRED
        run.save(update_fields=["status", "file"])
        expired += 1
    return expired


def report_run_record_download(*, run: ReportRun, user) -> None:
    """Record who downloaded a report: the documents name people."""
    _audit(user=user, action="report.downloaded", run=run)


def report_run_record_person_download(*, run: ReportRun, participant, user) -> None:
    """Record who downloaded one person's own file of a run (their certificate)."""
    audit(
        actor=user,
        programme=run.programme,
        action="report.person_downloaded",
        obj=participant,
        data={"kind": run.kind, "language": run.language, "run": run.pk},
    )


def export_record_download(*, programme: Programme, dataset: str, user) -> None:
    """Record who downloaded which export of a programme (``export.participants``,
    ``export.attendance``): a bulk export holds the contact details of many people."""
    audit(actor=user, programme=programme, action=f"export.{dataset}", obj=programme)


# --- Building -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BuildOutcome:
    # done, failed, retry (after retry_in seconds), busy (locked elsewhere), skipped, dispatched
    # (cut into parts sent to the workers: see ``reports.parts``)
    state: str
    retry_in: int | None = None


def _build_lock(report_run_id: int):
    """Hold the run's advisory lock (session level) while building; True if it was free."""
    return advisory_lock(LOCK_NAMESPACE, report_run_id)


def _fail(run: ReportRun, message: str) -> BuildOutcome:
    run.status = ReportRun.Status.FAILED
    run.error = message
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    return BuildOutcome("failed")


def _claim(report_run_id: int) -> ReportRun | None:
    """Mark the run running and count the attempt; None when there is nothing to build."""
    now = timezone.now()
    with transaction.atomic():
        run = (
            ReportRun.objects.select_for_update(of=("self",))
            .select_related("programme__organiser", "requested_by", "funder")
            .filter(pk=report_run_id)
            .first()
        )
        if run is None or not run.is_active:
            return None
        if (
            run.status == ReportRun.Status.RUNNING
            and not locks_available()
            and not run.is_abandoned(now=now)
        ):
            return None  # probably still being built by another worker
        if run.attempts >= MAX_ATTEMPTS:
            with translation.override(run.language):
                _fail(
                    run,
                    _(
                        "The report could not be built: its build was interrupted %(attempts)d "
                        "times. Ask for it again; if it fails again, tell the organisers."
                    )
                    % {"attempts": run.attempts},
                )
            return None
        run.status = ReportRun.Status.RUNNING
        run.attempts += 1
        run.progress = 5
        run.started_at = now
        run.heartbeat_at = now
        run.error = ""
        run.save(
            update_fields=["status", "attempts", "progress", "started_at", "heartbeat_at", "error"]
        )
    return run


def _progress(run: ReportRun, percent: int) -> None:
    run.progress = percent
    run.heartbeat_at = timezone.now()
    ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).update(
        progress=percent, heartbeat_at=run.heartbeat_at
    )


@contextmanager
def _heartbeat(run: ReportRun) -> Iterator[None]:
    """Show a sign of life every third of ``REPORT_HEARTBEAT_TIMEOUT`` while the build runs,
    even through a long step (WeasyPrint's layout of a big document); stops with the build,
    and dies with the worker process, which is what lets another worker take the run over."""
    interval = settings.REPORT_HEARTBEAT_TIMEOUT.total_seconds() / 3
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(interval):
                ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        except (OperationalError, InterfaceError) as exc:
            logger.warning("Report run %s: no heartbeat any more: %r", run.pk, exc)
        finally:
            connection.close()  # this thread's own database connection

    thread = threading.Thread(target=beat, name=f"report-run-{run.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)


def report_file_name(run: ReportRun) -> str:
    """The name a downloaded file gets: kind, (funder,) programme and date, in the run's
    language."""
    with translation.override(run.language):
        label = slugify(str(ReportRun.Kind(run.kind).label))
    if run.funder_id:
        label = f"{label}-{slugify(run.funder.name)[:40]}"
    extension = run.file_type[0]
    return f"{label}-{run.programme.slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


def _store(run: ReportRun, content: bytes, pages: int | None, source: dict) -> None:
    """Write the file under the run's fixed name, replacing what an interrupted attempt left."""
    name = report_file_name(run)
    storage = run.file.storage
    target = report_file_path(run, name)
    if storage.exists(target):
        storage.delete(target)
    run.file.save(name, ContentFile(content), save=False)
    now = timezone.now()
    run.status = ReportRun.Status.DONE
    run.progress = 100
    run.file_size = len(content)
    run.sha256 = hashlib.sha256(content).hexdigest()
    run.page_count = pages
    run.source = source
    run.error = ""
    run.finished_at = now
    run.expires_at = now + settings.REPORT_FILE_LIFETIME
    run.save(
        update_fields=[
            "status",
            "progress",
            "file",
            "file_size",
            "sha256",
            "page_count",
            "source",
            "error",
            "finished_at",
            "expires_at",
        ]
    )


def _transient_reason(exc: Exception) -> str:
    if isinstance(exc, OperationalError | InterfaceError):
        return _("the database could not be reached")
    return _("the file storage could not be written")


def _retry_or_fail(run: ReportRun, exc: Exception) -> BuildOutcome:
    if not connection.in_atomic_block:
        # A database error may have left the connection broken: the next query reconnects.
        connection.close_if_unusable_or_obsolete()
    reason = _transient_reason(exc)
    if run.attempts >= MAX_ATTEMPTS:
        return _fail(
            run,
            _(
                "The report could not be built after %(attempts)d attempts: %(reason)s. "
                "Ask for it again later; if it fails again, tell the organisers."
            )
            % {"attempts": run.attempts, "reason": reason},
        )
    delay = RETRY_BASE_SECONDS * 2 ** (run.attempts - 1)
    run.status = ReportRun.Status.QUEUED
    run.queued_at = timezone.now()
    run.error = _(
        "A temporary problem interrupted the build (%(reason)s); it will be tried again in "
        "%(seconds)d seconds."
    ) % {"reason": reason, "seconds": delay}
    run.save(update_fields=["status", "queued_at", "error"])
    return BuildOutcome("retry", retry_in=delay)


def report_run_build(*, report_run_id: int) -> BuildOutcome:
    """Build a run's PDF (the research export: its ZIP) in the language it was asked in, store
    it and mark the run done.

    Idempotent: a run that is done, failed, expired, gone, or being built by another worker is
    left alone. Updates the progress as it goes; on a transient error puts the run back in the
    queue and returns ``retry`` with the delay; on any other error marks it failed with a
    readable message (the details go to the log).
    """
    with _build_lock(report_run_id) as locked:
        if not locked:
            return BuildOutcome("busy")
        run = _claim(report_run_id)
        if run is None:
            return BuildOutcome("skipped")
        with translation.override(run.language), _heartbeat(run):
            try:
                if run.kind == ReportRun.Kind.RESEARCH:
                    content, source = research_zip(programme=run.programme)
                    _store(run, content, None, source)
                    return BuildOutcome("done")
                if run.kind in parts.PART_KINDS:
                    parts.report_parts_dispatch(run=run)
                    return BuildOutcome("dispatched")
                requester = run.requested_by
                document = document_html(
                    kind=run.kind,
                    programme=run.programme,
                    funder=run.funder,
                    signatory=(requester.get_full_name() or requester.get_username())
                    if requester
                    else "",
                )
                _progress(run, 30)
                pdf = pdf_from_html(document.html, on_layout=lambda pages: _progress(run, 70))
                _store(run, pdf.content, pdf.pages, document.source)
            except SoftTimeLimitExceeded:
                return _fail(
                    run,
                    _(
                        "The report took longer than %(minutes)d minutes to build and was "
                        "stopped. Tell the organisers."
                    )
                    % {"minutes": max(settings.CELERY_TASK_SOFT_TIME_LIMIT // 60, 1)},
                )
            except TRANSIENT_ERRORS as exc:
                logger.warning("Report run %s: transient error: %r", run.pk, exc)
                return _retry_or_fail(run, exc)
            except Exception:
                logger.exception("Report run %s failed", run.pk)
                return _fail(
                    run,
                    _(
                        "An unexpected error stopped the build. It has been logged for the "
                        "team; ask for the report again later."
                    ),
                )
    return BuildOutcome("done")


# --- Sealed attendance sheets --------------------------------------------------------------


def _new_seal_code() -> str:
    """A verification code nobody holds yet (29^10 codes: a clash is all but impossible, and
    checked)."""
    while True:
        code = "".join(secrets.choice(SEAL_CODE_ALPHABET) for _ in range(SEAL_CODE_LENGTH))
        if not SealedSheet.objects.filter(code=code).exists():
            return code


def sheet_seal(*, slot, user) -> SealedSheet:
    """Seal a sheet being closed (called inside ``sessions.services.slot_close``'s transaction
    through the ``sheet_closed`` signal): record the head of its signatures' chain and a new
    verification code, and build the PDF after the commit. Refuses (``Conflict``) a sheet whose
    signatures no longer match their chain."""
    rows = list(AttendanceSignature.objects.filter(slot=slot).order_by("sequence"))
    check = chain_check(rows)
    if not check.intact:
        raise Conflict(
            _(
                "The signatures stored for this sheet do not match their chain: it cannot be "
                "sealed. Tell the administrator."
            ),
            code="chain_broken",
        )
    seal = SealedSheet.objects.create(
        slot=slot,
        chain_head=check.head,
        signature_count=check.count,
        code=_new_seal_code(),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        sealed_at=slot.closed_at or timezone.now(),
        sealed_by=user,
    )
    transaction.on_commit(lambda: _seal_enqueue(seal.pk))
    return seal


def _seal_enqueue(seal_id: int) -> None:
    from .tasks import sealed_sheet_build_task

    try:
        sealed_sheet_build_task.delay(seal_id)
    except (BrokerError, RedisError, OSError):
        # The PDF is built when someone opens it (``sealed_sheet_file``); the seal is recorded.
        logger.warning("Sealed sheet %s: the broker is unreachable, PDF built on demand", seal_id)


def sheet_seals_supersede(*, slot) -> int:
    """A reopened sheet's current seal no longer holds: mark it superseded (it still verifies
    as what was sealed then)."""
    return SealedSheet.objects.filter(slot=slot, superseded_at__isnull=True).update(
        superseded_at=timezone.now()
    )


def sealed_sheet_build(*, seal_id: int) -> bool:
    """Render the sealed sheet's PDF once and keep its SHA-256; a second call does nothing.
    Returns whether a file was written."""
    from .documents import sealed_sheet_html

    seal = (
        SealedSheet.objects.select_related("slot__day__programme", "sealed_by")
        .filter(pk=seal_id, file_sha256="")
        .first()
    )
    if seal is None:
        return False
    with translation.override(seal.language):
        pdf = pdf_from_html(sealed_sheet_html(seal=seal))
    slot = seal.slot
    name = slugify(f"emargement-{slot.day.programme.slug}-{slot.day.date}-{slot.part}") + ".pdf"
    seal.file.save(name, ContentFile(pdf.content), save=False)
    stored = SealedSheet.objects.filter(pk=seal.pk, file_sha256="").update(
        file=seal.file.name, file_sha256=hashlib.sha256(pdf.content).hexdigest()
    )
    if not stored:  # another build stored its file first: keep theirs
        seal.file.storage.delete(seal.file.name)
    return bool(stored)


# --- The public results page --------------------------------------------------------------------


@transaction.atomic
def public_results_set(*, programme: Programme, public: bool, user) -> None:
    """Open or close the programme's public results page (the organiser's choice). Audited."""
    programme.results_public = public
    programme.save(update_fields=["results_public"])
    audit(
        actor=user,
        programme=programme,
        action="public_results.opened" if public else "public_results.closed",
        obj=programme,
    )


# --- Certificates of completion, one person at a time ------------------------------------


def certificate_pdf(*, programme: Programme, participant_id: int, signatory: str) -> bytes:
    """The certificat de réalisation of one trainee, in the active language: the same page as
    in the all-in-one document. ``Conflict`` when they attended no half-day (nothing to
    certify). Read-only."""
    from .documents import certificate_html

    html = certificate_html(programme=programme, participant_id=participant_id, signatory=signatory)
    if html is None:
        raise Conflict(
            _("This person attended no half-day: there is no certificate to produce."),
            code="nothing_attended",
        )
    return pdf_from_html(html).content


def certificate_file_name(programme: Programme, participant) -> str:
    return slugify(f"certificat-{programme.slug}-{participant.full_name}") + ".pdf"


def _person_email(participant) -> str:
    """Where a person's own documents go: their address on the programme, else their account's."""
    return participant.email or (participant.user.email if participant.user_id else "")


def certificate_send(*, programme: Programme, participant, user) -> None:
    """Queue the e-mail of a trainee's certificate to them (built by a task, sent through the
    outbox with the PDF attached), in their language. ``InvalidInput`` when the person has no
    e-mail address. Side effect: an audit entry now; the task writes the outbox message."""
    if not _person_email(participant):
        raise InvalidInput(
            _("This person has no e-mail address: download the certificate and hand it over."),
            code="no_email",
        )
    signatory = user.get_full_name() or user.get_username()
    audit(
        actor=user,
        programme=programme,
        action="report.certificate_sent",
        obj=participant,
    )
    args = [programme.pk, participant.pk, signatory]
    transaction.on_commit(lambda: _certificate_enqueue(args))


def _certificate_enqueue(args) -> None:
    from .tasks import certificate_email_task

    try:
        certificate_email_task.delay(*args)
    except (BrokerError, RedisError, OSError):
        logger.warning("Certificate e-mail not queued, the broker is unreachable: building now")
        certificate_email(programme_id=args[0], participant_id=args[1], signatory=args[2])


def certificate_email(*, programme_id: int, participant_id: int, signatory: str) -> bool:
    """Build a trainee's certificate in their language and write the e-mail that carries it
    in the outbox. Returns whether a message was written."""
    from participants.models import Participant
    from programmes.services.outbox import outbox_enqueue, recipient_language

    participant = (
        Participant.objects.select_related("programme", "user")
        .filter(pk=participant_id, programme_id=programme_id)
        .first()
    )
    if participant is None:
        return False
    programme = participant.programme
    email = _person_email(participant)
    language = recipient_language(participant.user) if participant.user_id else "fr"
    with translation.override(language):
        content = certificate_pdf(
            programme=programme, participant_id=participant.pk, signatory=signatory
        )
        subject = _("Your certificate of completion: %(programme)s") % {
            "programme": programme.title
        }
        body = _(
            "Hello %(name)s,\n\nYour certificate of completion for “%(programme)s” is attached.\n"
        ) % {"name": participant.full_name, "programme": programme.title}
        name = certificate_file_name(programme, participant)
    with transaction.atomic():
        message = outbox_enqueue(
            recipient=email,
            recipient_user=participant.user,
            subject=subject,
            body=body,
            kind=OutboxMessage.Kind.CERTIFICATE,
            programme=programme,
            language=language,
            about=participant,
            attachment=(name, content, "application/pdf"),
        )
    return message is not None
