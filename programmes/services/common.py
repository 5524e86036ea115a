"""What every service shares: the audit trail, recorded status changes, row locks, errors."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ..models import (
    ApplicationEvent,
    AuditEntry,
    Call,
    CityApplication,
    Membership,
    Programme,
)

Status = CityApplication.Status


Role = Membership.Role


def invalid(messages: list[str], *, code: str) -> ValidationError:
    """One error per problem, each carrying the code (a plain list would drop it)."""
    return ValidationError([ValidationError(message, code=code) for message in messages])


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


def status_change(
    *, application: CityApplication, to: str, actor, note: str = "", fields: Iterable[str] = ()
) -> ApplicationEvent:
    """Move an application to a new status, save it and record the event (who, when, from, to)."""
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
        raise ValidationError(
            _("The selection is closed: decisions and reviews can no longer change."),
            code="closed",
        )
