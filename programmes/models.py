"""Organisations, programmes, memberships (roles), funding and budget, the call for applications,
city applications with their triads, reviews, and the audit trail."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}


def non_negative(*fields: str, model: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": 0}), name=f"{model}_{field}_not_negative"
        )
        for field in fields
    ]


class Organisation(models.Model):
    class Kind(models.TextChoices):
        RESOURCE_CENTRE = "resource_centre", _("Resource centre")
        NGO = "ngo", _("Partner NGO")
        FUNDER = "funder", _("Funder")
        CITY = "city", _("City authority")
        STATE = "state", _("State service")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProgrammeQuerySet":
        """Programmes a user may see: all for superusers, their memberships' otherwise."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(memberships__user=user).distinct()


class Programme(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CALL_OPEN = "call_open", _("Call open")
        SELECTION = "selection", _("Selection")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    planned_days = models.DecimalField(
        _("planned days"), max_digits=5, decimal_places=1, default=Decimal("0.0")
    )
    planned_hours = models.DecimalField(
        _("planned hours"), max_digits=6, decimal_places=1, default=Decimal("0.0")
    )
    capacity = models.PositiveSmallIntegerField(_("capacity (cities)"), default=0)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    organiser = models.ForeignKey(
        Organisation,
        verbose_name=_("organising body"),
        on_delete=models.PROTECT,
        related_name="organised_programmes",
        null=True,
        blank=True,
    )
    partners = models.ManyToManyField(
        Organisation, verbose_name=_("partners"), related_name="partner_programmes", blank=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(start_date__lte=models.F("end_date")),
                name="programme_start_before_end",
            ),
            *non_negative("planned_days", "planned_hours", model="programme"),
        ]

    def __str__(self) -> str:
        return self.title

    def has_begun(self, today=None) -> bool:
        """Whether the training has started, by its status or by its first date."""
        if self.status in (self.Status.RUNNING, self.Status.CLOSED):
            return True
        today = today or timezone.localdate()
        return self.start_date is not None and self.start_date <= today


class Membership(models.Model):
    """A user's role in one programme: rights come from memberships, never from global groups."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser")
        REVIEWER = "reviewer", _("Reviewer")
        FACILITATOR = "facilitator", _("Facilitator")
        FUNDER = "funder", _("Funder")
        CITY_CONTACT = "city_contact", _("City contact")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        related_name="memberships",
        null=True,
        blank=True,
        help_text=_("For a funder: the funding body the user speaks for."),
    )
    application = models.ForeignKey(
        "CityApplication",
        verbose_name=_("city application"),
        on_delete=models.CASCADE,
        related_name="contact_memberships",
        null=True,
        blank=True,
        help_text=_("For a city contact: the one application the user may see and edit."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["programme", "role", "user"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "user", "role"], name="membership_unique_role"
            ),
            models.CheckConstraint(
                condition=~Q(role="city_contact") | Q(application__isnull=False),
                name="membership_city_contact_has_application",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.programme}"


class Funding(models.Model):
    class Kind(models.TextChoices):
        STATE_GRANT = "state_grant", _("State grant")
        EXPERIMENTAL_FUND = "experimental_fund", _("Experimental fund")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        FOUNDATION = "foundation", _("Foundation")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="fundings"
    )
    funder = models.ForeignKey(
        Organisation, verbose_name=_("funder"), on_delete=models.PROTECT, related_name="fundings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    amount_requested = models.DecimalField(_("amount requested"), **MONEY)
    amount_awarded = models.DecimalField(_("amount awarded"), **MONEY)
    amount_received = models.DecimalField(_("amount received"), **MONEY)
    agreement_reference = models.CharField(_("agreement reference"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["programme", "-amount_awarded"]
        verbose_name = _("funding")
        verbose_name_plural = _("fundings")
        constraints = [
            *non_negative("amount_requested", "amount_awarded", "amount_received", model="funding"),
            models.UniqueConstraint(fields=["programme", "funder"], name="funding_one_per_funder"),
        ]

    def __str__(self) -> str:
        return f"{self.funder} · {self.programme}"


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        FACILITATION = "facilitation", _("Facilitation")
        ACTIVISTS = "activists", _("Activist compensation and travel")
        TRAVEL = "travel", _("Travel")
        VENUE = "venue", _("Venue and accommodation")
        MEALS = "meals", _("Meals")
        MATERIALS = "materials", _("Materials")
        COORDINATION = "coordination", _("Coordination")
        EVALUATION = "evaluation", _("Evaluation")
        OTHER = "other", _("Other")

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="budget_lines",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    label = models.CharField(_("label"), max_length=200)
    planned_amount = models.DecimalField(_("planned amount"), **MONEY)
    actual_amount = models.DecimalField(_("actual amount"), **MONEY)
    funding = models.ForeignKey(
        Funding,
        verbose_name=_("funding source"),
        on_delete=models.SET_NULL,
        related_name="budget_lines",
        null=True,
        blank=True,
    )
    gap_explanation = models.TextField(_("explanation of the gap"), blank=True)

    class Meta:
        ordering = ["programme", "category", "label"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = non_negative("planned_amount", "actual_amount", model="budgetline")

    def __str__(self) -> str:
        return self.label


class Call(models.Model):
    """The call for applications of a programme (one per programme)."""

    programme = models.OneToOneField(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="call"
    )
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    eligibility_terms = models.TextField(_("eligibility terms"), blank=True)
    required_contribution = models.DecimalField(_("required city contribution"), **MONEY)
    places = models.PositiveSmallIntegerField(_("number of places"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    selection_closed_at = models.DateTimeField(_("selection closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opens_on"]
        verbose_name = _("call for applications")
        verbose_name_plural = _("calls for applications")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_on__lte=models.F("closes_on")), name="call_opens_before_closes"
            ),
            *non_negative("required_contribution", model="call"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_selection_closed(self) -> bool:
        return self.selection_closed_at is not None

    def is_open_on(self, day) -> bool:
        """Whether a city may start or submit an application on that day."""
        return self.is_published and self.opens_on <= day <= self.closes_on


class SelectionCriterion(models.Model):
    """One line of the selection grid, scored 1 to 5 by each reviewer."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria"
    )
    label = models.CharField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")

    def __str__(self) -> str:
        return self.label


