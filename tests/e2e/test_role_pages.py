"""The main pages of each role, on the demo programmes, pass axe-core (WCAG 2.1 A and AA) and
fit a 390 px phone. The journeys' own tests cover the forms they fill; these are the pages each
person lands on and reads, with real data (two programmes, 28 trainees, nine half-days)."""

import pytest

from cotraining.demo import OPEN_SLUG, SLUG
from programmes.models import CityApplication, Funding
from sessions.models import Slot
from tests import factories
from tests.conftest import PHONE, axe_violations, login

pytestmark = pytest.mark.django_db(transaction=True)

OLD = f"/programmes/{SLUG}"
OPEN = f"/programmes/{OPEN_SLUG}"


def pages_of(role: str) -> list[str]:
    """The pages a person in that role opens first, with ids read from the demo."""
    open_applications = CityApplication.objects.filter(call__programme__slug=OPEN_SLUG)
    draft = open_applications.get(status=CityApplication.Status.DRAFT)
    bondy = open_applications.get(city__name="Bondy")
    stains = open_applications.get(city__name="Stains")
    slot = Slot.objects.filter(day__programme__slug=SLUG).order_by("day__date", "starts_at")[0]
    funding = Funding.objects.filter(programme__slug=SLUG).order_by("pk")[0]
    return {
        "organiser": [
            "/",
            f"{OLD}/",
            f"{OPEN}/",
            f"{OPEN}/edit/",
            f"{OPEN}/selection/close/",
            f"{OPEN}/applications/{stains.pk}/",
            f"{OLD}/finances/fundings/{funding.pk}/",
            f"{OLD}/finances/budget-lines/new/",
            f"{OLD}/participants/new/",
            f"{OLD}/timetable/days/new/",
            f"{OLD}/no-such-page/",
        ],
        "reviewer": [
            "/",
            f"{OPEN}/",
            f"{OPEN}/applications/",
            f"{OPEN}/applications/{bondy.pk}/",
            f"{OLD}/applications/",
        ],
        "facilitator": [
            f"{OLD}/",
            f"{OLD}/attendance/",
            f"{OLD}/attendance/{slot.pk}/",
            f"{OLD}/participation/",
        ],
        "funder": [f"{OLD}/", f"{OLD}/participation/", "/accessibility/"],
        "city": [
            "/",
            f"{OPEN}/",
            f"/apply/{OPEN_SLUG}/applications/{draft.pk}/",
            f"/apply/{OPEN_SLUG}/applications/{draft.pk}/withdraw/",
            f"/apply/{SLUG}/",
        ],
    }[role]


ROLES = ["organiser", "reviewer", "facilitator", "funder", "city"]


def test_the_main_pages_of_each_role_pass_axe_and_fit_a_phone(a11y_page, live_server, demo_pages):
    """One demo for the five roles (a build takes seconds); each role logs in afresh."""
    page = a11y_page
    assert page.viewport_size == PHONE
    problems = {}
    for role in ROLES:
        page.context.clear_cookies()  # nobody logged in, as in a new browser
        login(page, live_server, role, factories.PASSWORD)
        assert page.url != f"{live_server.url}/login/", f"{role} could not log in"
        for path in pages_of(role):
            page.goto(live_server.url + path)
            violations = axe_violations(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if violations or width > PHONE["width"]:
                problems[f"{role} {path}"] = {"axe": violations, "width": width}
    assert problems == {}
