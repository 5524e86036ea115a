"""Self check-in: the rotating code a facilitator shows as a QR code, and the personal link of
a participant without an account.

The code is the half-day's id signed with the time it was made (``TimestampSigner``, salted for
this use only): it is refused after ``CODE_MAX_AGE`` seconds, for another half-day, and outside
the half-day's window (from ``OPENS_BEFORE`` before its start to its end). The facilitator's page
asks for a new code every ``CODE_MAX_AGE`` seconds, so the code on the wall is never older. Once
a scanned code is accepted the phone gets a pass for that half-day and person, valid
``PASS_MAX_AGE`` seconds, so that signing slowly does not fail.

The personal link carries the participant's id, signed (no expiry: the person keeps it for the
whole programme; it only lets them sign their own line, during a half-day, with a fresh code).
"""

import datetime

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.errors import Conflict, DomainError, InvalidInput

CODE_MAX_AGE = 60
PASS_MAX_AGE = 15 * 60
OPENS_BEFORE = datetime.timedelta(minutes=30)
CODE_SALT = "sessions.checkin.code"
PASS_SALT = "sessions.checkin.pass"  # noqa: S105 - a salt, not a secret
PERSON_SALT = "sessions.checkin.person"


class CodeExpired(DomainError):
    status = 410


def slot_window(slot) -> tuple[datetime.datetime, datetime.datetime]:
    """When a half-day's self check-in is open: from ``OPENS_BEFORE`` before it starts to its
    end, in the site's time zone."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(slot.day.date, slot.starts_at, tzinfo=zone)
    end = datetime.datetime.combine(slot.day.date, slot.ends_at, tzinfo=zone)
    return start - OPENS_BEFORE, end


def is_open(slot, *, now: datetime.datetime | None = None) -> bool:
    opens, closes = slot_window(slot)
    return not slot.is_closed and opens <= (now or timezone.now()) <= closes


def _require_open(slot) -> None:
    if slot.is_closed:
        raise Conflict(_("This sheet is closed. Ask the facilitator."), code="closed")
    if not is_open(slot):
        raise Conflict(
            _("You can sign only during this half-day. Ask the facilitator."),
            code="outside_window",
        )


def code_make(slot) -> str:
    """A new code for the half-day's QR code."""
    return signing.TimestampSigner(salt=CODE_SALT).sign(str(slot.pk))


def code_check(slot, code: str) -> None:
    """Refuse a code that is not this half-day's (``InvalidInput``), older than
    ``CODE_MAX_AGE`` (``CodeExpired``, 410), or used outside the half-day (``Conflict``)."""
    signer = signing.TimestampSigner(salt=CODE_SALT)
    try:
        value = signer.unsign(code, max_age=CODE_MAX_AGE)
    except signing.SignatureExpired:
        raise CodeExpired(
            _("This code is too old. Scan the code on the screen again."), code="code_expired"
        ) from None
    except signing.BadSignature:
        raise InvalidInput(_("This code is not valid. Scan it again."), code="bad_code") from None
    if value != str(slot.pk):
        raise InvalidInput(
            _("This code is for another half-day. Scan the code shown in your room."),
            code="other_slot",
        )
    _require_open(slot)


def pass_make(slot, participant_id: int) -> str:
    return signing.dumps([slot.pk, participant_id], salt=PASS_SALT, compress=True)


def pass_check(slot, participant_id: int, token: str) -> None:
    try:
        value = signing.loads(token, salt=PASS_SALT, max_age=PASS_MAX_AGE)
    except signing.SignatureExpired:
        raise CodeExpired(
            _("You took too long. Scan the code on the screen again."), code="pass_expired"
        ) from None
    except signing.BadSignature:
        raise InvalidInput(_("Scan the code on the screen again."), code="bad_pass") from None
    if value != [slot.pk, participant_id]:
        raise InvalidInput(_("Scan the code on the screen again."), code="bad_pass")
    _require_open(slot)


def person_token(participant) -> str:
    """The token of a participant's personal link."""
    return signing.dumps(participant.pk, salt=PERSON_SALT, compress=True)


def person_id(token: str) -> int | None:
    try:
        value = signing.loads(token, salt=PERSON_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None
