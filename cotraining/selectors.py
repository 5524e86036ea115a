"""Reads that span the domain apps: each person's to-do list and today's sheets on the dashboard.

It lives here because it reads applications and reviews (``programmes``) and attendance sheets
(``sessions``), and only the wiring layer may import them both.
"""

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.models import PeerGroup
from programmes import prepared
from programmes.models import (
    BudgetLine,
    Call,
    CityApplication,
    Funding,
    Membership,
    Programme,
    SelectionCriterion,
    TeamInvitation,
    TriadNominee,
    statuses_allowing,
)
from programmes.permissions import can_create_programme, programme_policy
from programmes.selectors import application_submission_problems
from programmes.stages import ProgrammeStage, programme_stage
from sessions.models import Activity, Slot
from sessions.selectors import programme_timetable_figures, programme_training_dates

Role = Membership.Role
Status = CityApplication.Status


@dataclass(frozen=True)
class TodoItem:
    label: str
    url: str


class DashboardProgramme(NamedTuple):
    """A line of the dashboard (a tuple: the template unpacks it)."""

    programme: Programme
    roles: list[str]
    todo: list[TodoItem]
    stage: ProgrammeStage


@dataclass(frozen=True)
class Dashboard:
    programmes: list[DashboardProgramme]
    can_create_programme: bool
    todays_sheets: list[Slot]


USER_MEMBERSHIPS = prepared.Query(
    lambda user: (
        Membership.objects.filter(user_id=user)
        .select_related("programme__call")
        .order_by("-programme__start_date", "programme__title", "programme_id", "role")
    ),
    user=int,
)


def _memberships(user) -> list[Membership]:
    """The user's memberships with their programme and its call, in the order the dashboard
    lists the programmes (and each one's roles in the order of their names)."""
    return USER_MEMBERSHIPS(user=user.pk)


def dashboard_get(*, user, now: dt.datetime | None = None) -> Dashboard:
    """Everything the dashboard shows: the programmes the user may see, each with the user's
    roles in it, their to-do (``todo_list``) and its stage; whether they may start a
    programme; today's sheets (``todays_sheets``). Four queries whatever the user's roles and
    the size of their programmes (none of the last three without a membership): the
    memberships with their programmes and calls; the timetables; the files to assign and
    reviews missing; today's sheets. Two more for a city contact (their application and its
    nominees), one more for a superuser (every programme).
    """
    now = now or timezone.now()
    memberships = _memberships(user)
    if user.is_superuser:
        programmes = list(
            programme_policy.instances_user_can(user, "view")
            .select_related("call")
            .order_by("-start_date", "title")
        )
        labels = {programme.pk: [str(_("Administrator"))] for programme in programmes}
    else:
        visible = programme_policy.roles_for("view")
        programmes, labels = [], {}
        for membership in memberships:
            if membership.role not in visible:
                continue
            if membership.programme_id not in labels:
                programmes.append(membership.programme)
                labels[membership.programme_id] = []
            labels[membership.programme_id].append(membership.get_role_display())
    ids = {programme.pk for programme in programmes} | {m.programme_id for m in memberships}
    timetable = programme_timetable_figures(programme_ids=sorted(ids), now=now)
    todo = _todo(user=user, memberships=memberships, timetable=timetable, now=now)
    today = timezone.localdate(now)
    return Dashboard(
        programmes=[
            DashboardProgramme(
                programme=programme,
                roles=labels[programme.pk],
                todo=todo.get(programme.pk, []),
                stage=programme_stage(
                    programme=programme,
                    call=getattr(programme, "call", None),
                    training=timetable[programme.pk].dates,
                    today=today,
                ),
            )
            for programme in programmes
        ],
        can_create_programme=can_create_programme(
            user, held_roles={membership.role for membership in memberships}
        ),
        todays_sheets=todays_sheets(user=user, now=now, memberships=memberships),
    )


