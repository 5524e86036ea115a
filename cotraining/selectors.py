"""Reads that span the domain apps: each person's to-do list and today's sheets on the dashboard.

It lives here because it reads applications and reviews (``programmes``) and attendance sheets
(``sessions``), and only the wiring layer may import them both.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.models import PeerGroup
from programmes.models import (
    BudgetLine,
    Call,
    CityApplication,
    Funding,
    Membership,
    Programme,
    Review,
    ReviewAssignment,
    SelectionCriterion,
    TeamInvitation,
    TriadNominee,
    statuses_allowing,
)
from programmes.selectors import application_submission_problems
from programmes.stages import ProgrammeStage, programme_stage
from sessions.models import Activity, Slot
from sessions.selectors import programme_training_dates

Role = Membership.Role
Status = CityApplication.Status


@dataclass(frozen=True)
class TodoItem:
    label: str
    url: str


def _programmes_where(user, *roles: str):
    """The ids of the programmes where the user holds one of ``roles``, as a subquery: the
    queries below run whatever the user's roles, so the page's count never depends on them."""
    return Membership.objects.filter(user=user, role__in=roles).values("programme_id")


def _counts(queryset, key: str, **annotations) -> dict[int, dict]:
    return {
        row[key]: row
        for row in queryset.order_by().values(key).annotate(**annotations).values(key, *annotations)
    }


def todo_list(*, user, now: dt.datetime | None = None) -> dict[int, list[TodoItem]]:
    """What the user has to do in each of their programmes, computed from the data, keyed by
    programme id: organisers' files to assign, selection to close and sheets left open;
    reviewers' reviews missing; facilitators' sheets of the day; a city contact's application
    still incomplete. Six queries, whatever the user's roles and the size of the programmes."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    todo: dict[int, list[TodoItem]] = {}

    def add(programme_id: int, label: str, url: str) -> None:
        todo.setdefault(programme_id, []).append(TodoItem(label, url))

    memberships = list(
        Membership.objects.filter(user=user).select_related("programme__call").order_by("pk")
    )
    roles: dict[int, set[str]] = {}
    programmes = {}
    for membership in memberships:
        roles.setdefault(membership.programme_id, set()).add(membership.role)
        programmes[membership.programme_id] = membership.programme

    # Organisers: files nobody reviews yet, and a call closed whose selection is still open.
    unassigned = _counts(
        CityApplication.objects.filter(
            call__programme__in=_programmes_where(user, Role.ORGANISER),
            call__selection_closed_at__isnull=True,
            status__in=(Status.SUBMITTED, Status.UNDER_REVIEW),
        ).filter(~Exists(ReviewAssignment.objects.filter(application=OuterRef("pk")))),
        "call__programme_id",
        n=Count("pk"),
    )
    # Half-days: a past one whose sheet is still open (organisers), today's (facilitators).
    past = Q(day__date__lt=today) | Q(day__date=today, ends_at__lte=local.time())
    sheets = _counts(
        Slot.objects.filter(
            day__programme__in=_programmes_where(user, Role.ORGANISER, Role.FACILITATOR)
        ),
        "day__programme_id",
        open_past=Count("pk", filter=past & Q(closed_at__isnull=True)),
        today=Count("pk", filter=Q(day__date=today)),
    )
    # Reviewers: files assigned to them, still open to review, without their submitted review.
    missing_reviews = _counts(
        ReviewAssignment.objects.filter(
            reviewer=user,
            application__call__programme__in=_programmes_where(user, Role.REVIEWER),
            application__call__selection_closed_at__isnull=True,
        )
        .exclude(application__status__in=(Status.DRAFT, Status.WITHDRAWN))
        .filter(
            ~Exists(
                Review.objects.filter(
                    application=OuterRef("application"),
                    reviewer=user,
                    submitted_at__isnull=False,
                )
            )
        ),
        "application__call__programme_id",
        n=Count("pk"),
    )
    # City contacts: their application while it is in their hands, and what it still lacks.
    mine = Q(contact_memberships__user=user, contact_memberships__role=Role.CITY_CONTACT)
    editable = list(
        CityApplication.objects.filter(mine, status__in=statuses_allowing("submit"))
        .select_related("call__programme", "city")
        .distinct()
        .order_by("pk")
    )
    nominees: dict[int, list[TriadNominee]] = {}
    for nominee in TriadNominee.objects.filter(
        application__contact_memberships__user=user,
        application__contact_memberships__role=Role.CITY_CONTACT,
        application__status__in=statuses_allowing("submit"),
    ).order_by("pk"):
        nominees.setdefault(nominee.application_id, []).append(nominee)

    for programme_id, held in roles.items():
        slug = programmes[programme_id].slug
        if Role.ORGANISER in held:
            n = unassigned.get(programme_id, {}).get("n", 0)
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
            n = sheets.get(programme_id, {}).get("open_past", 0)
            if n:
                add(
                    programme_id,
                    ngettext("%(n)d sheet not closed", "%(n)d sheets not closed", n) % {"n": n},
                    reverse("sessions:attendance_list", args=[slug]),
                )
        if Role.REVIEWER in held:
            n = missing_reviews.get(programme_id, {}).get("n", 0)
            if n:
                add(
                    programme_id,
                    ngettext("%(n)d review missing", "%(n)d reviews missing", n) % {"n": n},
                    reverse("programmes:application_list", args=[slug]),
                )
        if Role.FACILITATOR in held:
            n = sheets.get(programme_id, {}).get("today", 0)
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


def todays_sheets(*, user, now: dt.datetime | None = None) -> list[Slot]:
    """Today's half-days in the programmes where the user records attendance as a facilitator,
    those whose activities they lead first, then by time; each with its programme and day,
    ``recorded`` (how many attendance lines are marked) and ``mine`` (they lead one of its
    activities). One query, whatever the number of programmes and half-days."""
    today = timezone.localdate(now or timezone.now())
    return list(
        Slot.objects.filter(
            day__date=today,
            day__programme__in=_programmes_where(user, Role.FACILITATOR),
        )
        .select_related("day__programme")
        .annotate(
            recorded=Count("attendances"),
            mine=Exists(Activity.objects.filter(slot=OuterRef("pk"), facilitators__user=user)),
        )
        .order_by("-mine", "starts_at", "day__programme__title", "pk")
    )


# --- A programme's stage and its set-up checklist -------------------------------------------


def programme_stages(*, programmes, today: dt.date | None = None) -> dict[int, ProgrammeStage]:
    """The derived stage of each programme (``programmes.stages.programme_stage``), keyed by id:
    the calls in one query and the timetables' dates in two, whatever the number of programmes."""
    programmes = list(programmes)
    today = today or timezone.localdate()
    ids = [programme.pk for programme in programmes]
    calls = {call.programme_id: call for call in Call.objects.filter(programme_id__in=ids)}
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


def programme_setup_checklist(*, programme) -> list[ChecklistItem]:
    """What a new programme needs before its training, each item ticked from the data: dates and
    venue, the call and its selection grid, the team (a reviewer or facilitator, or an
    invitation), funding and budget lines, the timetable (a half-day), peer groups. One query."""
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
    has = (
        Programme.objects.filter(pk=programme.pk)
        .annotate(**{f"has_{key}": value for key, value in exists.items()})
        .values(*(f"has_{key}" for key in exists))
        .get()
    )
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
