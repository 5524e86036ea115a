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
