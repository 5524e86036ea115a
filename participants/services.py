"""Writes for participants and peer groups; each one leaves a line in the audit trail."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.errors import Conflict
from programmes.models import AuditEntry, TriadNominee
from programmes.services import audit

from .models import Participant, PeerGroup
from .selectors import (
    KNOWLEDGE_OF_CATEGORY,
    attendance_models,
    participant_audit_entries,
    participant_export_data,
    peer_group_board,
)

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
        message=", ".join(changed) if changed and not created else str(participant),
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
        message=str(group),
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
            message=_("%(count)d people moved between peer groups") % {"count": len(changed)},
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


@transaction.atomic
def participant_export(*, participant: Participant, user) -> dict:
    """Everything held about one person (``participant`` from
    ``participant_get_with_records``), for a download. Side effect: an audit entry saying who
    exported whose data (by id only)."""
    data = participant_export_data(participant=participant)
    audit(
        programme=participant.programme,
        actor=user,
        action="participants.exported",
        obj=participant,
        message=_("Personal data exported (participant #%(id)d).") % {"id": participant.pk},
    )
    return data


def erased_label(participant: Participant) -> str:
    """The neutral name an erased person goes by: it says nothing about them."""
    return _("Erased person %(number)d") % {"number": participant.pk}


@transaction.atomic
def participant_erase(*, participant: Participant, user) -> Participant:
    """Erase one person's personal data (right to erasure) and keep what the figures need.

    Replaced or blanked: first and last name (a neutral label), e-mail, phone, position, the
    link to a user account, the notes on their attendance records and their history, the
    personal fields of the triad nominee they came from, and their name, e-mail and phone in
    the earlier audit entries about them. Consents are withdrawn. Kept: category, city,
    organisation, peer group, named commitment, active flag and every attendance status, so
    that the participation figures funders received stay exact. The person is marked erased
    and cannot be erased again nor edited. Side effect: an audit entry without personal data.
    Raises ``Conflict`` (code ``already_erased``) the second time."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.erased_at is not None:
        raise Conflict(_("This person's data were already erased."), code="already_erased")
    nominee = (
        TriadNominee.objects.filter(pk=participant.nominee_id).first()
        if participant.nominee_id
        else None
    )
    label = erased_label(participant)
    secrets = {participant.full_name, participant.email, participant.phone}
    if nominee is not None:
        secrets |= {f"{nominee.first_name} {nominee.last_name}", nominee.email, nominee.phone}
    _audit_redact(participant, secrets=secrets, label=label)

    now = timezone.now()
    participant.first_name, participant.last_name = label, ""
    participant.email = participant.phone = participant.position = ""
    participant.user = None
    participant.consent_name_in_reports = participant.consent_photos = False
    participant.consent_recorded_at = now
    participant.erased_at = now
    participant.save()

    attendance_model, change_model = attendance_models()
    attendance_model.objects.filter(participant=participant).update(note="")
    change_model.objects.filter(attendance__participant=participant).update(note="")
    if nominee is not None:
        TriadNominee.objects.filter(pk=nominee.pk).update(
            first_name=label, last_name="", position="", email="", phone=""
        )
    audit(
        programme=participant.programme,
        actor=user,
        action="participants.erased",
        obj=participant,
        message=_("Personal data erased: the person is now called %(label)s.") % {"label": label},
    )
    return participant


def _audit_redact(participant: Participant, *, secrets: set[str], label: str) -> None:
    """Replace the person's name, e-mail and phone in the audit entries about them."""
    secrets = sorted((secret for secret in secrets if secret.strip()), key=len, reverse=True)
    changed = []
    for entry in participant_audit_entries(participant=participant):
        message = entry.message
        for secret in secrets:
            message = message.replace(secret, label)
        if message != entry.message:
            entry.message = message
            changed.append(entry)
    AuditEntry.objects.bulk_update(changed, ["message"])
