"""Reads for programmes: lists and key figures, with the aggregation done in the database (but
for the applications list, a call's tens of rows, counted in Python from three plain queries);
the call, the applications with their eligibility and reviews, the selection board, finances."""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db.models import Avg, Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from . import prepared
from .audit import family_label, family_of
from .audit import resolve as audit_resolve
from .models import (
    TRIAD_PROFESSIONALS_MAX,
    TRIAD_PROFESSIONALS_MIN,
    ActionItem,
    ApplicationEvent,
    ApplicationMessage,
    AuditEntry,
    BudgetLine,
    Call,
    City,
    CityAccessRequest,
    CityApplication,
    CityContribution,
    CouncilMilestone,
    Funding,
    Membership,
    NotificationPreference,
    Organisation,
    OutboxMessage,
    Programme,
    Review,
    ReviewAssignment,
    ReviewScore,
    SelectionCriterion,
    TeamInvitation,
    TriadNominee,
    UserProfile,
)
from .permissions import application_policy, can_see_every_review


@dataclass(frozen=True)
class ApplicationFigures:
    total: int
    submitted: int
    selected: int
    waitlisted: int
    rejected: int
    places: int


APPLICATIONS_BY_STATUS = prepared.Query(
    lambda programme: (
        CityApplication.objects.for_programme(programme)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
    ),
    programme=int,
)


def programme_application_figures(*, programme: Programme) -> ApplicationFigures:
    """Counts of the call's applications; drafts are not counted as applications received.
    One query: the applications counted per status in the database (a row per status)."""
    Status = CityApplication.Status
    by_status = dict(APPLICATIONS_BY_STATUS(programme=programme.pk))

    def count(*statuses: str) -> int:
        return sum(by_status.get(status, 0) for status in statuses)

    places = getattr(getattr(programme, "call", None), "places", None) or programme.capacity
    return ApplicationFigures(
        total=sum(n for status, n in by_status.items() if status != Status.DRAFT),
        submitted=count(Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED),
        selected=count(Status.SELECTED),
        waitlisted=count(Status.WAITLISTED),
        rejected=count(Status.REJECTED),
        places=places,
    )


# Money: the one definition of every total ------------------------------------------------
#
# A total is the sum of the amounts of the rows a page or a document lists: the programme's
# fundings and budget lines, and the contributions of its selected cities
# (``programme_finance_rows``). ``finance_totals`` adds them up; the finances page, the
# programme's overview and the funder report all read it.

# Which amount of which rows each total adds up.
FINANCE_TOTALS = {
    "funding_requested": ("fundings", "amount_requested"),
    "funding_awarded": ("fundings", "amount_awarded"),
    "funding_received": ("fundings", "amount_received"),
    "contributions_pledged": ("contributions", "amount_pledged"),
    "contributions_invoiced": ("contributions", "amount_invoiced"),
    "contributions_received": ("contributions", "amount_received"),
    "budget_planned": ("budget_lines", "planned_amount"),
    "budget_actual": ("budget_lines", "actual_amount"),
}


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

    @property
    def funding_to_receive(self) -> Decimal:
        """Funding awarded and not received yet."""
        return amount_to_receive(awarded=self.funding_awarded, received=self.funding_received)

    @property
    def budget_gap(self) -> Decimal:
        """Actual minus planned cost of the whole budget."""
        return cost_gap(planned=self.budget_planned, actual=self.budget_actual)


def amount_to_receive(*, awarded: Decimal, received: Decimal) -> Decimal:
    """What is still to receive of an award (a funding, or the total of the fundings)."""
    return awarded - received


def cost_gap(*, planned: Decimal, actual: Decimal) -> Decimal:
    """Actual minus planned cost (a budget line, or the total of the lines): positive is an
    overspend, negative a saving."""
    return actual - planned


def finance_totals(
    *,
    fundings: Iterable[Funding],
    budget_lines: Iterable[BudgetLine],
    contributions: Iterable[CityContribution],
) -> FinanceFigures:
    """The money totals of the rows given (no query): each total is the sum of one amount of
    one kind of row, as ``FINANCE_TOTALS`` says, so a table's total is the sum of its lines."""
    rows = {
        "fundings": list(fundings),
        "budget_lines": list(budget_lines),
        # A cancelled contribution (the city withdrew) stays in the ledger, in no total.
        "contributions": [row for row in contributions if row.cancelled_at is None],
    }
    return FinanceFigures(
        **{total: amount_sum(rows[kind], field) for total, (kind, field) in FINANCE_TOTALS.items()}
    )


