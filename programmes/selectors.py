"""Reads for programmes: lists and key figures, with all aggregation done in the database;
the call, the applications with their eligibility and reviews, the selection board, finances."""

from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Avg, Count, F, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    TRIAD_PROFESSIONALS_MAX,
    TRIAD_PROFESSIONALS_MIN,
    ApplicationEvent,
    BudgetLine,
    Call,
    CityApplication,
    CityContribution,
    Funding,
    Membership,
    Programme,
    Review,
    ReviewScore,
    SelectionCriterion,
    TeamInvitation,
    TriadNominee,
    UserProfile,
)
from .permissions import has_role

ZERO = Value(Decimal("0.00"))


def programme_list_for_user(*, user) -> list[tuple[Programme, list[str]]]:
    """The programmes a user may see, each with the labels of the user's roles in it."""
    programmes = list(Programme.objects.visible_to(user).order_by("-start_date", "title"))
    if user.is_superuser:
        return [(programme, [str(_("Administrator"))]) for programme in programmes]
    labels: dict[int, list[str]] = {}
    for membership in Membership.objects.filter(user=user).order_by("role"):
        labels.setdefault(membership.programme_id, []).append(membership.get_role_display())
    return [(programme, labels.get(programme.pk, [])) for programme in programmes]


@dataclass(frozen=True)
class ApplicationFigures:
    total: int
    submitted: int
    selected: int
    waitlisted: int
    rejected: int
    places: int


def programme_application_figures(*, programme: Programme) -> ApplicationFigures:
    """Counts of the call's applications; drafts are not counted as applications received."""
    Status = CityApplication.Status
    figures = CityApplication.objects.for_programme(programme).aggregate(
        total=Count("id", filter=~Q(status=Status.DRAFT)),
        submitted=Count(
            "id",
            filter=Q(status__in=[Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED]),
        ),
        selected=Count("id", filter=Q(status=Status.SELECTED)),
        waitlisted=Count("id", filter=Q(status=Status.WAITLISTED)),
        rejected=Count("id", filter=Q(status=Status.REJECTED)),
    )
    places = getattr(getattr(programme, "call", None), "places", None) or programme.capacity
    return ApplicationFigures(places=places, **figures)


@dataclass(frozen=True)
class FinanceFigures:
    funding_requested: Decimal
    funding_awarded: Decimal
    funding_received: Decimal
    contributions_pledged: Decimal
    contributions_invoiced: Decimal
    contributions_received: Decimal
    budget_planned: Decimal
    budget_actual: Decimal

    @property
    def income_expected(self) -> Decimal:
        return self.funding_awarded + self.contributions_pledged

    @property
    def income_received(self) -> Decimal:
        return self.funding_received + self.contributions_received

    @property
    def balance(self) -> Decimal:
        """Expected income minus planned cost."""
        return self.income_expected - self.budget_planned

    @property
    def still_to_receive(self) -> Decimal:
        return self.income_expected - self.income_received


def programme_finance_figures(*, programme: Programme) -> FinanceFigures:
    """Totals of funding, city contributions and budget lines (three aggregate queries)."""
    funding = Funding.objects.filter(programme=programme).aggregate(
        funding_requested=Coalesce(Sum("amount_requested"), ZERO),
        funding_awarded=Coalesce(Sum("amount_awarded"), ZERO),
        funding_received=Coalesce(Sum("amount_received"), ZERO),
    )
    contributions = CityContribution.objects.filter(
        application__call__programme=programme,
        application__status=CityApplication.Status.SELECTED,
    ).aggregate(
        contributions_pledged=Coalesce(Sum("amount_pledged"), ZERO),
        contributions_invoiced=Coalesce(Sum("amount_invoiced"), ZERO),
        contributions_received=Coalesce(Sum("amount_received"), ZERO),
    )
    budget = BudgetLine.objects.filter(programme=programme).aggregate(
        budget_planned=Coalesce(Sum("planned_amount"), ZERO),
        budget_actual=Coalesce(Sum("actual_amount"), ZERO),
    )
    return FinanceFigures(**funding, **contributions, **budget)


# --- the call, city applications, reviews and selection --------------------------------------

Status = CityApplication.Status
Role = Membership.Role

# An organiser's invitation link stays valid for thirty days.
INVITATION_SALT = "programmes.invitation"
INVITATION_MAX_AGE = 60 * 60 * 24 * 30


def call_get_published(*, slug: str) -> Call:
    """The published call of a programme, with its programme and selection grid, else 404."""
    call = (
        Call.objects.filter(programme__slug=slug, published_at__isnull=False)
        .select_related("programme", "programme__organiser")
        .prefetch_related("criteria")
        .first()
    )
    if call is None:
        raise Http404
    return call


