"""A city's application: the account and draft, the file and its triad, submission, withdrawal."""

import uuid
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails
from ..errors import Conflict, InvalidInput
from ..models import (
    ApplicationEvent,
    ApplicationMessage,
    Call,
    City,
    CityApplication,
    CityContribution,
    Membership,
    TriadNominee,
)
from ..selectors import (
    TRIAD_SLOTS,
    application_submission_problems,
    triad_slots,
)
from ..signals import application_deselected
from .common import (
    Role,
    Status,
    audit,
    lock_application,
    refuse_unless_allowed,
    status_change,
)
from .notifications import application_change_notify, city_told_of_message


def city_get_or_create(*, name: str, insee_code: str, departement: str):
    """The city with this INSEE code, created if it is not known yet."""
    city, _created = City.objects.get_or_create(
        insee_code=insee_code.strip().upper(),
        defaults={"name": name.strip(), "departement": departement.strip().upper()},
    )
    return city


def check_may_become_contact(*, user, call: Call) -> None:
    """Refuse a person who already holds an application of this call or has another role in
    its programme (an organiser or reviewer applying for a city would judge their own file).
    Refusals of the city's first step: the choice cannot be used (400), as the form says."""
    roles = set(
        Membership.objects.filter(programme=call.programme, user=user).values_list(
            "role", flat=True
        )
    )
    if Role.CITY_CONTACT in roles:
        raise InvalidInput(
            _("You already hold an application for this call."), code="already_contact"
        )
    if roles:
        raise InvalidInput(
            _(
                "You already take part in this programme (organiser, reviewer, facilitator or "
                "funder): a city applies through its own contact's account."
            ),
            code="member",
        )


@transaction.atomic
def application_start(*, user, call: Call, city) -> CityApplication:
    """Open a draft application for a city, with ``user`` as its contact (who then may see and
    edit it, and nothing else of the programme)."""
    today = timezone.localdate()
    if not call.is_open_on(today):
        raise InvalidInput(
            _("The call is not open: applications are accepted from %(opens)s to %(closes)s.")
            % {"opens": call.opens_on, "closes": call.closes_on},
            code="call_closed",
        )
    if CityApplication.objects.filter(call=call, city=city).exists():
        raise InvalidInput(
            _(
                "%(city)s has already started an application. Ask its contact person, or the "
                "organisers, to give you access."
            )
            % {"city": city.name},
            code="city_taken",
        )
    check_may_become_contact(user=user, call=call)
    application = CityApplication.objects.create(
        call=call,
        city=city,
        status=Status.DRAFT,
        contact_user=user,
        contact_name=user.get_full_name(),
        contact_email=user.email,
        priority_neighbourhoods=city.priority_neighbourhoods,
    )
    Membership.objects.create(
        programme=call.programme, user=user, role=Role.CITY_CONTACT, application=application
    )
    ApplicationEvent.objects.create(
        application=application, actor=user, from_status="", to_status=Status.DRAFT
    )
    audit(
        actor=user,
        programme=call.programme,
        action="application.started",
        obj=application,
        related=city,
    )
    return application


@transaction.atomic
def city_contact_sign_up(*, account: dict, password: str, call: Call, city) -> CityApplication:
    """Create the account of a city's contact person and open the city's draft application."""
    user = get_user_model().objects.create_user(password=password, **account)
    return application_start(user=user, call=call, city=city)


SIGN_UP_SALT = "programmes.sign_up"
SIGN_UP_MAX_AGE = 3 * 24 * 3600


def account_exists(*, email: str) -> bool:
    """Whether an account already uses this address, as its address or as its login name."""
    users = get_user_model().objects
    return users.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()


