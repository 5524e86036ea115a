"""Writes for participants and peer groups; each one leaves a line in the audit trail. The export
and erasure of a person's data run through the registry in ``cotraining.personal_data``."""

from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from programmes.errors import Conflict
from programmes.models import OutboxMessage
from programmes.services import audit
from programmes.services.outbox import outbox_enqueue, recipient_language

from .models import (
    EvaluationInvitation,
    EvaluationResponse,
    EvaluationRound,
    Moment,
    Participant,
    PeerGroup,
    Question,
    Questionnaire,
)
from .selectors import KNOWLEDGE_OF_CATEGORY, peer_group_board

CONSENT_FIELDS = ("consent_name_in_reports", "consent_photos")


@transaction.atomic
def participant_save(*, participant: Participant, user, changed: list[str]) -> Participant:
    """Create or update a participant (validated by its form). The date the consents were
    recorded is set at creation ("no" is an answer too) and whenever a consent changes.
    Side effect: an audit entry naming the changed fields. An erased person cannot be edited."""
    created = participant.pk is None
    if participant.erased_at is not None:
        raise Conflict(
            _("This person's data were erased: the record can no longer be edited."),
            code="erased",
        )
    if created or any(name in changed for name in CONSENT_FIELDS):
        participant.consent_recorded_at = timezone.now()
    participant.save()
    audit(
        programme=participant.programme,
        actor=user,
        action="participants.created" if created else "participants.updated",
        obj=participant,
        data={} if created else {"fields": list(changed)},
    )
    return participant


@transaction.atomic
def peer_group_save(*, group: PeerGroup, user) -> PeerGroup:
    """Create or update a peer group (validated by its form). Side effect: an audit entry."""
    created = group.pk is None
    group.save()
    audit(
        programme=group.programme,
        actor=user,
        action="peer_groups.created" if created else "peer_groups.updated",
        obj=group,
    )
    return group


@transaction.atomic
def peer_group_assign(*, programme, assignments: dict[int, PeerGroup | None], user) -> int:
    """Put people in peer groups (``None`` takes them out). Only people and groups of the
    programme are accepted (the form checks it). Returns how many people changed group."""
    people = {
        person.pk: person
        for person in Participant.objects.filter(programme=programme, pk__in=list(assignments))
    }
    changed = []
    for pk, group in assignments.items():
        person = people.get(pk)
        if person is None or (group is not None and group.programme_id != programme.pk):
            raise ValueError("participant or group of another programme")
        if person.peer_group_id != (group.pk if group else None):
            person.peer_group = group
            changed.append(person)
    Participant.objects.bulk_update(changed, ["peer_group"])
    if changed:
        audit(
            programme=programme,
            actor=user,
            action="peer_groups.composed",
            obj=programme,
            data={"count": len(changed)},
        )
    return len(changed)


@transaction.atomic
def peer_group_apply_proposal(*, programme, user) -> int:
    """Apply the app's proposal: everyone goes to a group of the kind of knowledge of their
    category (activists and support people: lived experience; city professionals:
    professional; elected officials and prefect's delegates: institutional). A missing group is
    created; people already in a group of the right kind stay there; when there are several
    groups of a kind, newcomers go to the smallest. Returns how many people changed group."""
    board = peer_group_board(programme=programme)
    by_kind: dict[str, list[PeerGroup]] = {}
    for card in board.groups:
        by_kind.setdefault(card.group.knowledge, []).append(card.group)
    sizes = {card.group.pk: len(card.members) for card in board.groups}
    assignments = {}
    for person in board.people:
        kind = KNOWLEDGE_OF_CATEGORY[person.category]
        if person.peer_group is not None and person.peer_group.knowledge == kind:
            continue
        if kind not in by_kind:
            group = PeerGroup.objects.create(
                programme=programme, name=_unique_name(programme, kind), knowledge=kind
            )
            by_kind[kind] = [group]
            sizes[group.pk] = 0
        group = min(by_kind[kind], key=lambda candidate: (sizes[candidate.pk], candidate.name))
        sizes[group.pk] += 1
        assignments[person.pk] = group
    return peer_group_assign(programme=programme, assignments=assignments, user=user)


def _unique_name(programme, kind: str) -> str:
    label = str(PeerGroup.Knowledge(kind).label)
    name, number = label, 1
    while PeerGroup.objects.filter(programme=programme, name=name).exists():
        number += 1
        name = f"{label} {number}"
    return name


# --- Evaluation ---------------------------------------------------------------------------------

EVALUATION_SALT = "participants.evaluation"
# Half a year after the end of the training: the "some months later" round of the default.
LATER_DAYS = 182


