"""Report runs: a request for a generated document, its progress, and the file it produced."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_folder_token() -> str:
    """A random folder name part (144 bits), drawn once per run."""
    return secrets.token_urlsafe(18)


def report_file_path(run: "ReportRun", filename: str) -> str:
    """Where a run's file is stored: one folder per run, named by its id and a random token.

    The name is the same for every attempt at building the run, so a retry overwrites what a
    dead worker may have left instead of adding a second file; it cannot be guessed, because
    under ``make demo`` the media folder is served without the permission check. The token is
    random and stored on the row, not derived from the secret key and the id: two installations
    sharing a key (the development one) and a media folder wrote into each other's folders.
    """
    return f"reports/{run.pk}-{run.folder_token}/{filename}"


class ReportRunQuerySet(models.QuerySet):
    def active(self) -> "ReportRunQuerySet":
        """Runs still waiting for a worker or being built."""
        return self.filter(status__in=ReportRun.ACTIVE_STATUSES)

    def abandoned(self, *, now: dt.datetime) -> "ReportRunQuerySet":
        """Runs marked running whose build has shown no sign of life for longer than
        ``REPORT_HEARTBEAT_TIMEOUT``: the worker building them was killed."""
        return self.filter(
            Q(heartbeat_at__lt=now - settings.REPORT_HEARTBEAT_TIMEOUT)
            | Q(heartbeat_at__isnull=True, started_at__lt=now - settings.REPORT_HEARTBEAT_TIMEOUT),
            status=ReportRun.Status.RUNNING,
        )


class ReportRun(models.Model):
    class Kind(models.TextChoices):
        ATTENDANCE = "attendance", _("Attendance report")
        PARTICIPATION = "participation", _("Participation report")
        FUNDER = "funder", _("Funder report")
        CERTIFICATES = "certificates", _("Attendance certificates")
        RESEARCH = "research", _("Research export (ZIP, pseudonymous)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)
    # Reports a funder of the programme may ask for and download; the others are for organisers.
    FUNDER_FACING_KINDS = (Kind.ATTENDANCE, Kind.PARTICIPATION, Kind.FUNDER)
    # Documents that can name a person (the funder report names the activists who agreed to it):
    # erasing a person deletes the stored files of these kinds.
    # The research export names nobody, but its pseudonymous lines are still about people.
    KINDS_NAMING_PEOPLE = (
        Kind.ATTENDANCE,
        Kind.PARTICIPATION,
        Kind.FUNDER,
        Kind.CERTIFICATES,
        Kind.RESEARCH,
    )
    # Kinds that are not a PDF: their file's extension and type.
    FILE_TYPES = {Kind.RESEARCH: ("zip", "application/zip")}

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="report_runs",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    language = models.CharField(_("language"), max_length=8, default="fr")
    funder = models.ForeignKey(
        "programmes.Organisation",
        verbose_name=_("for the funder"),
        on_delete=models.CASCADE,
        related_name="report_runs",
        null=True,
        blank=True,
        help_text=_(
            "A funder report made for one funder: its own agreement in detail, the others' as "
            "totals. Empty: every funder in detail (for the organisers)."
        ),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        related_name="report_runs",
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    folder_token = models.CharField(
        _("folder token"), max_length=32, default=new_folder_token, editable=False
    )
    file = models.FileField(_("file"), upload_to=report_file_path, max_length=255, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    source = models.JSONField(
        _("data it was built from"),
        default=dict,
        blank=True,
        help_text=_("Counts of the records the document was built from."),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True, db_index=True)
    queued_at = models.DateTimeField(
        _("queued at"),
        null=True,
        blank=True,
        help_text=_("When the run was last handed to the workers; empty while the broker is down."),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        help_text=_(
            "Updated every few seconds while a worker builds the run; a run that stops showing "
            "signs of life is handed to another worker."
        ),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("report run")
        verbose_name_plural = _("report runs")
        indexes = [models.Index(fields=["status", "expires_at"], name="reportrun_status_expiry")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reportrun_progress_at_most_100"
            ),
            # Asking again while a build is waiting or running must not start a second one.
            models.UniqueConstraint(
                fields=["programme", "kind", "language"],
                condition=Q(status__in=["queued", "running"], funder__isnull=True),
                name="reportrun_one_active_build",
            ),
            models.UniqueConstraint(
                fields=["programme", "kind", "language", "funder"],
                condition=Q(status__in=["queued", "running"], funder__isnull=False),
                name="reportrun_one_active_build_per_funder",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.programme} · {self.get_status_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    def is_abandoned(self, *, now: dt.datetime) -> bool:
        """Marked running, but no sign of life for too long (see ``abandoned()``)."""
        last_sign = self.heartbeat_at or self.started_at
        return (
            self.status == self.Status.RUNNING
            and last_sign is not None
            and last_sign < now - settings.REPORT_HEARTBEAT_TIMEOUT
        )

    @property
    def is_downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.file)

    @property
    def file_type(self) -> tuple[str, str]:
        """The file's extension and content type."""
        return self.FILE_TYPES.get(self.kind, ("pdf", "application/pdf"))

    @property
    def is_funder_facing(self) -> bool:
        return self.kind in self.FUNDER_FACING_KINDS


