"""The e-mail outbox: every e-mail the application sends is first a row, written in the same
transaction as the event that causes it, then sent once that transaction commits.

- ``outbox_enqueue`` writes the row and, after the commit, hands its id to a Celery task
  (without a broker the task runs at once, in the request, as e-mails always did in the demo).
- ``outbox_send`` claims the row with a conditional UPDATE (queued -> sending, with the claim
  time) before talking to the mail server, so that two workers, or the task and the periodic
  dispatch, never send one message twice. A failure puts it back in the queue with a growing
  delay (1, 2, 4, 8... minutes, capped), until ``OUTBOX_MAX_ATTEMPTS`` marks it failed.
- ``outbox_dispatch`` (beat, every minute) sends what the broker never received and what is due
  again. Each message is sent on its own: one that fails never stops the others.

Exactly once, except in one window: a worker killed after the mail server accepted a message
but before the row says "sent" leaves it "sending"; after ``OUTBOX_SENDING_TIMEOUT`` the
dispatch claims it again and sends it a second time. That crash window is the only place where
delivery is at-least-once.
"""

import logging
import posixpath
import re
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError
from redis.exceptions import RedisError

from ..errors import InvalidInput
from ..models import OutboxMessage, Programme, UserProfile
from .common import audit

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status

SUBJECT_MAX_LENGTH = 200
_SPACES = re.compile(r"\s+")


def header_line(value: str, *, max_length: int = SUBJECT_MAX_LENGTH) -> str:
    """A header value on one line: every control or separator character (CR, LF, tab, NUL,
    U+2028...) that a person's or a city's name may carry becomes a space."""
    cleaned = "".join(
        " " if unicodedata.category(char)[0] in ("C", "Z") else char for char in str(value)
    )
    cleaned = _SPACES.sub(" ", cleaned).strip()
    if len(cleaned) > max_length:
        cleaned = cleaned[: max_length - 1].rstrip() + "…"
    return cleaned


def recipient_language(user) -> str:
    """The language of the e-mails a person receives: the one their account page sets, else the
    site's language (someone with no account yet, or who never chose). The one place that decides
    it."""
    if user is None:
        return settings.LANGUAGE_CODE
    profile = UserProfile.objects.filter(user=user).only("language").first()
    return profile.language if profile else settings.LANGUAGE_CODE


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: 1, 2, 4, 8... times the base
    (a minute), never more than the cap (an hour)."""
    base = settings.OUTBOX_RETRY_BASE_SECONDS
    seconds = min(base * 2 ** max(attempts - 1, 0), settings.OUTBOX_RETRY_MAX_SECONDS)
    return timedelta(seconds=seconds)


def outbox_enqueue(
    *,
    recipient: str,
    subject: str,
    body: str,
    kind: str,
    programme: Programme | None = None,
    recipient_user=None,
    language: str | None = None,
    about=None,
    html_body: str = "",
    key: str | None = None,
    hold: bool = False,
    attachment: tuple[str, bytes, str] | None = None,
) -> OutboxMessage | None:
    """Write one e-mail in the outbox, in the caller's transaction, and queue its sending for
    after the commit (a rollback leaves neither row nor e-mail). ``hold`` keeps it for the
    recipient's daily digest. Returns None for an address that is not one (nothing to send) or
    when ``key`` was already used (a periodic task running twice). ``attachment`` is
    ``(file name, content, MIME type)``: the file is stored with the message and sent with it."""
    recipient = header_line(recipient, max_length=254)
    try:
        validate_email(recipient)
    except ValidationError:
        logger.warning("Not an e-mail address, nothing queued: %r", recipient)
        return None
    if key is not None and OutboxMessage.objects.filter(key=key).exists():
        return None
    fields = {
        "programme": programme,
        "recipient": recipient,
        "recipient_user": recipient_user,
        "language": language or recipient_language(recipient_user),
        "subject": header_line(subject),
        "body": body,
        "html_body": html_body,
        "object_type": about._meta.model_name if about is not None else "",
        "object_id": str(about.pk) if about is not None else "",
        "kind": kind,
        "status": Status.HELD if hold else Status.QUEUED,
        "next_attempt_at": None if hold else timezone.now(),
        "key": key,
    }
    try:
        # A savepoint: two runs of a periodic task at once both pass the check above; the
        # unique key lets one write the message and the other leave without breaking its
        # transaction.
        with transaction.atomic():
            message = OutboxMessage(**fields)
            if attachment is not None:
                name, content, content_type = attachment
                message.attachment_type = content_type
                message.attachment.save(name, ContentFile(content), save=False)
            message.save()
    except IntegrityError:
        if key is None:
            raise
        return None
    if not hold:
        message_id = message.pk
        transaction.on_commit(lambda: outbox_message_queue(message_id=message_id))
    return message


def outbox_message_queue(*, message_id: int) -> bool:
    """Hand a message's id to the workers. Never raises for a broker that cannot be reached:
    the message stays queued in the database and the periodic dispatch sends it."""
    # Imported here: the task module imports this one.
    from ..tasks import outbox_message_send_task

    try:
        outbox_message_send_task.apply_async(args=[message_id])
    except (BrokerError, RedisError, OSError) as exc:
        logger.warning("E-mail %s not queued, the broker is unreachable: %s", message_id, exc)
        return False
    return True


def _claim(message_id: int) -> bool:
    """Take the message for this process: one conditional UPDATE, which only one of several
    concurrent callers can win. A message left "sending" by a worker that died is taken again
    after ``OUTBOX_SENDING_TIMEOUT``."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)
    claimable = Q(status=Status.QUEUED, next_attempt_at__lte=now) | Q(
        status=Status.SENDING, claimed_at__lt=stale
    )
    return bool(
        OutboxMessage.objects.filter(claimable, pk=message_id).update(
            status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    )


def _email(message: OutboxMessage) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=header_line(message.subject),
        body=message.body,
        to=[header_line(message.recipient, max_length=254)],
        headers={"Content-Language": header_line(message.language, max_length=10)},
    )
    if message.html_body:
        email.attach_alternative(message.html_body, "text/html")
    if message.attachment:
        with message.attachment.open("rb") as handle:
            email.attach(
                posixpath.basename(message.attachment.name),
                handle.read(),
                message.attachment_type or "application/octet-stream",
            )
    return email