def todo_list(*, user, now: dt.datetime | None = None) -> dict[int, list[TodoItem]]:
    """What the user has to do in each of their programmes, computed from the data, keyed by
    programme id: organisers' files to assign, selection to close and sheets left open;
    reviewers' reviews missing; facilitators' sheets of the day; a city contact's application
    still incomplete. Three queries whatever the user's roles and the size of the programmes,
    two more for a city contact."""
    now = now or timezone.now()
    memberships = _memberships(user)
    timetable = programme_timetable_figures(
        programme_ids=sorted({m.programme_id for m in memberships}), now=now
    )
    return _todo(user=user, memberships=memberships, timetable=timetable, now=now)


def _open_application_counts(user, programmes):
    return (
        CityApplication.objects.filter(
            call__programme_id__in=programmes, call__selection_closed_at__isnull=True
        )
        .annotate(
            reviewed=FilteredRelation(
                "reviews",
                condition=Q(reviews__reviewer_id=user, reviews__submitted_at__isnull=False),
            )
        )
        .order_by()
        .values("call__programme_id")
        .annotate(
            unassigned=Count(
                "pk",
                filter=Q(
                    status__in=(Status.SUBMITTED, Status.UNDER_REVIEW),
                    assignments__isnull=True,
                ),
            ),
            missing_reviews=Count(
                "pk",
                filter=Q(assignments__reviewer_id=user, reviewed__isnull=True)
                & ~Q(status__in=(Status.DRAFT, Status.WITHDRAWN)),
            ),
        )
    )


OPEN_APPLICATION_COUNTS = prepared.Query(_open_application_counts, user=int, programmes=list)


def _application_counts(*, user, programme_ids) -> dict[int, dict]:
    """Per programme whose selection is open: the files nobody reviews yet (for its
    organisers) and the files assigned to ``user`` without their submitted review (for a
    reviewer). One query (none without ids).

    The counts join the assignments and reviews: a file meets at most one assignment and one
    review of a reviewer (both unique), and a file without any assignment meets none, so each
    count counts each file once."""
    if not programme_ids:
        return {}
    return {
        row["call__programme_id"]: row
        for row in OPEN_APPLICATION_COUNTS(user=user.pk, programmes=list(programme_ids))
    }


# A city contact's applications still in their hands, and their nominees: read through the
# user's memberships rather than a list of ids, for one compiled query whatever their number.
def _contact_applications(user):
    return Membership.objects.filter(
        user_id=user, role=Role.CITY_CONTACT, application__status__in=statuses_allowing("submit")
    ).values("application_id")


EDITABLE_APPLICATIONS = prepared.Query(
    lambda user: (
        CityApplication.objects.filter(pk__in=_contact_applications(user))
        .select_related("call__programme", "city")
        .order_by("pk")
    ),
    user=int,
)
EDITABLE_APPLICATION_NOMINEES = prepared.Query(
    lambda user: TriadNominee.objects.filter(
        application_id__in=_contact_applications(user)
    ).order_by("pk"),
    user=int,
)