def sign_up_request(
    *,
    call: Call,
    account: dict,
    city_id: int | None,
    new_city: dict | None,
    confirm_url,
    login_url: str,
    invited: bool = False,
) -> str | None:
    """The first step of a sign-up without an account: nothing is created yet.

    Makes the signed token of what the person typed. If no account uses the address, e-mails
    the link to choose a password (``confirm_url(token)``), which creates the account and the
    draft; if one does, e-mails a reminder to log in instead. Either way the page says the
    same, so the sign-up does not tell who has an account. Returns the token, or None when the
    address is taken. ``invited``: the address is the one the organisers' invitation named, so
    the link opens the city's draft; otherwise it makes a request the organisers confirm.
    """
    token = signing.dumps(
        {
            "call": call.pk,
            "account": account,
            "city": city_id,
            "new_city": new_city,
            "invited": invited,
        },
        salt=SIGN_UP_SALT,
        compress=True,
    )
    if account_exists(email=account["email"]):
        emails.sign_up_email_queue(
            call=call, email=account["email"], kind="existing", url=login_url
        )
        return None
    emails.sign_up_email_queue(
        call=call, email=account["email"], kind="confirm", url=confirm_url(token)
    )
    return token


def sign_up_read(*, token: str, call: Call) -> dict | None:
    """What a sign-up link carries, if it is genuine, recent and for this call; else None."""
    try:
        data = signing.loads(token, salt=SIGN_UP_SALT, max_age=SIGN_UP_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("call") != call.pk:
        return None
    return data


def triad_duplicates(rows: Iterable[dict]) -> list[str]:
    """The people named twice in a triad (same e-mail, or same first and last name)."""
    problems, emails_seen, names_seen = [], set(), set()
    for row in rows:
        email = (row.get("email") or "").strip().lower()
        name = (row.get("first_name", "").strip().casefold(), row["last_name"].strip().casefold())
        label = f"{row['first_name']} {row['last_name']}".strip()
        if email and email in emails_seen:
            problems.append(
                _(
                    "%(email)s is given for two people: each member of the triad is a different "
                    "person."
                )
                % {"email": row["email"]}
            )
        elif name in names_seen:
            problems.append(
                _("%(name)s is named twice: each member of the triad is a different person.")
                % {"name": label}
            )
        if email:
            emails_seen.add(email)
        names_seen.add(name)
    return problems


def _letter_name(application: CityApplication) -> str:
    # The stored name is chosen here, never taken from the upload.
    return f"{application.call_id}-{application.pk}-{uuid.uuid4().hex}.pdf"


@transaction.atomic
def application_save(
    *,
    actor,
    application: CityApplication,
    fields: dict,
    triad: dict[str, dict | None],
    letter: UploadedFile | None = None,
    remove_letter: bool = False,
) -> CityApplication:
    """Save the city's file as it stands (a draft can be incomplete).

    ``triad`` maps each place of the form (``elected``, ``professional1``, ``professional2``,
    ``delegate``) to the person's details, or None to leave the place empty. A replaced or
    removed letter is deleted from storage once the change commits.
    """
    locked = lock_application(application)
    if not locked.is_editable:
        raise Conflict(
            _(
                "This application has been submitted and can no longer be changed, unless the "
                "organisers ask for more information."
            ),
            code="not_editable",
        )
    filled = [row for row in triad.values() if row]
    problems = triad_duplicates(filled)
    if problems:
        raise InvalidInput(problems, code="duplicate_people")

    for name, value in fields.items():
        setattr(locked, name, value)
    old_letter = locked.commitment_letter.name if locked.commitment_letter else ""
    if letter is not None:
        locked.commitment_letter.save(_letter_name(locked), letter, save=False)
    elif remove_letter:
        locked.commitment_letter = ""
    locked.save()
    if old_letter and old_letter != (locked.commitment_letter.name or ""):
        storage = locked.commitment_letter.storage
        transaction.on_commit(lambda: storage.delete(old_letter))

    today = timezone.localdate()
    current = triad_slots(locked.nominees.all())
    for slot, role, _index in TRIAD_SLOTS:
        row, nominee = triad.get(slot), current[slot]
        if row is None:
            if nominee is not None:
                nominee.delete()
            continue
        nominee = nominee or TriadNominee(application=locked, role=role)
        for name, value in row.items():
            setattr(nominee, name, value)
        if nominee.commitment_given and nominee.commitment_date is None:
            nominee.commitment_date = today
        if not nominee.commitment_given:
            nominee.commitment_date = None
        nominee.save()
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.saved",
        obj=locked,
        related=locked.city,
    )
    return locked


