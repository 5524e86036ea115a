"""After the training: each selected city's action plan and its citizens' council milestones,
recorded by the city's contact; an organiser's reminder to a city."""

from django.db import transaction
from django.utils.translation import gettext as _

from .. import emails
from ..errors import Conflict, InvalidInput
from ..models import ActionItem, CityApplication, CouncilMilestone, TriadNominee
from .common import audit


def _refuse_unless_selected(application: CityApplication) -> None:
    if application.status != CityApplication.Status.SELECTED:
        raise Conflict(
            _("Only a selected city follows up its commitments after the training."),
            code="not_selected",
        )


def _check_owner(application: CityApplication, owner: TriadNominee | None) -> None:
    if owner is not None and owner.application_id != application.pk:
        raise InvalidInput(
            _("The person carrying a commitment must be one of the city's triad."),
            code="owner_not_in_triad",
        )


@transaction.atomic
def action_item_save(
    *, actor, application: CityApplication, fields: dict, item: ActionItem | None = None
) -> ActionItem:
    """Add a commitment to the city's action plan, or change one (title, owner among the
    city's triad, target date, date done); audited."""
    _refuse_unless_selected(application)
    _check_owner(application, fields.get("owner"))
    created = item is None
    item = item or ActionItem(application=application)
    if item.application_id != application.pk:
        raise InvalidInput(_("This commitment is not the city's."), code="wrong_city")
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    audit(
        actor=actor,
        programme=application.call.programme,
        action="followup.action_item_created" if created else "followup.action_item_updated",
        obj=item,
        related=application.city,
        data={"done": item.done_on is not None},
    )
    return item


@transaction.atomic
def council_milestone_save(
    *,
    actor,
    application: CityApplication,
    kind: str,
    date,
    note: str = "",
    document=None,
    remove_document: bool = False,
) -> CouncilMilestone:
    """Record (or correct) one milestone of the city's citizens' council: its date, a short
    note, and optionally a PDF, which replaces the former one (deleted after the commit)."""
    _refuse_unless_selected(application)
    if kind not in CouncilMilestone.Kind.values:
        raise InvalidInput(_("This is not a milestone of a citizens' council."), code="kind")
    milestone = (
        CouncilMilestone.objects.select_for_update()
        .filter(application=application, kind=kind)
        .first()
    )
    created = milestone is None
    milestone = milestone or CouncilMilestone(application=application, kind=kind)
    milestone.date, milestone.note, milestone.recorded_by = date, note, actor
    old_document = milestone.document.name if milestone.document else ""
    if document is not None:
        milestone.document.save(f"{application.pk}-{kind}.pdf", document, save=False)
    elif remove_document:
        milestone.document = ""
    milestone.save()
    if old_document and old_document != (milestone.document.name or ""):
        storage = milestone.document.storage
        transaction.on_commit(lambda: storage.delete(old_document))
    audit(
        actor=actor,
        programme=application.call.programme,
        action="followup.milestone_recorded" if created else "followup.milestone_updated",
        obj=milestone,
        related=application.city,
        data={"kind": kind, "date": date.isoformat()},
    )
    return milestone


@transaction.atomic
def followup_remind(*, actor, application: CityApplication, base_url: str) -> int:
    """E-mail the city's contact (through the outbox) a reminder to bring its follow-up up to
    date; audited. Returns the e-mails written (none when the city has no address)."""
    _refuse_unless_selected(application)
    written = emails.application_email_queue(
        application=application, kind="followup_reminder", base_url=base_url
    )
    if not written:
        raise Conflict(
            _("This city has no e-mail address: no reminder could be sent."), code="no_address"
        )
    audit(
        actor=actor,
        programme=application.call.programme,
        action="followup.reminded",
        obj=application,
        related=application.city,
        data={"emails": written},
    )
    return written