# The verification code's letters: no 0/O, 1/I/L or U/V pair that a reader could confuse.
SEAL_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
SEAL_CODE_LENGTH = 10


def seal_file_path(seal: "SealedSheet", filename: str) -> str:
    """Where a sealed sheet's PDF is stored: a folder with a random part, so that two
    installations sharing a media folder never write into each other's (the name is stored)."""
    token = secrets.token_hex(12)
    return f"sealed-sheets/{seal.pk}-{token}/{filename}"


class SealedSheet(models.Model):
    """A closed half-day's sheet, sealed: the head of its signatures' hash chain when it was
    closed, a code anyone can type at /verify/, and the filled-in PDF with its own SHA-256.
    Reopening the sheet supersedes the seal; closing it again makes a new one."""

    slot = models.ForeignKey(
        "training.Slot", verbose_name=_("half-day"), on_delete=models.CASCADE, related_name="seals"
    )
    chain_head = models.CharField(_("chain head (SHA-256)"), max_length=64)
    signature_count = models.PositiveIntegerField(_("signatures"))
    code = models.CharField(_("verification code"), max_length=SEAL_CODE_LENGTH, unique=True)
    language = models.CharField(_("language"), max_length=8, default="fr")
    sealed_at = models.DateTimeField(_("sealed at"))
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sealed by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    file = models.FileField(_("file"), upload_to=seal_file_path, max_length=255, blank=True)
    file_sha256 = models.CharField(_("file SHA-256"), max_length=64, blank=True, db_index=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["-sealed_at", "-id"]
        verbose_name = _("sealed sheet")
        verbose_name_plural = _("sealed sheets")
        constraints = [
            models.UniqueConstraint(
                fields=["slot"],
                condition=Q(superseded_at__isnull=True),
                name="sealedsheet_one_current_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.slot_id} · {self.code}"

    @property
    def display_code(self) -> str:
        """The code as printed: two groups of five (``ABCDE-FGHJK``)."""
        half = SEAL_CODE_LENGTH // 2
        return f"{self.code[:half]}-{self.code[half:]}"


def report_part_path(part: "ReportPart", filename: str) -> str:
    """A part's file sits in its run's folder, under a name fixed by its place in the run."""
    return report_file_path(part.run, f"parts/{part.index:04d}.pdf")


def person_document_path(run: "ReportRun", participant_id: int) -> str:
    """Where one person's own copy of a run's document (their certificate) is stored; named by
    the participant's id, never by their name."""
    return report_file_path(run, f"people/{participant_id}.pdf")


class ReportPart(models.Model):
    """One chunk of a run's document that a worker process builds on its own (a run of
    certificates is cut into parts of ``REPORT_PART_SIZE`` people, built in parallel and merged
    once all are done). A part lost with its worker is built again alone."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    run = models.ForeignKey(
        ReportRun, verbose_name=_("report run"), on_delete=models.CASCADE, related_name="parts"
    )
    index = models.PositiveIntegerField(_("index"))
    participant_ids = models.JSONField(_("participants"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    file = models.FileField(_("file"), upload_to=report_part_path, max_length=255, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    # The number its first page prints and the run's page count it prints ("Page 51 of 500"):
    # laid out in parallel, a part is given them; the merge checks them against the parts'
    # page counts and has the parts that printed wrong numbers built again.
    first_page = models.PositiveIntegerField(_("first page"), default=1)
    page_total = models.PositiveIntegerField(_("pages of the run"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        ordering = ["run", "index"]
        verbose_name = _("report part")
        verbose_name_plural = _("report parts")
        constraints = [
            models.UniqueConstraint(fields=["run", "index"], name="reportpart_one_per_index"),
            models.CheckConstraint(
                condition=Q(progress__lte=100), name="reportpart_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} · {self.index}"
