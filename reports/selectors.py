"""Reads for the reports: the runs a user may see, the runs the periodic tasks look after, and the
data of each document.

Every figure of a document comes from the domain selectors (``programme_participation``, or its
headline figures alone, ``programme_participation_overview``, where no per-trainee line is
shown; ``programme_finances``, ``people_by_category``); this module only
arranges them for a page and applies the naming rule of the reports for funders.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from participants.models import TRAINEE_CATEGORIES, TRIAD_CATEGORIES, Category, Participant
from participants.selectors import (
    CategoryCount,
    evaluation_results,
    participant_counts_by_category,
)
from programmes import prepared
from programmes.images import data_uri
from programmes.models import (
    BudgetLine,
    CityContribution,
    Funding,
    Organisation,
    Programme,
)
from programmes.selectors import (
    CityFollowUp,
    FinanceFigures,
    amount_to_receive,
    cost_gap,
    finance_totals,
    followup_board,
    programme_finances,
)
from sessions.models import Attendance, AttendanceSignature, AttendanceStatus
from sessions.selectors import (
    ExpensesOverview,
    ParticipantHours,
    Participation,
    ParticipationOverview,
    ParticipationSummary,
    SlotInfo,
    SlotProof,
    TriadCell,
    TriadCityRow,
    order_for_readers,
    people_by_category,
    programme_attendance_proofs,
    programme_expenses,
    programme_participation,
    programme_participation_overview,
    proof_totals,
)
from sessions.signatures import chain_check

from .models import ReportPart, ReportRun, SealedSheet
from .permissions import report_run_policy

# Columns of half-days per table of the attendance report: ten fit across a landscape A4 page.
SLOTS_PER_TABLE = 10
# A run still queued this long after it was handed to the broker has lost its message.
REQUEUE_QUEUED_AFTER = dt.timedelta(minutes=10)
# The page lists the most recent runs only.
RUN_LIST_LIMIT = 30


# --- Runs --------------------------------------------------------------------------------------


def report_run_list(*, programme: Programme, user) -> list[ReportRun]:
    """The programme's most recent runs this user may see (a funder: the funder reports made
    for its own organisation only), with who asked and for which funder (one query)."""
    return _RUN_LIST(
        programme=programme.pk,
        user=user.pk,
        active=user.is_authenticated and user.is_active,
        superuser=user.is_superuser,
    )


@dataclass(frozen=True)
class _Reader:
    """A signed-in user as the policies' conditions read one (its id and flags): the stand-in
    a prepared query's ``build`` gives them."""

    pk: int
    is_active: bool
    is_superuser: bool
    is_authenticated: bool = True


_RUN_LIST = prepared.Query(
    lambda programme, user, active, superuser: (
        report_run_policy.instances_user_can(_Reader(user, active, superuser), "view")
        .filter(programme=programme)
        .select_related("requested_by", "funder")
        .order_by("-created_at", "-id")[:RUN_LIST_LIMIT]
    ),
    programme=int,
    user=int,
)


def report_run_get(*, programme: Programme, pk: int) -> ReportRun | None:
    """One run of this programme (a run of another programme is None, as if it did not exist)."""
    return (
        ReportRun.objects.filter(programme=programme, pk=pk)
        .select_related("programme", "requested_by", "funder")
        .first()
    )


@dataclass(frozen=True)
class RunPerson:
    """A person who has their own file in a run built in parts (their certificate)."""

    participant_id: int
    name: str


def report_run_people(*, run: ReportRun) -> list[RunPerson]:
    """The people of a run built in parts, in the document's order, each with the name to show
    next to their own file (erasing a person expires the run and deletes its files); a run built
    in one piece has none (two queries)."""
    ids = [
        participant_id
        for chunk in ReportPart.objects.filter(run=run)
        .order_by("index")
        .values_list("participant_ids", flat=True)
        for participant_id in chunk
    ]
    if not ids:
        return []
    names = {
        pk: f"{first} {last}".strip()
        for pk, first, last in Participant.objects.filter(
            programme_id=run.programme_id, pk__in=ids
        ).values_list("pk", "first_name", "last_name")
    }
    return [RunPerson(pk, names[pk]) for pk in ids if pk in names]


def report_run_has_person(*, run: ReportRun, participant_id: int) -> bool:
    """Whether the person has their own file in this run built in parts (one query)."""
    return any(
        participant_id in chunk
        for chunk in ReportPart.objects.filter(run=run).values_list("participant_ids", flat=True)
    )


