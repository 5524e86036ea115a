"""The organiser's GDPR journey in Chromium: export a person's data, then erase it, on a phone;
both pages pass axe-core (WCAG 2.1 A and AA) and fit 390 px."""

import json

import pytest
from playwright.sync_api import expect

from cotraining.personal_data import person_erase
from participants.models import Participant
from programmes.models import Membership
from tests import factories
from tests.conftest import PHONE, axe_violations, login
from tests.factories import build_training, give_records

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def _person():
    training = build_training(factories.ProgrammeFactory())
    organiser = factories.UserFactory(username="orga")
    factories.MembershipFactory(
        programme=training.programme, user=organiser, role=Membership.Role.ORGANISER
    )
    person = give_records(training, training.trainees[0], organiser=organiser)
    return training, person


def test_an_organiser_exports_then_erases_a_persons_data(phone_page, live_server):
    page = phone_page
    training, person = _person()
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{training.programme.slug}/participants/{person.pk}/")

    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter les données de cette personne").click()
    assert download.value.suggested_filename.endswith(".json")
    data = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert data["participant"]["last_name"] == person.last_name

    page.get_by_role("link", name="Effacer les données de cette personne").click()
    page.get_by_role("button", name="Effacer les données de cette personne").click()
    expect(page.get_by_text("Rien n’a été effacé")).to_be_visible()
    assert Participant.objects.get(pk=person.pk).erased_at is None

    page.get_by_label("Je comprends que les données personnelles").check()
    page.get_by_role("button", name="Effacer les données de cette personne").click()
    page.get_by_text("ont été effacées le").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == f"Personne effacée {person.pk}"
    assert page.locator("input[name=first_name]").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.csp_errors == []


def test_the_gdpr_pages_pass_axe_at_phone_width(a11y_page, live_server):
    page = a11y_page
    training, person = _person()
    login(page, live_server, "orga", factories.PASSWORD)
    edit = f"{live_server.url}/programmes/{training.programme.slug}/participants/{person.pk}/"
    problems = {}
    for url in (edit, f"{edit}erase/", "erased"):
        if url == "erased":  # the same page once the person is erased
            person_erase(participant=person, user=None)
            url = edit
        page.goto(url)
        width = page.evaluate("document.documentElement.scrollWidth")
        violations = axe_violations(page)
        if violations or width > PHONE["width"]:
            problems[page.url] = (width, violations)
    assert problems == {}
