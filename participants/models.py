"""The people taking part in a programme, their consents, and peer groups."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programmes.fields import NameField


class Category(models.TextChoices):
    ELECTED_OFFICIAL = "elected_official", _("Elected official")
    CITY_PROFESSIONAL = "city_professional", _("City professional")
    PREFECTS_DELEGATE = "prefects_delegate", _("Prefect's delegate")
    ACTIVIST = "activist", _("ATD activist")
    FACILITATOR = "facilitator", _("Facilitator")
    SUPPORT_PERSON = "support_person", _("Support person")


# The people who are trained and whose attendance makes the participation rate;
# facilitators and support people run the training and are not counted.
TRAINEE_CATEGORIES = (
    Category.ELECTED_OFFICIAL,
    Category.CITY_PROFESSIONAL,
    Category.PREFECTS_DELEGATE,
    Category.ACTIVIST,
)
TRIAD_CATEGORIES = (
    Category.ELECTED_OFFICIAL,
    Category.CITY_PROFESSIONAL,
    Category.PREFECTS_DELEGATE,
)


def full_name(first_name: str, last_name: str) -> str:
    """A person's name as every page writes it (``Participant.full_name``), also from a row
    read without its model."""
    return f"{first_name} {last_name}".strip()


class ParticipantQuerySet(models.QuerySet):
    def for_programme(self, programme) -> "ParticipantQuerySet":
        return self.filter(programme=programme)

    def trainees(self) -> "ParticipantQuerySet":
        """The people expected at every half-day: active triad members and activists."""
        return self.filter(category__in=TRAINEE_CATEGORIES, is_active=True)


class Participant(models.Model):
    Category = Category

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    first_name = NameField(_("first name"), max_length=100)
    last_name = NameField(_("last name"), max_length=100, blank=True)
    city = models.ForeignKey(
        "programmes.City",
        verbose_name=_("city"),
        on_delete=models.PROTECT,
        related_name="participants",
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        "programmes.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        related_name="participants",
        null=True,
        blank=True,
    )
    position = NameField(_("position"), max_length=200, blank=True)
    # Activists may have no e-mail or phone in the system: collect the minimum.
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        related_name="participations",
        null=True,
        blank=True,
    )
    nominee = models.OneToOneField(
        "programmes.TriadNominee",
        verbose_name=_("triad nominee"),
        on_delete=models.SET_NULL,
        related_name="participant",
        null=True,
        blank=True,
    )
    peer_group = models.ForeignKey(
        "PeerGroup",
        verbose_name=_("peer group"),
        on_delete=models.SET_NULL,
        related_name="members",
        null=True,
        blank=True,
    )
    commitment_given = models.BooleanField(_("named commitment to attend every day"), default=False)
    consent_name_in_reports = models.BooleanField(
        _("agrees to be named in reports for funders"), default=False
    )
    consent_photos = models.BooleanField(_("agrees to be photographed"), default=False)
    consent_recorded_at = models.DateTimeField(_("consents recorded at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Set once the person's data were erased (right to erasure): the row stays, anonymous,
    # so that the attendance figures funders received stay exact.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "category", "last_name", "first_name"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        indexes = [models.Index(fields=["programme", "category"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(category__in=list(TRIAD_CATEGORIES)) | Q(city__isnull=False),
                name="participant_triad_member_has_city",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return full_name(self.first_name, self.last_name)

    @property
    def initials(self) -> str:
        parts = [self.first_name, self.last_name]
        return "".join(f"{part[0]}." for part in parts if part)


class PeerGroup(models.Model):
    class Knowledge(models.TextChoices):
        LIVED_EXPERIENCE = "lived_experience", _("Knowledge from lived experience of poverty")
        PROFESSIONAL = "professional", _("Professional knowledge")
        INSTITUTIONAL = "institutional", _("Knowledge of elected officials and the State")

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="peer_groups",
    )
    name = NameField(_("name"), max_length=120)
    knowledge = models.CharField(_("kind of knowledge"), max_length=20, choices=Knowledge.choices)
    referent = models.ForeignKey(
        Participant,
        verbose_name=_("referent facilitator"),
        on_delete=models.SET_NULL,
        related_name="referent_of",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["programme", "knowledge", "name"]
        verbose_name = _("peer group")
        verbose_name_plural = _("peer groups")
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="peergroup_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


# --- Evaluation ---------------------------------------------------------------------------------


class Questionnaire(models.Model):
    """An evaluation questionnaire of a programme: its questions are asked at each of its rounds
    (before the training, at its end, some months after), so that answers compare across them."""

    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="questionnaires",
    )
    title = NameField(_("title"), max_length=200)
    anonymous = models.BooleanField(
        _("anonymous answers"),
        default=True,
        help_text=_("The answers are stored without the person: nobody can know who said what."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["programme", "title", "pk"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", _("Scale from 1 to 5")
        CHOICE = "choice", _("One choice in a list")
        TEXT = "text", _("Short text")

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind of question"), max_length=10, choices=Kind.choices)
    text = models.CharField(_("question"), max_length=300)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice: one possible answer per line.")
    )

    class Meta:
        ordering = ["questionnaire", "position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Moment(models.TextChoices):
    BEFORE = "before", _("Before the training")
    END = "end", _("At the end of the training")
    LATER = "later", _("Some months later")


class EvaluationRound(models.Model):
    """A questionnaire asked at one moment: the invitations are sent from here."""

    Moment = Moment

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="rounds",
    )
    moment = models.CharField(_("moment"), max_length=10, choices=Moment.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["questionnaire", "date", "pk"]
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "moment"], name="evaluationround_one_per_moment"
            )
        ]

    def __str__(self) -> str:
        return str(self.get_moment_display())


class EvaluationInvitation(models.Model):
    """A person's right to answer a round once. ``answered`` says that they did and nothing more:
    for an anonymous questionnaire no time, no id, nothing links it to their answers."""

    round = models.ForeignKey(
        EvaluationRound,
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.CASCADE,
        related_name="evaluation_invitations",
    )
    answered = models.BooleanField(_("answered"), default=False)
    reminders = models.PositiveSmallIntegerField(_("reminders sent"), default=0)

    class Meta:
        ordering = ["round", "participant"]
        verbose_name = _("evaluation invitation")
        verbose_name_plural = _("evaluation invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "participant"], name="evaluationinvitation_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} — {self.participant}"


class EvaluationResponse(models.Model):
    """One person's answers to a round, as ``{question id: value}``.

    Anonymous questionnaires keep only the category (for the breakdown): no person, no time, and
    a random primary key, so neither the order of the rows nor their ids follow the order in
    which people answered."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(
        EvaluationRound,
        verbose_name=_("round"),
        on_delete=models.CASCADE,
        related_name="responses",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    # Only for a questionnaire that is not anonymous.
    participant = models.ForeignKey(
        Participant,
        verbose_name=_("participant"),
        on_delete=models.SET_NULL,
        related_name="evaluation_responses",
        null=True,
        blank=True,
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)

    class Meta:
        verbose_name = _("evaluation response")
        verbose_name_plural = _("evaluation responses")

    def __str__(self) -> str:
        return str(self.round)
