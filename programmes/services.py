"""Writes for programmes: set-up, funding and budget, the call, city applications, reviews and
the selection.

Every service is keyword-only and atomic, validates what it is given (raising ``ValidationError``
with a code and a message a person can read), writes an ``AuditEntry``, records each change of an
application's status as an ``ApplicationEvent``, and sends e-mails only once the change commits.
"""

import uuid
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from . import emails
from .models import (
    ApplicationEvent,
    AuditEntry,
    BudgetLine,
    Call,
    CityApplication,
    CityContribution,
    Funding,
    Membership,
    Organisation,
    Programme,
    Review,
    ReviewAssignment,
    ReviewScore,
    SelectionCriterion,
    TriadNominee,
)
from .selectors import (
    INVITATION_SALT,
    TRIAD_SLOTS,
    application_submission_problems,
    triad_slots,
)
from .signals import application_deselected, application_selected

Status = CityApplication.Status
Role = Membership.Role


def _invalid(messages: list[str], *, code: str) -> ValidationError:
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


def _status_change(
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


def _lock(application: CityApplication) -> CityApplication:
    """Reload the application under a row lock, so that two people cannot change it at once."""
    locked = (
        CityApplication.objects.select_for_update(of=("self",))
        .select_related("call__programme", "city")
        .get(pk=application.pk)
    )
    locked.call.programme = application.call.programme
    return locked


# Programme set-up ---------------------------------------------------------------------------


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
        message=", ".join(changed),
    )
    return programme


