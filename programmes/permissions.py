"""Who may do what in a programme. Rights come from memberships per programme.

Each kind of object has one policy that answers both questions, "may this user do X to this
object?" (``user_has_permission``) and "which objects may this user do X to?"
(``instances_user_can``, a queryset), from the same rule: views, list selectors and the
programme's navigation all ask it. ``ProgrammePolicy`` and ``ApplicationPolicy`` live here;
each app declares its own in its ``permissions.py`` (``RolePolicy`` for rights that depend on
the user's roles only). The predicates ``can_<verb>_<thing>(user, obj) -> bool`` are thin
wrappers that views and templates call. Views answer 404 when a user may not see an object,
so that ids of other programmes do not leak.
"""

import functools
import operator
from collections.abc import Iterable
from functools import reduce

from django.db import connections, router
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from . import prepared
from .models import (
    Call,
    CityApplication,
    FiguresVersion,
    Membership,
    Organisation,
    Programme,
    ReviewAssignment,
    roles_for,
    statuses_allowing,
)

Role = Membership.Role


def _is_active(user) -> bool:
    return user.is_authenticated and user.is_active


def programme_roles(user, programme: Programme) -> frozenset[str]:
    """The roles a user holds in a programme, cached on the programme object for the request.

    A superuser holds every role except city contact (which is tied to one application).
    """
    if not _is_active(user):
        return frozenset()
    cache = programme.__dict__.setdefault("_roles_cache", {})
    if user.pk not in cache:
        if user.is_superuser:
            cache[user.pk] = frozenset(Role.values) - {Role.CITY_CONTACT}
        else:
            cache[user.pk] = _held_roles(programme.pk, user.pk)
    return cache[user.pk]


def roles_reader(user) -> int | None:
    """The id of a user whose roles in a programme are worth reading with the programme (an
    active user who is not a superuser, whose roles ``programme_roles`` reads), else None."""
    return user.pk if _is_active(user) and not user.is_superuser else None


def remember_roles(programme: Programme, user_id: int, roles: Iterable[str]) -> None:
    """Keep the roles read with the programme where ``programme_roles`` looks first."""
    programme.__dict__.setdefault("_roles_cache", {})[user_id] = frozenset(roles)


def _held_roles(programme_id: int, user_id: int) -> frozenset[str]:
    """The roles of the user's memberships of the programme (every programme page asks it
    first: a statement put together once per process, ``programmes.prepared``)."""
    using = router.db_for_read(Membership)
    with connections[using].cursor() as cursor:
        cursor.execute(_roles_sql(using), [programme_id, user_id])
        return frozenset(row[0] for row in cursor.fetchall())


@functools.cache
def _roles_sql(using: str) -> str:
    def column(name: str) -> str:
        return prepared.column(Membership, name, "m", using)

    return (
        f"SELECT {column('role')} FROM {prepared.table(Membership, 'm', using)} "  # noqa: S608
        f"WHERE {column('programme')} = %s AND {column('user')} = %s"
    )


def holds_role(user, roles, *, programme: str = "pk") -> Q:
    """The condition "the user holds one of ``roles`` in the programme at ``programme``" (a
    lookup from the queried model to its programme), as ``programme_roles`` counts roles."""
    roles = frozenset(roles)
    if not _is_active(user) or not roles:
        return Q(pk__in=[])
    if user.is_superuser:
        # Not an empty Q(): it would vanish from "this | that" instead of meaning "all".
        return Q(pk__isnull=False) if roles - {Role.CITY_CONTACT} else Q(pk__in=[])
    return Q(
        Exists(
            Membership.objects.filter(programme=OuterRef(programme), user=user.pk, role__in=roles)
        )
    )


def has_role(user, programme: Programme, *roles: str) -> bool:
    return bool(programme_roles(user, programme) & set(roles))


class RolePolicy:
    """Rights on a kind of object that depend only on the user's roles in the object's
    programme: ``actions`` maps each action to the roles that may do it.

    ``model`` is the kind of object and ``programme_path`` the lookup from it to its programme;
    ``user_has_permission`` also takes the programme itself (the pages of a programme).
    """

    model = Programme
    programme_path = ""
    actions: dict[str, frozenset[str]] = {}

    def programme_of(self, obj) -> Programme:
        if isinstance(obj, Programme):
            return obj
        for name in self.programme_path.split("__"):
            obj = getattr(obj, name)
        return obj

    def roles_for(self, action: str) -> frozenset[str]:
        return self.actions[action]

    def user_has_permission(self, user, action: str, obj) -> bool:
        return bool(programme_roles(user, self.programme_of(obj)) & self.roles_for(action))

    def instances_user_can(self, user, action: str) -> QuerySet:
        return self.model.objects.filter(
            holds_role(user, self.roles_for(action), programme=self.programme_path or "pk")
        )