def call_get_for_programme(*, programme: Programme) -> Call | None:
    return Call.objects.filter(programme=programme).prefetch_related("criteria").first()


def city_choices_for_call(*, call: Call):
    """Cities that have not applied to this call yet, for the city's first step."""
    City = CityApplication._meta.get_field("city").related_model
    return City.objects.exclude(applications__call=call).order_by("name")


def contact_application_for_programme(*, user, programme: Programme) -> CityApplication | None:
    """The application a city contact holds in a programme, if any."""
    if not user.is_authenticated:
        return None
    membership = (
        Membership.objects.filter(user=user, programme=programme, role=Role.CITY_CONTACT)
        .select_related("application__city", "application__call")
        .first()
    )
    return membership.application if membership else None


def events_for_city(*, application: CityApplication) -> list[ApplicationEvent]:
    """The application's log as its city sees it: provisional decisions are left out until the
    selection closes (see ``CityApplication.status_for_city``)."""
    events = application.events.select_related("actor").order_by("created_at", "pk")
    if not application.call.is_selection_closed:
        decisions = CityApplication.DECISIONS
        events = events.exclude(to_status__in=decisions).exclude(from_status__in=decisions)
    return list(events)


def invitation_email_read(*, token: str, programme: Programme) -> str | None:
    """The e-mail address an organiser invited, if the token is genuine, recent and for this
    programme; None otherwise."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("programme") != programme.pk:
        return None
    return data.get("email") or None


# Eligibility --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One line of an application's checklist: a condition, whether it holds, and what is wrong."""

    key: str
    label: str
    ok: bool
    problems: tuple[str, ...]


def _name(nominee: TriadNominee) -> str:
    return f"{nominee.first_name} {nominee.last_name}".strip() or str(nominee.get_role_display())


def application_checklist(*, application: CityApplication, nominees=None) -> list[Check]:
    """The conditions an application must meet to be submitted, computed from loaded objects.

    The first three (triad, commitments, contribution) are the eligibility conditions, the same
    as ``CityApplicationQuerySet.with_eligibility`` computes in the database; the last one is the
    rest of the file.
    """
    call = application.call
    nominees = list(application.nominees.all() if nominees is None else nominees)
    roles = Counter(nominee.role for nominee in nominees)
    Roles = TriadNominee.Role

    triad: list[str] = []
    if roles[Roles.ELECTED_OFFICIAL] == 0:
        triad.append(_("The triad needs an elected official."))
    elif roles[Roles.ELECTED_OFFICIAL] > 1:
        triad.append(_("The triad has only one elected official."))
    if roles[Roles.CITY_PROFESSIONAL] < TRIAD_PROFESSIONALS_MIN:
        triad.append(_("The triad needs at least one city professional."))
    elif roles[Roles.CITY_PROFESSIONAL] > TRIAD_PROFESSIONALS_MAX:
        triad.append(_("The triad has at most two city professionals."))
    if roles[Roles.PREFECTS_DELEGATE] == 0:
        triad.append(_("The triad needs the prefect's delegate."))
    elif roles[Roles.PREFECTS_DELEGATE] > 1:
        triad.append(_("The triad has only one prefect's delegate."))
    for nominee in nominees:
        if not nominee.position and not nominee.email:
            missing = _("Give the position and e-mail address of %(name)s.")
        elif not nominee.position:
            missing = _("Give the position of %(name)s.")
        elif not nominee.email:
            missing = _("Give the e-mail address of %(name)s.")
        else:
            continue
        triad.append(missing % {"name": _name(nominee)})

    commitments = [
        _("%(name)s has not given their named commitment to attend every day.")
        % {"name": _name(nominee)}
        for nominee in nominees
        if not nominee.commitment_given
    ]
    if not nominees:
        commitments.append(_("No triad member has given a named commitment yet."))

    contribution: list[str] = []
    if application.contribution_pledged < call.required_contribution:
        contribution.append(
            _("The contribution pledged (%(pledged)s €) is below the %(required)s € required.")
            % {
                "pledged": number_format(application.contribution_pledged, 2),
                "required": number_format(call.required_contribution, 2),
            }
        )

    file: list[str] = []
    if not application.contact_email:
        file.append(_("Give the e-mail address of the city's contact person."))
    if not application.priority_neighbourhoods.strip():
        file.append(_("List the priority neighbourhoods concerned."))
    if not application.motivation.strip():
        file.append(_("Explain the city's motivation."))

    return [
        Check("triad", str(_("Triad complete")), not triad, tuple(map(str, triad))),
        Check(
            "commitments",
            str(_("Every named commitment given")),
            not commitments,
            tuple(map(str, commitments)),
        ),
        Check(
            "contribution",
            str(_("Contribution at least the amount required")),
            not contribution,
            tuple(map(str, contribution)),
        ),
        Check("file", str(_("Contact, neighbourhoods and motivation")), not file, tuple(file)),
    ]