def outbox_send(*, message_id: int) -> str:
    """Send one message if it is due and nobody else is sending it; record the outcome.

    Returns "sent", "retry" (back in the queue for later), "failed" (no attempt left) or
    "skipped" (already sent, not due, or claimed by another process). Never raises for a mail
    server's failure."""
    if not _claim(message_id):
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _email(message).send()
    except Exception as exc:  # any failure of the mail server or of the message itself
        logger.warning("E-mail %s to %s not sent: %s", message.pk, message.recipient, exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
                status=Status.FAILED, last_error=error, next_attempt_at=None
            )
            return "failed"
        OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=Status.QUEUED,
            last_error=error,
            next_attempt_at=timezone.now() + retry_delay(message.attempts),
        )
        return "retry"
    OutboxMessage.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None
    )
    return "sent"


def outbox_dispatch(*, limit: int = 500) -> int:
    """Send the messages that are due: those the broker never delivered (queued a while ago),
    those whose next attempt has come, and those a dead worker left "sending". Each one on its
    own, so one failure never stops the others. Returns how many were sent."""
    now = timezone.now()
    grace = now - timedelta(seconds=settings.OUTBOX_DISPATCH_GRACE_SECONDS)
    stale = now - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT)
    due = (
        OutboxMessage.objects.filter(
            Q(status=Status.QUEUED, next_attempt_at__lte=grace)
            | Q(status=Status.SENDING, claimed_at__lt=stale)
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for message_id in list(due):
        try:
            sent += outbox_send(message_id=message_id) == "sent"
        except Exception:
            logger.exception("E-mail %s: the dispatch could not handle it", message_id)
    return sent


@transaction.atomic
def _attachment_of(message: OutboxMessage) -> tuple[str, bytes, str] | None:
    if not message.attachment:
        return None
    with message.attachment.open("rb") as handle:
        content = handle.read()
    return posixpath.basename(message.attachment.name), content, message.attachment_type


def outbox_resend(*, actor, message: OutboxMessage) -> OutboxMessage:
    """An organiser sends a message again: a new queued copy (the original keeps its history),
    audited."""
    copy = outbox_enqueue(
        recipient=message.recipient,
        recipient_user=message.recipient_user,
        subject=message.subject,
        body=message.body,
        html_body=message.html_body,
        kind=message.kind,
        programme=message.programme,
        language=message.language,
        attachment=_attachment_of(message),
    )
    if copy is None:
        raise InvalidInput(_("This address is not an e-mail address."), code="invalid_recipient")
    copy.object_type, copy.object_id, copy.resent_from = (
        message.object_type,
        message.object_id,
        message,
    )
    copy.save(update_fields=["object_type", "object_id", "resent_from"])
    audit(
        actor=actor,
        programme=message.programme,
        action="outbox.resent",
        obj=message,
        related=copy,
    )
    return copy
