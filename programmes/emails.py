"""E-mails to city contacts, in French, sent once the transaction that caused them commits.

The text lives in templates under ``programmes/emails/``; the language is the site's default
(French), whatever the language of the person who clicked.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from .models import CityAccessRequest, CityApplication, Membership
from .text import one_line

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
    """Build and send one message. Every header is made one line here, whatever the text came
    from (a city's or a programme's name typed by someone): a line break in a header would make
    the message fail, or add headers. A message that fails is logged and never raises: the
    change that caused it is already saved, and the other messages of a batch must still go."""
    to = [address for address in (one_line(address) for address in to) if address]
    if not to:
        return
    try:
        body = render_to_string(template, context)
        EmailMessage(subject=one_line(subject), body=body, to=to).send()
    except Exception:
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

    # robust: a message that fails after the commit must not stop the messages queued after it.
    transaction.on_commit(send, robust=True)


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

    # robust: a message that fails after the commit must not stop the messages queued after it.
    transaction.on_commit(send, robust=True)


SIGN_UP_SUBJECTS = {
    "confirm": gettext_noop("Your sign-up for %(programme)s: choose your password"),
    "existing": gettext_noop("Your sign-up for %(programme)s: you already have an account"),
}


def sign_up_email_queue(*, call, email: str, kind: str, url: str) -> None:
    """Answer a sign-up at its address: the link that goes on (``confirm``), or, when an
    account already uses the address, how to log in (``existing``)."""
    programme = call.programme

    def send() -> None:
        with translation.override(settings.LANGUAGE_CODE):
            _send(
                subject=gettext(SIGN_UP_SUBJECTS[kind]) % {"programme": programme.title},
                template=f"programmes/emails/sign_up_{kind}.txt",
                context={"programme": programme, "call": call, "email": email, "url": url},
                to=[email],
            )

    transaction.on_commit(send, robust=True)


ACCESS_SUBJECTS = {
    "access_requested": gettext_noop("Request to apply for %(city)s"),
    "access_confirmed": gettext_noop("You can now fill in the application of %(city)s"),
    "access_refused": gettext_noop("Your request to apply for %(city)s"),
}


def access_request_email_queue(*, access_request, kind: str, base_url: str) -> None:
    """After the current transaction commits, tell the organisers that someone asks to apply for
    a city (``access_requested``), or tell that person the answer (``access_confirmed``,
    ``access_refused``)."""
    request_id = access_request.pk

    def send() -> None:
        row = CityAccessRequest.objects.select_related(
            "call__programme", "city", "requester", "application"
        ).get(pk=request_id)
        programme = row.call.programme
        if kind == "access_requested":
            to = sorted(
                {
                    address
                    for address in Membership.objects.filter(
                        programme=programme, role=Membership.Role.ORGANISER
                    ).values_list("user__email", flat=True)
                    if address
                }
            )
            url = base_url + reverse("programmes:access_requests", args=[programme.slug])
        else:
            to = [row.requester.email] if row.requester.email else []
            url = base_url + reverse("programmes:call_public", args=[programme.slug])
        with translation.override(settings.LANGUAGE_CODE):
            _send(
                subject=gettext(ACCESS_SUBJECTS[kind]) % {"city": row.city_label},
                template=f"programmes/emails/{kind}.txt",
                context={"request": row, "programme": programme, "call": row.call, "url": url},
                to=to,
            )

    transaction.on_commit(send, robust=True)