def report_runs_stuck(*, now: dt.datetime) -> list[ReportRun]:
    """Runs that no worker will build unless they are queued again.

    - queued and never handed to the broker (it was down when they were asked for), or handed
      so long ago that the message must have been lost (Redis restarted without persistence);
    - running with no sign of life for ``REPORT_HEARTBEAT_TIMEOUT``: the worker building it was
      killed, and its message may be gone with it (a killed main process gives nothing back).
    """
    stuck = ReportRun.objects.filter(
        Q(status=ReportRun.Status.QUEUED, queued_at__isnull=True)
        | Q(status=ReportRun.Status.QUEUED, queued_at__lt=now - REQUEUE_QUEUED_AFTER)
    ) | ReportRun.objects.abandoned(now=now)
    return list(stuck.order_by("created_at", "id"))


def report_runs_expired(*, now: dt.datetime) -> list[ReportRun]:
    """Built runs whose file has outlived its lifetime."""
    return list(
        ReportRun.objects.filter(status=ReportRun.Status.DONE, expires_at__lte=now).order_by("id")
    )


# --- Naming people in the documents ------------------------------------------------------------


@dataclass(frozen=True)
class PersonLine:
    """A trainee as a document shows them: ``name`` is already the name the reader may see."""

    name: str
    anonymous: bool
    person: ParticipantHours


def person_lines(
    participants: tuple[ParticipantHours, ...], *, for_funders: bool
) -> list[PersonLine]:
    """The trainees in the order of the figures, named as the reader may see them.

    In a document for funders an activist who did not consent to be named becomes
    "Activist 1..n", numbered in the order they were registered and listed after the named
    activists, so that neither the name nor its alphabetical place shows; their figures stay
    exact. Triad members hold public roles and are named; documents for organisers name everyone.
    """

    def hidden(p: ParticipantHours) -> bool:
        return for_funders and p.category == Category.ACTIVIST and not p.named

    ordered = order_for_readers(participants, hidden=hidden)
    number = {
        participant_id: index
        for index, participant_id in enumerate(
            sorted(p.participant_id for p in ordered if hidden(p)), start=1
        )
    }
    return [
        PersonLine(
            name=(
                _("Activist %(number)d") % {"number": number[p.participant_id]}
                if p.participant_id in number
                else p.name
            ),
            anonymous=p.participant_id in number,
            person=p,
        )
        for p in ordered
    ]


def status_abbreviations() -> dict[str, str]:
    """One or two letters per attendance status, for the cells of the attendance tables."""
    return {
        AttendanceStatus.PRESENT: pgettext("attendance status abbreviation", "P"),
        AttendanceStatus.LATE: pgettext("attendance status abbreviation", "L"),
        AttendanceStatus.LEFT_EARLY: pgettext("attendance status abbreviation", "LE"),
        AttendanceStatus.EXCUSED: pgettext("attendance status abbreviation", "E"),
        AttendanceStatus.ABSENT: pgettext("attendance status abbreviation", "A"),
    }


# --- Documents ---------------------------------------------------------------------------------


def _source(summary: ParticipationSummary, **more: int) -> dict[str, int]:
    return {
        "trainees": summary.trainees,
        "halfdays_held": summary.slots_held,
        "attendance_records": summary.attended + summary.excused + summary.absent,
        **more,
    }


@dataclass(frozen=True)
class AttendanceGroup:
    """The trainees of one category, each with their cells for the table's half-days."""

    label: str
    lines: list[tuple[PersonLine, list[str]]]


@dataclass(frozen=True)
class AttendanceTable:
    """Up to ten half-days side by side, one line per trainee grouped by category, and the
    totals of each half-day."""

    slots: tuple[SlotInfo, ...]
    totals: tuple
    groups: list[AttendanceGroup]
    last: bool  # the last table also gives each trainee's half-days and hours attended

    @property
    def columns(self) -> int:
        return 2 + len(self.slots) + (2 if self.last else 0)

    @property
    def first_label(self) -> str:
        return self.slots[0].label

    @property
    def last_label(self) -> str:
        return self.slots[-1].label


