"""The demo programme after its training: each selected city's action plan and the steps of its
citizens' council through 2015-2016, and the activists' expenses, booked and paid by ATD Quart
Monde or taken on later by a local authority (deterministic: no randomness, no "today")."""

import datetime as dt
from decimal import Decimal

from participants.models import Category, Participant
from programmes.models import (
    ActionItem,
    BudgetLine,
    CityApplication,
    CouncilMilestone,
    Funding,
    Organisation,
    Programme,
    TriadNominee,
)
from sessions.models import ATTENDING_STATUSES, Attendance, Expense, TrainingDay

Kind = CouncilMilestone.Kind
Role = TriadNominee.Role

# (commitment, who carries it, target date); the cities that got furthest did the most.
ACTION_PLAN = [
    ("Installer le conseil citoyen du quartier prioritaire", Role.ELECTED_OFFICIAL, (2015, 6, 30)),
    (
        "Aller vers les habitants avec les associations de solidarité",
        Role.CITY_PROFESSIONAL,
        (2015, 10, 31),
    ),
    (
        "Former les animateurs du conseil au croisement des savoirs",
        Role.CITY_PROFESSIONAL,
        (2016, 3, 31),
    ),
    ("Présenter un avis du conseil au conseil municipal", Role.PREFECTS_DELEGATE, (2016, 9, 30)),
]
# Steps of the council, each with its month offset from March 2015 and a note.
STEPS = [
    (Kind.CREATED, 0, "Arrêté préfectoral de composition du conseil citoyen."),
    (Kind.FIRST_MEETING, 2, "Première réunion à la maison de quartier, 24 membres présents."),
    (
        Kind.RESIDENTS_IN_POVERTY,
        7,
        "Des habitants accompagnés par des associations de solidarité ont rejoint le conseil.",
    ),
    (Kind.DECISION_INFLUENCED, 14, "Horaires du centre social revus après l'avis du conseil."),
]
# How far each selected city got, in the order of their names: steps reached, items done.
PROGRESS = [(4, 4), (4, 3), (3, 3), (3, 2), (2, 2), (2, 1), (1, 1)]

# What an activist's day cost (euros): transport booked by ATD, a meal claimed on the spot.
TRANSPORT, MEAL, CHILDCARE = Decimal("14.20"), Decimal("9.50"), Decimal("32.00")


def _month(offset: int, day: int) -> dt.date:
    year, month = divmod(2 + offset, 12)
    return dt.date(2015 + year, month + 1, day)


def build_followup(programme: Programme) -> None:
    applications = list(
        CityApplication.objects.filter(
            call__programme=programme, status=CityApplication.Status.SELECTED
        ).order_by("city__name")
    )
    for index, application in enumerate(applications):
        steps, done = PROGRESS[index % len(PROGRESS)]
        owners = {n.role: n for n in application.nominees.order_by("pk")}
        ActionItem.objects.bulk_create(
            [
                ActionItem(
                    application=application,
                    title=title,
                    owner=owners.get(role),
                    target_date=dt.date(*target),
                    done_on=dt.date(*target) - dt.timedelta(days=10 + 3 * index)
                    if position < done
                    else None,
                )
                for position, (title, role, target) in enumerate(ACTION_PLAN)
            ]
        )
        CouncilMilestone.objects.bulk_create(
            [
                CouncilMilestone(
                    application=application,
                    kind=kind,
                    date=_month(offset + index % 3, 5 + 2 * index),
                    note=note,
                )
                for kind, offset, note in STEPS[:steps]
            ]
        )


def build_expenses(programme: Programme, organiser) -> None:
    """Each activist's transport for every day they attended, booked and paid by ATD Quart
    Monde; their meals claimed and reimbursed; childcare for two of them, taken on by the
    département (a local authority) after the training. The restitution's transport is still
    to pay."""
    atd = Organisation.objects.get(name="ATD Quart Monde")
    departement, _ = Organisation.objects.get_or_create(
        name="Conseil départemental de la Seine-Saint-Denis",
        defaults={"kind": Organisation.Kind.LOCAL_AUTHORITY},
    )
    # The département paid the suppliers and the activists itself: nothing reached the
    # programme's account, so nothing is awarded here (the documented 32 000 € stay).
    local = Funding.objects.create(
        programme=programme,
        funder=departement,
        kind=Funding.Kind.LOCAL_AUTHORITY,
        amount_requested=Decimal("1200.00"),
        agreement_reference="CD93-2015-SOL-017",
        notes="Prise en charge directe des frais de garde et de repas des militants.",
    )
    line = BudgetLine.objects.get(programme=programme, category=BudgetLine.Category.ACTIVISTS)
    activists = list(
        Participant.objects.filter(programme=programme, category=Category.ACTIVIST).order_by("pk")
    )
    days = list(TrainingDay.objects.filter(programme=programme).order_by("date"))
    attended = set(
        Attendance.objects.filter(
            slot__day__programme=programme,
            participant__in=activists,
            status__in=ATTENDING_STATUSES,
        ).values_list("participant_id", "slot__day_id")
    )
    last_day = days[-1]

    def expense(activist, day, kind, mode, status, amount, payer, funding, paid_on):
        return Expense(
            participant=activist,
            day=day,
            kind=kind,
            mode=mode,
            status=status,
            amount=amount,
            payer=payer,
            budget_line=line,
            funding=funding,
            paid_on=paid_on if status != Expense.Status.PLANNED else None,
            created_by=organiser,
        )

    expenses = []
    for position, activist in enumerate(activists):
        for day in days:
            if (activist.pk, day.pk) not in attended:
                continue
            booked = Expense.Mode.BOOKED
            transport = Expense.Status.PLANNED if day == last_day else Expense.Status.PAID
            expenses.append(
                expense(
                    activist,
                    day,
                    Expense.Kind.TRANSPORT,
                    booked,
                    transport,
                    TRANSPORT,
                    atd,
                    line.funding,
                    day.date - dt.timedelta(days=7),
                )
            )
            expenses.append(
                expense(
                    activist,
                    day,
                    Expense.Kind.MEALS,
                    Expense.Mode.CLAIMED,
                    Expense.Status.REIMBURSED,
                    MEAL,
                    departement,
                    local,
                    day.date,
                )
            )
            if position < 2:
                expenses.append(
                    expense(
                        activist,
                        day,
                        Expense.Kind.CHILDCARE,
                        booked,
                        Expense.Status.PAID,
                        CHILDCARE,
                        departement,
                        local,
                        day.date + dt.timedelta(days=30),
                    )
                )
    Expense.objects.bulk_create(expenses)


def build(programme: Programme, *, organiser) -> None:
    build_followup(programme)
    build_expenses(programme, organiser)