class ProgrammePolicy(RolePolicy):
    """A programme and its own pages (set-up, finances, the call, the applications list)."""

    actions = {
        "view": frozenset(Role.values),
        "manage": frozenset({Role.ORGANISER}),
        "view_finances": frozenset({Role.ORGANISER, Role.FUNDER}),
        "view_applications": frozenset({Role.ORGANISER, Role.REVIEWER}),
        # Participation and people figures: everyone but a city contact, who sees only their
        # own file.
        "view_overview_figures": frozenset(
            {Role.ORGANISER, Role.REVIEWER, Role.FACILITATOR, Role.FUNDER}
        ),
        "follow_own_application": frozenset({Role.CITY_CONTACT}),
        # The cities' follow-up board: funders see it without names or notes.
        "view_followup": frozenset({Role.ORGANISER, Role.FUNDER}),
    }


programme_policy = ProgrammePolicy()


def can_view_programme(user, programme: Programme) -> bool:
    return programme_policy.user_has_permission(user, "view", programme)


def can_manage_programme(user, programme: Programme) -> bool:
    return programme_policy.user_has_permission(user, "manage", programme)


def can_view_finances(user, programme: Programme) -> bool:
    return programme_policy.user_has_permission(user, "view_finances", programme)


def can_view_applications(user, programme: Programme) -> bool:
    return programme_policy.user_has_permission(user, "view_applications", programme)


def can_view_overview_figures(user, programme: Programme) -> bool:
    return programme_policy.user_has_permission(user, "view_overview_figures", programme)


def can_follow_own_application(user, programme: Programme) -> bool:
    return programme_policy.user_has_permission(user, "follow_own_application", programme)


def can_view_followup_board(user, programme: Programme) -> bool:
    return programme_policy.user_has_permission(user, "view_followup", programme)


def can_see_followup_names(user, programme: Programme) -> bool:
    """Owners' names, notes and documents on the board: organisers only (funders see the
    steps and dates, no personal data)."""
    return can_manage_programme(user, programme)


def require(allowed: bool) -> None:
    """Answer 404 rather than 403: what a user may not see does not exist for them."""
    if not allowed:
        raise Http404


def programme_get_for_user(user, slug: str, *, related: tuple[str, ...] = ()) -> Programme:
    """The programme with this slug if the user may see it, else 404; ``related``: more
    relations to read with it (its organiser always is)."""
    # A member's roles in it come with it (one statement instead of two on every page).
    programme = _programme_read(slug, related, reader=roles_reader(user))
    if programme is None or not can_view_programme(user, programme):
        raise Http404
    return programme


def _programme_read(
    slug: str, related: tuple[str, ...], *, reader: int | None = None
) -> Programme | None:
    """The programme, its organiser and its call if asked, and its figures version, read with a
    statement put together once per process (``programmes.prepared``): every page of a
    programme starts with it. With ``reader`` (a user's id), the roles that user holds in it
    too, kept where ``programme_roles`` looks first: the statement then gives one row per
    role (the programme's columns repeated), or one without a role."""
    if set(related) - {"call"}:
        # The slug is unique: no ordering to build.
        queryset = (
            Programme.objects.filter(slug=slug)
            .select_related("organiser", *related)
            .annotate(figures_version=FiguresVersion.of("pk"))
        )
        return next(iter(queryset.order_by()), None)
    with_call = bool(related)
    using = router.db_for_read(Programme)
    with_roles = reader is not None
    sql, parts = _programme_statement(using, with_call=with_call, with_roles=with_roles)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [reader, slug] if with_roles else [slug])
        rows = cursor.fetchall()
    if not rows:
        return None
    row = rows[0]
    if with_roles:
        roles = [each[-1] for each in rows if each[-1] is not None]
        row = row[:-1]
    *row, figures_version = row
    objects, start = [], 0
    for columns in parts:
        objects.append(columns.instance(using, row[start : start + len(columns)]))
        start += len(columns)
    programme, organiser, *call = objects
    programme.figures_version = figures_version
    if with_roles:
        remember_roles(programme, reader, roles)
    Programme._meta.get_field("organiser").set_cached_value(programme, organiser)
    if with_call:  # as select_related("call") leaves it, the missing call included
        Programme.call.related.set_cached_value(programme, call[0])
        if call[0] is not None:
            Call._meta.get_field("programme").set_cached_value(call[0], programme)
    return programme