def amount_sum(rows: Iterable, field: str) -> Decimal:
    """The sum of one amount of the rows given: how every money total adds up (the programme's
    here, the activists' expenses in ``sessions.selectors.expense_totals``)."""
    return sum((getattr(row, field) for row in rows), Decimal("0.00"))


@dataclass(frozen=True)
class FinanceRows:
    """The rows the money totals are made of, in the order pages and documents list them."""

    fundings: QuerySet
    budget_lines: QuerySet
    contributions: QuerySet


def programme_finance_rows(*, programme: Programme | int) -> FinanceRows:
    """The programme's fundings (largest award first), budget lines (by category and label)
    and its selected cities' contributions (by city), as lazy querysets: one query each when
    read. A city not selected (or not any more) owes nothing and is not listed, except one that
    withdrew after the selection closed: its line stays, cancelled (``finance_totals`` skips it)."""
    return FinanceRows(
        fundings=Funding.objects.filter(programme=programme)
        .select_related("funder")
        .order_by("-amount_awarded", "funder__name", "id"),
        budget_lines=BudgetLine.objects.filter(programme=programme)
        .select_related("funding__funder")
        .order_by("category", "label", "id"),
        contributions=CityContribution.objects.filter(
            Q(application__status=CityApplication.Status.SELECTED) | Q(cancelled_at__isnull=False),
            application__call__programme=programme,
        )
        .select_related("application__city")
        .order_by("application__city__name", "id"),
    )


# The rows of one kind (a field of ``FinanceRows``), as the pages list them.
FINANCE_ROWS = prepared.Query(
    lambda programme, kind: getattr(programme_finance_rows(programme=programme), kind),
    programme=int,
)

# The fields each kind of row is read with for its totals (``finance_totals`` also reads
# whether a contribution was cancelled).
_AMOUNT_FIELDS: dict[str, list[str]] = {}
for _kind, _field in FINANCE_TOTALS.values():
    _AMOUNT_FIELDS.setdefault(_kind, []).append(_field)
_AMOUNT_FIELDS = {kind: sorted(fields) for kind, fields in _AMOUNT_FIELDS.items()}
_AMOUNT_FIELDS["contributions"].append("cancelled_at")

# The same rows with their amounts only (no related rows, no order: a sum needs neither).
FINANCE_AMOUNTS = prepared.Query(
    lambda programme, kind: (
        getattr(programme_finance_rows(programme=programme), kind)
        .select_related(None)
        .order_by()
        .only(*_AMOUNT_FIELDS[kind])
    ),
    programme=int,
)


def programme_finance_figures(*, programme: Programme) -> FinanceFigures:
    """The money totals of a programme (three queries): ``finance_totals`` of its rows, read
    with their amounts only."""
    return finance_totals(
        **{
            kind: FINANCE_AMOUNTS(programme=programme.pk, kind=kind)
            for kind in ("fundings", "budget_lines", "contributions")
        }
    )


# Sections a higher app adds to the finances page (the activists' expenses, from ``sessions``):
# the template of each and the selector giving its data, registered from the app's ``ready``
# so that this app never imports a higher one.
_FINANCE_SECTIONS: list[tuple[str, Callable]] = []


def finance_section_register(*, template: str, build: Callable) -> None:
    if (template, build) not in _FINANCE_SECTIONS:
        _FINANCE_SECTIONS.append((template, build))


def finance_sections(*, programme: Programme) -> list[dict]:
    """The registered sections of the finances page, each with its data (the queries of its
    selector)."""
    return [
        {"template": template, "data": build(programme=programme)}
        for template, build in _FINANCE_SECTIONS
    ]


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
    """The cities offered at a call's first step: those of the départements the call is for, and
    those that applied to it. Cities other programmes know (or that a visitor typed elsewhere)
    are not offered; a city that already applied is, to ask for its contact's place."""
    wanted = Q(pk__in=CityApplication.objects.filter(call=call).values("city_id"))
    if call.departement_list:
        wanted |= Q(departement__in=call.departement_list)
    return City.objects.filter(wanted).order_by("name")


