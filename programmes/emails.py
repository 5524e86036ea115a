"""E-mails to city contacts: rendered in the transaction of the event that causes them and
written in the outbox (``services.outbox``), which sends them once that transaction commits.

The text lives in templates under ``programmes/emails/``, in the recipient's language
(``recipient_language``).
"""

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from .models import CityApplication, Membership, OutboxMessage, TeamInvitation
from .services.outbox import outbox_enqueue, recipient_language


def _recipients(application: CityApplication) -> list[tuple[str, object]]:
    """The addresses of the city's contact, each with its account when there is one."""
    pairs = [(application.contact_email, None)]
    if application.contact_user_id and application.contact_user.email:
        pairs.append((application.contact_user.email, application.contact_user))
    seen: dict[str, tuple[str, object]] = {}
    for address, user in pairs:
        if not address:
            continue
        if address.lower() not in seen or user is not None:
            seen[address.lower()] = (address, user)
    return list(seen.values())


def _application_url(
    base_url: str, application: CityApplication, page: str = "programmes:city_application"
) -> str:
    return base_url + reverse(
        page,
        args=[application.call.programme.slug, application.pk],
    )


SUBJECTS = {
    "submitted": gettext_noop("Application received: %(city)s"),
    "info_requested": gettext_noop("More information needed for the application of %(city)s"),
    "decision": gettext_noop("Decision on the application of %(city)s"),
    "followup_reminder": gettext_noop("%(city)s: where is your citizens' council?"),
}
# The outbox's kind of each e-mail, where it is not the e-mail's own name.
MESSAGE_KINDS = {"followup_reminder": OutboxMessage.Kind.REMINDER}
# The page each e-mail links to, where it is not the application's.
PAGES = {"followup_reminder": "programmes:city_followup"}


def application_email_queue(*, application: CityApplication, kind: str, base_url: str) -> int:
    """Write in the outbox the city contact's e-mail of ``kind`` (submitted, info_requested,
    decision); it leaves once the current transaction commits. Returns the e-mails written."""
    programme = application.call.programme
    written = 0
    for address, user in _recipients(application):
        language = recipient_language(user)
        with translation.override(language):
            message = outbox_enqueue(
                recipient=address,
                recipient_user=user,
                language=language,
                subject=gettext(SUBJECTS[kind]) % {"city": application.city.name},
                body=render_to_string(
                    f"programmes/emails/{kind}.txt",
                    {
                        "application": application,
                        "call": application.call,
                        "programme": programme,
                        "url": _application_url(
                            base_url, application, PAGES.get(kind, "programmes:city_application")
                        ),
                    },
                ),
                kind=MESSAGE_KINDS.get(kind, kind),
                programme=programme,
                about=application,
            )
        written += message is not None
    return written


def invitation_email_queue(
    *, programme, email: str, city_name: str, message: str, url: str, sender_name: str
) -> None:
    """Write in the outbox an invitation to apply to ``email``; it leaves after the commit."""
    language = recipient_language(None)
    with translation.override(language):
        outbox_enqueue(
            recipient=email,
            language=language,
            subject=gettext("Invitation to apply: %(programme)s") % {"programme": programme.title},
            body=render_to_string(
                "programmes/emails/invitation.txt",
                {
                    "programme": programme,
                    "call": programme.call,
                    "city_name": city_name,
                    "message": message,
                    "url": url,
                    "sender_name": sender_name,
                },
            ),
            kind=OutboxMessage.Kind.INVITATION,
            programme=programme,
            about=programme.call,
        )


SIGN_UP_SUBJECTS = {
    "confirm": gettext_noop("Your sign-up for %(programme)s: choose your password"),
    "existing": gettext_noop("Your sign-up for %(programme)s: you already have an account"),
}


def sign_up_email_queue(*, call, email: str, kind: str, url: str) -> None:
    """Answer a sign-up at its address: the link that goes on (``confirm``), or, when an
    account already uses the address, how to log in (``existing``)."""
    programme = call.programme
    language = recipient_language(None)
    with translation.override(language):
        outbox_enqueue(
            recipient=email,
            language=language,
            subject=gettext(SIGN_UP_SUBJECTS[kind]) % {"programme": programme.title},
            body=render_to_string(
                f"programmes/emails/sign_up_{kind}.txt",
                {"programme": programme, "call": call, "email": email, "url": url},
            ),
            kind=OutboxMessage.Kind.INVITATION,
            programme=programme,
            about=call,
        )