def application_submission_problems(
    *, application: CityApplication, nominees=None, today: date | None = None
) -> list[str]:
    """Everything that stops the application from being submitted now, in plain words."""
    call = application.call
    today = today or timezone.localdate()
    problems = [
        problem
        for check in application_checklist(application=application, nominees=nominees)
        for problem in check.problems
    ]
    if call.is_selection_closed:
        problems.insert(0, str(_("The selection is closed: applications can no longer change.")))
    elif application.status == Status.DRAFT and not call.is_open_on(today):
        problems.insert(
            0,
            str(
                _(
                    "Applications can be submitted only while the call is open, from %(opens)s "
                    "to %(closes)s."
                )
                % {
                    "opens": date_format(call.opens_on, "DATE_FORMAT"),
                    "closes": date_format(call.closes_on, "DATE_FORMAT"),
                }
            ),
        )
    return problems


Roles = TriadNominee.Role
# (form slot, role, index among the nominees of that role)
TRIAD_SLOTS = (
    ("elected", Roles.ELECTED_OFFICIAL, 0),
    ("professional1", Roles.CITY_PROFESSIONAL, 0),
    ("professional2", Roles.CITY_PROFESSIONAL, 1),
    ("delegate", Roles.PREFECTS_DELEGATE, 0),
)


def triad_slots(nominees) -> dict[str, TriadNominee | None]:
    """The four places of a triad form, filled from the nominees in a stable order."""
    by_role: dict[str, list[TriadNominee]] = {}
    for nominee in sorted(nominees, key=lambda n: n.pk or 0):
        by_role.setdefault(nominee.role, []).append(nominee)
    slots: dict[str, TriadNominee | None] = {}
    for slot, role, index in TRIAD_SLOTS:
        people = by_role.get(role, [])
        slots[slot] = people[index] if index < len(people) else None
    return slots


# Lists and files for the organisers and reviewers --------------------------------------------

ELIGIBILITY_FILTERS = {
    "eligible": Q(eligible=True),
    "ineligible": Q(eligible=False),
    "triad": Q(triad_complete=False),
    "commitments": Q(commitments_given=False),
    "contribution": Q(contribution_ok=False),
}
SORTS = {
    "score": [F("average_score").desc(nulls_last=True), "city__name"],
    "name": ["city__name"],
    "date": [F("submitted_at").desc(nulls_last=True), "city__name"],
}


def application_list(
    *,
    programme: Programme,
    user,
    status: str = "",
    eligibility: str = "",
    search: str = "",
    sort: str = "score",
):
    """The applications of a programme's call an organiser or reviewer may see, with their
    eligibility and review figures annotated; reviewers see only those assigned to them, and
    nobody sees drafts (``permissions.can_view_application``)."""
    queryset = (
        CityApplication.objects.for_programme(programme)
        .exclude(status=Status.DRAFT)
        .select_related("city")
        .with_eligibility()
        .with_review_figures(user=user)
    )
    if not has_role(user, programme, Role.ORGANISER):
        queryset = queryset.assigned_to(user)
    if status in Status.values:
        queryset = queryset.filter(status=status)
    if eligibility in ELIGIBILITY_FILTERS:
        queryset = queryset.filter(ELIGIBILITY_FILTERS[eligibility])
    if search.strip():
        queryset = queryset.filter(city__name__icontains=search.strip())
    return queryset.order_by(*SORTS.get(sort, SORTS["score"]), "pk")


def application_get(*, programme: Programme, pk: int, user) -> CityApplication:
    """One application of the programme, with eligibility and review figures, else 404."""
    application = (
        CityApplication.objects.for_programme(programme)
        .filter(pk=pk)
        .select_related("call", "city", "contact_user")
        .with_eligibility()
        .with_review_figures(user=user)
        .first()
    )
    if application is None:
        raise Http404
    application.call.programme = programme  # already loaded, with the user's roles cached
    return application


@dataclass
class ReviewRow:
    review: Review
    scores: list[int | None]


