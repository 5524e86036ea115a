"""Review and selection: requests for information, reviewers, reviews, decisions, closing."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails
from ..errors import Conflict, InvalidInput
from ..models import (
    ApplicationMessage,
    Call,
    CityApplication,
    CityContribution,
    Review,
    ReviewAssignment,
    ReviewScore,
)
from ..selectors import applications_waiting
from ..signals import application_deselected, application_selected
from .common import (
    Status,
    audit,
    check_selection_open,
    lock_application,
    refuse_unless_allowed,
    status_change,
)


@transaction.atomic
def application_request_information(
    *, actor, application: CityApplication, message: str, base_url: str
) -> None:
    """Send the application back to the city with the organiser's question; the city may edit
    it again and submit it anew. E-mails the city."""
    locked = lock_application(application)
    check_selection_open(locked.call)
    refuse_unless_allowed(
        locked,
        "request_information",
        _("More information can be asked only of a submitted application under review."),
        code="wrong_status",
    )
    locked.info_request_message = message
    status_change(
        application=locked,
        action="request_information",
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
        related=locked.city,
        data={"note": message},
    )
    # The question opens (or goes on with) the application's written thread.
    ApplicationMessage.objects.create(
        application=locked, author=actor, side=ApplicationMessage.Side.ORGANISERS, body=message
    )
    emails.application_email_queue(application=locked, kind="info_requested", base_url=base_url)
    application.status = locked.status


@transaction.atomic
def reviewers_assign(
    *, actor, application: CityApplication, reviewers: Iterable, base_url: str = ""
) -> None:
    """Set who reviews an application. The first assignment puts a submitted application
    under review. A reviewer taken off keeps the review already written. Each reviewer newly
    assigned is e-mailed a link to the file."""
    locked = lock_application(application)
    check_selection_open(locked.call)
    refuse_unless_allowed(
        locked,
        "assign_reviewers",
        _("Only a submitted application can be given to reviewers."),
        code="wrong_status",
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
    if wanted and locked.can_transition_to(Status.UNDER_REVIEW, "assign_reviewers"):
        status_change(
            application=locked, action="assign_reviewers", to=Status.UNDER_REVIEW, actor=actor
        )
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.reviewers_assigned",
        obj=locked,
        related=locked.city,
        data={"reviewers": sorted(user.pk for user in wanted.values())},
    )
    emails.reviewer_assigned_email_queue(
        application=locked,
        reviewer_ids=[pk for pk in wanted if pk not in current],
        base_url=base_url,
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
    locked = lock_application(application)
    check_selection_open(locked.call)
    if not locked.assignments.filter(reviewer=actor).exists():
        raise Conflict(_("This application is not assigned to you."), code="not_assigned")
    refuse_unless_allowed(
        locked, "review", _("This application is not open to review."), code="wrong_status"
    )
    criteria = list(locked.call.criteria.all())
    missing = [c.label for c in criteria if c.pk not in scores]
    if missing:
        raise InvalidInput(
            _("Score every criterion: %(missing)s.") % {"missing": ", ".join(missing)},
            code="scores_missing",
        )
    if any(not 1 <= scores[c.pk] <= 5 for c in criteria):
        raise InvalidInput(_("Scores go from 1 to 5."), code="score_range")
    if recommendation not in Review.Recommendation.values:
        raise InvalidInput(_("Choose a recommendation."), code="recommendation")
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
        related=locked.city,
        data={"recommendation": recommendation},
    )
    return review


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
    locked = lock_application(application)
    check_selection_open(call)
    if decision not in CityApplication.DECISIONS:
        raise InvalidInput(_("Choose selected, waitlisted or rejected."), code="decision")
    if expected_status and locked.status != expected_status:
        raise Conflict(
            _(
                "Someone changed this application meanwhile: it is now “%(status)s”. Check it "
                "and decide again."
            )
            % {"status": locked.get_status_display()},
            code="stale",
        )
    refuse_unless_allowed(
        locked, "decide", _("Only a submitted application can be decided."), code="wrong_status"
    )
    override_reason = override_reason.strip()
    if decision == Status.SELECTED and locked.status != Status.SELECTED:
        selected = CityApplication.objects.filter(call=call, status=Status.SELECTED).count()
        if selected < call.places:
            override_reason = ""
        elif not override_reason:
            raise InvalidInput(
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
        status_change(
            application=locked,
            action="decide",
            to=decision,
            actor=actor,
            note=event_note,
            fields=fields,
        )
    else:
        locked.save(update_fields=[*fields, "updated_at"])

    if decision == Status.SELECTED:
        _contribution_enter(locked)
        application_selected.send(sender=CityApplication, application=locked, actor=actor)
    elif was_selected:
        application_deselected.send(sender=CityApplication, application=locked, actor=actor)
    audit(
        actor=actor,
        programme=locked.call.programme,
        action="application.decided",
        obj=locked,
        related=locked.city,
        data={"decision": decision},
    )
    for name in ("status", *fields):
        setattr(application, name, getattr(locked, name))
    return locked


def _contribution_enter(application: CityApplication) -> None:
    """The selected city's contribution enters the ledger (or comes back, no longer cancelled)
    at the amount it pledged."""
    contribution, created = CityContribution.objects.get_or_create(
        application=application, defaults={"amount_pledged": application.contribution_pledged}
    )
    if not created and (
        contribution.amount_pledged != application.contribution_pledged
        or contribution.cancelled_at is not None
    ):
        contribution.amount_pledged = application.contribution_pledged
        contribution.cancelled_at = None
        contribution.save(update_fields=["amount_pledged", "cancelled_at"])


@transaction.atomic
def application_promote(
    *, actor, application: CityApplication, base_url: str, note: str = ""
) -> CityApplication:
    """Give a waitlisted city a place left free after the selection closed (a selected city
    withdrew). Its contribution enters the ledger, its triad becomes participants (expected
    from now on: ``application_selected``), and the city is told by e-mail at once (the
    selection is final). Refused while the selection is open or no place is free."""
    call = Call.objects.select_for_update().select_related("programme").get(pk=application.call_id)
    locked = lock_application(application)
    if not call.is_selection_closed:
        raise Conflict(
            _("The selection is still open: decide on the selection board."), code="open"
        )
    refuse_unless_allowed(
        locked, "promote", _("Only a waitlisted city can be given a place."), code="wrong_status"
    )
    selected = CityApplication.objects.filter(call=call, status=Status.SELECTED).count()
    if selected >= call.places:
        raise Conflict(
            _("No place is free: %(selected)s cities hold the %(places)s places.")
            % {"selected": selected, "places": call.places},
            code="no_place",
        )
    locked.decision_note = note
    locked.decided_at = timezone.now()
    status_change(
        application=locked,
        action="promote",
        to=Status.SELECTED,
        actor=actor,
        note=note,
        fields=["decision_note", "decided_at"],
    )
    _contribution_enter(locked)
    application_selected.send(sender=CityApplication, application=locked, actor=actor)
    emails.application_email_queue(application=locked, kind="decision", base_url=base_url)
    audit(
        actor=actor,
        programme=call.programme,
        action="application.promoted",
        obj=locked,
        related=locked.city,
    )
    application.status = locked.status
    return locked


@transaction.atomic
def selection_close(*, actor, call: Call, base_url: str) -> int:
    """Close the selection: decisions become final and every city that received one is told by
    e-mail. Refused while applications still wait for a decision. Returns the e-mails queued."""
    call = Call.objects.select_for_update().select_related("programme").get(pk=call.pk)
    check_selection_open(call)
    waiting = applications_waiting(call=call)
    if waiting:
        raise Conflict(
            _("Decide on every application first. Still waiting: %(cities)s.")
            % {"cities": ", ".join(application.city.name for application in waiting)},
            code="pending",
        )
    call.selection_closed_at = timezone.now()
    call.save(update_fields=["selection_closed_at"])
    decided = list(
        CityApplication.objects.filter(call=call, status__in=CityApplication.DECISIONS)
        .select_related("call__programme", "city", "contact_user")
        .order_by("pk")
    )
    for application in decided:
        emails.application_email_queue(application=application, kind="decision", base_url=base_url)
    audit(
        actor=actor,
        programme=call.programme,
        action="selection.closed",
        obj=call,
        data={"count": len(decided)},
    )
    return len(decided)
