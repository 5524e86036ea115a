"""Who may do what in a programme. Rights come from memberships per programme.

Predicates are named ``can_<verb>_<thing>(user, obj) -> bool``. Views call them and answer 404
when a user may not see an object, so that ids of other programmes do not leak.
"""

from django.http import Http404

from .models import Membership, Programme

Role = Membership.Role


def programme_roles(user, programme: Programme) -> frozenset[str]:
    """The roles a user holds in a programme, cached on the programme object for the request.

    A superuser holds every role except city contact (which is tied to one application).
    """
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cache = programme.__dict__.setdefault("_roles_cache", {})
    if user.pk not in cache:
        if user.is_superuser:
            cache[user.pk] = frozenset(Role.values) - {Role.CITY_CONTACT}
        else:
            cache[user.pk] = frozenset(
                Membership.objects.filter(programme=programme, user=user).values_list(
                    "role", flat=True
                )
            )
    return cache[user.pk]


def has_role(user, programme: Programme, *roles: str) -> bool:
    return bool(programme_roles(user, programme) & set(roles))


def can_view_programme(user, programme: Programme) -> bool:
    return bool(programme_roles(user, programme))


def can_manage_programme(user, programme: Programme) -> bool:
    return has_role(user, programme, Role.ORGANISER)


def can_view_finances(user, programme: Programme) -> bool:
    return has_role(user, programme, Role.ORGANISER, Role.FUNDER)


def can_view_applications(user, programme: Programme) -> bool:
    return has_role(user, programme, Role.ORGANISER, Role.REVIEWER)


def can_view_overview_figures(user, programme: Programme) -> bool:
    """Participation and people figures: everyone but a city contact, who sees only their file."""
    return has_role(user, programme, Role.ORGANISER, Role.REVIEWER, Role.FACILITATOR, Role.FUNDER)


def require(allowed: bool) -> None:
    """Answer 404 rather than 403: what a user may not see does not exist for them."""
    if not allowed:
        raise Http404


def programme_get_for_user(user, slug: str) -> Programme:
    """The programme with this slug if the user may see it, else 404."""
    programme = Programme.objects.filter(slug=slug).select_related("organiser").first()
    if programme is None or not can_view_programme(user, programme):
        raise Http404
    return programme


# --- programme set-up, the call, applications, reviews and selection -------------------------


def can_create_programme(user) -> bool:
    """Superusers, and people who already organise a programme, may start a new one."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or Membership.objects.filter(user=user, role=Role.ORGANISER).exists()


def _cached(application, key: str, user, compute) -> bool:
    cache = application.__dict__.setdefault("_permission_cache", {})
    if (key, user.pk) not in cache:
        cache[(key, user.pk)] = compute()
    return cache[(key, user.pk)]


def is_assigned_reviewer(user, application) -> bool:
    """The user holds the reviewer role in the programme and is assigned this application."""
    if not user.is_authenticated or not has_role(user, application.call.programme, Role.REVIEWER):
        return False
    return _cached(
        application,
        "assigned",
        user,
        lambda: application.assignments.filter(reviewer=user).exists(),
    )


def is_city_contact_of(user, application) -> bool:
    """The user is the city contact whose membership names this application."""
    if not user.is_authenticated or not user.is_active:
        return False
    return _cached(
        application,
        "contact",
        user,
        lambda: Membership.objects.filter(
            user=user, role=Role.CITY_CONTACT, application=application
        ).exists(),
    )


def can_view_application(user, application) -> bool:
    """The review file: organisers see every application, reviewers those assigned to them;
    nobody but the city sees a draft (the city is told so until it submits)."""
    if application.status == application.Status.DRAFT:
        return False
    programme = application.call.programme
    return can_manage_programme(user, programme) or is_assigned_reviewer(user, application)


def can_view_own_application(user, application) -> bool:
    """The city's own pages: only the contact of that city (an organiser uses the review file)."""
    return is_city_contact_of(user, application)


def can_edit_application(user, application) -> bool:
    return is_city_contact_of(user, application) and application.is_editable


def can_withdraw_application(user, application) -> bool:
    """Until the training begins: afterwards the city's people are in the attendance records."""
    Status = application.Status
    return (
        is_city_contact_of(user, application)
        and application.status not in (Status.WITHDRAWN, Status.REJECTED)
        and not application.call.programme.has_begun()
    )


def can_download_commitment_letter(user, application) -> bool:
    return can_view_application(user, application) or is_city_contact_of(user, application)


def can_review_application(user, application) -> bool:
    return (
        is_assigned_reviewer(user, application)
        and application.status not in (application.Status.DRAFT, application.Status.WITHDRAWN)
        and not application.call.is_selection_closed
    )


def can_see_all_reviews(user, application, *, reviewed_by_me: bool) -> bool:
    """Organisers see every review; a reviewer sees the others' once they submitted their own."""
    return can_manage_programme(user, application.call.programme) or reviewed_by_me


def can_decide_application(user, application) -> bool:
    return (
        can_manage_programme(user, application.call.programme)
        and not application.call.is_selection_closed
        and application.status not in (application.Status.DRAFT, application.Status.WITHDRAWN)
    )


def can_request_information(user, application) -> bool:
    return (
        can_manage_programme(user, application.call.programme)
        and not application.call.is_selection_closed
        and application.status in (application.Status.SUBMITTED, application.Status.UNDER_REVIEW)
    )


# --- the outbox and notifications --------------------------------------------------------------


def can_view_messages(user, programme: Programme) -> bool:
    """The e-mails a programme sent, to whom, and what failed: organisers only (funders and
    reviewers never see other people's messages)."""
    return can_manage_programme(user, programme)


def can_resend_message(user, message) -> bool:
    return message.programme_id is not None and can_view_messages(user, message.programme)


def can_choose_notifications(user, programme: Programme) -> bool:
    """Any member chooses how they hear about a programme."""
    return can_view_programme(user, programme)
