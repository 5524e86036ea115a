"""Training days, half-day slots, activities and attendance per half-day."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from programmes.fields import NameField

# The longest note on an attendance record or its history (the services say so in words).
NOTE_MAX_LENGTH = 500


class TrainingDay(models.Model):
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="training_days",
    )
    date = models.DateField(_("date"))
    title = NameField(_("title"), max_length=200, blank=True)
    place = NameField(_("place"), max_length=200, blank=True)

    class Meta:
        ordering = ["programme", "date"]
        verbose_name = _("training day")
        verbose_name_plural = _("training days")
        constraints = [
            models.UniqueConstraint(fields=["programme", "date"], name="trainingday_unique_date")
        ]

    def __str__(self) -> str:
        # In the reader's language and format ("22 janvier 2015"), never ISO: it is shown.
        return f"{date_format(self.date, 'DATE_FORMAT')} {self.title}".strip()


class Slot(models.Model):
    """A half-day: the unit of attendance."""

    class Part(models.TextChoices):
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")

    day = models.ForeignKey(
        TrainingDay, verbose_name=_("training day"), on_delete=models.CASCADE, related_name="slots"
    )
    part = models.CharField(_("half-day"), max_length=10, choices=Part.choices)
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"))
    closed_at = models.DateTimeField(_("sheet closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sheet closed by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["day__date", "starts_at"]
        verbose_name = _("half-day")
        verbose_name_plural = _("half-days")
        constraints = [
            models.UniqueConstraint(fields=["day", "part"], name="slot_unique_part"),
            models.CheckConstraint(
                condition=Q(starts_at__lt=models.F("ends_at")), name="slot_starts_before_ends"
            ),
        ]

    def __str__(self) -> str:
        return f"{date_format(self.day.date, 'DATE_FORMAT')} {self.get_part_display()}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class Activity(models.Model):
    class Kind(models.TextChoices):
        PEER_GROUP = "peer_group", _("Peer group work")
        PLENARY = "plenary", _("Plenary")
        INDIVIDUAL = "individual", _("Individual work")
        PREPARATION = "preparation", _("Preparation by the activists")
        FORUM_THEATRE = "forum_theatre", _("Forum theatre")
        CLOSING = "closing", _("Closing presentation")

    slot = models.ForeignKey(
        Slot, verbose_name=_("half-day"), on_delete=models.CASCADE, related_name="activities"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = NameField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    peer_group = models.ForeignKey(
        "participants.PeerGroup",
        verbose_name=_("peer group"),
        on_delete=models.SET_NULL,
        related_name="activities",
        null=True,
        blank=True,
    )
    facilitators = models.ManyToManyField(
        "participants.Participant",
        verbose_name=_("facilitators"),
        related_name="facilitated_activities",
        blank=True,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["slot", "position", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title


class ExpectedSpan(models.Model):
    """The half-days a trainee is expected at, when not every one: from the half-day starting at
    ``from_day`` ``from_time`` (a replacement joins) until before the one starting at
    ``until_day`` ``until_time`` (the person left: replaced, or their city withdrew after the
    selection). Without a span an active trainee is expected at every half-day and an inactive
    one at none; a span counts whatever the active flag, so a person who left is still expected
    at the half-days before, where their attendance is kept. Moments rather than slots: deleting
    a half-day must not widen anyone's span. Read by ``sessions.selectors`` only."""

    participant = models.OneToOneField(
        "participants.Participant",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="expected_span",
    )
    from_day = models.DateField(_("expected from (day)"), null=True, blank=True)
    from_time = models.TimeField(_("expected from (time)"), null=True, blank=True)
    until_day = models.DateField(_("expected until (day)"), null=True, blank=True)
    until_time = models.TimeField(_("expected until (time)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("expected half-days")
        verbose_name_plural = _("expected half-days")
        constraints = [
            models.CheckConstraint(
                condition=Q(from_day__isnull=True, from_time__isnull=True)
                | Q(from_day__isnull=False, from_time__isnull=False),
                name="expectedspan_from_whole",
            ),
            models.CheckConstraint(
                condition=Q(until_day__isnull=True, until_time__isnull=True)
                | Q(until_day__isnull=False, until_time__isnull=False),
                name="expectedspan_until_whole",
            ),
        ]

    def __str__(self) -> str:
        start = f"{self.from_day} {self.from_time}" if self.from_day else "…"
        end = f"{self.until_day} {self.until_time}" if self.until_day else "…"
        return f"{self.participant_id}: {start} – {end}"

    def covers(self, day, time) -> bool:
        """Whether the half-day starting at ``day`` ``time`` is within the span."""
        if self.from_day is not None and (day, time) < (self.from_day, self.from_time):
            return False
        return self.until_day is None or (day, time) < (self.until_day, self.until_time)


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    LEFT_EARLY = "left_early", _("Left early")
    EXCUSED = "excused", _("Excused")
    ABSENT = "absent", _("Absent")


# Present, late and left early all count as attending; excused is counted apart.
ATTENDING_STATUSES = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.LATE,
    AttendanceStatus.LEFT_EARLY,
)


class Attendance(models.Model):
    Status = AttendanceStatus

    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    slot = models.ForeignKey(
        Slot, verbose_name=_("half-day"), on_delete=models.CASCADE, related_name="attendances"
    )
    status = models.CharField(_("status"), max_length=12, choices=AttendanceStatus.choices)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)
    # Optimistic concurrency: a write based on an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    # Set when the last change was made on a phone without a connection and sent later: when
    # the tap happened by the phone's clock (``recorded_at`` is then when it reached us).
    recorded_offline_at = models.DateTimeField(
        _("recorded offline at (device clock)"), null=True, blank=True
    )

    class Meta:
        ordering = ["slot", "participant"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "slot"], name="attendance_one_per_participant_slot"
            )
        ]
        # The participation figures count each trainee's records by status: with the status
        # in the index, the database reads the index alone (the 500-trainee programme's
        # counts take half the time on SQLite).
        indexes = [
            models.Index(fields=["participant", "slot", "status"], name="attendance_counted"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} · {self.slot} · {self.get_status_display()}"


class AttendanceChange(models.Model):
    """History of an attendance record: who changed it, when, from what to what."""

    attendance = models.ForeignKey(
        Attendance,
        verbose_name=_("attendance"),
        on_delete=models.CASCADE,
        related_name="changes",
    )
    old_status = models.CharField(
        _("old status"), max_length=12, choices=AttendanceStatus.choices, blank=True
    )
    new_status = models.CharField(_("new status"), max_length=12, choices=AttendanceStatus.choices)
    note = models.CharField(_("note"), max_length=NOTE_MAX_LENGTH, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("attendance change")
        verbose_name_plural = _("attendance changes")

    def __str__(self) -> str:
        return f"{self.attendance}: {self.old_status or '—'} → {self.new_status}"


class SyncedChange(models.Model):
    """A change made on a phone without a connection and sent later, kept by its id so that a
    change sent twice (the answer was lost) is applied once. No person data: the participant
    is named only in the request and in the attendance record itself."""

    class Result(models.TextChoices):
        APPLIED = "applied", _("Applied")
        UNCHANGED = "unchanged", _("Already recorded")
        CONFLICT = "conflict", _("Changed meanwhile by someone else")
        CLOSED = "closed", _("Sheet closed")
        REFUSED = "refused", _("Person not on the sheet")

    change_id = models.UUIDField(_("change id"), unique=True)
    slot = models.ForeignKey(
        Slot, verbose_name=_("half-day"), on_delete=models.CASCADE, related_name="synced_changes"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    device_time = models.DateTimeField(_("made at (device clock)"))
    received_at = models.DateTimeField(_("received at"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("change made offline")
        verbose_name_plural = _("changes made offline")

    def __str__(self) -> str:
        return f"{self.change_id} · {self.result}"


class SignatureQuerySet(models.QuerySet):
    """Signatures are evidence: the queryset refuses bulk updates and deletes."""

    def update(self, **kwargs):
        raise TypeError("Attendance signatures are append-only: they are never updated.")

    def delete(self):
        raise TypeError("Attendance signatures are append-only: they are never deleted.")

    def _erase(self, **kwargs) -> int:
        """The one write allowed on a stored signature: blanking the evidence of an erased
        person (``sessions.personal_data.erase``); the hashes stay, so the chain still holds."""
        return super().update(**kwargs)


class AttendanceSignature(models.Model):
    """One signature (or mark) of a person on a half-day's sheet: an append-only row, chained
    to the previous row of the same sheet by ``previous_hash`` and ``row_hash`` (see
    ``sessions.signatures``)."""

    class Role(models.TextChoices):
        TRAINEE = "trainee", _("Trainee")
        TRAINER = "trainer", _("Trainer")

    class Method(models.TextChoices):
        DEVICE = "device", _("Signed on the facilitator’s device")
        MARK_WITH_WITNESS = "mark_with_witness", _("Mark with a witness")
        SELF_CHECKIN = "self_checkin", _("Self check-in")
        # Not a signature: a later row that changes the status or times of one already given
        # (before closing by a facilitator, after closing by an organiser, always with a reason).
        CORRECTION = "correction", _("Correction")

    # Only deleting a whole programme (the demo rebuilds its own) deletes signatures; the
    # timetable refuses to delete a half-day that has any.
    slot = models.ForeignKey(
        Slot, verbose_name=_("half-day"), on_delete=models.CASCADE, related_name="signatures"
    )
    sequence = models.PositiveIntegerField(_("sequence"))
    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("participant"),
        on_delete=models.RESTRICT,
        related_name="attendance_signatures",
    )
    role = models.CharField(_("signs as"), max_length=10, choices=Role.choices)
    status = models.CharField(
        _("status at signing"), max_length=12, choices=AttendanceStatus.choices, blank=True
    )
    method = models.CharField(_("method"), max_length=20, choices=Method.choices)
    strokes = models.JSONField(_("strokes"), default=list, blank=True)
    svg = models.TextField(_("signature image (SVG)"), blank=True)
    mark = models.CharField(_("mark"), max_length=20, blank=True)
    witness = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("witness"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # Empty for a self check-in through a personal link (the person has no account).
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("captured by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    user_agent = models.CharField(_("device (user agent)"), max_length=300, blank=True)
    # Text, not an address type: the database gives back exactly what was hashed.
    ip_address = models.CharField(_("address"), max_length=45, null=True, blank=True)
    signed_at = models.DateTimeField(_("signed at (server clock)"))
    # Set when the signature was made on a phone without a connection and sent later: when it
    # was drawn by the phone's clock (``signed_at`` is then when it reached us, its chain order).
    device_signed_at = models.DateTimeField(
        _("signed offline at (device clock)"), null=True, blank=True
    )
    arrived_at = models.TimeField(_("arrived at"), null=True, blank=True)
    left_at = models.TimeField(_("left at"), null=True, blank=True)
    # Why a correction was made (free text about a person: part of the erasable evidence).
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    # SHA-256 of the evidence (strokes, image, mark, device, address): erasing a person blanks
    # the evidence and keeps this digest, so that the chain over the rows still verifies.
    evidence_hash = models.CharField(_("evidence SHA-256"), max_length=64)
    evidence_erased_at = models.DateTimeField(_("evidence erased at"), null=True, blank=True)
    previous_hash = models.CharField(_("previous row’s SHA-256"), max_length=64)
    row_hash = models.CharField(_("row SHA-256"), max_length=64, unique=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        ordering = ["slot", "sequence"]
        verbose_name = _("attendance signature")
        verbose_name_plural = _("attendance signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["slot", "sequence"], name="attendancesignature_one_per_sequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.slot_id} #{self.sequence} · {self.get_role_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not kwargs.get("force_insert", self._state.adding):
            raise TypeError("Attendance signatures are append-only: they are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Attendance signatures are append-only: they are never deleted.")

    @property
    def is_correction(self) -> bool:
        return self.method == self.Method.CORRECTION

    @property
    def recorded_offline(self) -> bool:
        return self.device_signed_at is not None


def paper_scan_path(scan: "PaperSheet", filename: str) -> str:
    import secrets

    return f"paper-sheets/{scan.slot_id}-{secrets.token_hex(12)}/{filename}"


class PaperSheet(models.Model):
    """The scan of a half-day's sheet signed in ink (the paper fallback), with its SHA-256.
    Scans are added, never replaced: a later scan is shown as the current one."""

    slot = models.ForeignKey(
        Slot, verbose_name=_("half-day"), on_delete=models.CASCADE, related_name="paper_sheets"
    )
    file = models.FileField(_("scan"), upload_to=paper_scan_path, max_length=255)
    content_type = models.CharField(_("file type"), max_length=40)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = _("paper sheet (scan)")
        verbose_name_plural = _("paper sheets (scans)")

    def __str__(self) -> str:
        return f"{self.slot_id} · {self.sha256[:12]}"


class Expense(models.Model):
    """A cost of one person's coming to a training day (transport, meals, childcare...), so
    that activists never advance money: either booked and paid by the organisers, or claimed and
    reimbursed; charged to a budget line and, where one is earmarked, a funding."""

    class Kind(models.TextChoices):
        TRANSPORT = "transport", _("Transport")
        MEALS = "meals", _("Meals")
        CHILDCARE = "childcare", _("Childcare")
        OTHER = "other", _("Other")

    class Mode(models.TextChoices):
        BOOKED = "booked", _("Booked and paid by the organisers (no advance)")
        CLAIMED = "claimed", _("Claimed and reimbursed")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PAID = "paid", _("Paid")
        REIMBURSED = "reimbursed", _("Reimbursed")

    # Paid or reimbursed: the money has left.
    SPENT_STATUSES = (Status.PAID, Status.REIMBURSED)

    participant = models.ForeignKey(
        "participants.Participant",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="expenses",
    )
    day = models.ForeignKey(
        TrainingDay,
        verbose_name=_("training day"),
        # RESTRICT: deleting the programme deletes its expenses (through the person); a day
        # alone is refused (``timetable_delete`` says why).
        on_delete=models.RESTRICT,
        related_name="expenses",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    mode = models.CharField(_("how it is paid"), max_length=10, choices=Mode.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    payer = models.ForeignKey(
        "programmes.Organisation",
        verbose_name=_("paid by"),
        on_delete=models.PROTECT,
        related_name="expenses_paid",
    )
    budget_line = models.ForeignKey(
        "programmes.BudgetLine",
        verbose_name=_("budget line"),
        on_delete=models.RESTRICT,
        related_name="expenses",
    )
    funding = models.ForeignKey(
        "programmes.Funding",
        verbose_name=_("funding"),
        on_delete=models.SET_NULL,
        related_name="expenses",
        null=True,
        blank=True,
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["day__date", "participant", "kind", "id"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="expense_amount_not_negative"),
            # Reimbursing is for a claim; what the organisers booked is paid, never reimbursed.
            models.CheckConstraint(
                condition=~Q(status="reimbursed") | Q(mode="claimed"),
                name="expense_reimbursed_only_when_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.day}"

    @property
    def is_spent(self) -> bool:
        return self.status in self.SPENT_STATUSES
