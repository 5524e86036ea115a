"""Notifications: short e-mails telling a programme's people that something needs them, each
with a link to the page where the action is, in the recipient's language, through the outbox.

Each person chooses per programme (``NotificationPreference``): every message, a daily digest,
or none. Decisions and invitations are not notifications: they always go.

The periodic ones (reminders, digests) are idempotent: each message carries a key
(``reminder:call:<call>:7d:<user>``, ``digest:<programme>:<user>:<date>``) that the outbox
holds unique, so a task that runs twice sends nothing twice.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_noop, ngettext

from ..models import (
    CityApplication,
    Membership,
    NotificationPreference,
    OutboxMessage,
    Programme,
)
from .common import audit
from .outbox import outbox_enqueue, recipient_language

Role = Membership.Role
Choice = NotificationPreference.Choice
REMINDER_DAYS = (7, 1)


def site_url(path: str) -> str:
    """An absolute link for an e-mail (``SITE_URL``: no request to take the host from)."""
    return settings.SITE_URL.rstrip("/") + path


def notification_choices(*, programme: Programme, users: Iterable) -> dict[int, str]:
    """Each user's choice for the programme (every message when they never chose), in one
    query."""
    users = list(users)
    chosen = dict(
        NotificationPreference.objects.filter(
            programme=programme, user__in=[user.pk for user in users]
        ).values_list("user_id", "choice")
    )
    return {user.pk: chosen.get(user.pk, Choice.EVERY) for user in users}


@transaction.atomic
def notification_preference_set(*, user, programme: Programme, choice: str) -> None:
    """Record how ``user`` wants to hear about ``programme``."""
    NotificationPreference.objects.update_or_create(
        user=user, programme=programme, defaults={"choice": choice}
    )
    audit(
        actor=user,
        programme=programme,
        action="notifications.chosen",
        obj=programme,
        data={"choice": choice},
    )


def notify(
    *,
    programme: Programme,
    users: Iterable,
    subject: str,
    text: str,
    params: dict,
    path: str,
    about=None,
    kind: str = OutboxMessage.Kind.NOTIFICATION,
    key: str | None = None,
    exclude=None,
) -> int:
    """Queue one notification per user, rendered in each one's language (``subject`` and
    ``text`` are untranslated strings with ``params``), held for the digest or dropped as each
    chose. ``key`` may hold ``{user}``: one key per recipient. Returns how many were written."""
    people = {user.pk: user for user in users if user.email and user.is_active}
    if exclude is not None:
        people.pop(exclude.pk, None)
    choices = notification_choices(programme=programme, users=people.values())
    written = 0
    for user in people.values():
        choice = choices[user.pk]
        if choice == Choice.NONE:
            continue
        language = recipient_language(user)
        with translation.override(language):
            # The subject is made one line by the outbox; the text keeps what it is given.
            # Dates in the reader's language and format ("22 janvier 2015"), never ISO.
            values = {
                name: date_format(value, "DATE_FORMAT")
                if isinstance(value, datetime.date)
                else str(value)
                for name, value in params.items()
            }
            body = render_to_string(
                "programmes/emails/notification.txt",
                {
                    "user": user,
                    "programme": programme,
                    "text": gettext(text) % values,
                    "url": site_url(path),
                    "preferences_url": site_url(
                        reverse("programmes:notification_preferences", args=[programme.slug])
                    ),
                },
            )
            message = outbox_enqueue(
                recipient=user.email,
                recipient_user=user,
                language=language,
                subject=gettext(subject) % values,
                body=body,
                kind=kind,
                programme=programme,
                about=about,
                key=key.format(user=user.pk) if key else None,
                hold=choice == Choice.DIGEST,
            )
        written += message is not None
    return written


def programme_members(programme: Programme, *roles: str) -> list:
    return list(
        get_user_model()
        .objects.filter(memberships__programme=programme, memberships__role__in=roles)
        .distinct()
        .order_by("pk")
    )


def _file_path(application: CityApplication) -> str:
    return reverse(
        "programmes:application_detail", args=[application.call.programme.slug, application.pk]
    )


def application_change_notify(*, application: CityApplication, change: str, actor) -> int:
    """Tell the organisers (and the reviewers assigned to the file) that a city submitted,
    sent back its answers, or withdrew its application. ``change``: "submitted",
    "resubmitted" or "withdrawn"."""
    programme = application.call.programme
    texts = {
        "submitted": (
            gettext_noop("New application: %(city)s"),
            gettext_noop("%(city)s has submitted its application."),
        ),
        "resubmitted": (
            gettext_noop("Application sent back: %(city)s"),
            gettext_noop("%(city)s has answered your request and sent its application back."),
        ),
        "withdrawn": (
            gettext_noop("Application withdrawn: %(city)s"),
            gettext_noop("%(city)s has withdrawn its application."),
        ),
        "answered": (
            gettext_noop("Answer from %(city)s"),
            gettext_noop("%(city)s has answered in the thread of its application."),
        ),
        "withdrawn_selected": (
            gettext_noop("A selected city withdrew: %(city)s"),
            gettext_noop(
                "%(city)s has withdrawn after the selection: its place is free and a city of "
                "the waiting list can be given it. Its people are no longer expected; their "
                "attendance so far is kept. Its contribution stays in the ledger, cancelled."
            ),
        ),
    }
    subject, text = texts[change]
    people = {user.pk: user for user in programme_members(programme, Role.ORGANISER)}
    if change != "submitted":
        # The reviewers of the file: what they read has changed.
        for assignment in application.assignments.select_related("reviewer"):
            people.setdefault(assignment.reviewer_id, assignment.reviewer)
    return notify(
        programme=programme,
        users=people.values(),
        subject=subject,
        text=text,
        params={"city": application.city.name},
        path=_file_path(application),
        about=application,
        exclude=actor,
    )


def city_told_of_message(*, application: CityApplication, actor) -> int:
    """Tell the city's contacts that the organisers wrote in the thread of its application."""
    programme = application.call.programme
    contacts = [
        membership.user
        for membership in application.contact_memberships.select_related("user")
        if membership.role == Role.CITY_CONTACT
    ]
    return notify(
        programme=programme,
        users=contacts,
        subject=gettext_noop("A message from the organisers: %(city)s"),
        text=gettext_noop(
            "The organisers wrote to you about the application of %(city)s. Read it and answer "
            "on the application's page."
        ),
        params={"city": application.city.name},
        path=reverse("programmes:city_application", args=[programme.slug, application.pk]),
        about=application,
        exclude=actor,
    )