@functools.cache
def _programme_statement(using: str, *, with_call: bool, with_roles: bool = False):
    def column(model, name: str, alias: str) -> str:
        return prepared.column(model, name, alias, using)

    parts = [
        prepared.columns(Programme, "p", using),
        prepared.columns(Organisation, "o", using),
    ]
    joins = (
        f"LEFT OUTER JOIN {prepared.table(Organisation, 'o', using)} "
        f"ON {column(Organisation, 'id', 'o')} = {column(Programme, 'organiser', 'p')}"
    )
    if with_call:
        parts.append(prepared.columns(Call, "c", using))
        joins += (
            f" LEFT OUTER JOIN {prepared.table(Call, 'c', using)} "
            f"ON {column(Call, 'programme', 'c')} = {column(Programme, 'id', 'p')}"
        )
    # The programme's figures version (``programmes.kept``), null without a row yet.
    joins += (
        f" LEFT OUTER JOIN {prepared.table(FiguresVersion, 'v', using)} "
        f"ON {column(FiguresVersion, 'programme_id', 'v')} = {column(Programme, 'id', 'p')}"
    )
    select = ", ".join(part.select for part in parts)
    select += f", {column(FiguresVersion, 'version', 'v')}"
    if with_roles:  # the reader's memberships: a role per row (its id the first parameter)
        joins += (
            f" LEFT OUTER JOIN {prepared.table(Membership, 'm', using)} "
            f"ON {column(Membership, 'programme', 'm')} = {column(Programme, 'id', 'p')} "
            f"AND {column(Membership, 'user', 'm')} = %s"
        )
        select += f", {column(Membership, 'role', 'm')}"
    sql = (
        f"SELECT {select} FROM {prepared.table(Programme, 'p', using)} {joins} "  # noqa: S608
        f"WHERE {column(Programme, 'slug', 'p')} = %s"
    )
    return sql, tuple(parts)


# --- programme set-up, the call, applications, reviews and selection -------------------------


