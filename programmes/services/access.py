"""Requests to apply for a city made without the organisers' invitation link.

Anyone may ask to be a city's contact, but only an organiser's confirmation makes them one: the
person who chose a city in a list never gets its draft (nor its place) by doing so. Several
requests for one city wait side by side; confirming one opens the city's draft, or hands the
draft (or the file) the city already has to that person.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails
from ..errors import Conflict, InvalidInput
from ..models import Call, City, CityAccessRequest, CityApplication, Membership
from .applications import application_start, check_may_become_contact, city_get_or_create
from .common import Role, audit

Request = CityAccessRequest


@transaction.atomic
def access_request_create(
    *, user, call: Call, city=None, new_city: dict | None = None, base_url: str
) -> CityAccessRequest:
    """Record that ``user`` asks to apply for a city (one known, or the one they typed) and tell
    the organisers. A city typed is not created yet: it joins the lists only once confirmed."""
    if not call.is_open_on(timezone.localdate()):
        raise Conflict(
            _("The call is not open: applications are accepted from %(opens)s to %(closes)s.")
            % {"opens": call.opens_on, "closes": call.closes_on},
            code="call_closed",
        )
    check_may_become_contact(user=user, call=call)
    if Request.objects.filter(call=call, requester=user, status=Request.Status.PENDING).exists():
        raise Conflict(
            _("You have already asked to apply for a city: the organisers will answer soon."),
            code="already_requested",
        )
    fields = {}
    if city is None and new_city:
        city = City.objects.filter(insee_code=new_city["insee_code"].upper()).first()
        if city is None:
            fields = {
                "city_name": new_city["name"].strip(),
                "city_insee_code": new_city["insee_code"].strip().upper(),
                "city_departement": new_city["departement"].strip().upper(),
            }
    if city is None and not fields:
        raise InvalidInput(_("Choose your city."), code="no_city")
    row = Request.objects.create(call=call, requester=user, city=city, **fields)
    audit(
        actor=user, programme=call.programme, action="access_request.created", obj=row, related=city
    )
    emails.access_request_email_queue(
        access_request=row, kind="access_requested", base_url=base_url
    )
    return row


@transaction.atomic
def access_request_sign_up(
    *, account: dict, password: str, call: Call, city=None, new_city=None, base_url: str
) -> CityAccessRequest:
    """Create the account of someone who asks to apply for a city, and their request."""
    user = get_user_model().objects.create_user(password=password, **account)
    return access_request_create(
        user=user, call=call, city=city, new_city=new_city, base_url=base_url
    )


def _lock_pending(access_request: CityAccessRequest) -> CityAccessRequest:
    locked = (
        Request.objects.select_for_update(of=("self",))
        .select_related("call__programme", "city", "requester")
        .get(pk=access_request.pk)
    )
    if locked.status != Request.Status.PENDING:
        raise Conflict(
            _("This request was already answered (%(status)s).")
            % {"status": locked.get_status_display()},
            code="answered",
        )
    return locked


@transaction.atomic
def access_request_confirm(
    *, actor, access_request: CityAccessRequest, base_url: str
) -> CityApplication:
    """Make the person who asked the city's contact: open the city's draft if it has none, or
    hand them the application it has. The city is created if it was typed and is new."""
    locked = _lock_pending(access_request)
    call = locked.call
    city = locked.city or city_get_or_create(
        name=locked.city_name,
        insee_code=locked.city_insee_code,
        departement=locked.city_departement,
    )
    application = CityApplication.objects.filter(call=call, city=city).first()
    if application is None:
        application = application_start(user=locked.requester, call=call, city=city)
    else:
        application_contact_hand_over(actor=actor, application=application, user=locked.requester)
    locked.city = city
    locked.status = Request.Status.CONFIRMED
    locked.application = application
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["city", "status", "application", "decided_by", "decided_at"])
    audit(actor=actor, programme=call.programme, action="access_request.confirmed", obj=locked)
    emails.access_request_email_queue(
        access_request=locked, kind="access_confirmed", base_url=base_url
    )
    return application


@transaction.atomic
def access_request_refuse(*, actor, access_request: CityAccessRequest, base_url: str) -> None:
    """Refuse a request; the person is told, and keeps no access to the programme."""
    locked = _lock_pending(access_request)
    locked.status = Request.Status.REFUSED
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit(actor=actor, programme=locked.call.programme, action="access_request.refused", obj=locked)
    emails.access_request_email_queue(
        access_request=locked, kind="access_refused", base_url=base_url
    )


@transaction.atomic
def application_contact_hand_over(*, actor, application: CityApplication, user) -> None:
    """Give a city's application to another contact: the new one sees and edits it, the former
    one loses access to it (their account stays)."""
    if application.contact_user_id == user.pk:
        return
    check_may_become_contact(user=user, call=application.call)
    Membership.objects.filter(
        programme=application.call.programme, role=Role.CITY_CONTACT, application=application
    ).delete()
    Membership.objects.create(
        programme=application.call.programme,
        user=user,
        role=Role.CITY_CONTACT,
        application=application,
    )
    application.contact_user = user
    application.contact_name = user.get_full_name()
    application.contact_email = user.email
    application.save(update_fields=["contact_user", "contact_name", "contact_email", "updated_at"])
    audit(
        actor=actor,
        programme=application.call.programme,
        action="application.contact_handed_over",
        obj=application,
        related=application.city,
    )