@dataclass(frozen=True)
class AttendanceReport:
    programme: Programme
    participation: Participation
    tables: list[AttendanceTable]
    legend: list[tuple[str, str]]
    proofs: list[SlotProof]

    @property
    def proof_totals(self) -> list[tuple[str, str, int]]:
        return proof_totals(self.proofs)

    unrecorded_mark: str = "–"

    @property
    def source(self) -> dict[str, int]:
        return _source(self.participation.summary)


def attendance_report_data(*, programme: Programme) -> AttendanceReport:
    """Per half-day, every trainee's status; totals per half-day; hours per trainee. A report
    for funders: activists who did not consent are not named.

    Six queries: the four of ``programme_participation``, the statuses of the records and
    how each half-day was proven (``programme_attendance_proofs``).
    A held half-day with no record for someone shows "–" (it counts as not attending); a
    half-day not held yet shows an empty cell.
    """
    participation = programme_participation(programme=programme)
    categories: dict[str, list[PersonLine]] = {}
    for line in person_lines(participation.participants, for_funders=True):
        categories.setdefault(line.person.category_label, []).append(line)
    statuses = {
        (participant_id, slot_id): status
        for participant_id, slot_id, status in Attendance.objects.filter(
            slot__day__programme=programme
        ).values_list("participant_id", "slot_id", "status")
    }
    abbreviation = status_abbreviations()
    unrecorded = AttendanceReport.unrecorded_mark

    def cells(line: PersonLine, slots: tuple[SlotInfo, ...]) -> list[str]:
        return [
            abbreviation.get(statuses.get((line.person.participant_id, slot.id)), unrecorded)
            if slot.held
            else ""
            for slot in slots
        ]

    tables = []
    for start in range(0, len(participation.slots), SLOTS_PER_TABLE):
        slots = participation.slots[start : start + SLOTS_PER_TABLE]
        tables.append(
            AttendanceTable(
                slots=slots,
                totals=participation.by_slot[start : start + SLOTS_PER_TABLE],
                groups=[
                    AttendanceGroup(label, [(line, cells(line, slots)) for line in lines])
                    for label, lines in categories.items()
                ],
                last=start + SLOTS_PER_TABLE >= len(participation.slots),
            )
        )
    legend = [
        (abbreviation[value], str(label))
        for value, label in AttendanceStatus.choices
        if value in abbreviation
    ]
    return AttendanceReport(
        programme=programme,
        participation=participation,
        tables=tables,
        legend=legend,
        proofs=programme_attendance_proofs(programme=programme, slots=participation.slots),
    )


@dataclass(frozen=True)
class TriadTable:
    """Triad completeness of every city for up to ten half-days."""

    slots: tuple[SlotInfo, ...]
    rows: list[tuple[TriadCityRow, tuple[TriadCell, ...]]]


@dataclass(frozen=True)
class ParticipationReport:
    programme: Programme
    participation: Participation
    commitments: list[PersonLine]
    triad_tables: list[TriadTable]

    @property
    def source(self) -> dict[str, int]:
        return _source(self.participation.summary)


def participation_report_data(*, programme: Programme) -> ParticipationReport:
    """The participation figures with the triad members' named commitments (four queries)."""
    participation = programme_participation(programme=programme)
    return ParticipationReport(
        programme=programme,
        participation=participation,
        commitments=person_lines(participation.commitments, for_funders=True),
        triad_tables=[
            TriadTable(
                slots=participation.slots[start : start + SLOTS_PER_TABLE],
                rows=[
                    (row, row.cells[start : start + SLOTS_PER_TABLE])
                    for row in participation.triads
                ],
            )
            for start in range(0, len(participation.slots), SLOTS_PER_TABLE)
        ],
    )


@dataclass(frozen=True)
class CityLine:
    city: str
    counts: list[int]
    total: int


@dataclass(frozen=True)
class OtherFunders:
    """The funders a funder report is not made for, as totals only (``finance_totals`` of their
    rows): how many, awarded, received."""

    count: int
    figures: FinanceFigures