def _count_of(model, **filters):
    """The number of ``model`` rows of each application, as a correlated subquery.

    Subqueries rather than joins: counting nominees and averaging scores over joins would
    multiply the rows of one by the other.
    """
    rows = (
        model.objects.filter(application=OuterRef("pk"), **filters)
        .order_by()
        .values("application")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)


def _boolean(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=models.BooleanField())


# What makes a triad: one elected official, one or two city professionals, one prefect's delegate.
TRIAD_PROFESSIONALS_MIN = 1
TRIAD_PROFESSIONALS_MAX = 2


class CityApplicationQuerySet(models.QuerySet):
    def for_programme(self, programme) -> "CityApplicationQuerySet":
        return self.filter(call__programme=programme)

    def with_eligibility(self) -> "CityApplicationQuerySet":
        """Annotate the three eligibility conditions, computed in the database.

        ``triad_complete``: the right people in each role, each with a position and an e-mail;
        ``commitments_given``: every nominee gave their named commitment;
        ``contribution_ok``: the pledge reaches the call's required contribution;
        ``eligible``: all three. Keep in step with ``programmes.services.application_missing``.
        """
        Role = TriadNominee.Role
        return (
            self.annotate(
                n_elected=_count_of(TriadNominee, role=Role.ELECTED_OFFICIAL),
                n_professionals=_count_of(TriadNominee, role=Role.CITY_PROFESSIONAL),
                n_delegates=_count_of(TriadNominee, role=Role.PREFECTS_DELEGATE),
                n_unreachable=Coalesce(
                    Subquery(
                        TriadNominee.objects.filter(application=OuterRef("pk"))
                        .filter(Q(position="") | Q(email=""))
                        .order_by()
                        .values("application")
                        .annotate(n=Count("pk"))
                        .values("n"),
                        output_field=models.IntegerField(),
                    ),
                    0,
                ),
                n_uncommitted=_count_of(TriadNominee, commitment_given=False),
            )
            .annotate(
                triad_complete=_boolean(
                    Q(
                        n_elected=1,
                        n_delegates=1,
                        n_professionals__gte=TRIAD_PROFESSIONALS_MIN,
                        n_professionals__lte=TRIAD_PROFESSIONALS_MAX,
                        n_unreachable=0,
                    )
                ),
                commitments_given=_boolean(
                    Q(n_uncommitted=0)
                    & (Q(n_elected__gt=0) | Q(n_professionals__gt=0) | Q(n_delegates__gt=0))
                ),
                contribution_ok=_boolean(
                    Q(contribution_pledged__gte=models.F("call__required_contribution"))
                ),
            )
            .annotate(
                eligible=_boolean(
                    Q(triad_complete=True, commitments_given=True, contribution_ok=True)
                )
            )
        )

    def with_review_figures(self, *, user=None) -> "CityApplicationQuerySet":
        """Annotate ``review_count`` and ``average_score`` (over every score of submitted reviews),
        and, given a user, ``reviewed_by_me`` (whether that user has submitted a review)."""
        submitted = Q(submitted_at__isnull=False)
        averages = (
            ReviewScore.objects.filter(
                review__application=OuterRef("pk"), review__submitted_at__isnull=False
            )
            .order_by()
            .values("review__application")
            .annotate(average=Avg("score"))
            .values("average")
        )
        queryset = self.annotate(
            review_count=Coalesce(
                Subquery(
                    Review.objects.filter(submitted, application=OuterRef("pk"))
                    .order_by()
                    .values("application")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=models.IntegerField(),
                ),
                0,
            ),
            average_score=Subquery(averages, output_field=models.FloatField()),
        )
        if user is not None:
            queryset = queryset.annotate(
                reviewed_by_me=Exists(
                    Review.objects.filter(submitted, application=OuterRef("pk"), reviewer=user)
                )
            )
        return queryset

    def assigned_to(self, user) -> "CityApplicationQuerySet":
        return self.filter(assignments__reviewer=user)


