"""The activists' expenses, without advances: recorded per person and training day, charged to
a budget line and a funding; planned against paid per line and per person (on the expenses
page, the finances page and the funder report, where people who did not consent are numbered);
a warning when the person did not attend that day; who may see the pages, and their budgets."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cotraining.personal_data import person_erase, person_export
from participants.models import Category
from programmes.errors import InvalidInput
from programmes.models import AuditEntry, BudgetLine, Membership, Organisation
from reports.selectors import funder_report_data
from sessions import selectors, services
from sessions.models import Attendance, Expense
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


Role = Membership.Role


@pytest.fixture
def setting(programme):
    """A day with a morning and an afternoon, an activist who came in the morning, an
    activist who did not come, the activists' budget line and a local authority's grant."""
    day = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 22))
    morning = factories.SlotFactory(day=day, part="morning")
    factories.SlotFactory(day=day, part="afternoon")
    came = factories.ParticipantFactory(
        programme=programme, category=Category.ACTIVIST, first_name="Rose", last_name="Lemaire"
    )
    absent = factories.ParticipantFactory(
        programme=programme,
        category=Category.ACTIVIST,
        first_name="Jules",
        last_name="Morel",
        consent_name_in_reports=True,
    )
    factories.AttendanceFactory(participant=came, slot=morning)
    factories.AttendanceFactory(participant=absent, slot=morning, status=Attendance.Status.ABSENT)
    department = factories.OrganisationFactory(
        name="Département", kind=Organisation.Kind.LOCAL_AUTHORITY
    )
    grant = factories.FundingFactory(programme=programme, funder=department)
    line = factories.BudgetLineFactory(
        programme=programme, category=BudgetLine.Category.ACTIVISTS, label="Militants"
    )
    atd = factories.OrganisationFactory(name="ATD Quart Monde", kind=Organisation.Kind.NGO)
    return {
        "day": day,
        "came": came,
        "absent": absent,
        "department": department,
        "grant": grant,
        "line": line,
        "atd": atd,
    }


def _fields(s, **changes):
    fields = {
        "participant": s["came"],
        "day": s["day"],
        "kind": Expense.Kind.TRANSPORT,
        "amount": Decimal("14.20"),
        "mode": Expense.Mode.BOOKED,
        "status": Expense.Status.PAID,
        "payer": s["atd"],
        "budget_line": s["line"],
        "funding": None,
        "paid_on": None,
        "note": "",
    }
    return fields | changes


def test_planned_against_paid_per_line_person_and_funding(programme, setting):
    organiser = factories.user_with(Role.ORGANISER, programme)
    s = setting
    for changes in [
        {},
        {
            "kind": Expense.Kind.MEALS,
            "amount": Decimal("9.50"),
            "mode": "claimed",
            "status": "reimbursed",
            "payer": s["department"],
            "funding": s["grant"],
        },
        {
            "kind": Expense.Kind.CHILDCARE,
            "amount": Decimal("32.00"),
            "status": "planned",
            "payer": s["department"],
            "funding": s["grant"],
        },
        {"participant": s["absent"], "amount": Decimal("20.00")},
    ]:
        services.expense_save(programme=programme, actor=organiser, fields=_fields(s, **changes))
    overview = selectors.programme_expenses(programme=programme)
    assert overview.figures == selectors.ExpenseFigures(
        planned=Decimal("75.70"), paid=Decimal("43.70")
    )
    assert [(line.label, line.figures.planned, line.figures.paid) for line in overview.people] == [
        ("Jules Morel", Decimal("20.00"), Decimal("20.00")),
        ("Rose Lemaire", Decimal("55.70"), Decimal("23.70")),
    ]
    assert [(line.label, line.figures.planned) for line in overview.budget_lines] == [
        ("Militants", Decimal("75.70"))
    ]
    assert {line.label: line.figures.paid for line in overview.fundings} == {
        "Département": Decimal("9.50"),
        "No funding": Decimal("34.20"),
    }
    assert AuditEntry.objects.filter(action="expense.created").count() == 4


def test_the_finances_costs_add_up_as_the_expenses_do(programme, setting):
    """The finances page sums the amounts in the database; its lines are those the expenses
    page adds up one expense at a time, cent for cent."""
    organiser = factories.user_with(Role.ORGANISER, programme)
    s = setting
    other_line = factories.BudgetLineFactory(programme=programme, label="Repas")
    for changes in [
        {},
        {"amount": Decimal("0.10"), "kind": Expense.Kind.MEALS},
        {"amount": Decimal("0.20"), "kind": Expense.Kind.CHILDCARE, "status": "planned"},
        {"amount": Decimal("9.95"), "funding": s["grant"], "budget_line": other_line},
        {"participant": s["absent"], "amount": Decimal("20.05"), "funding": s["grant"]},
        {"participant": s["absent"], "amount": Decimal("3.00"), "kind": Expense.Kind.MEALS},
    ]:
        services.expense_save(programme=programme, actor=organiser, fields=_fields(s, **changes))
    expenses = selectors.programme_expenses(programme=programme)
    costs = selectors.programme_expense_costs(programme=programme)

    def lines(rows):
        return [(line.label, line.key, line.figures) for line in rows]

    total = selectors.ExpenseFigures(planned=Decimal("47.50"), paid=Decimal("47.30"))
    assert costs.figures == expenses.figures == total
    assert lines(costs.people) == lines(expenses.people)
    assert lines(costs.budget_lines) == lines(expenses.budget_lines)
    assert lines(costs.fundings) == lines(expenses.fundings)
    assert [line.label for line in costs.fundings] == ["Département", "No funding"]


def test_an_expense_for_a_day_the_person_did_not_attend_is_flagged(programme, setting):
    factories.ExpenseFactory(
        participant=setting["came"], day=setting["day"], budget_line=setting["line"]
    )
    factories.ExpenseFactory(
        participant=setting["absent"], day=setting["day"], budget_line=setting["line"]
    )
    lines = {
        line.expense.participant.last_name: line
        for line in selectors.programme_expenses(programme=programme).lines
    }
    assert lines["Lemaire"].attended == ("Morning",)
    assert not lines["Morel"].attended_that_day
    assert selectors.programme_expenses(programme=programme).warnings == 1


def test_for_funders_a_person_who_did_not_consent_is_numbered(programme, setting):
    for person in (setting["came"], setting["absent"]):
        factories.ExpenseFactory(
            participant=person, day=setting["day"], budget_line=setting["line"]
        )
    report = selectors.programme_expenses(programme=programme, for_funders=True)
    assert [line.label for line in report.people] == ["Jules Morel", "Activist 1"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"status": "reimbursed"}, "paid, not reimbursed"),
        ({"participant": "foreign"}, "does not take part"),
        ({"budget_line": "foreign"}, "budget line is not"),
        ({"funding": "foreign"}, "funding is not"),
    ],
)
def test_an_expense_that_does_not_fit_is_refused(programme, setting, changes, problem):
    other = factories.ProgrammeFactory()
    foreign = {
        "participant": factories.ParticipantFactory(programme=other),
        "budget_line": factories.BudgetLineFactory(programme=other),
        "funding": factories.FundingFactory(programme=other),
    }
    changes = {key: foreign[key] if value == "foreign" else value for key, value in changes.items()}
    with pytest.raises(InvalidInput) as refused:
        services.expense_save(programme=programme, actor=None, fields=_fields(setting, **changes))
    assert problem in str(refused.value)
    assert not Expense.objects.exists()


def test_an_organiser_records_an_expense_booked_for_an_activist(client, programme, setting):
    client.force_login(factories.user_with(Role.ORGANISER, programme))
    url = reverse("sessions:expense_create", args=[programme.slug])
    data = {
        "participant": setting["came"].pk,
        "day": setting["day"].pk,
        "kind": "transport",
        "amount": "14.20",
        "mode": "booked",
        "status": "reimbursed",
        "payer": setting["atd"].pk,
        "budget_line": setting["line"].pk,
        "note": "Pass Navigo semaine",
    }
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Pass Navigo semaine" in refused.content.decode()  # nothing typed is lost
    response = client.post(url, data | {"status": "paid"})
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert (expense.participant, expense.status, expense.amount) == (
        setting["came"],
        "paid",
        Decimal("14.20"),
    )
    page = client.get(reverse("sessions:expenses", args=[programme.slug])).content.decode()
    assert "Rose Lemaire" in page
    assert "14,20" in page


def test_the_expenses_pages_are_for_organisers_only(client, programme, setting):
    expense = factories.ExpenseFactory(
        participant=setting["came"], day=setting["day"], budget_line=setting["line"]
    )
    urls = [
        reverse("sessions:expenses", args=[programme.slug]),
        reverse("sessions:expense_create", args=[programme.slug]),
        reverse("sessions:expense_edit", args=[programme.slug, expense.pk]),
    ]
    for role in (Role.FUNDER, Role.FACILITATOR, Role.REVIEWER, Role.CITY_CONTACT, None):
        client.force_login(factories.user_with(role, programme))
        assert [client.get(url).status_code for url in urls] == [404, 404, 404], role
    client.force_login(factories.user_with(Role.ORGANISER, programme))
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    # Another programme's expense under this programme's address: 404, even to its organiser.
    foreign = factories.ExpenseFactory()
    assert (
        client.get(reverse("sessions:expense_edit", args=[programme.slug, foreign.pk])).status_code
        == 404
    )


def test_a_budget_line_with_expenses_cannot_be_deleted(client, programme, setting):
    factories.ExpenseFactory(
        participant=setting["came"], day=setting["day"], budget_line=setting["line"]
    )
    client.force_login(factories.user_with(Role.ORGANISER, programme))
    url = reverse(
        "programmes:finance_row_delete", args=[programme.slug, "budget-lines", setting["line"].pk]
    )
    response = client.post(url)
    assert response.status_code == 409
    assert BudgetLine.objects.filter(pk=setting["line"].pk).exists()


def _bulk_expenses(programme, setting, count: int) -> None:
    people = [
        factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
        for _ in range(count)
    ]
    Expense.objects.bulk_create(
        [
            Expense(
                participant=person,
                day=setting["day"],
                kind=kind,
                mode="booked",
                status="paid",
                amount=Decimal("10.00"),
                payer=setting["atd"],
                budget_line=setting["line"],
                funding=setting["grant"],
            )
            for person in people
            for kind in Expense.Kind.values
        ]
    )


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["sessions:expenses", "programmes:finances"])
def test_the_pages_run_the_same_queries_for_few_or_many_expenses(client, programme, setting, page):
    client.force_login(factories.user_with(Role.ORGANISER, programme))
    url = reverse(page, args=[programme.slug])
    _bulk_expenses(programme, setting, 1)
    few = _queries(client, url)
    _bulk_expenses(programme, setting, 25)
    assert _queries(client, url) == few
    # The expenses page: session, user, programme with the roles, expenses, attendance; the
    # finances page: session, user, the programme with its call and roles, fundings, budget lines,
    # contributions, the expenses summed, the organisations (with their logos).
    assert few == {"sessions:expenses": 5, "programmes:finances": 8}[page]


def test_the_finances_page_shows_planned_against_paid_per_line(client, programme, setting):
    s = setting
    services.expense_save(programme=programme, actor=None, fields=_fields(s))
    services.expense_save(
        programme=programme, actor=None, fields=_fields(s, amount=Decimal("5.00"), status="planned")
    )
    client.force_login(factories.user_with(Role.ORGANISER, programme))
    page = client.get(reverse("programmes:finances", args=[programme.slug])).content.decode()
    table = page.split('data-table="expense-lines"')[1].split("</table>")[0]
    assert "Militants" in table
    assert "19,20 €" in table
    assert "14,20 €" in table


def test_the_funder_report_has_the_suites_without_names_of_people_who_did_not_consent(
    programme, setting
):
    application = factories.CityApplicationFactory(call__programme=programme, status="selected")
    owner = factories.TriadNomineeFactory(application=application, last_name="Duvalier")
    factories.ActionItemFactory(application=application, owner=owner)
    factories.CouncilMilestoneFactory(application=application, date=dt.date(2015, 4, 1))
    for person in (setting["came"], setting["absent"]):
        factories.ExpenseFactory(
            participant=person, day=setting["day"], budget_line=setting["line"]
        )
    with CaptureQueriesContext(connection) as queries:
        report = funder_report_data(programme=programme)
    assert len(queries) <= 18  # with the evaluation's results (four) and the funders (one)
    assert [city.milestones_reached for city in report.followups] == [1]
    assert all(line.owner == "" for city in report.followups for line in city.actions)
    assert "Rose Lemaire" not in [line.label for line in report.expenses.people]


def test_a_persons_expenses_are_in_their_export_and_erasure_blanks_the_note(programme, setting):
    organiser = factories.user_with(Role.ORGANISER, programme)
    factories.ExpenseFactory(
        participant=setting["came"],
        day=setting["day"],
        budget_line=setting["line"],
        note="Garde de ses deux enfants",
    )
    data = person_export(programme=programme, participant_id=setting["came"].pk, user=organiser)
    assert [(e["amount"], e["note"]) for e in data["expenses"]] == [
        ("14.20", "Garde de ses deux enfants")
    ]
    person_erase(participant=setting["came"], user=organiser)
    expense = Expense.objects.get()
    assert (expense.note, expense.amount) == ("", Decimal("14.20"))  # the accounts stay exact
