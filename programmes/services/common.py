"""What every service shares: the audit trail, recorded status changes along the transitions
table, row locks."""

from collections.abc import Iterable

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


def audit(*, actor, programme: Programme | None, action: str, obj, message: str = "") -> None:
    """Write one line of the audit trail."""
    AuditEntry.objects.create(
        programme=programme,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.model_name,
        object_id=str(obj.pk),
        message=message,
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