def _todo(*, user, memberships, timetable, now: dt.datetime) -> dict[int, list[TodoItem]]:
    today = timezone.localdate(now)
    todo: dict[int, list[TodoItem]] = {}

    def add(programme_id: int, label: str, url: str) -> None:
        todo.setdefault(programme_id, []).append(TodoItem(label, url))

    roles: dict[int, set[str]] = {}
    programmes: dict[int, Programme] = {}
    for membership in memberships:
        roles.setdefault(membership.programme_id, set()).add(membership.role)
        programmes[membership.programme_id] = membership.programme
    # Read for every programme of the user, whatever their roles (a role adds no query); the
    # lines below use what each role needs.
    counts = _application_counts(user=user, programme_ids=sorted(roles))
    # City contacts: their application while it is in their hands, and what it still lacks.
    contact_of = [m.application_id for m in memberships if m.role == Role.CITY_CONTACT]
    editable, nominees = [], {}
    if any(contact_of):
        editable = EDITABLE_APPLICATIONS(user=user.pk)
        # None without an application to edit, as before (an empty list of ids ran none).
        for nominee in EDITABLE_APPLICATION_NOMINEES(user=user.pk) if editable else ():
            nominees.setdefault(nominee.application_id, []).append(nominee)

    for programme_id, held in roles.items():
        slug = programmes[programme_id].slug
        sheets = timetable.get(programme_id)
        if Role.ORGANISER in held:
            n = counts.get(programme_id, {}).get("unassigned", 0)
            if n:
                add(
                    programme_id,
                    ngettext("%(n)d file to assign", "%(n)d files to assign", n) % {"n": n},
                    reverse("programmes:application_list", args=[slug]) + "?status=submitted",
                )
            call = getattr(programmes[programme_id], "call", None)
            if (
                call is not None
                and call.is_published
                and not call.is_selection_closed
                and call.closes_on < today
            ):
                add(
                    programme_id,
                    _("Selection to close"),
                    reverse("programmes:selection_board", args=[slug]),
                )
            n = sheets.open_past if sheets else 0
            if n:
                add(
                    programme_id,
                    ngettext("%(n)d sheet not closed", "%(n)d sheets not closed", n) % {"n": n},
                    reverse("sessions:attendance_list", args=[slug]),
                )
        if Role.REVIEWER in held:
            n = counts.get(programme_id, {}).get("missing_reviews", 0)
            if n:
                add(
                    programme_id,
                    ngettext("%(n)d review missing", "%(n)d reviews missing", n) % {"n": n},
                    reverse("programmes:application_list", args=[slug]),
                )
        if Role.FACILITATOR in held:
            n = sheets.today if sheets else 0
            if n:
                add(
                    programme_id,
                    ngettext("Today's sheet (%(n)d)", "Today's sheets (%(n)d)", n) % {"n": n},
                    reverse("sessions:attendance_list", args=[slug]),
                )
    for application in editable:
        programme = application.call.programme
        if programme.pk not in roles:
            continue
        url = reverse("programmes:city_application_edit", args=[programme.slug, application.pk])
        if application.status == Status.INFO_REQUESTED:
            add(programme.pk, _("The organisers ask you for more information"), url)
        problems = application_submission_problems(
            application=application, nominees=nominees.get(application.pk, []), today=today
        )
        for problem in problems:
            add(
                programme.pk,
                _("Your application: %(problem)s") % {"problem": problem},
                url,
            )
        if not problems:
            add(programme.pk, _("Your application is complete: submit it"), url)
    return todo


TODAYS_SLOTS = prepared.Query(
    lambda user, today, programmes: (
        Slot.objects.filter(day__date=today, day__programme_id__in=programmes)
        .select_related("day__programme")
        .annotate(
            recorded=Count("attendances"),
            mine=Exists(Activity.objects.filter(slot=OuterRef("pk"), facilitators__user_id=user)),
        )
        .order_by("-mine", "starts_at", "day__programme__title", "pk")
    ),
    user=int,
    today=dt.date,
    programmes=list,
)


def todays_sheets(
    *, user, now: dt.datetime | None = None, memberships: list[Membership] | None = None
) -> list[Slot]:
    """Today's half-days in the programmes where the user records attendance as a facilitator,
    those whose activities they lead first, then by time; each with its programme and day,
    ``recorded`` (how many attendance lines are marked) and ``mine`` (they lead one of its
    activities). One query, whatever the number of programmes and half-days (``memberships``:
    the user's, when the caller read them already)."""
    today = timezone.localdate(now or timezone.now())
    if memberships is None:
        memberships = _memberships(user)
    # Read in every programme of the user, whatever their roles (a role adds no query), then
    # kept where they facilitate.
    ids = sorted({m.programme_id for m in memberships})
    facilitated = {m.programme_id for m in memberships if m.role == Role.FACILITATOR}
    if not ids:
        return []
    slots = TODAYS_SLOTS(user=user.pk, today=today, programmes=ids)
    return [slot for slot in slots if slot.day.programme_id in facilitated]


