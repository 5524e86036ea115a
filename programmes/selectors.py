"""Reads for programmes: lists and key figures, with all aggregation done in the database."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from .models import BudgetLine, CityApplication, CityContribution, Funding, Membership, Programme

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