def _save_fields(*, actor, programme: Programme, instance, fields: dict):
    """Set the fields of a finance row, save it and record who created or changed it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    created = instance.pk is None
    instance.save()
    audit(
        actor=actor,
        programme=programme,
        action=f"{instance._meta.model_name}.{'created' if created else 'updated'}",
        obj=instance,
        message=str(instance),
    )
    return instance


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
        raise ValidationError(
            _("%(funder)s already has a funding line in this programme: change that one.")
            % {"funder": fields["funder"]},
            code="duplicate_funder",
        )
    return _save_fields(actor=actor, programme=programme, instance=funding, fields=fields)


@transaction.atomic
def budget_line_save(
    *, actor, programme: Programme, line: BudgetLine | None, fields: dict
) -> BudgetLine:
    """Create or change a budget line (planned and actual amounts)."""
    line = line or BudgetLine(programme=programme)
    return _save_fields(actor=actor, programme=programme, instance=line, fields=fields)


@transaction.atomic
def finance_row_delete(*, actor, programme: Programme, row: Funding | BudgetLine) -> None:
    """Delete a funding or a budget line; budget lines it funded lose their funding source."""
    audit(
        actor=actor,
        programme=programme,
        action=f"{row._meta.model_name}.deleted",
        obj=row,
        message=str(row),
    )
    row.delete()


@transaction.atomic
def contribution_update(*, actor, contribution: CityContribution, fields: dict) -> None:
    """Record what a selected city pledged, was invoiced and paid."""
    _save_fields(
        actor=actor,
        programme=contribution.application.call.programme,
        instance=contribution,
        fields=fields,
    )


# The call -----------------------------------------------------------------------------------


@transaction.atomic
def call_save(*, actor, programme: Programme, fields: dict, criteria: list[dict]) -> Call:
    """Create or change the call and its selection grid.

    ``criteria``: one dict per row with ``instance`` (None for a new criterion), ``label``,
    ``description`` and ``delete``. A criterion that reviewers have already scored cannot be
    deleted (its scores would silently vanish from the averages).
    """
    call = Call.objects.filter(programme=programme).first() or Call(programme=programme)
    if call.is_selection_closed:
        raise ValidationError(
            _("The selection is closed: the call can no longer change."), code="closed"
        )
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
                raise ValidationError(
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
        message=call.title,
    )
    return call


@transaction.atomic
def call_publish(*, actor, call: Call) -> Call:
    """Publish the call: its public page opens and cities may apply between its dates.

    A programme still in draft moves to "call open".
    """
    if call.is_published:
        raise ValidationError(_("The call is already published."), code="published")
    problems = []
    if not call.criteria.exists():
        problems.append(_("Add at least one criterion to the selection grid."))
    if call.places < 1:
        problems.append(_("Set the number of places."))
    if call.closes_on < timezone.localdate():
        problems.append(_("The closing date is past: move it before publishing."))
    if problems:
        raise _invalid(problems, code="not_ready")
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
        message=f"{email} {city_name}".strip(),
    )
    return url


# City applications --------------------------------------------------------------------------


def city_get_or_create(*, name: str, insee_code: str, departement: str):
    """The city with this INSEE code, created if it is not known yet."""
    # ``participants`` owns City; ``programmes`` reaches it through the relation, not an import.
    city_model = CityApplication._meta.get_field("city").related_model
    city, _created = city_model.objects.get_or_create(
        insee_code=insee_code.strip().upper(),
        defaults={"name": name.strip(), "departement": departement.strip().upper()},
    )
    return city


@transaction.atomic
def application_start(*, user, call: Call, city) -> CityApplication:
    """Open a draft application for a city, with ``user`` as its contact (who then may see and
    edit it, and nothing else of the programme)."""
    today = timezone.localdate()
    if not call.is_open_on(today):
        raise ValidationError(
            _("The call is not open: applications are accepted from %(opens)s to %(closes)s.")
            % {"opens": call.opens_on, "closes": call.closes_on},
            code="call_closed",
        )
    if CityApplication.objects.filter(call=call, city=city).exists():
        raise ValidationError(
            _(
                "%(city)s has already started an application. Ask its contact person, or the "
                "organisers, to give you access."
            )
            % {"city": city.name},
            code="city_taken",
        )
    if Membership.objects.filter(
        programme=call.programme, user=user, role=Role.CITY_CONTACT
    ).exists():
        raise ValidationError(
            _("You already hold an application for this call."), code="already_contact"
        )
    application = CityApplication.objects.create(
        call=call,
        city=city,
        status=Status.DRAFT,
        contact_user=user,
        contact_name=user.get_full_name(),
        contact_email=user.email,
        priority_neighbourhoods=city.priority_neighbourhoods,
    )
    Membership.objects.create(
        programme=call.programme, user=user, role=Role.CITY_CONTACT, application=application
    )
    ApplicationEvent.objects.create(
        application=application, actor=user, from_status="", to_status=Status.DRAFT
    )
    audit(
        actor=user,
        programme=call.programme,
        action="application.started",
        obj=application,
        message=city.name,
    )
    return application


@transaction.atomic
def city_contact_sign_up(*, account: dict, password: str, call: Call, city) -> CityApplication:
    """Create the account of a city's contact person and open the city's draft application."""
    user = get_user_model().objects.create_user(password=password, **account)
    return application_start(user=user, call=call, city=city)


def triad_duplicates(rows: Iterable[dict]) -> list[str]:
    """The people named twice in a triad (same e-mail, or same first and last name)."""
    problems, emails_seen, names_seen = [], set(), set()
    for row in rows:
        email = (row.get("email") or "").strip().lower()
        name = (row.get("first_name", "").strip().casefold(), row["last_name"].strip().casefold())
        label = f"{row['first_name']} {row['last_name']}".strip()
        if email and email in emails_seen:
            problems.append(
                _(
                    "%(email)s is given for two people: each member of the triad is a different "
                    "person."
                )
                % {"email": row["email"]}
            )
        elif name in names_seen:
            problems.append(
                _("%(name)s is named twice: each member of the triad is a different person.")
                % {"name": label}
            )
        if email:
            emails_seen.add(email)
        names_seen.add(name)
    return problems


def _letter_name(application: CityApplication) -> str:
    # The stored name is chosen here, never taken from the upload.
    return f"{application.call_id}-{application.pk}-{uuid.uuid4().hex}.pdf"


@transaction.atomic
def application_save(
    *,
    actor,
    application: CityApplication,
    fields: dict,
    triad: dict[str, dict | None],
    letter: UploadedFile | None = None,
    remove_letter: bool = False,
) -> CityApplication:
    """Save the city's file as it stands (a draft can be incomplete).

    ``triad`` maps each place of the form (``elected``, ``professional1``, ``professional2``,
    ``delegate``) to the person's details, or None to leave the place empty. A replaced or
    removed letter is deleted from storage once the change commits.
    """
    locked = _lock(application)
    if not locked.is_editable:
        raise ValidationError(
            _(
                "This application has been submitted and can no longer be changed, unless the "
                "organisers ask for more information."
            ),
            code="not_editable",
        )
    filled = [row for row in triad.values() if row]
    problems = triad_duplicates(filled)
    if problems:
        raise _invalid(problems, code="duplicate_people")

    for name, value in fields.items():
        setattr(locked, name, value)
    old_letter = locked.commitment_letter.name if locked.commitment_letter else ""
    if letter is not None:
        locked.commitment_letter.save(_letter_name(locked), letter, save=False)
    elif remove_letter:
        locked.commitment_letter = ""
    locked.save()
    if old_letter and old_letter != (locked.commitment_letter.name or ""):
        storage = locked.commitment_letter.storage
        transaction.on_commit(lambda: storage.delete(old_letter))

    today = timezone.localdate()
    current = triad_slots(locked.nominees.all())
    for slot, role, _index in TRIAD_SLOTS:
        row, nominee = triad.get(slot), current[slot]
        if row is None:
            if nominee is not None:
                nominee.delete()
            continue
        nominee = nominee or TriadNominee(application=locked, role=role)
        for name, value in row.items():
            setattr(nominee, name, value)
        if nominee.commitment_given and nominee.commitment_date is None:
            nominee.commitment_date = today
        if not nominee.commitment_given:
            nominee.commitment_date = None
        nominee.save()
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.saved",
        obj=locked,
        message=locked.city.name,
    )
    return locked


@transaction.atomic
def application_submit(*, actor, application: CityApplication, base_url: str) -> CityApplication:
    """Submit a complete application (or send it back after a request for information).

    Refused, with every missing item listed, unless the triad is complete, every commitment is
    given, the contribution reaches the requirement, the file is filled in and (for a first
    submission) the call is open. E-mails the city a confirmation.
    """
    locked = _lock(application)
    if not locked.is_editable:
        raise ValidationError(_("This application has already been submitted."), code="submitted")
    problems = application_submission_problems(application=locked)
    if problems:
        raise _invalid(problems, code="incomplete")
    back_from_city = locked.status == Status.INFO_REQUESTED
    to = Status.UNDER_REVIEW if back_from_city and locked.assignments.exists() else Status.SUBMITTED
    locked.submitted_at = timezone.now()
    _status_change(
        application=locked,
        to=to,
        actor=actor,
        note=_("Sent back with the information requested.") if back_from_city else "",
        fields=["submitted_at"],
    )
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.submitted",
        obj=locked,
        message=locked.city.name,
    )
    emails.application_email_queue(application=locked, kind="submitted", base_url=base_url)
    application.status, application.submitted_at = locked.status, locked.submitted_at
    return locked


@transaction.atomic
def application_withdraw(*, actor, application: CityApplication, note: str = "") -> None:
    """The city withdraws its application; if it was selected, its people stop being counted
    as participants."""
    locked = _lock(application)
    if locked.status in (Status.WITHDRAWN, Status.REJECTED):
        raise ValidationError(
            _("This application can no longer be withdrawn."), code="not_withdrawable"
        )
    was_selected = locked.status == Status.SELECTED
    _status_change(application=locked, to=Status.WITHDRAWN, actor=actor, note=note)
    if was_selected:
        application_deselected.send(sender=CityApplication, application=locked, actor=actor)
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.withdrawn",
        obj=locked,
        message=note,
    )
    application.status = locked.status


# Review ---------------------------------------------------------------------------------------


def _check_open(call: Call) -> None:
    if call.is_selection_closed:
        raise ValidationError(
            _("The selection is closed: decisions and reviews can no longer change."),
            code="closed",
        )


@transaction.atomic
def application_request_information(
    *, actor, application: CityApplication, message: str, base_url: str
) -> None:
    """Send the application back to the city with the organiser's question; the city may edit
    it again and submit it anew. E-mails the city."""
    locked = _lock(application)
    _check_open(locked.call)
    if locked.status not in (Status.SUBMITTED, Status.UNDER_REVIEW):
        raise ValidationError(
            _("More information can be asked only of a submitted application under review."),
            code="wrong_status",
        )
    locked.info_request_message = message
    _status_change(
        application=locked,
        to=Status.INFO_REQUESTED,
        actor=actor,
        note=message,
        fields=["info_request_message"],
    )
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.information_requested",
        obj=locked,
        message=message,
    )
    emails.application_email_queue(application=locked, kind="info_requested", base_url=base_url)
    application.status = locked.status


@transaction.atomic
def reviewers_assign(*, actor, application: CityApplication, reviewers: Iterable) -> None:
    """Set who reviews an application. The first assignment puts a submitted application
    under review. A reviewer taken off keeps the review already written."""
    locked = _lock(application)
    _check_open(locked.call)
    if locked.status in (Status.DRAFT, Status.WITHDRAWN):
        raise ValidationError(
            _("Only a submitted application can be given to reviewers."), code="wrong_status"
        )
    wanted = {user.pk: user for user in reviewers}
    current = set(locked.assignments.values_list("reviewer_id", flat=True))
    locked.assignments.exclude(reviewer_id__in=wanted).delete()
    ReviewAssignment.objects.bulk_create(
        [
            ReviewAssignment(application=locked, reviewer=user, assigned_by=actor)
            for pk, user in wanted.items()
            if pk not in current
        ]
    )
    if wanted and locked.status == Status.SUBMITTED:
        _status_change(application=locked, to=Status.UNDER_REVIEW, actor=actor)
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.reviewers_assigned",
        obj=locked,
        message=", ".join(sorted(user.get_username() for user in wanted.values())),
    )
    application.status = locked.status


@transaction.atomic
def review_submit(
    *,
    actor,
    application: CityApplication,
    scores: dict[int, int],
    comment: str,
    recommendation: str,
) -> Review:
    """Record (or change) a reviewer's scores, comment and recommendation."""
    locked = _lock(application)
    _check_open(locked.call)
    if not locked.assignments.filter(reviewer=actor).exists():
        raise ValidationError(_("This application is not assigned to you."), code="not_assigned")
    if locked.status in (Status.DRAFT, Status.WITHDRAWN):
        raise ValidationError(_("This application is not open to review."), code="wrong_status")
    criteria = list(locked.call.criteria.all())
    missing = [c.label for c in criteria if c.pk not in scores]
    if missing:
        raise ValidationError(
            _("Score every criterion: %(missing)s.") % {"missing": ", ".join(missing)},
            code="scores_missing",
        )
    if any(not 1 <= scores[c.pk] <= 5 for c in criteria):
        raise ValidationError(_("Scores go from 1 to 5."), code="score_range")
    if recommendation not in Review.Recommendation.values:
        raise ValidationError(_("Choose a recommendation."), code="recommendation")
    review, created = Review.objects.update_or_create(
        application=locked,
        reviewer=actor,
        defaults={"comment": comment, "recommendation": recommendation},
    )
    if review.submitted_at is None:
        review.submitted_at = timezone.now()
        review.save(update_fields=["submitted_at"])
    for criterion in criteria:
        ReviewScore.objects.update_or_create(
            review=review, criterion=criterion, defaults={"score": scores[criterion.pk]}
        )
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="review.submitted" if created else "review.updated",
        obj=review,
        message=f"{locked.city.name}: {recommendation}",
    )
    return review