@dataclass(frozen=True)
class FunderReport:
    """``fundings`` pairs each funding shown in detail with what is still to receive (awarded
    minus received): every funding, or only the one of ``funder`` when the report is made for a
    funder, the others then summed up in ``others``. ``budget_lines`` gives each line its gap
    (actual minus planned: positive is overspent) and the name of its funding source as this
    reader may see it."""

    programme: Programme
    funder: Organisation | None
    partners: list[Organisation]
    participation: ParticipationOverview
    categories: list[CategoryCount]
    headcount_note: str
    city_categories: list[str]
    cities: list[CityLine]
    fundings: list[tuple[Funding, Decimal]]
    others: OtherFunders | None
    budget_lines: list[tuple[BudgetLine, Decimal, str]]
    contributions: list[CityContribution]
    finances: FinanceFigures
    proofs: list[SlotProof]
    evaluation: list  # participants.selectors.QuestionnaireResults, small groups hidden
    # After the training ("suites"): the cities' follow-up without names, and the expenses of
    # the people taking part, named only when they consented.
    followups: list[CityFollowUp]
    expenses: ExpensesOverview

    @property
    def proof_totals(self) -> list[tuple[str, str, int]]:
        return proof_totals(self.proofs)

    @property
    def source(self) -> dict[str, int]:
        return _source(
            self.participation.summary,
            fundings=len(self.fundings) + (self.others.count if self.others else 0),
            budget_lines=len(self.budget_lines),
            city_contributions=len(self.contributions),
        )


def headcount_note(*, categories: list[CategoryCount], trainees: int) -> str:
    """Why the people counted by category are more than the trainees of the headline figures,
    in a sentence made from the counts; empty when the two agree."""
    total = sum(row.count for row in categories)
    if total == trainees:
        return ""
    others = [row for row in categories if row.count and row.category not in TRAINEE_CATEGORIES]
    extra = total - trainees
    listed = "; ".join(f"{row.label}: {row.count}" for row in others)
    if others and sum(row.count for row in others) == extra:
        return ngettext(
            "This table counts %(total)d people, %(extra)d more than the %(trainees)d trainees "
            "of the participation figures: that person runs or supports the training without "
            "being trained (%(list)s).",
            "This table counts %(total)d people, %(extra)d more than the %(trainees)d trainees "
            "of the participation figures: those people run or support the training without "
            "being trained (%(list)s).",
            extra,
        ) % {"total": total, "extra": extra, "trainees": trainees, "list": listed}
    return _(
        "This table counts %(total)d active people of every category; the participation "
        "figures count %(trainees)d trainees."
    ) % {"total": total, "trainees": trainees}


def _funding_source(line: BudgetLine, funder: Organisation | None) -> str:
    if line.funding is None:
        return "—"
    if funder is not None and line.funding.funder_id != funder.pk:
        return _("Another funder")
    return str(line.funding.funder)


def funder_report_data(*, programme: Programme, funder: Organisation | None = None) -> FunderReport:
    """The programme, its people, hours and participation, how each half-day's attendance was
    proven, its money, the evaluation's aggregated results, the cities' follow-up and the
    people's expenses (eighteen queries).

    The figures of training are those of ``programme_participation_overview`` (the participation
    report's, without the per-trainee lines this report does not show); trainees by city are its
    trainees counted per city and category; the money is ``programme_finances``: the lines
    listed and their totals (``finance_totals``), as on the finances page. Made for ``funder``,
    it shows that funder's agreement in detail and the other funders' as one line of totals,
    without their names.
    """
    participation = programme_participation_overview(programme=programme)
    columns = [*(str(category) for category in TRIAD_CATEGORIES), str(Category.ACTIVIST)]
    per_city: dict[str, Counter] = {}
    for group in participation.trainee_groups:
        city = group.city or _("No city (activists)")
        per_city.setdefault(city, Counter())[group.category] += group.count
    labels = dict(Category.choices)
    money = programme_finances(programme=programme)
    shown, others = money.fundings, None
    if funder is not None:
        shown = [f for f in money.fundings if f.funder_id == funder.pk]
        rest = [f for f in money.fundings if f.funder_id != funder.pk]
        others = OtherFunders(
            count=len(rest),
            figures=finance_totals(fundings=rest, budget_lines=[], contributions=[]),
        )
    categories = people_by_category(programme=programme, overview=participation)
    return FunderReport(
        programme=programme,
        funder=funder,
        partners=list(programme.partners.all()),
        participation=participation,
        categories=categories,
        headcount_note=headcount_note(
            categories=categories, trainees=participation.summary.trainees
        ),
        city_categories=[str(labels[value]) for value in columns],
        cities=[
            CityLine(
                city=city,
                counts=[counter[value] for value in columns],
                total=sum(counter.values()),
            )
            for city, counter in sorted(per_city.items(), key=lambda item: item[0].casefold())
        ],
        fundings=[
            (f, amount_to_receive(awarded=f.amount_awarded, received=f.amount_received))
            for f in shown
        ],
        others=others,
        budget_lines=[
            (
                line,
                cost_gap(planned=line.planned_amount, actual=line.actual_amount),
                _funding_source(line, funder),
            )
            for line in money.budget_lines
        ],
        contributions=money.contributions,
        finances=money.figures,
        proofs=programme_attendance_proofs(programme=programme, slots=participation.slots),
        evaluation=evaluation_results(programme=programme),
        followups=followup_board(programme=programme, with_names=False),
        expenses=programme_expenses(programme=programme, for_funders=True),
    )