def _default_questions() -> list[tuple[str, str, list[str]]]:
    """The default questions in the active language: short sentences, one idea each, no jargon
    (the "facile à lire et à comprendre" rules)."""
    scale = Question.Kind.SCALE
    return [
        (scale, _("I feel at ease when I speak in a group."), []),
        (scale, _("I understand the life of people in poverty."), []),
        (scale, _("I can work with people who do not think like me."), []),
        (scale, _("In my town, people in poverty can give their opinion."), []),
        (scale, _("People listen to me when I speak."), []),
        (
            Question.Kind.CHOICE,
            _("Will you take part in a citizens' council?"),
            [_("Yes"), _("Maybe"), _("No")],
        ),
        (Question.Kind.TEXT, _("What should we change in the training?"), []),
    ]


@transaction.atomic
def questionnaire_create_default(*, programme, user) -> Questionnaire:
    """Create the app's default questionnaire for a programme, in the active language: its
    questions and its three rounds (before, at the end, six months after the end), anonymous.
    Side effect: an audit entry."""
    questionnaire = Questionnaire.objects.create(
        programme=programme, title=_("What the training changed"), anonymous=True
    )
    Question.objects.bulk_create(
        Question(
            questionnaire=questionnaire,
            position=index,
            kind=kind,
            text=text,
            choices="\n".join(choices),
        )
        for index, (kind, text, choices) in enumerate(_default_questions(), start=1)
    )
    later = programme.end_date + timedelta(days=LATER_DAYS) if programme.end_date else None
    EvaluationRound.objects.bulk_create(
        EvaluationRound(questionnaire=questionnaire, moment=moment, date=date)
        for moment, date in (
            (Moment.BEFORE, programme.start_date),
            (Moment.END, programme.end_date),
            (Moment.LATER, later),
        )
    )
    audit(programme=programme, actor=user, action="evaluation.created", obj=questionnaire)
    return questionnaire


@transaction.atomic
def questionnaire_save(*, questionnaire: Questionnaire, user) -> Questionnaire:
    """Create or update a questionnaire (validated by its form); a new one gets its three
    rounds without dates. Refuses to change anonymity once someone answered. Audited."""
    created = questionnaire.pk is None
    if (
        not created
        and EvaluationResponse.objects.filter(round__questionnaire=questionnaire).exists()
    ):
        stored = Questionnaire.objects.get(pk=questionnaire.pk)
        if stored.anonymous != questionnaire.anonymous:
            raise Conflict(
                _("People have already answered: the questionnaire's anonymity cannot change."),
                code="answered",
            )
    questionnaire.save()
    if created:
        EvaluationRound.objects.bulk_create(
            EvaluationRound(questionnaire=questionnaire, moment=moment) for moment in Moment
        )
    audit(
        programme=questionnaire.programme,
        actor=user,
        action="evaluation.created" if created else "evaluation.updated",
        obj=questionnaire,
    )
    return questionnaire


def _check_unanswered(questionnaire: Questionnaire) -> None:
    if EvaluationResponse.objects.filter(round__questionnaire=questionnaire).exists():
        raise Conflict(
            _("People have already answered: the questions can no longer change."),
            code="answered",
        )


@transaction.atomic
def question_add(*, question: Question, user) -> Question:
    """Add a question at the end of its questionnaire (refused once anyone answered, so that
    every answer was given to the same questions). Audited."""
    _check_unanswered(question.questionnaire)
    last = question.questionnaire.questions.order_by("-position").first()
    question.position = (last.position if last else 0) + 1
    question.save()
    audit(
        programme=question.questionnaire.programme,
        actor=user,
        action="evaluation.question_added",
        obj=question.questionnaire,
    )
    return question


@transaction.atomic
def question_delete(*, question: Question, user) -> None:
    """Remove a question (refused once anyone answered). Audited."""
    questionnaire = question.questionnaire
    _check_unanswered(questionnaire)
    question.delete()
    audit(
        programme=questionnaire.programme,
        actor=user,
        action="evaluation.question_removed",
        obj=questionnaire,
    )


@transaction.atomic
def round_date_set(*, round: EvaluationRound, date, user) -> None:
    """Set the date of a round. Audited."""
    round.date = date
    round.save(update_fields=["date"])
    audit(
        programme=round.questionnaire.programme,
        actor=user,
        action="evaluation.round_dated",
        obj=round.questionnaire,
        data={"moment": round.moment},
    )


def evaluation_token(invitation: EvaluationInvitation) -> str:
    """The signed token of a person's link: it proves the right to answer, nothing else."""
    return signing.dumps(invitation.pk, salt=EVALUATION_SALT)


def evaluation_invitation_get_by_token(token: str) -> EvaluationInvitation | None:
    """The invitation a token was signed for, with its round and questionnaire; None for a
    forged or mistyped token."""
    try:
        pk = signing.loads(token, salt=EVALUATION_SALT)
    except signing.BadSignature:
        return None
    return (
        EvaluationInvitation.objects.select_related(
            "round__questionnaire__programme", "participant"
        )
        .filter(pk=pk)
        .first()
    )


