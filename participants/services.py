"""Writes for participants and peer groups; each one leaves a line in the audit trail. The export
and erasure of a person's data run through the registry in ``cotraining.personal_data``."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.errors import Conflict
from programmes.services import audit

from .models import Participant, PeerGroup
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