@dataclass(frozen=True)
class Certificate:
    """What every certificat de réalisation of a programme shares: the provider (organiser)
    and its representative who signs, the action's dates and place, where and when it is
    signed, and the organisation's stamp and logo when it has them (as data URLs)."""

    signatory: str
    organiser: str
    start: dt.date | None
    end: dt.date | None
    venue: str
    done_at: str
    date: dt.date
    stamp: str = ""
    logo: str = ""


def certificate_common(*, programme: Programme, signatory: str) -> Certificate:
    organisation = programme.organiser
    venue = programme.venue or ""
    return Certificate(
        signatory=signatory or _("the organiser’s representative"),
        organiser=str(organisation) if organisation else _("the organisers"),
        start=programme.start_date,
        end=programme.end_date or programme.start_date,
        venue=venue,
        # "Centre international ATD Quart Monde, Pierrelaye": signed in Pierrelaye.
        done_at=venue.rsplit(",", 1)[-1].strip(),
        date=timezone.localdate(),
        # Checked when they were uploaded (programmes.images), read as the reports' covers read
        # their logos.
        stamp=data_uri(organisation.stamp) if organisation else "",
        logo=data_uri(organisation.logo) if organisation else "",
    )


@dataclass(frozen=True)
class CertificatesReport:
    programme: Programme
    participation: Participation
    people: list[PersonLine]
    signatory: str
    certificate: Certificate

    @property
    def source(self) -> dict[str, int]:
        return _source(self.participation.summary, certificates=len(self.people))


def certificates_data(
    *, programme: Programme, signatory: str, participant_id: int | None = None
) -> CertificatesReport:
    """One certificate per trainee who attended at least one half-day (or only
    ``participant_id``'s), named in full: the certificate is the person's own document, an
    activist included. In the order of the figures (four queries)."""
    participation = programme_participation(programme=programme)
    people = [
        line
        for line in person_lines(participation.participants, for_funders=False)
        if line.person.halfdays_attended
        and (participant_id is None or line.person.participant_id == participant_id)
    ]
    return CertificatesReport(
        programme=programme,
        participation=participation,
        people=people,
        signatory=signatory,
        certificate=certificate_common(programme=programme, signatory=signatory),
    )


# --- Sealed attendance sheets: what /verify/ may say -----------------------------------------


@dataclass(frozen=True)
class SealCheck:
    """The answer of /verify/: whether a sealed sheet was found and is intact, with facts that
    name no person (the programme, the half-day, when it was sealed, how many signatures)."""

    found: bool
    intact: bool = False
    seal: SealedSheet | None = None

    @property
    def superseded(self) -> bool:
        return bool(self.seal and self.seal.superseded_at)


def _seal_with_chain(seal: SealedSheet | None) -> SealCheck:
    """Recompute the sealed part of the sheet's chain from the stored rows: a row changed in the
    database since the seal makes it not intact (one query)."""
    if seal is None:
        return SealCheck(found=False)
    rows = AttendanceSignature.objects.filter(
        slot_id=seal.slot_id, sequence__lte=seal.signature_count
    ).order_by("sequence")
    check = chain_check(rows)
    intact = check.intact and (check.head, check.count) == (seal.chain_head, seal.signature_count)
    return SealCheck(found=True, intact=intact, seal=seal)


def _seals():
    return SealedSheet.objects.select_related("slot__day__programme")


def normalised_seal_code(code: str) -> str:
    """What was typed, as stored: capitals, without spaces or dashes."""
    return "".join(char for char in code.upper() if char.isalnum())