def access_request_pending(*, user, call: Call) -> CityAccessRequest | None:
    """The request a person made to apply for a city in this call and that awaits an answer."""
    if not user.is_authenticated:
        return None
    return (
        CityAccessRequest.objects.filter(
            call=call, requester=user, status=CityAccessRequest.Status.PENDING
        )
        .select_related("city")
        .first()
    )


@dataclass
class CityRequests:
    """The requests made for one city, side by side, with the application the city has."""

    label: str
    application: CityApplication | None
    requests: list[CityAccessRequest]


ANSWERED_SHOWN = 20


def access_request_board(*, programme: Programme) -> tuple[list[CityRequests], list]:
    """Pending requests grouped by city (each with the city's application, if any), and the
    latest answered ones. Three queries whatever the number of requests."""
    call = programme.call
    pending = list(
        CityAccessRequest.objects.filter(call=call, status=CityAccessRequest.Status.PENDING)
        .select_related("city", "requester")
        .order_by("created_at", "pk")
    )
    city_ids = {row.city_id for row in pending if row.city_id}
    insee_codes = {row.city_insee_code for row in pending if not row.city_id}
    applications = {
        (application.city_id, application.city.insee_code): application
        for application in CityApplication.objects.filter(call=call)
        .filter(Q(city_id__in=city_ids) | Q(city__insee_code__in=insee_codes))
        .select_related("city", "contact_user")
    }
    by_id = {key[0]: value for key, value in applications.items()}
    by_insee = {key[1]: value for key, value in applications.items()}
    groups: dict[str, CityRequests] = {}
    for row in pending:
        key = f"id:{row.city_id}" if row.city_id else f"insee:{row.city_insee_code}"
        application = by_id.get(row.city_id) if row.city_id else by_insee.get(row.city_insee_code)
        group = groups.setdefault(key, CityRequests(row.city_label, application, []))
        group.requests.append(row)
    answered = list(
        CityAccessRequest.objects.filter(call=call)
        .exclude(status=CityAccessRequest.Status.PENDING)
        .select_related("city", "requester", "decided_by")
        .order_by("-decided_at", "-pk")[:ANSWERED_SHOWN]
    )
    return sorted(groups.values(), key=lambda group: group.label.casefold()), answered


CONTACT_MEMBERSHIP = prepared.Query(
    lambda user, programme: (
        Membership.objects.filter(user_id=user, programme_id=programme, role=Role.CITY_CONTACT)
        .select_related("application__city", "application__call")
        .order_by()[:1]  # one at most (one role each in a programme)
    ),
    user=int,
    programme=int,
)


def contact_application_for_programme(*, user, programme: Programme) -> CityApplication | None:
    """The application a city contact holds in a programme, if any."""
    if not user.is_authenticated:
        return None
    rows = CONTACT_MEMBERSHIP(user=user.pk, programme=programme.pk)
    return rows[0].application if rows else None


def _of(parent, rows: list, field: str = "application") -> list:
    """``rows`` read by their parent's id, each with ``parent`` as its related ``field`` (as
    the parent's related manager would give them)."""
    if rows:
        cache = type(rows[0])._meta.get_field(field)
        for row in rows:
            cache.set_cached_value(row, parent)
    return rows