def can_create_programme(user, *, held_roles: Iterable[str] | None = None) -> bool:
    """Superusers, and people who already organise a programme, may start a new one.
    ``held_roles``: every role the user holds, when the caller read them already."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if held_roles is not None:
        return Role.ORGANISER in held_roles
    return Membership.objects.filter(user=user, role=Role.ORGANISER).exists()


def _cached(application, key: str, user, compute) -> bool:
    cache = application.__dict__.setdefault("_permission_cache", {})
    if (key, user.pk) not in cache:
        cache[(key, user.pk)] = compute()
    return cache[(key, user.pk)]


# Whether a row exists, as one row at most (``prepared.Query`` runs no ``exists()``).
REVIEWER_ASSIGNED = prepared.Query(
    lambda application, user: (
        ReviewAssignment.objects.filter(application_id=application, reviewer_id=user)
        .order_by()
        .values_list("pk")[:1]
    ),
    application=int,
    user=int,
)
CITY_CONTACT_OF = prepared.Query(
    lambda application, user: (
        Membership.objects.filter(user_id=user, role=Role.CITY_CONTACT, application_id=application)
        .order_by()
        .values_list("pk")[:1]
    ),
    application=int,
    user=int,
)


def is_assigned_reviewer(user, application) -> bool:
    """The user holds the reviewer role in the programme and is assigned this application."""
    if not user.is_authenticated or not has_role(user, application.call.programme, Role.REVIEWER):
        return False
    return _cached(
        application,
        "assigned",
        user,
        lambda: bool(REVIEWER_ASSIGNED(application=application.pk, user=user.pk)),
    )


def is_city_contact_of(user, application) -> bool:
    """The user is the city contact whose membership names this application."""
    if not _is_active(user):
        return False
    return _cached(
        application,
        "contact",
        user,
        lambda: bool(CITY_CONTACT_OF(application=application.pk, user=user.pk)),
    )


class ApplicationPolicy:
    """A city application: its review file, the city's own pages, and every action of the
    transitions table (``models.APPLICATION_TRANSITIONS``), which says in which statuses an
    action may start and who does it.

    Each action's rule lives here only, in its two forms side by side (one object, a query),
    built from the same parts: who the user is to the application (organiser, assigned
    reviewer, the city's contact, as the table names), what the status allows, and whether the
    selection is closed or the training has begun. ``tests/programmes/test_policies.py`` checks
    that the two forms agree.
    """

    ACTIONS = (
        "view",
        "view_own",
        "edit",
        "withdraw",
        "review",
        "decide",
        "request_information",
        "download_letter",
    )

    # -- the parts, for one object ------------------------------------------------------------

    @staticmethod
    def _holds(user, application, action: str) -> bool:
        """The user holds a role the table names for ``action``: the city's contact for this
        file, an assigned reviewer, or an organiser of the programme."""
        roles = roles_for(action)
        return (
            (Role.CITY_CONTACT in roles and is_city_contact_of(user, application))
            or (Role.REVIEWER in roles and is_assigned_reviewer(user, application))
            or (
                Role.ORGANISER in roles
                and has_role(user, application.call.programme, Role.ORGANISER)
            )
        )

    def user_has_permission(self, user, action: str, application: CityApplication) -> bool:
        programme = application.call.programme
        if action == "view":
            # Organisers see every application, reviewers those assigned to them; nobody but
            # the city sees a draft (the city is told so until it submits).
            return application.status != CityApplication.Status.DRAFT and (
                has_role(user, programme, Role.ORGANISER) or is_assigned_reviewer(user, application)
            )
        if action == "view_own":
            # The city's own pages: only its contact (an organiser uses the review file).
            return is_city_contact_of(user, application)
        if action == "download_letter":
            return self.user_has_permission(user, "view", application) or self.user_has_permission(
                user, "view_own", application
            )
        if action == "edit":
            # The city edits its file while it may (still) submit it.
            return application.allows("submit") and self._holds(user, application, "submit")
        if action == "withdraw":
            # Until the training begins: afterwards the city's people are in the attendance
            # records.
            return (
                application.allows("withdraw")
                and not programme.has_begun()
                and self._holds(user, application, "withdraw")
            )
        if action in ("review", "decide", "request_information"):
            return (
                application.allows(action)
                and not application.call.is_selection_closed
                and self._holds(user, application, action)
            )
        raise ValueError(action)

    # -- the same parts, as a query -----------------------------------------------------------
    # Given the programme (a list of its applications), the parts that depend only on the
    # user's roles in it are decided here from ``programme_roles`` (asked once a request)
    # rather than by a subquery per application: the query keeps only what varies by
    # application. Each part is a Q, or True/False once decided.

    @staticmethod
    def _holds_q(user, action: str, programme=None):
        roles = roles_for(action)
        parts = []
        if Role.CITY_CONTACT in roles:
            parts.append(_contact_q(user))
        if Role.REVIEWER in roles:
            parts.append(_assigned_q(user, programme))
        if Role.ORGANISER in roles:
            parts.append(_role_part(user, {Role.ORGANISER}, programme))
        return _any(*parts)

    def instances_user_can(self, user, action: str, programme=None) -> QuerySet:
        """The applications ``user_has_permission`` allows; of ``programme`` only, when given."""
        Status = CityApplication.Status
        if action == "view":
            condition = _all(
                ~Q(status=Status.DRAFT),
                _any(
                    _role_part(user, {Role.ORGANISER}, programme),
                    _assigned_q(user, programme),
                ),
            )
        elif action == "view_own":
            condition = _contact_q(user)
        elif action == "download_letter":
            return self.instances_user_can(user, "view", programme) | self.instances_user_can(
                user, "view_own", programme
            )
        elif action == "edit":
            condition = _all(
                Q(status__in=statuses_allowing("submit")),
                self._holds_q(user, "submit", programme),
            )
        elif action == "withdraw":
            today = timezone.localdate()
            begun = Q(
                call__programme__status__in=[Programme.Status.RUNNING, Programme.Status.CLOSED]
            ) | Q(call__programme__start_date__lte=today)
            condition = _all(
                Q(status__in=statuses_allowing("withdraw")),
                ~begun,
                self._holds_q(user, "withdraw", programme),
            )
        elif action in ("review", "decide", "request_information"):
            condition = _all(
                Q(status__in=statuses_allowing(action)),
                Q(call__selection_closed_at__isnull=True),
                self._holds_q(user, action, programme),
            )
        else:
            raise ValueError(action)
        applications = CityApplication.objects.all()
        if programme is not None:
            applications = applications.filter(call__programme=programme)
        if condition is False:
            return applications.none()
        return applications if condition is True else applications.filter(condition)


def _any(*parts):
    """Parts (Q, True or False) joined by "or", decided when one is True or all are False."""
    conditions = []
    for part in parts:
        if part is True:
            return True
        if part is not False:
            conditions.append(part)
    if not conditions:
        return False
    return reduce(operator.or_, conditions)


def _all(*parts):
    """Parts (Q, True or False) joined by "and", decided when one is False or all are True."""
    conditions = []
    for part in parts:
        if part is False:
            return False
        if part is not True:
            conditions.append(part)
    if not conditions:
        return True
    return reduce(operator.and_, conditions)


def _role_part(user, roles, programme):
    """``holds_role`` for an application's programme; decided (True/False) when that
    programme is given, from the roles ``programme_roles`` counts the same way."""
    if programme is None:
        return holds_role(user, roles, programme="call__programme")
    return bool(programme_roles(user, programme) & frozenset(roles))


def _contact_q(user):
    if not _is_active(user):
        return False
    return Q(
        Exists(
            Membership.objects.filter(user=user, role=Role.CITY_CONTACT, application=OuterRef("pk"))
        )
    )


def _assigned_q(user, programme=None):
    """Assigned to the user, who holds the reviewer role in the programme."""
    if not _is_active(user):
        return False
    return _all(
        _role_part(user, {Role.REVIEWER}, programme),
        Q(Exists(ReviewAssignment.objects.filter(application=OuterRef("pk"), reviewer=user))),
    )


application_policy = ApplicationPolicy()


def can_view_application(user, application) -> bool:
    """The review file (organisers, assigned reviewers; never a draft)."""
    return application_policy.user_has_permission(user, "view", application)


def can_view_own_application(user, application) -> bool:
    return application_policy.user_has_permission(user, "view_own", application)


def can_edit_application(user, application) -> bool:
    return application_policy.user_has_permission(user, "edit", application)


def can_withdraw_application(user, application) -> bool:
    return application_policy.user_has_permission(user, "withdraw", application)


def can_download_commitment_letter(user, application) -> bool:
    return application_policy.user_has_permission(user, "download_letter", application)


def can_review_application(user, application) -> bool:
    return application_policy.user_has_permission(user, "review", application)


def can_see_every_review(user, programme: Programme) -> bool:
    """Whether the user sees the reviews of every application, whoever wrote them: organisers.
    Anyone else sees an application's reviews, and the figures made of them (their number, the
    average score, an order by score), only once they submitted their own review of it."""
    return can_manage_programme(user, programme)


def can_see_all_reviews(user, application, *, reviewed_by_me: bool) -> bool:
    """Organisers see every review; a reviewer sees the others' once they submitted their own."""
    return can_see_every_review(user, application.call.programme) or reviewed_by_me