def seal_verify_code(*, code: str) -> SealCheck:
    """The sealed sheet of a verification code, checked against its stored rows (two
    queries)."""
    return _seal_with_chain(_seals().filter(code=normalised_seal_code(code)).first())


def seal_verify_file(*, sha256: str) -> SealCheck:
    """The sealed sheet whose PDF had exactly this SHA-256, checked against its stored rows
    (two queries); not found when the file was changed, even by one byte."""
    if not sha256:
        return SealCheck(found=False)
    return _seal_with_chain(_seals().filter(file_sha256=sha256).first())


def sealed_sheet_current(*, slot) -> SealedSheet | None:
    """The seal of a closed sheet (None while it is open or was never sealed)."""
    return SealedSheet.objects.filter(slot=slot, superseded_at__isnull=True).first()


# --- Evaluation and public results -----------------------------------------------------------

# The public page's sections, in order: one template each, reading ``page`` (a PublicResults).
PUBLIC_SECTIONS = [
    "reports/public/section_objectives.html",
    "reports/public/section_narrative.html",
    "reports/public/section_figures.html",
    "reports/public/section_followup.html",
    "reports/public/section_evaluation.html",
]


@dataclass(frozen=True)
class PublicResults:
    programme: Programme
    cities: int
    categories: list[CategoryCount]
    participation: ParticipationOverview
    evaluation: list
    sections: list[str]
    # The organiser's narrative in the reader's language, and the cities' follow-up without
    # owners, notes or documents (the funders' board).
    narrative: str = ""
    followups: list[CityFollowUp] = field(default_factory=list)


def public_results_data(*, programme: Programme, language: str = "") -> PublicResults:
    """What the public results page shows: the objectives and the organiser's narrative, key
    figures (cities, participants by category, the participation rate and half-days of
    ``programme_participation_overview``), the cities' council milestones (dates only) and the
    evaluation's aggregated results, small groups hidden. Nothing personal, no free text but
    the organiser's own. Eleven queries whatever the programme's size. Read-only."""
    participation = programme_participation_overview(programme=programme)
    return PublicResults(
        programme=programme,
        cities=len({g.city_id for g in participation.trainee_groups if g.city_id}),
        categories=[
            row
            for row in participant_counts_by_category(programme=programme)
            if row.category in TRAINEE_CATEGORIES
        ],
        participation=participation,
        evaluation=evaluation_results(programme=programme),
        sections=PUBLIC_SECTIONS,
        narrative=programme.narrative_in(language),
        followups=followup_board(programme=programme, with_names=False),
    )


def programme_funders(*, programme: Programme) -> list[Organisation]:
    """The organisations funding the programme, largest award first (one query)."""
    return [funding.funder for funding in _FUNDINGS(programme=programme.pk)]


_FUNDINGS = prepared.Query(
    lambda programme: (
        Funding.objects.filter(programme=programme)
        .select_related("funder")
        .order_by("-amount_awarded", "funder__name")
    ),
    programme=int,
)


# --- The cover of the reports and the logos of the sheets ----------------------------------


@dataclass(frozen=True)
class Logo:
    name: str
    uri: str  # a data: URI (the PDFs read nothing else), empty when there is no logo

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Cover:
    """What a report's first page shows besides the facts: the organiser and the funders
    (largest award first) with their logos, the narrative in the report's language, and the
    funder the report is made for."""

    organiser: Logo | None
    funders: list[Logo]
    narrative: str
    funder: Organisation | None

    @property
    def logos(self) -> list[Logo]:
        return [logo for logo in [self.organiser, *self.funders] if logo and logo.uri]


def _logo(organisation: Organisation) -> Logo:
    return Logo(name=organisation.name, uri=data_uri(organisation.logo))


def programme_logos(*, programme: Programme) -> Cover:
    """The organiser's and the funders' logos (one query, two when the organiser is not
    loaded yet); no narrative."""
    return Cover(
        organiser=_logo(programme.organiser) if programme.organiser else None,
        funders=[_logo(funder) for funder in programme_funders(programme=programme)],
        narrative="",
        funder=None,
    )


def report_cover(
    *, programme: Programme, language: str, funder: Organisation | None = None
) -> Cover:
    """The cover of a report in ``language`` (one or two queries, as ``programme_logos``)."""
    logos = programme_logos(programme=programme)
    return Cover(
        organiser=logos.organiser,
        funders=logos.funders,
        narrative=programme.narrative_in(language),
        funder=funder,
    )
