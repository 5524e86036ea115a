"""Reads for participants: lists, counts computed in the database, and the peer groups with
the warnings where the method of the crossing of knowledge is at risk."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from programmes import prepared

from .models import (
    TRIAD_CATEGORIES,
    Category,
    EvaluationInvitation,
    EvaluationResponse,
    EvaluationRound,
    Moment,
    Participant,
    PeerGroup,
    Question,
    Questionnaire,
)


@dataclass(frozen=True)
class CategoryCount:
    category: str
    label: str
    count: int


ACTIVE_BY_CATEGORY = prepared.Query(
    lambda programme: (
        Participant.objects.for_programme(programme)
        .filter(is_active=True)
        .values_list("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    ),
    programme=int,
)


def participant_counts_by_category(*, programme) -> list[CategoryCount]:
    """Active participants of a programme per category, in the categories' order (one query)."""
    rows = dict(ACTIVE_BY_CATEGORY(programme=programme.pk))
    return [
        CategoryCount(value, str(label), rows.get(value, 0)) for value, label in Category.choices
    ]


CATEGORY_ORDER = Case(
    *(When(category=value, then=Value(index)) for index, value in enumerate(Category.values)),
    default=Value(len(Category.values)),
)


PARTICIPANT_LIST_ORDER = (
    CATEGORY_ORDER,
    F("city__name").asc(nulls_first=True),
    "last_name",
    "first_name",
    "pk",
)


# What a line of the list shows of a person (``participant_list``), besides the names of
# their city, organisation and peer group.
LIST_FIELDS = (
    "pk",
    "category",
    "first_name",
    "last_name",
    "position",
    "is_active",
    "consent_name_in_reports",
    "consent_photos",
    "email",
    "phone",
)


def participant_list(*, programme) -> QuerySet[dict]:
    """Everyone taking part in a programme, by category (in the categories' order), then city
    and name: a dict per person with ``LIST_FIELDS`` and ``city_name``, ``organisation_name``
    and ``peer_group_name`` (None without one). One query, lazy: a page of the list slices it
    in the database; no model is built (the people, cities, organisations and groups built
    for a page cost more than the rest of its query)."""
    return (
        Participant.objects.for_programme(programme)
        .order_by(*PARTICIPANT_LIST_ORDER)
        .values(
            *LIST_FIELDS,
            city_name=F("city__name"),
            organisation_name=F("organisation__name"),
            peer_group_name=F("peer_group__name"),
        )
    )


def participant_list_position(*, programme, participant_id: int) -> int | None:
    """Where a person comes in :func:`participant_list` (0 for the first), None when they are
    not in it (one query, of the ids only)."""
    ids = list(
        Participant.objects.for_programme(programme)
        .order_by(*PARTICIPANT_LIST_ORDER)
        .values_list("pk", flat=True)
    )
    try:
        return ids.index(participant_id)
    except ValueError:
        return None


@dataclass(frozen=True)
class CityRow:
    city: str
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ListFigures:
    """The whole list's figures, for a page that shows a part of it: how many people of each
    category :func:`participant_list` holds (``counts``, active or not) and the active triad
    members per city and category (``cities``, by city name)."""

    counts: dict[str, int]
    cities: list[CityRow]


_LIST_COUNTS = prepared.Query(
    lambda programme: (
        Participant.objects.for_programme(programme)
        .values_list("category", "city__name", "is_active")
        .order_by()
        .annotate(n=Count("id"))
    ),
    programme=int,
)


def participant_list_figures(*, programme) -> ListFigures:
    """The list's counts per category and its triads by city (``ListFigures``), both from the
    people counted per category, city and activity in the database (one query, a few rows)."""
    rows = _LIST_COUNTS(programme=getattr(programme, "pk", programme))
    counts: dict[str, int] = {}
    table: dict[str, dict[str, int]] = {}
    for category, city, is_active, n in rows:
        counts[category] = counts.get(category, 0) + n
        if is_active and category in TRIAD_CATEGORIES:
            table.setdefault(city, {})[category] = n
    return ListFigures(
        counts=counts,
        cities=[
            CityRow(city, tuple(by_category.get(category, 0) for category in TRIAD_CATEGORIES))
            for city, by_category in sorted(table.items(), key=lambda item: item[0].casefold())
        ],
    )


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


# --- Evaluation ---------------------------------------------------------------------------------

# Fewer answers than this in a group and the group is not shown: it would identify people.
SMALL_GROUP = 5
# A scale answer of 4 or 5 counts as agreeing.
AGREE_FROM = 4
MOMENT_ORDER = list(Moment.values)


@dataclass(frozen=True)
class ResultRow:
    """One line of a question's results: a moment, or a category at a moment. ``hidden`` when
    fewer than ``SMALL_GROUP`` people answered: then no figure is given, only that it is hidden.
    ``rate`` is what the chart draws (share agreeing, or share of a choice), in per cent."""

    label: str
    count: int
    rate: Decimal | None = None
    mean: Decimal | None = None
    shares: tuple[tuple[str, Decimal], ...] = ()
    hidden: bool = False


@dataclass(frozen=True)
class Bar:
    label: str
    rate: Decimal | None


@dataclass(frozen=True)
class Chart:
    title: str
    rows: list
    chart_id: str


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    moments: list[ResultRow]
    categories: list[ResultRow]
    texts: list[tuple[str, list[str]]]  # (moment label, answers): organisers only

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def charts(self) -> list[Chart]:
        """What the charts draw: for a scale, the share agreeing at each moment; for a choice,
        the share of each answer at each moment shown. Hidden groups have no bar."""
        chart_id = f"evaluation-{self.question.pk}"
        if self.kind == Question.Kind.SCALE:
            return [
                Chart(
                    _("%(question)s: answered 4 or 5") % {"question": self.question.text},
                    self.moments,
                    chart_id,
                )
            ]
        if self.kind == Question.Kind.CHOICE:
            return [
                Chart(
                    f"{self.question.text} ({row.label})",
                    [Bar(label, rate) for label, rate in row.shares],
                    f"{chart_id}-{index}",
                )
                for index, row in enumerate(self.moments)
                if not row.hidden
            ]
        return []