def can_decide_application(user, application) -> bool:
    return application_policy.user_has_permission(user, "decide", application)


def can_request_information(user, application) -> bool:
    return application_policy.user_has_permission(user, "request_information", application)


# --- the outbox and notifications --------------------------------------------------------------


def can_view_messages(user, programme: Programme) -> bool:
    """The e-mails a programme sent, to whom, and what failed: organisers only (funders and
    reviewers never see other people's messages)."""
    return can_manage_programme(user, programme)


def can_view_journal(user, programme: Programme) -> bool:
    """The programme's audit trail names every member and what they did: organisers only."""
    return can_manage_programme(user, programme)


def can_resend_message(user, message) -> bool:
    return message.programme_id is not None and can_view_messages(user, message.programme)


def can_choose_notifications(user, programme: Programme) -> bool:
    """Any member chooses how they hear about a programme."""
    return can_view_programme(user, programme)


# --- after the training: a selected city's follow-up -------------------------------------------


def can_update_followup(user, application) -> bool:
    """The city's contact records its action plan and council milestones, once selected."""
    return application.status == CityApplication.Status.SELECTED and is_city_contact_of(
        user, application
    )


def can_remind_city(user, application) -> bool:
    return application.status == CityApplication.Status.SELECTED and can_manage_programme(
        user, application.call.programme
    )


def can_download_milestone_document(user, application) -> bool:
    """A milestone's document: the city's contact and the organisers (not funders)."""
    return can_update_followup(user, application) or can_remind_city(user, application)
