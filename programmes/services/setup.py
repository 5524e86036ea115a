"""Programme set-up (description, partners, funding, budget, contributions ledger) and the call."""

from collections.abc import Iterable

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import emails
from ..errors import Conflict, InvalidInput
from ..images import image_check
from ..models import (
    BudgetLine,
    Call,
    CityContribution,
    Funding,
    Membership,
    Organisation,
    Programme,
    SelectionCriterion,
)
from ..selectors import (
    INVITATION_SALT,
)
from .common import Role, audit


def _unique_slug(title: str) -> str:
    base = slugify(title)[:70] or "programme"
    slug, n = base, 2
    while Programme.objects.filter(slug=slug).exists() or slug in RESERVED_SLUGS:
        slug, n = f"{base}-{n}", n + 1
    return slug


# ``/programmes/new/`` is the creation page: no programme may take that name.
RESERVED_SLUGS = {"new"}


def _organisations(names: Iterable[str], kind: str) -> list[Organisation]:
    found = []
    for name in names:
        organisation, _created = Organisation.objects.get_or_create(
            name=name.strip(), defaults={"kind": kind}
        )
        found.append(organisation)
    return found


@transaction.atomic
def programme_create(
    *, actor, fields: dict, partners: Iterable[Organisation] = (), new_partners: Iterable[str] = ()
) -> Programme:
    """Create a programme; its creator becomes its first organiser."""
    programme = Programme(**fields)
    if not programme.slug:
        programme.slug = _unique_slug(programme.title)
    programme.save()
    programme.partners.set([*partners, *_organisations(new_partners, Organisation.Kind.OTHER)])
    Membership.objects.create(programme=programme, user=actor, role=Role.ORGANISER)
    audit(actor=actor, programme=programme, action="programme.created", obj=programme)
    return programme


@transaction.atomic
def programme_update(
    *,
    actor,
    programme: Programme,
    fields: dict,
    partners: Iterable[Organisation] = (),
    new_partners: Iterable[str] = (),
) -> Programme:
    """Change a programme's description, dates, capacity, status or partners."""
    changed = sorted(name for name, value in fields.items() if getattr(programme, name) != value)
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.save()
    programme.partners.set([*partners, *_organisations(new_partners, Organisation.Kind.OTHER)])
    audit(
        actor=actor,
        programme=programme,
        action="programme.updated",
        obj=programme,
        data={"fields": list(changed)},
    )
    return programme


def _save_fields(*, actor, programme: Programme, instance, fields: dict, kind: str):
    """Set the fields of a finance row, save it and record who created or changed it
    (``kind``: ``funding`` or ``budgetline``, the first word of the audit action)."""
    for name, value in fields.items():
        setattr(instance, name, value)
    created = instance.pk is None
    instance.save()
    audit(
        actor=actor,
        programme=programme,
        action=f"{kind}.{'created' if created else 'updated'}",
        obj=instance,
    )
    return instance


@transaction.atomic
def programme_close(*, actor, programme: Programme) -> Programme:
    """Close the programme once its training is over: its stage reads "closed" from then on
    (``programmes.stages``). Refused before its end date (the page offers it in the follow-up
    stage only). Side effect: an audit entry."""
    locked = Programme.objects.select_for_update().get(pk=programme.pk)
    if locked.closed_at is not None:
        raise Conflict(_("The programme is already closed."), code="closed")
    if locked.end_date is not None and locked.end_date >= timezone.localdate():
        raise Conflict(_("The programme can be closed once its last day is over."), code="not_over")
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at", "updated_at"])
    audit(actor=actor, programme=locked, action="programme.closed", obj=locked)
    programme.closed_at = locked.closed_at
    return locked


@transaction.atomic
def funding_save(
    *, actor, programme: Programme, funding: Funding | None, fields: dict, new_funder: str = ""
) -> Funding:
    """Create or change one funder's line: amounts requested, awarded and received."""
    if new_funder.strip():
        fields = {**fields, "funder": _organisations([new_funder], Organisation.Kind.FUNDER)[0]}
    funding = funding or Funding(programme=programme)
    duplicate = (
        Funding.objects.filter(programme=programme, funder=fields["funder"])
        .exclude(pk=funding.pk)
        .exists()
    )
    if duplicate:
        raise InvalidInput(
            _("%(funder)s already has a funding line in this programme: change that one.")
            % {"funder": fields["funder"]},
            code="duplicate_funder",
        )
    return _save_fields(
        actor=actor, programme=programme, instance=funding, fields=fields, kind="funding"
    )


@transaction.atomic
def budget_line_save(
    *, actor, programme: Programme, line: BudgetLine | None, fields: dict
) -> BudgetLine:
    """Create or change a budget line (planned and actual amounts)."""
    line = line or BudgetLine(programme=programme)
    return _save_fields(
        actor=actor, programme=programme, instance=line, fields=fields, kind="budgetline"
    )


@transaction.atomic
def finance_row_delete(*, actor, programme: Programme, row: Funding | BudgetLine) -> None:
    """Delete a funding or a budget line; budget lines it funded lose their funding source."""
    audit(
        actor=actor,
        programme=programme,
        action="funding.deleted" if isinstance(row, Funding) else "budgetline.deleted",
        obj=row,
        data={"label": str(row)},  # a funder or a budget line, not a person
    )
    try:
        with transaction.atomic():
            row.delete()
    except (ProtectedError, RestrictedError) as error:
        # Expenses charged to a budget line (``sessions``) keep it: they are the accounts.
        raise Conflict(
            _("Expenses are charged to this line: charge them to another line first."),
            code="in_use",
        ) from error


