"""E-mails, sent once the transaction that caused them commits.

The text lives in templates under ``programmes/emails/``. E-mails to city contacts are in the
site's default language (French), whatever the language of the person who clicked; e-mails to a
team member are in the language of their profile, and an invitation in the language the organiser
chose for the invitee.
"""

import logging
from smtplib import SMTPException

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from .models import CityApplication, TeamInvitation, UserProfile

logger = logging.getLogger(__name__)


def _recipients(application: CityApplication) -> list[str]:
    addresses = [application.contact_email]
    if application.contact_user_id and application.contact_user.email:
        addresses.append(application.contact_user.email)
    seen: dict[str, str] = {}
    for address in addresses:
        if address and address.lower() not in seen:
            seen[address.lower()] = address
    return list(seen.values())


def _send(*, subject: str, template: str, context: dict, to: list[str]) -> None:
    if not to:
        return
    body = render_to_string(template, context)
    try:
        EmailMessage(subject=subject, body=body, to=to).send()
    except (SMTPException, OSError):
        # The change is already saved: a mail server that is down must not undo it.
        logger.exception("Could not send %s to %s", template, to)


def _application_url(base_url: str, application: CityApplication) -> str:
    return base_url + reverse(
        "programmes:city_application",
        args=[application.call.programme.slug, application.pk],
    )


SUBJECTS = {
    "submitted": gettext_noop("Application received: %(city)s"),
    "info_requested": gettext_noop("More information needed for the application of %(city)s"),
    "decision": gettext_noop("Decision on the application of %(city)s"),
}


def application_email_queue(*, application: CityApplication, kind: str, base_url: str) -> None:
    """Send the city contact the e-mail of ``kind`` (submitted, info_requested, decision)
    after the current transaction commits."""
    application_id = application.pk

    def send() -> None:
        fresh = CityApplication.objects.select_related(
            "call__programme", "city", "contact_user"
        ).get(pk=application_id)
        with translation.override(settings.LANGUAGE_CODE):
            subject = gettext(SUBJECTS[kind]) % {"city": fresh.city.name}
            context = {
                "application": fresh,
                "call": fresh.call,
                "programme": fresh.call.programme,
                "url": _application_url(base_url, fresh),
            }
            _send(
                subject=subject,
                template=f"programmes/emails/{kind}.txt",
                context=context,
                to=_recipients(fresh),
            )

    transaction.on_commit(send)


def invitation_email_queue(
    *, programme, email: str, city_name: str, message: str, url: str, sender_name: str
) -> None:
    """Send an invitation to apply to ``email`` after the current transaction commits."""

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            subject = gettext("Invitation to apply: %(programme)s") % {"programme": programme.title}
            _send(
                subject=subject,
                template="programmes/emails/invitation.txt",
                context={
                    "programme": programme,
                    "call": programme.call,
                    "city_name": city_name,
                    "message": message,
                    "url": url,
                    "sender_name": sender_name,
                },
                to=[email],
            )

    transaction.on_commit(send)


def team_invitation_email_queue(*, invitation: TeamInvitation, url: str) -> None:
    """Send the invitation to join a programme's team, in the invitee's language, after the
    current transaction commits."""
    invitation_id = invitation.pk

    def send() -> None:
        fresh = TeamInvitation.objects.select_related("programme", "invited_by").get(
            pk=invitation_id
        )
        inviter = fresh.invited_by
        with translation.override(fresh.language):
            subject = gettext("Invitation to join the team of %(programme)s") % {
                "programme": fresh.programme.title
            }
            _send(
                subject=subject,
                template="programmes/emails/team_invitation.txt",
                context={
                    "invitation": fresh,
                    "programme": fresh.programme,
                    "role": fresh.get_role_display(),
                    "sender_name": (inviter.get_full_name() or inviter.get_username())
                    if inviter
                    else "",
                    "url": url,
                },
                to=[fresh.email],
            )

    transaction.on_commit(send)


def reviewer_assigned_email_queue(
    *, application: CityApplication, reviewer_ids: list[int], base_url: str
) -> None:
    """Tell each newly assigned reviewer, in their own language, which file to review, after the
    current transaction commits."""
    if not reviewer_ids:
        return
    application_id = application.pk

    def send() -> None:
        fresh = CityApplication.objects.select_related("call__programme", "city").get(
            pk=application_id
        )
        programme = fresh.call.programme
        url = base_url + reverse("programmes:application_detail", args=[programme.slug, fresh.pk])
        languages = dict(
            UserProfile.objects.filter(user_id__in=reviewer_ids).values_list("user_id", "language")
        )
        for reviewer in get_user_model().objects.filter(pk__in=reviewer_ids).order_by("pk"):
            if not reviewer.email:
                continue
            with translation.override(languages.get(reviewer.pk, settings.LANGUAGE_CODE)):
                subject = gettext("An application to review: %(city)s") % {"city": fresh.city.name}
                _send(
                    subject=subject,
                    template="programmes/emails/reviewer_assigned.txt",
                    context={
                        "application": fresh,
                        "programme": programme,
                        "call": fresh.call,
                        "reviewer": reviewer,
                        "url": url,
                    },
                    to=[reviewer.email],
                )

    transaction.on_commit(send)
