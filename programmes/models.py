"""Cities, organisations, programmes, memberships (roles), funding and budget, the call for
applications, city applications with their triads, reviews, and the audit trail."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
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

from .fields import NameField
from .images import organisation_image_path

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0.00")}


def non_negative(*fields: str, model: str) -> list[models.CheckConstraint]:
    return [
        models.CheckConstraint(
            condition=Q(**{f"{field}__gte": 0}), name=f"{model}_{field}_not_negative"
        )
        for field in fields
    ]


class City(models.Model):
    """A place that applies to a call; its triad members take part as participants."""

    name = NameField(_("name"), max_length=120)
    insee_code = models.CharField(_("INSEE code"), max_length=5, unique=True)
    departement = models.CharField(_("département"), max_length=3)
    priority_neighbourhoods = models.TextField(
        _("priority neighbourhoods"), blank=True, help_text=_("One neighbourhood per line.")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    class Kind(models.TextChoices):
        RESOURCE_CENTRE = "resource_centre", _("Resource centre")
        NGO = "ngo", _("Partner NGO")
        FUNDER = "funder", _("Funder")
        CITY = "city", _("City authority")
        LOCAL_AUTHORITY = "local_authority", _("Local authority")
        STATE = "state", _("State service")
        OTHER = "other", _("Other")

    name = NameField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(
        _("logo"), upload_to=organisation_image_path, max_length=255, blank=True
    )
    stamp = models.FileField(
        _("signature and stamp"),
        upload_to=organisation_image_path,
        max_length=255,
        blank=True,
        help_text=_("An image of the organisation's signature and stamp, for signed documents."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        CALL_OPEN = "call_open", _("Call open")
        SELECTION = "selection", _("Selection")
        RUNNING = "running", _("Running")
        CLOSED = "closed", _("Closed")

    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    title = NameField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    # Opt-in: the public results page (figures and aggregated evaluation, nothing personal).
    results_public = models.BooleanField(_("results page public"), default=False)
    # The story the reports' cover page tells, in each language a report is made in.
    narrative_fr = models.TextField(
        _("narrative (French)"),
        blank=True,
        help_text=_("Objectives, what happened, outcomes: a few lines for the reports' cover."),
    )
    narrative_en = models.TextField(
        _("narrative (English)"),
        blank=True,
        help_text=_("Optional: reports in English use the French narrative when this is empty."),
    )
    venue = NameField(_("venue"), max_length=200, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    planned_days = models.DecimalField(
        _("planned days"), max_digits=5, decimal_places=1, default=Decimal("0.0")
    )
    planned_hours = models.DecimalField(
        _("planned hours"), max_digits=6, decimal_places=1, default=Decimal("0.0")
    )
    capacity = models.PositiveSmallIntegerField(_("capacity (cities)"), default=0)
    # Kept for the rules written against it (``has_begun``); never shown nor set by hand: the
    # stage a person reads is derived from dates and events (``programmes.stages``).
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
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

    def narrative_in(self, language: str) -> str:
        """The narrative in the report's language, else the other one (French first)."""
        own = self.narrative_en if (language or "").startswith("en") else self.narrative_fr
        return own or self.narrative_fr or self.narrative_en

    def has_begun(self, today=None) -> bool:
        """Whether the training has started, by its status or by its first date."""
        if self.status in (self.Status.RUNNING, self.Status.CLOSED):
            return True
        today = today or timezone.localdate()
        return self.start_date is not None and self.start_date <= today