@dataclass
class ApplicationFile:
    nominees: list[TriadNominee]
    criteria: list[SelectionCriterion]
    reviews: list[ReviewRow]
    criterion_averages: list[float | None]
    my_review: Review | None

    @property
    def score_rows(self) -> list[tuple[SelectionCriterion, list[int | None], float | None]]:
        """One row per criterion: each reviewer's score, then the average."""
        return [
            (criterion, [row.scores[index] for row in self.reviews], self.criterion_averages[index])
            for index, criterion in enumerate(self.criteria)
        ]

    events: list[ApplicationEvent]
    assigned: list
    reviewer_choices: list
    checklist: list[Check]


def application_file(*, application: CityApplication, user) -> ApplicationFile:
    """Everything the review file shows, in a fixed number of queries: nominees (with the
    participant each became), the grid, the reviews with their scores, the log, the reviewers."""
    nominees = list(application.nominees.select_related("participant").in_triad_order())
    criteria = list(application.call.criteria.all())
    reviews = list(
        application.reviews.filter(submitted_at__isnull=False)
        .select_related("reviewer")
        .prefetch_related("scores")
        .order_by("submitted_at", "pk")
    )
    rows = []
    for review in reviews:
        by_criterion = {score.criterion_id: score.score for score in review.scores.all()}
        rows.append(ReviewRow(review, [by_criterion.get(c.pk) for c in criteria]))
    averages = []
    for index in range(len(criteria)):
        given = [row.scores[index] for row in rows if row.scores[index] is not None]
        averages.append(sum(given) / len(given) if given else None)
    assignments = list(application.assignments.select_related("reviewer").order_by("pk"))
    reviewer_choices = list(
        get_user_model()
        .objects.filter(
            memberships__programme=application.call.programme_id, memberships__role=Role.REVIEWER
        )
        .order_by("last_name", "first_name", "username")
        .distinct()
    )
    return ApplicationFile(
        nominees=nominees,
        criteria=criteria,
        reviews=rows,
        criterion_averages=averages,
        my_review=next((row.review for row in rows if row.review.reviewer_id == user.pk), None),
        events=list(application.events.select_related("actor").order_by("created_at", "pk")),
        assigned=[assignment.reviewer for assignment in assignments],
        reviewer_choices=reviewer_choices,
        checklist=application_checklist(application=application, nominees=nominees),
    )


def review_get(*, application: CityApplication, user) -> Review | None:
    """The user's own review of an application, with its scores."""
    return (
        Review.objects.filter(application=application, reviewer=user)
        .prefetch_related("scores")
        .first()
    )


@dataclass(frozen=True)
class SelectionFigures:
    places: int
    selected: int
    waitlisted: int
    rejected: int
    pending: int
    ineligible: int

    @property
    def places_left(self) -> int:
        return max(self.places - self.selected, 0)


def selection_figures(*, call: Call) -> SelectionFigures:
    """How many places are taken and how many applications still wait (one query)."""
    figures = (
        CityApplication.objects.filter(call=call)
        .with_eligibility()
        .aggregate(
            selected=Count("pk", filter=Q(status=Status.SELECTED)),
            waitlisted=Count("pk", filter=Q(status=Status.WAITLISTED)),
            rejected=Count("pk", filter=Q(status=Status.REJECTED)),
            pending=Count("pk", filter=Q(status__in=CityApplication.PENDING_STATUSES)),
            ineligible=Count(
                "pk",
                filter=Q(eligible=False) & ~Q(status__in=[Status.DRAFT, Status.WITHDRAWN]),
            ),
        )
    )
    return SelectionFigures(places=call.places, **figures)


def applications_waiting(*, call: Call) -> list[CityApplication]:
    """The applications that still wait for a decision, by city name (one query): the
    selection cannot close while there is one."""
    return list(
        CityApplication.objects.filter(call=call, status__in=CityApplication.PENDING_STATUSES)
        .select_related("city")
        .order_by("city__name")
    )


BOARD_STATUSES = (*CityApplication.PENDING_STATUSES, *CityApplication.DECISIONS)


def selection_board(*, call: Call):
    """The eligible applications awaiting or holding a decision, best average score first."""
    return (
        CityApplication.objects.filter(call=call, status__in=BOARD_STATUSES)
        .select_related("city")
        .with_eligibility()
        .filter(eligible=True)
        .with_review_figures()
        .order_by(*SORTS["score"], "pk")
    )