def _application_events(application, decisions_shown: bool):
    events = (
        ApplicationEvent.objects.filter(application_id=application)
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    if not decisions_shown:
        decisions = CityApplication.DECISIONS
        events = events.exclude(to_status__in=decisions).exclude(from_status__in=decisions)
    return events


# An application's log, oldest first, with who acted (every event for the organisers' file).
APPLICATION_EVENTS = prepared.Query(_application_events, application=int)


def events_for_city(*, application: CityApplication) -> list[ApplicationEvent]:
    """The application's log as its city sees it: provisional decisions are left out until the
    selection closes (see ``CityApplication.status_for_city``)."""
    return _of(
        application,
        APPLICATION_EVENTS(
            application=application.pk,
            decisions_shown=application.call.is_selection_closed,
        ),
    )


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


# The checklist's lines that are the eligibility conditions (``with_eligibility``'s three).
ELIGIBILITY_CHECKS = ("triad", "commitments", "contribution")


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

    The first three (triad, commitments, contribution) are the eligibility conditions
    (``eligibility_checks``); the last one is the rest of the file.
    """
    nominees = list(application.nominees.all() if nominees is None else nominees)
    file: list[str] = []
    if not application.contact_email:
        file.append(_("Give the e-mail address of the city's contact person."))
    if not application.priority_neighbourhoods.strip():
        file.append(_("List the priority neighbourhoods concerned."))
    if not application.motivation.strip():
        file.append(_("Explain the city's motivation."))
    return [
        *eligibility_checks(
            nominees=nominees,
            pledged=application.contribution_pledged,
            required=application.call.required_contribution,
        ),
        Check("file", str(_("Contact, neighbourhoods and motivation")), not file, tuple(file)),
    ]


def eligibility_checks(*, nominees, pledged: Decimal, required: Decimal) -> list[Check]:
    """The three eligibility conditions (triad, commitments, contribution) of an application
    with these nominees and this pledge, the same as ``CityApplicationQuerySet.with_eligibility``
    computes in the database."""
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
    if pledged < required:
        contribution.append(
            _("The contribution pledged (%(pledged)s €) is below the %(required)s € required.")
            % {"pledged": number_format(pledged, 2), "required": number_format(required, 2)}
        )

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


@dataclass
class ApplicationListRow:
    """One line of the applications list: the application, its three eligibility conditions
    and the review figures the user may see."""

    pk: int
    city_name: str
    status: str
    status_label: str
    submitted_at: object
    triad_complete: bool
    commitments_given: bool
    contribution_ok: bool
    reviewed_by_me: bool
    review_count: int | None
    average_score: float | None
    detail_url: str = ""

    @property
    def eligible(self) -> bool:
        return self.triad_complete and self.commitments_given and self.contribution_ok


ELIGIBILITY_FILTERS: dict[str, Callable[[ApplicationListRow], bool]] = {
    "eligible": lambda row: row.eligible,
    "ineligible": lambda row: not row.eligible,
    "triad": lambda row: not row.triad_complete,
    "commitments": lambda row: not row.commitments_given,
    "contribution": lambda row: not row.contribution_ok,
}


def _first_descending(rows: list, key: Callable) -> list:
    """``rows`` by ``key`` descending, those without one last; equal keys keep their order."""
    given = [row for row in rows if key(row) is not None]
    return sorted(given, key=key, reverse=True) + [row for row in rows if key(row) is None]


# The board's order: best average score first (as the list's "score" order).
BY_SCORE = [F("average_score").desc(nulls_last=True), "city__name"]
LIST_SORTS: dict[str, Callable[[list], list]] = {
    "score": lambda rows: _first_descending(rows, lambda row: row.average_score),
    "name": lambda rows: rows,
    "date": lambda rows: _first_descending(rows, lambda row: row.submitted_at),
}


_LISTED_NOMINEES = prepared.Query(
    lambda applications: TriadNominee.objects.filter(application__in=applications).only(
        "application_id",
        "role",
        "first_name",
        "last_name",
        "position",
        "email",
        "commitment_given",
    ),
    applications=list,
)
_LISTED_REVIEWS = prepared.Query(
    lambda applications: (
        Review.objects.filter(application__in=applications, submitted_at__isnull=False)
        .values_list("pk", "application_id", "reviewer_id")
        .annotate(total=Sum("scores__score"), scores=Count("scores__score"))
    ),
    applications=list,
)


def application_list(
    *,
    programme: Programme,
    user,
    status: str = "",
    eligibility: str = "",
    search: str = "",
    sort: str = "score",
) -> list[ApplicationListRow]:
    """The applications of a programme's call an organiser or reviewer may see, with their
    eligibility and review figures; reviewers see only those assigned to them, and nobody sees
    drafts (``ApplicationPolicy``, the rule of ``can_view_application``). The figures, and so
    the order by score, count only the reviews the user may see: for a user who may not see
    every review (``can_see_every_review``), none on the applications they have not reviewed.

    Three plain queries (the applications in the order of the cities' names, their nominees,
    their submitted reviews) and the conditions of ``eligibility_checks``: the same rows as
    ``with_eligibility`` and ``with_review_figures`` annotate, for a fraction of the cost of
    building that query. A call gets tens of applications, each read once.
    """
    queryset = application_policy.instances_user_can(user, "view", programme)
    if status in Status.values:
        queryset = queryset.filter(status=status)
    if search.strip():
        queryset = queryset.filter(city__name__icontains=search.strip())
    applications = list(
        queryset.order_by("city__name", "pk").values_list(
            "pk",
            "city__name",
            "status",
            "submitted_at",
            "contribution_pledged",
            "call__required_contribution",
        )
    )
    ids = [application[0] for application in applications]
    nominees: dict[int, list[TriadNominee]] = {pk: [] for pk in ids}
    for nominee in _LISTED_NOMINEES(applications=ids):
        nominees[nominee.application_id].append(nominee)
    figures: dict[int, list] = {pk: [0, 0, 0, False] for pk in ids}  # reviews, sum, n, mine
    for _pk, application_id, reviewer_id, total, scores in _LISTED_REVIEWS(applications=ids):
        figure = figures[application_id]
        figure[0] += 1
        figure[1] += total or 0
        figure[2] += scores
        figure[3] = figure[3] or reviewer_id == user.pk
    sees_every_review = can_see_every_review(user, programme)
    labels = dict(Status.choices)
    rows = []
    for pk, city_name, status_value, submitted_at, pledged, required in applications:
        triad, commitments, contribution = eligibility_checks(
            nominees=nominees[pk], pledged=pledged, required=required
        )
        count, total, scores, mine = figures[pk]
        shown = sees_every_review or mine
        rows.append(
            ApplicationListRow(
                pk=pk,
                city_name=city_name,
                status=status_value,
                status_label=labels[status_value],
                submitted_at=submitted_at,
                triad_complete=triad.ok,
                commitments_given=commitments.ok,
                contribution_ok=contribution.ok,
                reviewed_by_me=mine,
                review_count=count if shown else None,
                average_score=total / scores if shown and scores else None,
            )
        )
    if eligibility in ELIGIBILITY_FILTERS:
        rows = [row for row in rows if ELIGIBILITY_FILTERS[eligibility](row)]
    return LIST_SORTS.get(sort, LIST_SORTS["score"])(rows)


PROGRAMME_APPLICATION = prepared.Query(
    lambda programme, pk: (
        CityApplication.objects.for_programme(programme)
        .filter(pk=pk)
        .select_related("call", "city", "contact_user")
        .order_by()[:1]  # one row at most: no order needed
    ),
    programme=int,
    pk=int,
)


def application_get(*, programme: Programme, pk: int, user) -> CityApplication:
    """One application of the programme, else 404. Its eligibility and review figures come
    with its file (``application_file``), from the rows the file shows."""
    rows = PROGRAMME_APPLICATION(programme=programme.pk, pk=int(pk))
    if not rows:
        raise Http404
    application = rows[0]
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

    @property
    def eligible(self) -> bool:
        """The three eligibility conditions of the checklist hold (``ELIGIBILITY_CHECKS``)."""
        return all(check.ok for check in self.checklist if check.key in ELIGIBILITY_CHECKS)

    @property
    def review_count(self) -> int:
        """The submitted reviews, as ``with_review_figures`` counts them."""
        return len(self.reviews)

    @property
    def average_score(self) -> float | None:
        """Over every score of the submitted reviews, as ``with_review_figures`` averages."""
        given = [score for row in self.reviews for score in row.scores if score is not None]
        return sum(given) / len(given) if given else None


APPLICATION_NOMINEES = prepared.Query(
    lambda application: (
        TriadNominee.objects.filter(application_id=application)
        .select_related("participant")
        .in_triad_order()
    ),
    application=int,
)
CALL_CRITERIA = prepared.Query(
    lambda call: SelectionCriterion.objects.filter(call_id=call), call=int
)
SUBMITTED_REVIEWS = prepared.Query(
    lambda application: (
        Review.objects.filter(application_id=application, submitted_at__isnull=False)
        .select_related("reviewer")
        .order_by("submitted_at", "pk")
    ),
    application=int,
)
# Their scores, read by the application rather than prefetched by a list of reviews' ids (a
# query built again at every page).
SUBMITTED_REVIEW_SCORES = prepared.Query(
    lambda application: (
        ReviewScore.objects.filter(
            review__application_id=application, review__submitted_at__isnull=False
        )
        .order_by()
        .values_list("review_id", "criterion_id", "score")
    ),
    application=int,
)
ASSIGNED_REVIEWERS = prepared.Query(
    lambda application: (
        ReviewAssignment.objects.filter(application_id=application)
        .select_related("reviewer")
        .order_by("pk")
    ),
    application=int,
)
PROGRAMME_REVIEWERS = prepared.Query(
    lambda programme: (
        get_user_model()
        .objects.filter(memberships__programme=programme, memberships__role=Role.REVIEWER)
        .order_by("last_name", "first_name", "username")
        .distinct()
    ),
    programme=int,
)


def application_file(
    *, application: CityApplication, user, reviewer_choices: bool = True
) -> ApplicationFile:
    """Everything the review file shows, in a fixed number of queries: nominees (with the
    participant each became), the grid, the reviews with their scores, the log, and, unless
    ``reviewer_choices`` is false, the reviewers assigned and those who could be (for the form
    that assigns them, the organisers')."""
    nominees = _of(application, APPLICATION_NOMINEES(application=application.pk))
    criteria = _of(application.call, CALL_CRITERIA(call=application.call_id), "call")
    reviews = _of(application, SUBMITTED_REVIEWS(application=application.pk))
    scores: dict[int, dict[int, int]] = {review.pk: {} for review in reviews}
    # None without a review, as the prefetch it replaces; a review submitted in between is
    # not among the rows.
    for review_id, criterion_id, score in (
        SUBMITTED_REVIEW_SCORES(application=application.pk) if reviews else ()
    ):
        scores.setdefault(review_id, {})[criterion_id] = score
    rows = [
        ReviewRow(review, [scores[review.pk].get(c.pk) for c in criteria]) for review in reviews
    ]
    averages = []
    for index in range(len(criteria)):
        given = [row.scores[index] for row in rows if row.scores[index] is not None]
        averages.append(sum(given) / len(given) if given else None)
    assigned, choices = [], []
    if reviewer_choices:
        assigned = [
            assignment.reviewer for assignment in ASSIGNED_REVIEWERS(application=application.pk)
        ]
        choices = PROGRAMME_REVIEWERS(programme=application.call.programme_id)
    return ApplicationFile(
        nominees=nominees,
        criteria=criteria,
        reviews=rows,
        criterion_averages=averages,
        my_review=next((row.review for row in rows if row.review.reviewer_id == user.pk), None),
        events=_of(
            application, APPLICATION_EVENTS(application=application.pk, decisions_shown=True)
        ),
        assigned=assigned,
        reviewer_choices=choices,
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
    left: int = 0  # selected cities that withdrew after the selection closed

    @property
    def places_left(self) -> int:
        return max(self.places - self.selected, 0)

    @property
    def selected_text(self) -> str:
        """ "3 cities selected of 7 places", each count with its own plural."""
        return _("%(selected)s %(places)s") % {
            "selected": ngettext(
                "%(count)s city selected", "%(count)s cities selected", self.selected
            )
            % {"count": self.selected},
            "places": ngettext("of %(count)s place", "of %(count)s places", self.places)
            % {"count": self.places},
        }

    @property
    def free_text(self) -> str:
        """The places left free by cities that withdrew after the selection, said plainly."""
        return ngettext(
            "%(left)s selected city withdrew after the selection: %(free)s place free.",
            "%(left)s selected cities withdrew after the selection: %(free)s places free.",
            self.left,
        ) % {"left": self.left, "free": self.places_left}


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
            left=Count(
                "pk",
                filter=Q(status=Status.WITHDRAWN, contribution__cancelled_at__isnull=False),
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
        .order_by(*BY_SCORE, "pk")
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
    """Funding, budget lines and the selected cities' contributions ledger, with their totals
    added up from the rows listed (three queries)."""
    fundings = FINANCE_ROWS(programme=programme.pk, kind="fundings")
    budget_lines = FINANCE_ROWS(programme=programme.pk, kind="budget_lines")
    contributions = FINANCE_ROWS(programme=programme.pk, kind="contributions")
    return Finances(
        fundings=fundings,
        budget_lines=budget_lines,
        contributions=contributions,
        figures=finance_totals(
            fundings=fundings, budget_lines=budget_lines, contributions=contributions
        ),
    )


TEAM_MESSAGES_SHOWN = 20


def team_message_list(*, programme) -> list[OutboxMessage]:
    """The latest invitations to the team e-mailed, whatever became of them (one query)."""
    return list(
        OutboxMessage.objects.filter(programme=programme, object_type="teaminvitation").for_list()[
            :TEAM_MESSAGES_SHOWN
        ]
    )


def outbox_message_list(*, programme, status: str = "") -> QuerySet[OutboxMessage]:
    """A programme's e-mails, newest first, with the recipient's account (one query a page)."""
    messages = OutboxMessage.objects.filter(programme=programme).for_list()
    if status:
        messages = messages.filter(status=status)
    return messages


# The journal (the programme's audit trail) -----------------------------------------------------


@dataclass(frozen=True)
class JournalChoices:
    """What a programme's journal can be filtered by: the families of actions found in it and
    the people who acted, each as (value, label) sorted by label."""

    families: list[tuple[str, str]]
    actors: list[tuple[str, str]]


def audit_journal_choices(*, programme: Programme) -> JournalChoices:
    """The families of actions and the people found in a programme's journal; two queries,
    whatever its length."""
    entries = AuditEntry.objects.filter(programme=programme).order_by()
    actions = entries.values_list("action", flat=True).distinct()
    families = {family_of(action) for action in actions}
    people = get_user_model().objects.filter(
        pk__in=entries.filter(actor__isnull=False).values("actor_id")
    )
    actors = [(str(user.pk), user.get_full_name() or user.get_username()) for user in people]
    return JournalChoices(
        families=sorted(
            ((family, family_label(family)) for family in families),
            key=lambda choice: choice[1].casefold(),
        ),
        actors=sorted(actors, key=lambda choice: (choice[1].casefold(), int(choice[0]))),
    )


def audit_entry_list(
    *, programme: Programme, family: str = "", actor_id: int | None = None
) -> QuerySet[AuditEntry]:
    """A programme's journal, newest first, of one family of actions and one person when given;
    with who acted and the kinds of the objects named (``audit.resolve`` then loads the objects
    of the page shown, one query per kind)."""
    entries = programme.audit_entries.select_related("actor", "target_type", "related_type")
    if family:
        entries = entries.filter(action__startswith=f"{family}.")
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    return entries.order_by("-created_at", "-pk")


def application_messages(*, application: CityApplication) -> list[OutboxMessage]:
    """The e-mails about one application (its file shows them to the organisers)."""
    return list(OutboxMessage.objects.for_object(application).for_list())


def notification_choice_get(*, user, programme) -> str:
    """The user's choice for the programme: every message until they choose otherwise."""
    preference = NotificationPreference.objects.filter(user=user, programme=programme).first()
    return preference.choice if preference else NotificationPreference.Choice.EVERY


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
    # The sentences are rendered from the current names (``programmes.audit``), one query per
    # kind of object named.
    entries = audit_resolve(
        programme.audit_entries.filter(action__in=list(TEAM_ACTIONS))
        .select_related("actor", "target_type", "related_type")
        .order_by("-created_at", "-pk")[:audit_limit]
    )
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


ASSIGNED_APPLICATIONS = prepared.Query(
    lambda user, programme, sees_every_review: (
        CityApplication.objects.for_programme(programme)
        .filter(assignments__reviewer=user)
        .exclude(status__in=(Status.DRAFT, Status.WITHDRAWN))
        .with_review_figures(user=user, sees_every_review=sees_every_review)
        .select_related("city")
        .order_by("reviewed_by_me", "city__name", "pk")
    ),
    user=int,
    programme=int,
)


def applications_to_review(*, user, programme: Programme) -> list[CityApplication]:
    """The files assigned to a reviewer in a programme, those still waiting for their review
    first; each with ``reviewed_by_me``. One query."""
    return ASSIGNED_APPLICATIONS(
        user=user.pk,
        programme=programme.pk,
        sees_every_review=can_see_every_review(user, programme),
    )


# --- After the training: the cities' follow-up -----------------------------------------------


@dataclass(frozen=True)
class ActionLine:
    """A commitment of a city's action plan as a page shows it; ``owner`` is empty where the
    reader may not see names (funders)."""

    item: ActionItem
    owner: str
    state: str

    @property
    def state_label(self) -> str:
        return str(ActionItem.State(self.state).label)


@dataclass(frozen=True)
class MilestoneLine:
    kind: str
    label: str
    milestone: CouncilMilestone | None


@dataclass(frozen=True)
class CityFollowUp:
    application: CityApplication
    actions: list[ActionLine]
    milestones: list[MilestoneLine]

    def _count(self, state: str) -> int:
        return sum(1 for line in self.actions if line.state == state)

    @property
    def done(self) -> int:
        return self._count(ActionItem.State.DONE)

    @property
    def late(self) -> int:
        return self._count(ActionItem.State.LATE)

    @property
    def not_started(self) -> int:
        return self._count(ActionItem.State.NOT_STARTED)

    @property
    def milestones_reached(self) -> int:
        return sum(1 for line in self.milestones if line.milestone is not None)


def _owner_name(item: ActionItem, with_names: bool) -> str:
    owner = item.owner
    if not with_names or owner is None or owner.erased_at is not None:
        return ""
    return f"{owner.first_name} {owner.last_name}".strip()


def _followups(applications, items, milestones, *, with_names: bool) -> list[CityFollowUp]:
    items_of: dict[int, list[ActionLine]] = {}
    for item in items:
        line = ActionLine(item=item, owner=_owner_name(item, with_names), state=item.state)
        items_of.setdefault(item.application_id, []).append(line)
    milestones_of = {(m.application_id, m.kind): m for m in milestones}
    return [
        CityFollowUp(
            application=application,
            actions=items_of.get(application.pk, []),
            milestones=[
                MilestoneLine(
                    kind=kind, label=str(label), milestone=milestones_of.get((application.pk, kind))
                )
                for kind, label in CouncilMilestone.Kind.choices
            ],
        )
        for application in applications
    ]


def _action_items(today: date | None):
    return (
        ActionItem.objects.with_state(today or timezone.localdate())
        .select_related("owner")
        .order_by("target_date", "id")
    )


def city_followup_get(
    *, application: CityApplication, with_names: bool = True, today: date | None = None
) -> CityFollowUp:
    """One city's action plan (each item done, late or not started as of ``today``) and its
    council's milestones in their natural order (two queries)."""
    return _followups(
        [application],
        _action_items(today).filter(application=application),
        CouncilMilestone.objects.filter(application=application),
        with_names=with_names,
    )[0]


def followup_board(
    *, programme: Programme, with_names: bool, today: date | None = None
) -> list[CityFollowUp]:
    """The follow-up of every selected city of the programme, by city name (three queries,
    whatever the number of cities, items and milestones). Without ``with_names`` no owner's
    name is read out (the funders' board)."""
    applications = list(
        CityApplication.objects.filter(
            call__programme=programme, status=CityApplication.Status.SELECTED
        )
        .select_related("city")
        .order_by("city__name", "id")
    )
    # Filtered by the programme, not by the list, so that the count stays three with no city.
    selected = {
        "application__call__programme": programme,
        "application__status": CityApplication.Status.SELECTED,
    }
    return _followups(
        applications,
        _action_items(today).filter(**selected),
        CouncilMilestone.objects.filter(**selected).order_by("date", "id"),
        with_names=with_names,
    )


def _programme_organisations(programme: Programme) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        Q(organised_programmes=programme)
        | Q(partner_programmes=programme)
        | Q(fundings__programme=programme)
    ).distinct()


PROGRAMME_ORGANISATIONS = prepared.Query(
    lambda programme: _programme_organisations(programme).order_by("name"), programme=int
)


def programme_organisation_list(*, programme: Programme) -> list[Organisation]:
    """The organiser, the partners and the funders of the programme, by name (one query)."""
    return PROGRAMME_ORGANISATIONS(programme=programme.pk)


PROGRAMME_PARTNERS = prepared.Query(
    lambda programme: Organisation.objects.filter(partner_programmes=programme), programme=int
)


def programme_partner_list(*, programme: Programme) -> list[Organisation]:
    """The programme's partners, in the organisations' order (by name; one query)."""
    return PROGRAMME_PARTNERS(programme=programme.pk)


def programme_organisation_get(*, programme: Programme, pk: int) -> Organisation | None:
    """One organisation of the programme (organiser, partner or funder), else None."""
    return _programme_organisations(programme).filter(pk=pk).first()


APPLICATION_THREAD = prepared.Query(
    lambda application: (
        ApplicationMessage.objects.filter(application_id=application)
        .select_related("author")
        .order_by("created_at", "id")
    ),
    application=int,
)


def application_thread(*, application: CityApplication) -> list:
    """The "more information" thread of an application, oldest first, with its authors (one
    query)."""
    return APPLICATION_THREAD(application=application.pk)