def _invitation_email(invitation: EvaluationInvitation, *, base_url: str, reminder: bool) -> None:
    person = invitation.participant
    language = recipient_language(person.user)
    link = base_url.rstrip("/") + reverse(
        "participants:evaluation_answer", args=[evaluation_token(invitation)]
    )
    programme = invitation.round.questionnaire.programme
    with translation.override(language):
        subject = (
            _("Reminder: your opinion on the training %(title)s")
            if reminder
            else _("Your opinion on the training %(title)s")
        ) % {"title": programme.title}
        body = render_to_string(
            "participants/evaluation_email.txt",
            {
                "person": person,
                "programme": programme,
                "round": invitation.round,
                "link": link,
                "anonymous": invitation.round.questionnaire.anonymous,
            },
        )
    outbox_enqueue(
        recipient=person.email,
        subject=subject,
        body=body,
        kind=OutboxMessage.Kind.REMINDER if reminder else OutboxMessage.Kind.INVITATION,
        programme=programme,
        recipient_user=person.user,
        language=language,
        about=invitation.round.questionnaire,
    )


@dataclass(frozen=True)
class RoundSending:
    invited: int  # new invitations
    emailed: int  # of them (or of the reminded), those with an e-mail address
    on_paper: int  # without an address: the facilitators hand them the paper version


@transaction.atomic
def round_send(*, round: EvaluationRound, user, base_url: str) -> RoundSending:
    """Invite every active trainee of the programme not yet invited to this round: one
    invitation each, and an e-mail with their personal link through the outbox for those who
    have an address (the others answer on paper). Marks the round sent. Audited with counts."""
    round = (
        EvaluationRound.objects.select_for_update()
        .select_related("questionnaire__programme")
        .get(pk=round.pk)
    )
    programme = round.questionnaire.programme
    invited = set(round.invitations.values_list("participant_id", flat=True))
    people = [
        person
        for person in Participant.objects.for_programme(programme)
        .trainees()
        .filter(erased_at__isnull=True)
        .select_related("user")
        if person.pk not in invited
    ]
    invitations = EvaluationInvitation.objects.bulk_create(
        EvaluationInvitation(round=round, participant=person) for person in people
    )
    emailed = 0
    for invitation, person in zip(invitations, people, strict=True):
        invitation.participant = person
        if person.email:
            _invitation_email(invitation, base_url=base_url, reminder=False)
            emailed += 1
    round.sent_at = round.sent_at or timezone.now()
    round.save(update_fields=["sent_at"])
    audit(
        programme=programme,
        actor=user,
        action="evaluation.sent",
        obj=round.questionnaire,
        data={"moment": round.moment, "invited": len(invitations), "emailed": emailed},
    )
    return RoundSending(invited=len(invitations), emailed=emailed, on_paper=len(people) - emailed)


@transaction.atomic
def round_remind(*, round: EvaluationRound, user, base_url: str) -> RoundSending:
    """E-mail the link again to everyone invited to the round who has not answered and has an
    address. Audited with the count."""
    waiting = list(
        EvaluationInvitation.objects.select_for_update(of=("self",))
        .filter(round=round, answered=False)
        .select_related("participant__user", "round__questionnaire__programme")
    )
    emailed = 0
    for invitation in waiting:
        if invitation.participant.email:
            _invitation_email(invitation, base_url=base_url, reminder=True)
            invitation.reminders += 1
            emailed += 1
    EvaluationInvitation.objects.bulk_update(waiting, ["reminders"])
    audit(
        programme=round.questionnaire.programme,
        actor=user,
        action="evaluation.reminded",
        obj=round.questionnaire,
        data={"moment": round.moment, "emailed": emailed},
    )
    return RoundSending(invited=0, emailed=emailed, on_paper=len(waiting) - emailed)


@transaction.atomic
def response_submit(*, invitation: EvaluationInvitation, answers: dict, entered_by=None) -> None:
    """Store a person's answers once and mark their invitation answered.

    For an anonymous questionnaire the stored answers carry only the person's category: no
    person, no time, a random id, and no audit entry (its time would link them back); a paper
    entry by a facilitator (``entered_by``) is audited as "entered on paper" for the round, not
    for the person. Refuses a second answer (``Conflict``)."""
    invitation = (
        EvaluationInvitation.objects.select_for_update(of=("self",))
        .select_related("round__questionnaire__programme", "participant")
        .get(pk=invitation.pk)
    )
    if invitation.answered:
        raise Conflict(_("These answers were already given: thank you."), code="answered")
    questionnaire = invitation.round.questionnaire
    EvaluationResponse.objects.create(
        round=invitation.round,
        category=invitation.participant.category,
        participant=None if questionnaire.anonymous else invitation.participant,
        answers={str(key): value for key, value in answers.items() if value not in (None, "")},
    )
    invitation.answered = True
    invitation.save(update_fields=["answered"])
    if entered_by is not None:
        audit(
            programme=questionnaire.programme,
            actor=entered_by,
            action="evaluation.paper_entered",
            obj=questionnaire,
            data={"moment": invitation.round.moment},
        )