@transaction.atomic
def application_submit(*, actor, application: CityApplication, base_url: str) -> CityApplication:
    """Submit a complete application (or send it back after a request for information).

    Refused, with every missing item listed, unless the triad is complete, every commitment is
    given, the contribution reaches the requirement, the file is filled in and (for a first
    submission) the call is open. E-mails the city a confirmation.
    """
    locked = lock_application(application)
    refuse_unless_allowed(
        locked, "submit", _("This application has already been submitted."), code="submitted"
    )
    problems = application_submission_problems(application=locked)
    if problems:
        raise InvalidInput(problems, code="incomplete")
    back_from_city = locked.status == Status.INFO_REQUESTED
    to = Status.UNDER_REVIEW if back_from_city and locked.assignments.exists() else Status.SUBMITTED
    locked.submitted_at = timezone.now()
    status_change(
        application=locked,
        action="submit",
        to=to,
        actor=actor,
        note=_("Sent back with the information requested.") if back_from_city else "",
        fields=["submitted_at"],
    )
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.submitted",
        obj=locked,
        related=locked.city,
    )
    emails.application_email_queue(application=locked, kind="submitted", base_url=base_url)
    application_change_notify(
        application=locked, change="resubmitted" if back_from_city else "submitted", actor=actor
    )
    application.status, application.submitted_at = locked.status, locked.submitted_at
    return locked


@transaction.atomic
def application_withdraw(*, actor, application: CityApplication, note: str = "") -> None:
    """The city withdraws its application; if it was selected, its people stop being counted
    as participants."""
    locked = lock_application(application)
    refuse_unless_allowed(
        locked,
        "withdraw",
        _("This application can no longer be withdrawn."),
        code="not_withdrawable",
    )
    if locked.call.programme.has_begun():
        raise Conflict(
            _(
                "The training has begun: the application can no longer be withdrawn. Tell the "
                "organisers if the city's people cannot come any more."
            ),
            code="training_begun",
        )
    was_selected = locked.status == Status.SELECTED
    was_draft = locked.status == Status.DRAFT
    # A selected city leaving once the selection is final frees a place: its contribution stays
    # in the ledger, cancelled, and the organisers are told the place is free.
    leaves_place = was_selected and locked.call.is_selection_closed
    status_change(
        application=locked, action="withdraw", to=Status.WITHDRAWN, actor=actor, note=note
    )
    if leaves_place:
        CityContribution.objects.filter(application=locked).update(cancelled_at=timezone.now())
    if not was_draft:  # the organisers never saw a draft
        application_change_notify(
            application=locked,
            change="withdrawn_selected" if leaves_place else "withdrawn",
            actor=actor,
        )
    if was_selected:
        application_deselected.send(sender=CityApplication, application=locked, actor=actor)
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.withdrawn",
        obj=locked,
        related=locked.city,
        data={"note": note},
    )
    application.status = locked.status


@transaction.atomic
def application_message_post(
    *, actor, application: CityApplication, side: str, body: str, attachment=None
) -> ApplicationMessage:
    """Add a message to the application's "more information" thread: the organisers ask, the
    city answers in writing, with a document (a PDF the form checked). The other side is told
    by e-mail (the city's contacts, or the organisers and the file's reviewers); audited
    without its text."""
    body = body.strip()
    if not body:
        raise InvalidInput(_("Write your message."), code="empty")
    if side not in ApplicationMessage.Side.values:
        raise InvalidInput(_("Unknown side."), code="side")
    message = ApplicationMessage(application=application, author=actor, side=side, body=body)
    if attachment is not None:
        message.attachment.save(_letter_name(application), attachment, save=False)
    message.save()
    if side == ApplicationMessage.Side.CITY:
        application_change_notify(application=application, change="answered", actor=actor)
    else:
        city_told_of_message(application=application, actor=actor)
    audit(
        actor=actor,
        programme=application.call.programme,
        action="application.message_posted",
        obj=application,
        related=application.city,
        data={"side": side, "attachment": bool(message.attachment)},
    )
    return message