# Selection ----------------------------------------------------------------------------------


@transaction.atomic
def application_decide(
    *,
    actor,
    application: CityApplication,
    decision: str,
    note: str = "",
    override_reason: str = "",
    expected_status: str = "",
) -> CityApplication:
    """Select, waitlist or reject an application; can be changed until the selection closes.

    Selecting beyond the call's places needs ``override_reason``. A selected city's triad
    becomes participants (``application_selected``; once, even if selected again) and its
    contribution enters the ledger. ``expected_status``, when given, is the status the
    organiser saw: a decision taken on a stale page is refused.
    """
    # Lock the call first: two organisers selecting at once must not both take the last place.
    call = Call.objects.select_for_update().get(pk=application.call_id)
    locked = _lock(application)
    _check_open(call)
    if decision not in CityApplication.DECISIONS:
        raise ValidationError(_("Choose selected, waitlisted or rejected."), code="decision")
    if expected_status and locked.status != expected_status:
        raise ValidationError(
            _(
                "Someone changed this application meanwhile: it is now “%(status)s”. Check it "
                "and decide again."
            )
            % {"status": locked.get_status_display()},
            code="stale",
        )
    if locked.status in (Status.DRAFT, Status.WITHDRAWN):
        raise ValidationError(
            _("Only a submitted application can be decided."), code="wrong_status"
        )
    override_reason = override_reason.strip()
    if decision == Status.SELECTED and locked.status != Status.SELECTED:
        selected = CityApplication.objects.filter(call=call, status=Status.SELECTED).count()
        if selected < call.places:
            override_reason = ""
        elif not override_reason:
            raise ValidationError(
                _(
                    "All %(places)s places are taken (%(selected)s cities selected). To select "
                    "this city as well, give the reason for going beyond the number of places."
                )
                % {"places": call.places, "selected": selected},
                code="over_capacity",
            )
    elif decision == Status.SELECTED:
        override_reason = override_reason or locked.selection_override_reason
    else:
        override_reason = ""
    was_selected = locked.status == Status.SELECTED
    locked.decision_note = note
    locked.selection_override_reason = override_reason
    locked.decided_at = timezone.now()
    fields = ["decision_note", "selection_override_reason", "decided_at"]
    if decision != locked.status:
        event_note = note
        if override_reason and decision == Status.SELECTED:
            event_note = f"{note}\n{_('Beyond the number of places:')} {override_reason}".strip()
        _status_change(application=locked, to=decision, actor=actor, note=event_note, fields=fields)
    else:
        locked.save(update_fields=[*fields, "updated_at"])

    if decision == Status.SELECTED:
        contribution, _created = CityContribution.objects.get_or_create(
            application=locked, defaults={"amount_pledged": locked.contribution_pledged}
        )
        if not _created and contribution.amount_pledged != locked.contribution_pledged:
            contribution.amount_pledged = locked.contribution_pledged
            contribution.save(update_fields=["amount_pledged"])
        application_selected.send(sender=CityApplication, application=locked, actor=actor)
    elif was_selected:
        application_deselected.send(sender=CityApplication, application=locked, actor=actor)
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.decided",
        obj=locked,
        message=f"{locked.city.name}: {decision}",
    )
    for name in ("status", *fields):
        setattr(application, name, getattr(locked, name))
    return locked


@transaction.atomic
def selection_close(*, actor, call: Call, base_url: str) -> int:
    """Close the selection: decisions become final and every city that received one is told by
    e-mail. Refused while applications still wait for a decision. Returns the e-mails queued."""
    call = Call.objects.select_for_update().select_related("programme").get(pk=call.pk)
    _check_open(call)
    waiting = list(
        CityApplication.objects.filter(call=call, status__in=CityApplication.PENDING_STATUSES)
        .select_related("city")
        .order_by("city__name")
    )
    if waiting:
        raise ValidationError(
            _("Decide on every application first. Still waiting: %(cities)s.")
            % {"cities": ", ".join(application.city.name for application in waiting)},
            code="pending",
        )
    call.selection_closed_at = timezone.now()
    call.save(update_fields=["selection_closed_at"])
    decided = list(CityApplication.objects.filter(call=call, status__in=CityApplication.DECISIONS))
    for application in decided:
        emails.application_email_queue(application=application, kind="decision", base_url=base_url)
    audit(
        actor=actor,
        programme=call.programme,
        action="selection.closed",
        obj=call,
        message=_("%(count)s decisions sent") % {"count": len(decided)},
    )
    return len(decided)