class FiguresVersion(models.Model):
    """A programme's records as of their last change: a value the database sets anew (a random
    64-bit number) in every transaction that writes a record the programme's figures and
    attendance sheets are computed from (its attendance records, trainees, their expected spans,
    cities and peer groups, its days and half-days, the names of who marked its lines).
    Triggers set it (``sessions`` migration 0009), so no write escapes it,
    whether made by a service, a bulk update or the admin.

    ``programmes.kept`` keeps a programme's computed figures in the process under this value:
    a write changes it, and the next page computes them again. A programme without a row yet
    (none of its records written since the triggers exist) has nothing kept.

    No foreign key: the triggers write it even while the programme and its records are being
    deleted, and a row left behind is harmless (a new programme's row is set when it is
    created, should its id be reused)."""

    programme_id = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField()

    class Meta:
        verbose_name = _("figures version")
        verbose_name_plural = _("figures versions")

    def __str__(self) -> str:
        return f"{self.programme_id}: {self.version}"

    @classmethod
    def of(cls, programme: str) -> Subquery:
        """The version of the programme at ``programme`` (a lookup from the queried model to
        the programme's id), as an annotation; null without a row yet."""
        return Subquery(cls.objects.filter(programme_id=OuterRef(programme)).values("version")[:1])


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
    label = NameField(_("label"), max_length=200)
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
    title = NameField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    eligibility_terms = models.TextField(_("eligibility terms"), blank=True)
    required_contribution = models.DecimalField(_("required city contribution"), **MONEY)
    places = models.PositiveSmallIntegerField(_("number of places"), default=0)
    departements = models.CharField(
        _("départements"),
        max_length=100,
        blank=True,
        help_text=_(
            "The numbers of the départements whose cities may apply, separated by commas "
            "(e.g. 93, 95). Their known cities are offered in the list; others can be typed."
        ),
    )
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

    @property
    def departement_list(self) -> list[str]:
        return [part.strip().upper() for part in self.departements.split(",") if part.strip()]

    def is_open_on(self, day) -> bool:
        """Whether a city may start or submit an application on that day."""
        return self.is_published and self.opens_on <= day <= self.closes_on