def board_details(*, applications: list[CityApplication], criteria: list[SelectionCriterion]):
    """Attach to each application of a board page its nominees and its average score per
    criterion (two queries whatever the page size)."""
    ids = [application.pk for application in applications]
    nominees: dict[int, list[TriadNominee]] = {}
    for nominee in TriadNominee.objects.filter(application__in=ids).in_triad_order():
        nominees.setdefault(nominee.application_id, []).append(nominee)
    averages = {
        (row["review__application"], row["criterion"]): row["average"]
        for row in ReviewScore.objects.filter(
            review__application__in=ids, review__submitted_at__isnull=False
        )
        .order_by()
        .values("review__application", "criterion")
        .annotate(average=Avg("score"))
    }
    for application in applications:
        application.triad = nominees.get(application.pk, [])
        application.criterion_scores = [
            (criterion, averages.get((application.pk, criterion.pk))) for criterion in criteria
        ]
    return applications


# Finances -----------------------------------------------------------------------------------


@dataclass
class Finances:
    fundings: list[Funding]
    budget_lines: list[BudgetLine]
    contributions: list[CityContribution]
    figures: FinanceFigures


def programme_finances(*, programme: Programme) -> Finances:
    """Funding, budget lines and the selected cities' contributions ledger, with the totals."""
    return Finances(
        fundings=list(programme.fundings.select_related("funder").order_by("-amount_awarded")),
        budget_lines=list(
            programme.budget_lines.select_related("funding__funder").order_by("category", "label")
        ),
        contributions=list(
            CityContribution.objects.filter(
                application__call__programme=programme,
                application__status=Status.SELECTED,
            )
            .select_related("application__city")
            .order_by("application__city__name")
        ),
        figures=programme_finance_figures(programme=programme),
    )


# The team ------------------------------------------------------------------------------------

TEAM_ROLE_VALUES = (
    Membership.Role.ORGANISER,
    Membership.Role.REVIEWER,
    Membership.Role.FACILITATOR,
    Membership.Role.FUNDER,
)


TEAM_ACTIONS = {
    "team.invitation_sent": gettext_lazy("invitation sent"),
    "team.invitation_resent": gettext_lazy("invitation sent again"),
    "team.invitation_revoked": gettext_lazy("invitation revoked"),
    "team.invitation_accepted": gettext_lazy("invitation accepted"),
    "team.role_changed": gettext_lazy("role changed"),
    "team.member_removed": gettext_lazy("role removed"),
}


@dataclass
class TeamMember:
    user: object
    memberships: list  # one per role, oldest first
    since: object  # when the person first joined

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()


@dataclass
class Team:
    members: list[TeamMember]
    invitations: list[TeamInvitation]  # neither accepted nor revoked, newest first
    organiser_count: int
    audit: list


def team_get(*, programme: Programme, audit_limit: int = 20) -> Team:
    """The programme's team (organisers, reviewers, facilitators, funders) grouped by person,
    the invitations still open or expired, and the latest team entries of the audit trail;
    three queries whatever the size of the team."""
    memberships = (
        Membership.objects.filter(programme=programme, role__in=TEAM_ROLE_VALUES)
        .select_related("user", "organisation")
        .order_by("user__last_name", "user__first_name", "user__username", "created_at", "pk")
    )
    by_user: dict[int, TeamMember] = {}
    for membership in memberships:
        member = by_user.get(membership.user_id)
        if member is None:
            member = by_user[membership.user_id] = TeamMember(
                user=membership.user, memberships=[], since=membership.created_at
            )
        member.memberships.append(membership)
        member.since = min(member.since, membership.created_at)
    invitations = list(
        TeamInvitation.objects.filter(programme=programme)
        .pending()
        .select_related("organisation", "invited_by")
        .order_by("-created_at", "-pk")
    )
    entries = list(
        programme.audit_entries.filter(action__in=list(TEAM_ACTIONS))
        .select_related("actor")
        .order_by("-created_at", "-pk")[:audit_limit]
    )
    for entry in entries:
        entry.label = TEAM_ACTIONS[entry.action]
    members = list(by_user.values())
    return Team(
        members=members,
        invitations=invitations,
        organiser_count=sum(
            1 for m in members for ms in m.memberships if ms.role == Membership.Role.ORGANISER
        ),
        audit=entries,
    )


def user_profile_language(*, user) -> str:
    """The language a person chose for their e-mails, or the site's."""
    profile = UserProfile.objects.filter(user=user).first()
    return profile.language if profile else settings.LANGUAGE_CODE


def applications_to_review(*, user, programme: Programme) -> list[CityApplication]:
    """The files assigned to a reviewer in a programme, those still waiting for their review
    first; each with ``reviewed_by_me``. One query."""
    return list(
        CityApplication.objects.for_programme(programme)
        .assigned_to(user)
        .exclude(status__in=(Status.DRAFT, Status.WITHDRAWN))
        .with_review_figures(user=user)
        .select_related("city")
        .order_by("reviewed_by_me", "city__name", "pk")
    )