@dataclass(frozen=True)
class QuestionnaireResults:
    questionnaire: Questionnaire
    rounds: list[EvaluationRound]
    responses: int
    questions: list[QuestionResult]


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(100) * part / whole).quantize(Decimal("0.1"))


def _row(label: str, question: Question, values: list) -> ResultRow:
    values = [value for value in values if value not in (None, "")]
    count = len(values)
    if count < SMALL_GROUP:
        return ResultRow(label=label, count=count, hidden=True)
    if question.kind == Question.Kind.SCALE:
        numbers = [int(value) for value in values]
        return ResultRow(
            label=label,
            count=count,
            rate=_percent(sum(1 for n in numbers if n >= AGREE_FROM), count),
            mean=(Decimal(sum(numbers)) / count).quantize(Decimal("0.1")),
        )
    if question.kind == Question.Kind.CHOICE:
        counts = Counter(values)
        shares = tuple((choice, _percent(counts[choice], count)) for choice in question.choice_list)
        return ResultRow(label=label, count=count, shares=shares)
    return ResultRow(label=label, count=count)


def evaluation_results(*, programme, questionnaire=None, with_text: bool = False) -> list:
    """The aggregated answers of a programme's questionnaires (or of one): per question, per
    moment and per category at each moment, with the small-group rule applied (a group of fewer
    than ``SMALL_GROUP`` answers is hidden). Free-text answers only when ``with_text`` (for the
    organisers), sorted alphabetically so that their order tells nothing, never with a name.
    Four queries whatever the number of answers. Read-only."""
    # Filtered by the programme in each query (not by a list of ids, which Django skips when
    # empty): four queries, with or without questionnaires.
    scope = {"questionnaire__programme": programme}
    if questionnaire is not None:
        scope["questionnaire"] = questionnaire
    questionnaires = Questionnaire.objects.filter(programme=programme)
    if questionnaire is not None:
        questionnaires = questionnaires.filter(pk=questionnaire.pk)
    questionnaires = list(questionnaires)
    questions: dict[int, list[Question]] = {}
    for question in Question.objects.filter(**scope):
        questions.setdefault(question.questionnaire_id, []).append(question)
    rounds: dict[int, list[EvaluationRound]] = {}
    for item in sorted(
        EvaluationRound.objects.filter(**scope),
        key=lambda r: MOMENT_ORDER.index(r.moment),
    ):
        rounds.setdefault(item.questionnaire_id, []).append(item)
    answers: dict[int, list[tuple[str, dict]]] = {}
    for round_id, category, values in EvaluationResponse.objects.filter(
        **{f"round__{key}": value for key, value in scope.items()}
    ).values_list("round_id", "category", "answers"):
        answers.setdefault(round_id, []).append((category, values or {}))
    category_labels = dict(Category.choices)
    results = []
    for item in questionnaires:
        its_rounds = rounds.get(item.pk, [])
        question_results = []
        for question in questions.get(item.pk, []):
            key = str(question.pk)
            moments, categories, texts = [], [], []
            for each in its_rounds:
                rows = answers.get(each.pk, [])
                label = str(each.get_moment_display())
                moment_row = _row(label, question, [values.get(key) for _c, values in rows])
                moments.append(moment_row)
                for category in Category.values:
                    in_category = [values.get(key) for c, values in rows if c == category]
                    if in_category:
                        categories.append(
                            _row(
                                f"{category_labels[category]} — {label}",
                                question,
                                in_category,
                            )
                        )
                # A text may come from anyone who answered this moment: shown once they are
                # enough not to point at one person.
                if with_text and question.kind == Question.Kind.TEXT and len(rows) >= SMALL_GROUP:
                    written = sorted(
                        str(values[key]).strip()
                        for _c, values in rows
                        if str(values.get(key) or "").strip()
                    )
                    if written:
                        texts.append((label, written))
            question_results.append(
                QuestionResult(
                    question=question, moments=moments, categories=categories, texts=texts
                )
            )
        results.append(
            QuestionnaireResults(
                questionnaire=item,
                rounds=its_rounds,
                responses=sum(len(answers.get(r.pk, [])) for r in its_rounds),
                questions=question_results,
            )
        )
    return results


@dataclass(frozen=True)
class RoundProgress:
    round: EvaluationRound
    invited: int
    answered: int
    waiting: list[EvaluationInvitation]  # who has not answered yet, with their person


def questionnaire_rounds(*, questionnaire) -> list[RoundProgress]:
    """Each round of a questionnaire with how many were invited and answered, and who has not
    answered yet (never what anyone answered). Two queries. Read-only."""
    rounds = sorted(
        EvaluationRound.objects.filter(questionnaire=questionnaire),
        key=lambda r: MOMENT_ORDER.index(r.moment),
    )
    invitations: dict[int, list[EvaluationInvitation]] = {}
    for invitation in (
        EvaluationInvitation.objects.filter(round__questionnaire=questionnaire)
        .select_related("participant__city")
        .order_by("participant__last_name", "participant__first_name", "pk")
    ):
        invitations.setdefault(invitation.round_id, []).append(invitation)
    progress = []
    for item in rounds:
        its = invitations.get(item.pk, [])
        progress.append(
            RoundProgress(
                round=item,
                invited=len(its),
                answered=sum(1 for i in its if i.answered),
                waiting=[i for i in its if not i.answered],
            )
        )
    return progress