@transaction.atomic
def contribution_update(*, actor, contribution: CityContribution, fields: dict) -> None:
    """Record what a selected city pledged, was invoiced and paid."""
    _save_fields(
        actor=actor,
        programme=contribution.application.call.programme,
        instance=contribution,
        fields=fields,
    )


@transaction.atomic
def call_save(*, actor, programme: Programme, fields: dict, criteria: list[dict]) -> Call:
    """Create or change the call and its selection grid.

    ``criteria``: one dict per row with ``instance`` (None for a new criterion), ``label``,
    ``description`` and ``delete``. A criterion that reviewers have already scored cannot be
    deleted (its scores would silently vanish from the averages).
    """
    call = Call.objects.filter(programme=programme).first() or Call(programme=programme)
    if call.is_selection_closed:
        raise Conflict(_("The selection is closed: the call can no longer change."), code="closed")
    for name, value in fields.items():
        setattr(call, name, value)
    created = call.pk is None
    call.save()
    position = 0
    for row in criteria:
        criterion = row.get("instance")
        if row.get("delete"):
            if criterion is None:
                continue
            if criterion.scores.exists():
                raise InvalidInput(
                    _("“%(label)s” has already been scored by reviewers and cannot be removed.")
                    % {"label": criterion.label},
                    code="criterion_scored",
                )
            criterion.delete()
            continue
        position += 1
        criterion = criterion or SelectionCriterion(call=call)
        criterion.label = row["label"]
        criterion.description = row.get("description", "")
        criterion.position = position
        criterion.save()
    audit(
        actor=actor,
        programme=programme,
        action="call.created" if created else "call.updated",
        obj=call,
    )
    return call


@transaction.atomic
def call_publish(*, actor, call: Call) -> Call:
    """Publish the call: its public page opens and cities may apply between its dates.

    A programme still in draft moves to "call open".
    """
    if call.is_published:
        raise Conflict(_("The call is already published."), code="published")
    problems = []
    if not call.criteria.exists():
        problems.append(_("Add at least one criterion to the selection grid."))
    if call.places < 1:
        problems.append(_("Set the number of places."))
    if call.closes_on < timezone.localdate():
        problems.append(_("The closing date is past: move it before publishing."))
    if problems:
        raise InvalidInput(problems, code="not_ready")
    call.published_at = timezone.now()
    call.save(update_fields=["published_at"])
    programme = call.programme
    if programme.status == Programme.Status.DRAFT:
        programme.status = Programme.Status.CALL_OPEN
        programme.save(update_fields=["status", "updated_at"])
    audit(actor=actor, programme=programme, action="call.published", obj=call)
    return call


@transaction.atomic
def invitation_send(
    *, actor, programme: Programme, email: str, city_name: str, message: str, base_url: str
) -> str:
    """E-mail someone a signed link to apply for their city; returns the link."""
    token = signing.dumps({"programme": programme.pk, "email": email}, salt=INVITATION_SALT)
    url = base_url + reverse("programmes:apply_invitation", args=[programme.slug, token])
    emails.invitation_email_queue(
        programme=programme,
        email=email,
        city_name=city_name,
        message=message,
        url=url,
        sender_name=actor.get_full_name() or actor.get_username(),
    )
    audit(
        actor=actor,
        programme=programme,
        action="call.invitation_sent",
        obj=programme.call,
    )
    return url


ORGANISATION_IMAGES = ("logo", "stamp")


@transaction.atomic
def organisation_images_save(
    *, actor, programme: Programme, organisation: Organisation, new: dict, remove: Iterable[str]
) -> list[str]:
    """Replace or remove an organisation's logo and signature-and-stamp image.

    ``new`` maps ``logo``/``stamp`` to an uploaded file, checked here (``image_check``) before
    anything is written: a refused file raises ``InvalidInput`` and changes nothing. ``remove``
    names the images to delete. The replaced files are deleted once the change commits. Records
    which images changed on the programme's journal; returns their names.
    """
    checked = {}
    for name, upload in new.items():  # every image checked before any file is written
        try:
            checked[name] = image_check(upload)
        except ValidationError as error:
            raise InvalidInput(error.messages, code="bad_image") from error
    changed, old_files = [], []
    for name in ORGANISATION_IMAGES:
        field = getattr(organisation, name)
        if name in checked:
            if field:
                old_files.append(field.name)
            image = checked[name]
            field.save(f"{name}.{image.extension}", ContentFile(image.content), save=False)
            changed.append(name)
        elif name in remove and field:
            old_files.append(field.name)
            setattr(organisation, name, "")
            changed.append(name)
    if not changed:
        return []
    organisation.save(update_fields=changed)
    storage = organisation.logo.storage
    transaction.on_commit(lambda: [storage.delete(name) for name in old_files])
    audit(
        actor=actor,
        programme=programme,
        action="organisation.images_changed",
        obj=organisation,
        data={"images": changed},
    )
    return changed