class SelectionCriterion(models.Model):
    """One line of the selection grid, scored 1 to 5 by each reviewer."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="criteria"
    )
    label = NameField(_("label"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["call", "position", "id"]
        verbose_name = _("selection criterion")
        verbose_name_plural = _("selection criteria")

    def __str__(self) -> str:
        return self.label


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

        def nominees(condition: Q) -> Count:
            return Count("nominees", filter=condition)

        # Counted over one join to the nominees, each count filtered: building and compiling
        # five correlated subqueries cost several times more, on every list of applications.
        # The review figures (``with_review_figures``) stay subqueries, so that no other
        # to-many join multiplies these rows.
        return (
            self.alias(  # counted for the conditions below, never read themselves
                n_elected=nominees(Q(nominees__role=Role.ELECTED_OFFICIAL)),
                n_professionals=nominees(Q(nominees__role=Role.CITY_PROFESSIONAL)),
                n_delegates=nominees(Q(nominees__role=Role.PREFECTS_DELEGATE)),
                n_unreachable=nominees(Q(nominees__position="") | Q(nominees__email="")),
                n_uncommitted=nominees(Q(nominees__commitment_given=False)),
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

    def with_review_figures(
        self, *, user=None, sees_every_review: bool = True
    ) -> "CityApplicationQuerySet":
        """Annotate ``review_count`` and ``average_score`` (over every score of submitted reviews),
        and, given a user, ``reviewed_by_me`` (whether that user has submitted a review).

        For a user who may not see every review (``permissions.can_see_every_review``), both
        figures are None on the applications that user has not reviewed yet: a list sorted or
        filtered by them then reveals nothing of the others' scores."""
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
        review_count = Coalesce(
            Subquery(
                Review.objects.filter(submitted, application=OuterRef("pk"))
                .order_by()
                .values("application")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=models.IntegerField(),
            ),
            0,
        )
        average_score = Subquery(averages, output_field=models.FloatField())
        queryset = self
        if user is not None:
            queryset = queryset.annotate(
                reviewed_by_me=Exists(
                    Review.objects.filter(submitted, application=OuterRef("pk"), reviewer=user)
                )
            )
            if not sees_every_review:
                review_count = Case(
                    When(reviewed_by_me=True, then=review_count),
                    default=None,
                    output_field=models.IntegerField(),
                )
                average_score = Case(
                    When(reviewed_by_me=True, then=average_score),
                    default=None,
                    output_field=models.FloatField(),
                )
        return queryset.annotate(review_count=review_count, average_score=average_score)


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

    # Waiting for the organisers' decision.
    PENDING_STATUSES = (Status.SUBMITTED, Status.UNDER_REVIEW, Status.INFO_REQUESTED)
    DECISIONS = (Status.SELECTED, Status.WAITLISTED, Status.REJECTED)
    # Which changes of status are allowed, by whom: ``APPLICATION_TRANSITIONS`` below.

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="applications"
    )
    city = models.ForeignKey(
        City,
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
    contact_name = NameField(_("contact person"), max_length=200, blank=True)
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
        """The file is in the city's hands: it may still submit it (the transitions table)."""
        return self.allows("submit")

    def allows(self, action: str) -> bool:
        """Whether the transitions table lets ``action`` start from the current status."""
        return self.status in statuses_allowing(action)

    def can_transition_to(self, status: str, action: str = "") -> bool:
        """Whether the table has a row from the current status to ``status`` (by ``action``)."""
        return transition_of(self.status, status, action) is not None

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


# --- A city application's status rules, declared once -----------------------------------------
# Services move an application only along these rows (``services.common.status_change`` refuses
# any other change with a 409), permissions ask which actions the current status allows
# (``CityApplication.allows``), and list queries filter on ``statuses_allowing``.


@dataclass(frozen=True)
class Transition:
    action: str  # the service's verb
    source: str
    target: str
    role: str  # who does it: a ``Membership.Role``


_S = CityApplication.Status
_Role = Membership.Role
# Where the organisers can still decide: everything they have been sent, decisions included
# (a decision can change until the selection closes).
_IN_ORGANISERS_HANDS = (*CityApplication.PENDING_STATUSES, *CityApplication.DECISIONS)

APPLICATION_TRANSITIONS: tuple[Transition, ...] = (
    Transition("submit", _S.DRAFT, _S.SUBMITTED, _Role.CITY_CONTACT),
    # Sent back after a request for information: under review again if reviewers have it.
    Transition("submit", _S.INFO_REQUESTED, _S.SUBMITTED, _Role.CITY_CONTACT),
    Transition("submit", _S.INFO_REQUESTED, _S.UNDER_REVIEW, _Role.CITY_CONTACT),
    Transition("assign_reviewers", _S.SUBMITTED, _S.UNDER_REVIEW, _Role.ORGANISER),
    Transition("request_information", _S.SUBMITTED, _S.INFO_REQUESTED, _Role.ORGANISER),
    Transition("request_information", _S.UNDER_REVIEW, _S.INFO_REQUESTED, _Role.ORGANISER),
    *(
        Transition("decide", source, decision, _Role.ORGANISER)
        for source in _IN_ORGANISERS_HANDS
        for decision in CityApplication.DECISIONS
        if source != decision
    ),
    # After the selection closed, a waitlisted city is given a place another city left free.
    Transition("promote", _S.WAITLISTED, _S.SELECTED, _Role.ORGANISER),
    # Until the training begins (a condition on the programme, not the status: permissions).
    *(
        Transition("withdraw", source, _S.WITHDRAWN, _Role.CITY_CONTACT)
        for source in (*CityApplication.PENDING_STATUSES, _S.DRAFT, _S.SELECTED, _S.WAITLISTED)
    ),
)

# What is done to an application without changing its status, by whom and in which statuses:
# reviewers are given and write their reviews while the organisers may still decide.
APPLICATION_ACTIVITIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "review": (_Role.REVIEWER, _IN_ORGANISERS_HANDS),
    "assign_reviewers": (_Role.ORGANISER, _IN_ORGANISERS_HANDS),
}