ACCESS_SUBJECTS = {
    "access_requested": gettext_noop("Request to apply for %(city)s"),
    "access_confirmed": gettext_noop("You can now fill in the application of %(city)s"),
    "access_refused": gettext_noop("Your request to apply for %(city)s"),
}


def access_request_email_queue(*, access_request, kind: str, base_url: str) -> None:
    """Tell the organisers that someone asks to apply for a city (``access_requested``), or tell
    that person the answer (``access_confirmed``, ``access_refused``); the e-mails leave once
    the current transaction commits."""
    programme = access_request.call.programme
    if kind == "access_requested":
        recipients = [
            (membership.user.email, membership.user)
            for membership in Membership.objects.filter(
                programme=programme, role=Membership.Role.ORGANISER
            ).select_related("user")
            if membership.user.email
        ]
        url = base_url + reverse("programmes:access_requests", args=[programme.slug])
        message_kind = OutboxMessage.Kind.NOTIFICATION
    else:
        requester = access_request.requester
        recipients = [(requester.email, requester)] if requester.email else []
        url = base_url + reverse("programmes:call_public", args=[programme.slug])
        message_kind = OutboxMessage.Kind.DECISION
    for address, user in recipients:
        language = recipient_language(user)
        with translation.override(language):
            outbox_enqueue(
                recipient=address,
                recipient_user=user,
                language=language,
                subject=gettext(ACCESS_SUBJECTS[kind]) % {"city": access_request.city_label},
                body=render_to_string(
                    f"programmes/emails/{kind}.txt",
                    {
                        "request": access_request,
                        "programme": programme,
                        "call": access_request.call,
                        "url": url,
                    },
                ),
                kind=message_kind,
                programme=programme,
                about=access_request,
            )


def team_invitation_email_queue(*, invitation: TeamInvitation, url: str) -> None:
    """Write in the outbox the invitation to join a programme's team, in the invitee's language;
    it leaves once the current transaction commits (an invitation always goes)."""
    inviter = invitation.invited_by
    with translation.override(invitation.language):
        outbox_enqueue(
            recipient=invitation.email,
            language=invitation.language,
            subject=gettext("Invitation to join the team of %(programme)s")
            % {"programme": invitation.programme.title},
            body=render_to_string(
                "programmes/emails/team_invitation.txt",
                {
                    "invitation": invitation,
                    "programme": invitation.programme,
                    "role": invitation.get_role_display(),
                    "sender_name": (inviter.get_full_name() or inviter.get_username())
                    if inviter
                    else "",
                    "url": url,
                },
            ),
            kind=OutboxMessage.Kind.INVITATION,
            programme=invitation.programme,
            about=invitation,
        )


def reviewer_assigned_email_queue(
    *, application: CityApplication, reviewer_ids: list[int], base_url: str
) -> None:
    """Write in the outbox, for each newly assigned reviewer and in their language, which file
    to review; the e-mails leave once the current transaction commits."""
    if not reviewer_ids:
        return
    programme = application.call.programme
    url = base_url + reverse("programmes:application_detail", args=[programme.slug, application.pk])
    for reviewer in get_user_model().objects.filter(pk__in=reviewer_ids).order_by("pk"):
        if not reviewer.email:
            continue
        language = recipient_language(reviewer)
        with translation.override(language):
            outbox_enqueue(
                recipient=reviewer.email,
                recipient_user=reviewer,
                language=language,
                subject=gettext("An application to review: %(city)s")
                % {"city": application.city.name},
                body=render_to_string(
                    "programmes/emails/reviewer_assigned.txt",
                    {
                        "application": application,
                        "programme": programme,
                        "call": application.call,
                        "reviewer": reviewer,
                        "url": url,
                    },
                ),
                kind=OutboxMessage.Kind.NOTIFICATION,
                programme=programme,
                about=application,
            )
