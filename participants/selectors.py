"""Reads for participants: lists, counts computed in the database, and the peer groups with
the warnings where the method of the crossing of knowledge is at risk."""

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Case, Count, F, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

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


# --- the person whose data are exported or erased ---------------------------------------------


def participant_get_for_personal_data(*, programme, participant_id: int) -> Participant:
    """The participant of ``programme`` with what the personal-data sections read loaded in one
    query: programme, city, organisation, peer group, user account, the triad nominee and its
    application. Raises ``Http404`` for a person of another programme."""
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
        .first()
    )
    if participant is None:
        raise Http404
    return participant
