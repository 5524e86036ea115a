"""What every service shares: the audit trail, recorded status changes along the transitions
table, row locks."""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from ..errors import Conflict
from ..models import (
    ApplicationEvent,
    AuditEntry,
    Call,
    CityApplication,
    Membership,
    Programme,
    transition_of,
)

Status = CityApplication.Status


Role = Membership.Role


def audit(
    *,
    actor,
    programme: Programme | None,
    action: str,
    obj,
    related=None,
    data: dict | None = None,
) -> AuditEntry:
    """Write one line of the audit trail: who (``actor``), what (``action``), about which object
    (``obj``, and optionally a ``related`` one such as the city of an application) and a few
    JSON values (``data``: counts, codes, field names, a note a user typed). Never put a person's
    or a city's name in ``data``: the sentence is rendered when shown, from the current names
    (``AuditEntry.display``), so that renaming or erasing a person needs no text surgery. Only a
    deleted row that is not about a person keeps its name, as ``data["label"]``."""
    return AuditEntry.objects.create(
        programme=programme,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=ContentType.objects.get_for_model(obj),
        target_id=obj.pk,
        related_type=ContentType.objects.get_for_model(related) if related is not None else None,
        related_id=related.pk if related is not None else None,
        data=data or {},
    )


def refuse_unless_allowed(application: CityApplication, action: str, message: str, code: str):
    """Raise ``Conflict`` unless the transitions table lets ``action`` start from the
    application's status."""
    if not application.allows(action):
        raise Conflict(message, code=code)


def status_change(
    *,
    application: CityApplication,
    action: str,
    to: str,
    actor,
    note: str = "",
    fields: Iterable[str] = (),
) -> ApplicationEvent:
    """Move an application to a new status along a row of ``APPLICATION_TRANSITIONS``, save it
    and record the event (who, when, from, to). Any other change is refused (``Conflict``)."""
    if transition_of(application.status, to, action) is None:
        raise Conflict(
            _("This application is “%(status)s”: it cannot be changed that way.")
            % {"status": application.get_status_display()},
            code="wrong_status",
        )
    event = ApplicationEvent.objects.create(
        application=application,
        actor=actor if actor is not None and actor.is_authenticated else None,
        from_status=application.status,
        to_status=to,
        note=note,
    )
    application.status = to
    application.save(update_fields=["status", "updated_at", *fields])
    return event


def lock_application(application: CityApplication) -> CityApplication:
    """Reload the application under a row lock, so that two people cannot change it at once."""
    locked = (
        CityApplication.objects.select_for_update(of=("self",))
        .select_related("call__programme", "city")
        .get(pk=application.pk)
    )
    locked.call.programme = application.call.programme
    return locked


def check_selection_open(call: Call) -> None:
    if call.is_selection_closed:
        raise Conflict(
            _("The selection is closed: decisions and reviews can no longer change."),
            code="closed",
        )