def call_closing_reminders_send(*, today: datetime.date | None = None) -> int:
    """A week and a day before a call closes, remind the city contacts whose application is
    still a draft. Idempotent (one key per call, delay and person)."""
    today = today or timezone.localdate()
    written = 0
    for days in REMINDER_DAYS:
        drafts = (
            CityApplication.objects.filter(
                status=CityApplication.Status.DRAFT,
                call__published_at__isnull=False,
                call__closes_on=today + datetime.timedelta(days=days),
            )
            .select_related("call__programme", "city")
            .prefetch_related("contact_memberships__user")
        )
        for application in drafts:
            call = application.call
            with transaction.atomic():
                written += notify(
                    programme=call.programme,
                    users=[m.user for m in application.contact_memberships.all()],
                    subject=gettext_noop("The call closes on %(date)s: %(city)s"),
                    text=gettext_noop(
                        "The application of %(city)s is still a draft. The call closes on "
                        "%(date)s: complete it and submit it before then."
                    ),
                    params={"city": application.city.name, "date": call.closes_on},
                    path=reverse(
                        "programmes:city_application", args=[call.programme.slug, application.pk]
                    ),
                    about=application,
                    kind=OutboxMessage.Kind.REMINDER,
                    key=f"reminder:call:{call.pk}:{days}d:{{user}}",
                )
    return written


def notification_digests_send(*, today: datetime.date | None = None) -> int:
    """Gather each person's held notifications, per programme, into one daily e-mail.
    Idempotent: the held messages are marked as digested in the same transaction as the digest,
    whose key is unique for the person, programme and day."""
    today = today or timezone.localdate()
    held = OutboxMessage.objects.filter(status=OutboxMessage.Status.HELD).select_related(
        "programme", "recipient_user"
    )
    groups: dict[tuple, list[OutboxMessage]] = defaultdict(list)
    for message in held.order_by("created_at", "pk"):
        groups[(message.programme_id, message.recipient.lower())].append(message)
    written = 0
    for (programme_id, recipient), messages in groups.items():
        first = messages[0]
        key = f"digest:{programme_id}:{recipient}:{today.isoformat()}"
        with transaction.atomic(), translation.override(first.language):
            body = render_to_string(
                "programmes/emails/digest.txt",
                {"programme": first.programme, "messages": messages},
            )
            title = first.programme.title if first.programme else ""
            digest = outbox_enqueue(
                recipient=first.recipient,
                recipient_user=first.recipient_user,
                language=first.language,
                subject=ngettext(
                    "Today in %(programme)s: %(count)s message",
                    "Today in %(programme)s: %(count)s messages",
                    len(messages),
                )
                % {"programme": title, "count": len(messages)},
                body=body,
                kind=OutboxMessage.Kind.DIGEST,
                programme=first.programme,
                key=key,
            )
            if digest is None:
                continue
            OutboxMessage.objects.filter(
                pk__in=[m.pk for m in messages], status=OutboxMessage.Status.HELD
            ).update(status=OutboxMessage.Status.DIGESTED, digest=digest)
            written += 1
    return written
