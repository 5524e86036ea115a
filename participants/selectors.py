"""Reads for participants: lists, counts computed in the database, and the peer groups with
the warnings where the method of the crossing of knowledge is at risk."""

from collections import Counter
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Case, Count, F, Prefetch, Q, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from programmes.models import AuditEntry

from .models import TRIAD_CATEGORIES, Category, Participant, PeerGroup


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    count: int


def participant_counts_by_category(*, programme) -> list[CategoryCount]:
    """Active participants of a programme per category, in the categories' order (one query)."""
    rows = dict(
        Participant.objects.for_programme(programme)
        .filter(is_active=True)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return [
        CategoryCount(value, str(label), rows.get(value, 0)) for value, label in Category.choices
    ]


CATEGORY_ORDER = Case(
    *(When(category=value, then=Value(index)) for index, value in enumerate(Category.values)),
    default=Value(len(Category.values)),
)


def participant_list(*, programme) -> list[Participant]:
    """Everyone taking part in a programme, by category (in the categories' order), then city
    and name, with city, organisation and peer group loaded (one query)."""
    return list(
        Participant.objects.for_programme(programme)
        .select_related("city", "organisation", "peer_group")
        .order_by(
            CATEGORY_ORDER, F("city__name").asc(nulls_first=True), "last_name", "first_name", "pk"
        )
    )


@dataclass(frozen=True)
class CityRow:
    city: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


def participant_counts_by_city(*, programme) -> list[CityRow]:
    """Active triad members per city and category, counted in the database (one query)."""
    rows = (
        Participant.objects.for_programme(programme)
        .filter(is_active=True, category__in=TRIAD_CATEGORIES)
        .values("city__name", "category")
        .order_by()
        .annotate(n=Count("id"))
    )
    table: dict[str, dict[str, int]] = {}
    for row in rows:
        table.setdefault(row["city__name"], {})[row["category"]] = row["n"]
    return [
        CityRow(city, tuple(counts.get(category, 0) for category in TRIAD_CATEGORIES))
        for city, counts in sorted(table.items(), key=lambda item: item[0].casefold())
    ]


# --- Peer groups ---------------------------------------------------------------------------

# The kind of knowledge each category brings to a peer group; support people accompany the
# activists, facilitators lead the groups (as referents) and are not members.
KNOWLEDGE_OF_CATEGORY = {
    Category.ACTIVIST: PeerGroup.Knowledge.LIVED_EXPERIENCE,
    Category.SUPPORT_PERSON: PeerGroup.Knowledge.LIVED_EXPERIENCE,
    Category.CITY_PROFESSIONAL: PeerGroup.Knowledge.PROFESSIONAL,
    Category.ELECTED_OFFICIAL: PeerGroup.Knowledge.INSTITUTIONAL,
    Category.PREFECTS_DELEGATE: PeerGroup.Knowledge.INSTITUTIONAL,
}
GROUPED_CATEGORIES = tuple(KNOWLEDGE_OF_CATEGORY)


@dataclass(frozen=True)
class GroupWarning:
    code: str
    message: str


@dataclass
class GroupCard:
    group: PeerGroup
    members: list[Participant]
    warnings: list[GroupWarning] = field(default_factory=list)


@dataclass
class PeerGroupBoard:
    """The peer groups of a programme, each with its members and the warnings where the method
    is at risk, the people not in any group, and the app's proposal."""

    groups: list[GroupCard]
    unassigned: list[Participant]
    people: list[Participant]
    proposal: dict[int, str]  # participant id -> the kind of knowledge proposed

    @property
    def warning_count(self) -> int:
        return sum(len(card.warnings) for card in self.groups)

    def proposed_changes(self) -> int:
        """People whose group does not match the kind of knowledge proposed for them."""
        return sum(
            1
            for person in self.people
            if person.peer_group is None
            or person.peer_group.knowledge != self.proposal.get(person.pk)
        )


def group_warnings(group: PeerGroup, members: list[Participant]) -> list[GroupWarning]:
    """Where a group puts the method at risk: an activist alone, one city holding most of the
    group, no referent facilitator, members whose knowledge is of another kind, no member."""
    warnings = []
    if group.referent_id is None:
        warnings.append(GroupWarning("no_referent", _("No referent facilitator.")))
    if not members:
        warnings.append(GroupWarning("empty", _("Nobody in this group yet.")))
        return warnings
    activists = sum(1 for person in members if person.category == Category.ACTIVIST)
    if activists == 1:
        warnings.append(
            GroupWarning(
                "activist_alone",
                _(
                    "An activist is alone in this group: activists speak for their milieu "
                    "together, at least two per group."
                ),
            )
        )
    cities = Counter(person.city.name for person in members if person.city)
    if cities and len(members) >= 3:
        city, count = cities.most_common(1)[0]
        if count * 2 > len(members):
            warnings.append(
                GroupWarning(
                    "city_majority",
                    _("%(city)s has %(count)d of the %(total)d members of this group.")
                    % {"city": city, "count": count, "total": len(members)},
                )
            )
    strangers = [
        person
        for person in members
        if KNOWLEDGE_OF_CATEGORY.get(person.category) not in (None, group.knowledge)
    ]
    if strangers:
        warnings.append(
            GroupWarning(
                "other_knowledge",
                _("Members with another kind of knowledge: %(names)s.")
                % {"names": ", ".join(person.full_name for person in strangers)},
            )
        )
    return warnings


def peer_group_board(*, programme) -> PeerGroupBoard:
    """The composition of the peer groups with warnings and a proposal (two queries)."""
    groups = list(
        PeerGroup.objects.filter(programme=programme)
        .select_related("referent")
        .order_by("knowledge", "name")
    )
    people = list(
        Participant.objects.for_programme(programme)
        .filter(is_active=True, category__in=GROUPED_CATEGORIES)
        .select_related("city", "peer_group")
        .order_by(CATEGORY_ORDER, F("city__name").asc(nulls_first=True), "last_name", "pk")
    )
    members: dict[int, list[Participant]] = {group.pk: [] for group in groups}
    for person in people:
        if person.peer_group_id in members:
            members[person.peer_group_id].append(person)
    cards = [
        GroupCard(group, members[group.pk], group_warnings(group, members[group.pk]))
        for group in groups
    ]
    return PeerGroupBoard(
        groups=cards,
        unassigned=[person for person in people if person.peer_group_id is None],
        people=people,
        proposal={person.pk: str(KNOWLEDGE_OF_CATEGORY[person.category]) for person in people},
    )


def facilitators(*, programme):
    """The programme's active facilitators, the possible referents of a group."""
    return Participant.objects.filter(
        programme=programme, category=Category.FACILITATOR, is_active=True
    ).order_by("last_name", "first_name")


# --- the personal data held about one person (export and erasure) ----------------------------
# Attendance belongs to the ``training`` app, which uses this one: its models are reached by
# their app label and related names, never imported (participants never imports sessions).


def attendance_models():
    """The ``training`` app's Attendance and AttendanceChange models, looked up by label."""
    return apps.get_model("training", "Attendance"), apps.get_model("training", "AttendanceChange")


def participant_audit_entries(*, participant: Participant):
    """The audit entries about this person: those naming the participant, or the triad nominee
    the participant came from."""
    about = Q(object_type=Participant._meta.model_name, object_id=str(participant.pk))
    if participant.nominee_id:
        about |= Q(object_type="triadnominee", object_id=str(participant.nominee_id))
    return AuditEntry.objects.filter(about, programme_id=participant.programme_id)


def participant_get_with_records(*, programme, participant_id: int) -> Participant:
    """The participant of ``programme`` with everything the export reads, in a fixed number of
    queries whatever the number of records: identity, city, organisation, peer group, user
    account, the triad nominee and its application, the attendance records with their half-day
    and change history. Raises ``Http404`` for a person of another programme."""
    attendance_model, change_model = attendance_models()
    participant = (
        Participant.objects.filter(programme=programme, pk=participant_id)
        .select_related(
            "programme",
            "city",
            "organisation",
            "peer_group",
            "user",
            "nominee__application__city",
        )
        .prefetch_related(
            Prefetch(
                "attendances",
                queryset=attendance_model.objects.select_related(
                    "slot__day", "recorded_by"
                ).order_by("slot__day__date", "slot__starts_at", "pk"),
            ),
            Prefetch(
                "attendances__changes",
                queryset=change_model.objects.select_related("changed_by").order_by(
                    "changed_at", "pk"
                ),
            ),
        )
        .first()
    )
    if participant is None:
        raise Http404
    return participant


def _person(user) -> dict | None:
    if user is None:
        return None
    return {"username": user.get_username(), "name": user.get_full_name()}


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _choice(instance, field: str) -> dict:
    """A choice as its stored code and its label in the reader's language."""
    return {
        "code": getattr(instance, field),
        "label": str(getattr(instance, f"get_{field}_display")()),
    }


def _nominee(nominee) -> dict | None:
    if nominee is None:
        return None
    application = nominee.application
    return {
        "role": _choice(nominee, "role"),
        "first_name": nominee.first_name,
        "last_name": nominee.last_name,
        "position": nominee.position,
        "email": nominee.email,
        "phone": nominee.phone,
        "commitment_given": nominee.commitment_given,
        "commitment_date": _when(nominee.commitment_date),
        "application": {
            "id": application.pk,
            "city": str(application.city) if application.city_id else None,
            "status": _choice(application, "status"),
        },
    }


def _attendance(record) -> dict:
    slot = record.slot
    return {
        "date": _when(slot.day.date),
        "half_day": _choice(slot, "part"),
        "starts_at": _when(slot.starts_at),
        "ends_at": _when(slot.ends_at),
        "status": _choice(record, "status"),
        "note": record.note,
        "recorded_by": _person(record.recorded_by),
        "recorded_at": _when(record.recorded_at),
        "history": [
            {
                "old_status": change.old_status or None,
                "new_status": change.new_status,
                "note": change.note,
                "changed_by": _person(change.changed_by),
                "changed_at": _when(change.changed_at),
            }
            for change in record.changes.all()
        ],
    }


def participant_export_data(*, participant: Participant) -> dict:
    """Everything the app holds about one person in one programme, as plain JSON-ready data.
    ``participant`` comes from ``participant_get_with_records``; one more query reads the audit
    entries about the person."""
    entries = participant_audit_entries(participant=participant).select_related("actor")
    return {
        "exported_at": _when(timezone.now()),
        "programme": {"slug": participant.programme.slug, "title": participant.programme.title},
        "participant": {
            "id": participant.pk,
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "email": participant.email,
            "phone": participant.phone,
            "position": participant.position,
            "category": _choice(participant, "category"),
            "city": str(participant.city) if participant.city_id else None,
            "organisation": str(participant.organisation) if participant.organisation_id else None,
            "user_account": _person(participant.user),
            "active": participant.is_active,
            "created_at": _when(participant.created_at),
            "updated_at": _when(participant.updated_at),
            "erased_at": _when(participant.erased_at),
        },
        "consents": {
            "name_in_reports_for_funders": participant.consent_name_in_reports,
            "photos": participant.consent_photos,
            "recorded_at": _when(participant.consent_recorded_at),
        },
        "peer_group": (
            {
                "name": participant.peer_group.name,
                "knowledge": _choice(participant.peer_group, "knowledge"),
            }
            if participant.peer_group_id
            else None
        ),
        "named_commitment_to_attend_every_day": participant.commitment_given,
        "triad_nominee": _nominee(participant.nominee),
        "attendance": [_attendance(record) for record in participant.attendances.all()],
        "audit_trail": [
            {
                "when": _when(entry.created_at),
                "action": entry.action,
                "by": _person(entry.actor),
                "object_type": entry.object_type,
                "object_id": entry.object_id,
                "message": entry.message,
            }
            for entry in entries.order_by("created_at", "pk")
        ],
    }