# --- A programme's stage and its set-up checklist -------------------------------------------


def programme_stages(*, programmes, today: dt.date | None = None) -> dict[int, ProgrammeStage]:
    """The derived stage of each programme (``programmes.stages.programme_stage``), keyed by id:
    the calls in one query (none when the programmes were read with them; each programme keeps
    its call, which other figures read) and the timetables' dates in one, whatever the number
    of programmes."""
    programmes = list(programmes)
    today = today or timezone.localdate()
    ids = [programme.pk for programme in programmes]
    call_of = Programme.call.related
    if all(call_of.is_cached(programme) for programme in programmes):
        calls = {programme.pk: call_of.get_cached_value(programme) for programme in programmes}
    else:
        calls = {
            call.programme_id: call for call in Call.objects.filter(programme_id__in=ids).order_by()
        }
        for programme in programmes:
            call_of.set_cached_value(programme, calls.get(programme.pk))
    dates = programme_training_dates(programme_ids=ids)
    return {
        programme.pk: programme_stage(
            programme=programme,
            call=calls.get(programme.pk),
            training=dates[programme.pk],
            today=today,
        )
        for programme in programmes
    }


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    url: str
    done: bool


def _setup_done(programme):
    exists = {
        "call": Exists(Call.objects.filter(programme=OuterRef("pk"))),
        "grid": Exists(SelectionCriterion.objects.filter(call__programme=OuterRef("pk"))),
        "team": Exists(
            Membership.objects.filter(
                programme=OuterRef("pk"), role__in=[Role.REVIEWER, Role.FACILITATOR]
            )
        )
        | Exists(TeamInvitation.objects.pending().filter(programme=OuterRef("pk"))),
        "funding": Exists(Funding.objects.filter(programme=OuterRef("pk"))),
        "budget": Exists(BudgetLine.objects.filter(programme=OuterRef("pk"))),
        "timetable": Exists(Slot.objects.filter(day__programme=OuterRef("pk"))),
        "groups": Exists(PeerGroup.objects.filter(programme=OuterRef("pk"))),
    }
    return (
        Programme.objects.filter(pk=programme)
        .annotate(**{f"has_{key}": value for key, value in exists.items()})
        .values(*(f"has_{key}" for key in exists))
    )


SETUP_DONE = prepared.Query(_setup_done, programme=int)


def programme_setup_checklist(*, programme) -> list[ChecklistItem]:
    """What a new programme needs before its training, each item ticked from the data: dates and
    venue, the call and its selection grid, the team (a reviewer or facilitator, or an
    invitation), funding and budget lines, the timetable (a half-day), peer groups. One query."""
    (has,) = SETUP_DONE(programme=programme.pk)  # the programme's row, which exists
    slug = [programme.slug]
    return [
        ChecklistItem(
            "dates",
            _("Dates and venue"),
            reverse("programmes:programme_edit", args=slug),
            bool(programme.start_date and programme.end_date and programme.venue),
        ),
        ChecklistItem(
            "call",
            _("The call and its selection grid"),
            reverse("programmes:call_edit", args=slug),
            has["has_call"] and has["has_grid"],
        ),
        ChecklistItem(
            "team", _("The team"), reverse("programmes:team", args=slug), has["has_team"]
        ),
        ChecklistItem(
            "money",
            _("Funding and budget lines"),
            reverse("programmes:finances", args=slug),
            has["has_funding"] and has["has_budget"],
        ),
        ChecklistItem(
            "timetable",
            _("The timetable"),
            reverse("sessions:timetable", args=slug),
            has["has_timetable"],
        ),
        ChecklistItem(
            "groups",
            _("Peer groups"),
            reverse("participants:peer_groups", args=slug),
            has["has_groups"],
        ),
    ]