def transition_of(source: str, target: str, action: str = "") -> Transition | None:
    """The row that allows going from ``source`` to ``target`` (by ``action``, when given)."""
    return next(
        (
            row
            for row in APPLICATION_TRANSITIONS
            if (row.source, row.target) == (source, target) and action in ("", row.action)
        ),
        None,
    )


def statuses_allowing(action: str) -> frozenset[str]:
    """The statuses from which ``action`` may be done: its transitions' sources, or the
    statuses of the activity."""
    sources = {row.source for row in APPLICATION_TRANSITIONS if row.action == action}
    if action in APPLICATION_ACTIVITIES:
        sources.update(APPLICATION_ACTIVITIES[action][1])
    return frozenset(sources)


def roles_for(action: str) -> frozenset[str]:
    """Who may do ``action``: the roles its rows name."""
    roles = {row.role for row in APPLICATION_TRANSITIONS if row.action == action}
    if action in APPLICATION_ACTIVITIES:
        roles.add(APPLICATION_ACTIVITIES[action][0])
    return frozenset(roles)


class CityAccessRequest(models.Model):
    """Someone who signed up for a city without the organisers' invitation link: they become the
    city's contact only once an organiser confirms it, so that nobody takes a city's place (or its
    draft) by choosing it in a list."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the organisers")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="access_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked by"),
        on_delete=models.CASCADE,
        related_name="city_access_requests",
    )
    # A city already known, or the one the person typed, created only when a request is confirmed
    # (a visitor's typing never adds a city to anyone's list).
    city = models.ForeignKey(
        City,
        verbose_name=_("city"),
        on_delete=models.CASCADE,
        related_name="access_requests",
        null=True,
        blank=True,
    )
    city_name = models.CharField(_("city name"), max_length=120, blank=True)
    city_insee_code = models.CharField(_("INSEE code"), max_length=5, blank=True)
    city_departement = models.CharField(_("département"), max_length=3, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    application = models.ForeignKey(
        CityApplication,
        verbose_name=_("application"),
        on_delete=models.SET_NULL,
        related_name="access_requests",
        null=True,
        blank=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)

    class Meta:
        ordering = ["call", "city_insee_code", "created_at", "id"]
        verbose_name = _("request to apply for a city")
        verbose_name_plural = _("requests to apply for a city")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "requester"],
                condition=Q(status="pending"),
                name="accessrequest_one_pending_per_person",
            )
        ]

    def __str__(self) -> str:
        return self.city_label

    @property
    def city_label(self) -> str:
        return self.city.name if self.city_id else self.city_name


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
    first_name = NameField(_("first name"), max_length=100)
    last_name = NameField(_("last name"), max_length=100)
    position = NameField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    commitment_given = models.BooleanField(_("named commitment given"), default=False)
    commitment_date = models.DateField(_("date of commitment"), null=True, blank=True)
    # Set when the person's data were erased (they took part and asked for it): they no longer
    # count among the signatories of the application's commitment letter.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    objects = TriadNomineeQuerySet.as_manager()

    class Meta:
        ordering = ["application", "role", "last_name"]
        verbose_name = _("triad nominee")
        verbose_name_plural = _("triad nominees")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name} ({self.get_role_display()})"


# --- After the training: each selected city's follow-up -------------------------------------


class ActionItemQuerySet(models.QuerySet):
    def with_state(self, today) -> "ActionItemQuerySet":
        """Annotate ``state``: done (a date it was done), late (its target date is past), or
        not started; the one place that says when an item is late."""
        return self.annotate(
            state=Case(
                When(done_on__isnull=False, then=models.Value(ActionItem.State.DONE)),
                When(target_date__lt=today, then=models.Value(ActionItem.State.LATE)),
                default=models.Value(ActionItem.State.NOT_STARTED),
                output_field=models.CharField(),
            )
        )


class ActionItem(models.Model):
    """One commitment a selected city took at the training (its action plan): what, who of its
    triad carries it, by when, and when it was done."""

    class State(models.TextChoices):
        DONE = "done", _("Done")
        LATE = "late", _("Late")
        NOT_STARTED = "not_started", _("Not started")

    application = models.ForeignKey(
        CityApplication,
        verbose_name=_("city application"),
        on_delete=models.CASCADE,
        related_name="action_items",
    )
    title = NameField(_("commitment"), max_length=200)
    owner = models.ForeignKey(
        TriadNominee,
        verbose_name=_("carried by"),
        on_delete=models.SET_NULL,
        related_name="action_items",
        null=True,
        blank=True,
    )
    target_date = models.DateField(_("target date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["application", "target_date", "id"]
        verbose_name = _("action plan item")
        verbose_name_plural = _("action plan items")

    def __str__(self) -> str:
        return self.title


class CouncilMilestone(models.Model):
    """A step of a city's citizens' council (conseil citoyen), dated, with a short note and an
    optional document (a PDF, checked as the commitment letter is). One of each kind per city."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Council created")
        FIRST_MEETING = "first_meeting", _("First meeting")
        RESIDENTS_IN_POVERTY = "residents_in_poverty", _("Residents in poverty take part")
        DECISION_INFLUENCED = "decision_influenced", _("A decision it influenced")

    application = models.ForeignKey(
        CityApplication,
        verbose_name=_("city application"),
        on_delete=models.CASCADE,
        related_name="council_milestones",
    )
    kind = models.CharField(_("milestone"), max_length=30, choices=Kind.choices)
    date = models.DateField(_("date"))
    note = models.CharField(_("short note"), max_length=300, blank=True)
    document = models.FileField(_("document"), upload_to="followup/documents/", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["application", "date", "id"]
        verbose_name = _("citizens' council milestone")
        verbose_name_plural = _("citizens' council milestones")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind"], name="councilmilestone_one_per_kind"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


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


class ApplicationMessage(models.Model):
    """One message of an application's "more information" thread: the organisers ask, the city
    answers in writing, with a document if need be (checked as the commitment letter is); the
    organisers and the reviewers assigned to the file read it."""

    class Side(models.TextChoices):
        ORGANISERS = "organisers", _("The organisers")
        CITY = "city", _("The city")

    application = models.ForeignKey(
        CityApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    side = models.CharField(_("from"), max_length=12, choices=Side.choices)
    body = models.TextField(_("message"))
    attachment = models.FileField(
        _("attached document"), upload_to="applications/messages/", blank=True
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        ordering = ["application", "created_at", "id"]
        verbose_name = _("message about an application")
        verbose_name_plural = _("messages about applications")

    def __str__(self) -> str:
        return f"{self.application} · {self.get_side_display()} · {self.created_at:%Y-%m-%d}"


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
    # Set when the city withdrew after the selection closed: the line stays in the ledger as
    # history and counts in no total.
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["application__city__name"]
        verbose_name = _("city contribution")
        verbose_name_plural = _("city contributions")
        constraints = non_negative(
            "amount_pledged", "amount_invoiced", "amount_received", model="citycontribution"
        )

    def __str__(self) -> str:
        return f"{self.application.city} · {self.amount_pledged}"


class AuditEntryQuerySet(models.QuerySet):
    def about(self, *objects) -> "AuditEntryQuerySet":
        """Entries whose target is one of ``objects``."""
        about = models.Q(pk__in=[])
        for obj in objects:
            about |= models.Q(target_type=ContentType.objects.get_for_model(obj), target_id=obj.pk)
        return self.filter(about)


class AuditEntry(models.Model):
    """Who did what to which objects, when: written by the services (``programmes.services.audit``),
    read by organisers and the admin. The objects are stored by type and id and the values as
    JSON; the sentence a person reads is rendered when shown (``display``), from current names."""

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
    target_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    target_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    related_type = models.ForeignKey(
        ContentType,
        verbose_name=_("related object type"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    related_id = models.PositiveBigIntegerField(_("related object id"), null=True, blank=True)
    data = models.JSONField(_("values"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="auditentry_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} #{self.target_id}"

    def display(self) -> str:
        """The sentence a person reads, in the active language, from the objects' current
        names (see ``programmes.audit``)."""
        from .audit import render

        return render(self)


def outbox_attachment_path(message: "OutboxMessage", filename: str) -> str:
    """A folder with a random part per attachment: the file names a person."""
    import secrets

    return f"outbox/{secrets.token_hex(12)}/{filename}"


class OutboxMessageQuerySet(models.QuerySet):
    def for_object(self, obj) -> "OutboxMessageQuerySet":
        return self.filter(object_type=obj._meta.model_name, object_id=str(obj.pk))

    def for_list(self) -> "OutboxMessageQuerySet":
        """What the messages pages show, without a query per row."""
        return self.select_related("recipient_user").order_by("-created_at", "-id")


class OutboxMessage(models.Model):
    """One e-mail the application sends, written in the transaction of the event that causes it
    and sent after the commit (``programmes.services.outbox``): what was sent to whom and when,
    or what failed and why."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        HELD = "held", _("Kept for the daily digest")
        DIGESTED = "digested", _("Sent in a digest")

    class Kind(models.TextChoices):
        APPLICATION_SUBMITTED = "submitted", _("Application received")
        INFO_REQUESTED = "info_requested", _("Information requested")
        DECISION = "decision", _("Decision")
        INVITATION = "invitation", _("Invitation")
        NOTIFICATION = "notification", _("Notification")
        REMINDER = "reminder", _("Reminder")
        DIGEST = "digest", _("Daily digest")
        CERTIFICATE = "certificate", _("Certificate of completion")

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        null=True,
        blank=True,
    )
    recipient = models.EmailField(_("recipient"))
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient's account"),
        on_delete=models.SET_NULL,
        related_name="outbox_messages",
        null=True,
        blank=True,
    )
    language = models.CharField(_("language"), max_length=10)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    html_body = models.TextField(_("HTML"), blank=True)
    object_type = models.CharField(_("about (type)"), max_length=60, blank=True)
    object_id = models.CharField(_("about (id)"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # A file sent with the message (a certificate): stored, so that a retry sends the same one.
    attachment = models.FileField(
        _("attachment"), upload_to=outbox_attachment_path, max_length=255, blank=True
    )
    attachment_type = models.CharField(_("attachment type"), max_length=60, blank=True)
    key = models.CharField(
        _("key"),
        max_length=200,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Set on reminders and digests, so that a periodic task never sends one twice."),
    )
    resent_from = models.ForeignKey(
        "self",
        verbose_name=_("copy of"),
        on_delete=models.SET_NULL,
        related_name="copies",
        null=True,
        blank=True,
    )
    digest = models.ForeignKey(
        "self",
        verbose_name=_("digest"),
        on_delete=models.SET_NULL,
        related_name="digested",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = OutboxMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["object_type", "object_id"], name="outbox_object"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="outboxmessage_sent_has_sent_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.subject} · {self.status}"


class NotificationPreference(models.Model):
    """How a person wants to hear about a programme: every message, a daily digest, or nothing
    (decisions and invitations always go)."""

    class Choice(models.TextChoices):
        EVERY = "every", _("Every message")
        DIGEST = "digest", _("A daily digest")
        NONE = "none", _("None")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    choice = models.CharField(
        _("e-mails"), max_length=10, choices=Choice.choices, default=Choice.EVERY
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["programme", "user"]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "programme"], name="notificationpreference_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.programme} · {self.choice}"


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
