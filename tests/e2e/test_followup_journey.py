"""After the training, on a phone: a city contact records their citizens' council's first
meeting from their city page; an organiser records an expense booked for an activist; every
page passes axe-core and fits 390 px."""

import datetime as dt

import pytest

from participants.models import Category
from programmes.models import BudgetLine, CityApplication, CouncilMilestone, Membership
from sessions.models import Expense
from tests import factories
from tests.conftest import PHONE, axe_violations, log_out, login

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
Role = Membership.Role


def _check(page, problems: dict) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    violations = axe_violations(page)
    if violations or width > PHONE["width"]:
        problems[page.url] = (width, violations)


def test_a_city_records_its_first_meeting_and_an_organiser_books_an_activists_trip(
    a11y_page, live_server
):
    page = a11y_page
    programme = factories.ProgrammeFactory(status="closed")
    application = factories.CityApplicationFactory(
        call__programme=programme, status=CityApplication.Status.SELECTED
    )
    contact = factories.UserFactory(username="ville")
    factories.MembershipFactory(
        programme=programme, user=contact, role=Role.CITY_CONTACT, application=application
    )
    organiser = factories.UserFactory(username="orga")
    factories.MembershipFactory(programme=programme, user=organiser, role=Role.ORGANISER)
    day = factories.TrainingDayFactory(programme=programme, date=dt.date(2015, 1, 22))
    slot = factories.SlotFactory(day=day)
    activist = factories.ParticipantFactory(
        programme=programme, category=Category.ACTIVIST, first_name="Rose", last_name="Lemaire"
    )
    factories.AttendanceFactory(participant=activist, slot=slot)
    factories.BudgetLineFactory(
        programme=programme, category=BudgetLine.Category.ACTIVISTS, label="Transport des militants"
    )
    atd = factories.OrganisationFactory(name="ATD Quart Monde")
    problems = {}

    # The city contact, from their city page.
    login(page, live_server, "ville", factories.PASSWORD)
    page.goto(f"{live_server.url}/apply/{programme.slug}/applications/{application.pk}/")
    page.get_by_role(
        "link", name="Les suites : votre plan d’action et votre conseil citoyen"
    ).click()
    _check(page, problems)
    page.locator("#id_kind").select_option("first_meeting")
    page.locator("#id_date").fill("2015-05-12")
    page.locator("#id_note").fill("Vingt-quatre membres à la maison de quartier.")
    page.get_by_role("button", name="Noter cette étape").click()
    page.get_by_text("L’étape est enregistrée. Merci.").wait_for()
    assert page.locator('[data-kind="first_meeting"]').inner_text().count("2015") == 1
    milestone = CouncilMilestone.objects.get(application=application)
    assert (milestone.kind, milestone.date) == ("first_meeting", dt.date(2015, 5, 12))
    _check(page, problems)
    log_out(page)

    # The organiser books the activist's trip (no advance).
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{programme.slug}/expenses/")
    page.get_by_role("link", name="Enregistrer des frais").first.click()
    _check(page, problems)
    page.locator("#id_participant").select_option(label="Rose Lemaire")
    page.locator("#id_day").select_option(str(day.pk))
    page.locator("#id_kind").select_option("transport")
    page.locator("#id_amount").fill("14.20")
    page.locator("#id_mode").select_option("booked")
    page.locator("#id_status").select_option("paid")
    page.locator("#id_payer").select_option(str(atd.pk))
    page.locator("#id_budget_line").select_option(label="Transport des militants")
    page.get_by_role("button", name="Enregistrer").click()
    page.locator("[data-expense]").first.wait_for()
    expense = Expense.objects.get()
    assert (expense.participant, expense.mode, expense.status) == (activist, "booked", "paid")
    assert "Rose Lemaire" in page.locator("[data-expense]").inner_text()
    _check(page, problems)
    page.goto(f"{live_server.url}/programmes/{programme.slug}/follow-up/")
    _check(page, problems)
    assert problems == {}