class CityApplication(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        INFO_REQUESTED = "info_requested", _("More information requested")
        SELECTED = "selected", _("Selected")
        WAITLISTED = "waitlisted", _("Waitlisted")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # The city may edit its file only while it is in its hands.
    EDITABLE_STATUSES = (Status.DRAFT, Status.INFO_REQUESTED)
    # Waiting for the organisers' decision.
    PENDING_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED)
    DECISIONS = (Status.SELECTED, Status.WAITLISTED, Status.REJECTED)

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="applications"
    )
    city = models.ForeignKey(
        "participants.City",
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    contact_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact account"),
        on_delete=models.SET_NULL,
        related_name="city_applications",
        null=True,
        blank=True,
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    priority_neighbourhoods = models.TextField(_("priority neighbourhoods"), blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    contribution_pledged = models.DecimalField(_("contribution pledged"), **MONEY)
    commitment_letter = models.FileField(
        _("signed commitment letter"), upload_to="applications/letters/", blank=True
    )
    info_request_message = models.TextField(_("information requested"), blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    selection_override_reason = models.TextField(_("reason for exceeding places"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CityApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["call", "city__name"]
        verbose_name = _("city application")
        verbose_name_plural = _("city applications")
        constraints = [
            models.UniqueConstraint(fields=["call", "city"], name="application_one_per_city"),
            *non_negative("contribution_pledged", model="cityapplication"),
        ]

    def __str__(self) -> str:
        return f"{self.city} · {self.call}"

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE_STATUSES

    @property
    def status_for_city(self) -> str:
        """What the city is shown: decisions stay provisional until the selection closes (they
        can still change, and the city is told by e-mail then), so until that moment a decided
        application still reads "under review" on the city's side."""
        if self.status in self.DECISIONS and not self.call.is_selection_closed:
            return self.Status.UNDER_REVIEW
        return self.status

    def get_status_for_city_display(self) -> str:
        return str(self.Status(self.status_for_city).label)


class TriadNomineeQuerySet(models.QuerySet):
    def in_triad_order(self) -> "TriadNomineeQuerySet":
        """Elected official, city professionals, prefect's delegate (the order of the form),
        rather than the alphabetical order of the role codes."""
        Role = TriadNominee.Role
        return self.order_by(
            Case(
                When(role=Role.ELECTED_OFFICIAL, then=0),
                When(role=Role.CITY_PROFESSIONAL, then=1),
                default=2,
            ),
            "pk",
        )


class TriadNominee(models.Model):
    class Role(models.TextChoices):
        ELECTED_OFFICIAL = "elected_official", _("Elected official")
        CITY_PROFESSIONAL = "city_professional", _("City professional")
        PREFECTS_DELEGATE = "prefects_delegate", _("Prefect's delegate")

    application = models.ForeignKey(
        CityApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="nominees",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    commitment_given = models.BooleanField(_("named commitment given"), default=False)
    commitment_date = models.DateField(_("date of commitment"), null=True, blank=True)

    objects = TriadNomineeQuerySet.as_manager()

    class Meta:
        ordering = ["application", "role", "last_name"]
        verbose_name = _("triad nominee")
        verbose_name_plural = _("triad nominees")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_role_display()})"


class ReviewAssignment(models.Model):
    application = models.ForeignKey(
        CityApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="review_assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "reviewer"]
        verbose_name = _("review assignment")
        verbose_name_plural = _("review assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="assignment_one_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application}"


class Review(models.Model):
    class Recommendation(models.TextChoices):
        SELECT = "select", _("Select")
        WAITLIST = "waitlist", _("Waitlist")
        REJECT = "reject", _("Reject")

    application = models.ForeignKey(
        CityApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=10, choices=Recommendation.choices
    )
    comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["application", "created_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "reviewer"], name="review_one_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.application}"


class ReviewScore(models.Model):
    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        SelectionCriterion,
        verbose_name=_("criterion"),
        on_delete=models.CASCADE,
        related_name="scores",
    )
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["review", "criterion__position"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_one_per_criterion"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="score_between_1_and_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.score}"


class ApplicationEvent(models.Model):
    """One change of an application's status: who, when, from, to, and why."""

    application = models.ForeignKey(
        CityApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=CityApplication.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=20, choices=CityApplication.Status.choices)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["application", "created_at", "id"]
        verbose_name = _("application event")
        verbose_name_plural = _("application events")

    def __str__(self) -> str:
        return f"{self.application}: {self.from_status or '—'} → {self.to_status}"


class CityContribution(models.Model):
    """The ledger line of a selected city's financial contribution."""

    application = models.OneToOneField(
        CityApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="contribution",
    )
    amount_pledged = models.DecimalField(_("pledged"), **MONEY)
    amount_invoiced = models.DecimalField(_("invoiced"), **MONEY)
    amount_received = models.DecimalField(_("received"), **MONEY)
    invoiced_on = models.DateField(_("invoiced on"), null=True, blank=True)
    received_on = models.DateField(_("received on"), null=True, blank=True)
    agreement_reference = models.CharField(_("agreement reference"), max_length=100, blank=True)

    class Meta:
        ordering = ["application__city__name"]
        verbose_name = _("city contribution")
        verbose_name_plural = _("city contributions")
        constraints = non_negative(
            "amount_pledged", "amount_invoiced", "amount_received", model="citycontribution"
        )

    def __str__(self) -> str:
        return f"{self.application.city} · {self.amount_pledged}"


class AuditEntry(models.Model):
    """Who changed what, when: written by the services, read by organisers and the admin."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="audit_entries",
        null=True,
        blank=True,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class UserProfile(models.Model):
    """What a person sets for themselves: the language of the e-mails they receive."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="profile",
    )
    language = models.CharField(
        _("language of e-mails"), max_length=10, choices=settings.LANGUAGES, default="fr"
    )

    class Meta:
        verbose_name = _("user profile")
        verbose_name_plural = _("user profiles")

    def __str__(self) -> str:
        return str(self.user)


class TeamInvitationQuerySet(models.QuerySet):
    def pending(self, now=None) -> "TeamInvitationQuerySet":
        """Neither accepted nor revoked (an expired one may still be sent again)."""
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)

    def usable(self, now=None) -> "TeamInvitationQuerySet":
        return self.pending().filter(expires_at__gt=now or timezone.now())


class TeamInvitation(models.Model):
    """An invitation to join a programme's team in a role, accepted once through a secret link.

    Only the SHA-256 of the link's token is stored: a copy of the database opens no account.
    """

    class Role(models.TextChoices):
        ORGANISER = Membership.Role.ORGANISER.value, _("Co-organiser")
        REVIEWER = Membership.Role.REVIEWER.value, Membership.Role.REVIEWER.label
        FACILITATOR = Membership.Role.FACILITATOR.value, Membership.Role.FACILITATOR.label
        FUNDER = Membership.Role.FUNDER.value, Membership.Role.FUNDER.label

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="team_invitations",
    )
    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        related_name="team_invitations",
        null=True,
        blank=True,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="fr"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = TeamInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "-created_at", "-id"]
        verbose_name = _("team invitation")
        verbose_name_plural = _("team invitations")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="funder") | Q(organisation__isnull=False),
                name="team_invitation_funder_has_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()} · {self.programme}"

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
