"""At 390 px the header and a programme's menu leave the content high on the page, the folded
header menu opens by keyboard, and the pages with table boxes inside titled sections pass
axe-core's best-practice rules too (landmark-unique: a section and its table box labelled alike)."""

import pytest
from playwright.sync_api import expect

from cotraining.demo import SLUG
from sessions.models import Attendance
from tests import factories
from tests.conftest import PHONE, axe_violations, login

pytestmark = pytest.mark.django_db(transaction=True)

OLD = f"/programmes/{SLUG}"
CONTENT_TOP = "document.querySelector('main h1').getBoundingClientRect().top + window.scrollY"


def test_the_phone_header_the_desktop_header_and_the_table_boxes(
    phone_page, page, a11y_page, live_server, demo_pages
):
    """Three checks on one demo (a build takes seconds); the one that adds a row runs last."""
    at_390_px_the_content_starts_within_120_px_and_the_menus_work(phone_page, live_server)
    a_desktop_shows_the_header_unfolded(page, live_server)
    the_pages_with_table_boxes_pass_axe_best_practices(a11y_page, live_server)


def at_390_px_the_content_starts_within_120_px_and_the_menus_work(page, live_server):
    # ``page`` is under the real Content Security Policy: the menu's script must run under it.
    assert page.viewport_size == PHONE
    login(page, live_server, "organiser", factories.PASSWORD)
    tops = {}
    for path in [
        "/",
        f"{OLD}/",
        f"{OLD}/participants/",
        f"{OLD}/participation/",
        f"{OLD}/attendance/",
        f"{OLD}/reports/",
        f"{OLD}/journal/",
        f"{OLD}/notifications/",
    ]:
        page.goto(live_server.url + path)
        tops[path] = page.evaluate(CONTENT_TOP)
    assert all(top <= 120 for top in tops.values()), tops
    assert page.csp_errors == []

    # The current section is marked, and scrolled into view in the one-line menu.
    current = page.locator(".programme-nav [aria-current='page']")
    assert current.inner_text() == "Notifications"
    box = current.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + box["width"] <= PHONE["width"]

    # The header's controls are folded behind "Menu", which opens and closes by keyboard.
    toggle = page.get_by_role("button", name="Menu")
    language = page.get_by_label("Langue")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(language).to_be_hidden()
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(language).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
    language.focus()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(language).to_be_hidden()
    assert page.evaluate("document.activeElement.hasAttribute('data-menu-toggle')")


def a_desktop_shows_the_header_unfolded(page, live_server):
    login(page, live_server, "organiser", factories.PASSWORD)
    page.goto(f"{live_server.url}{OLD}/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_label("Langue")).to_be_visible()


def the_pages_with_table_boxes_pass_axe_best_practices(page, live_server):
    # A sheet with a history of changes (its table box sits in the "History" section).
    attendance = Attendance.objects.filter(slot__day__programme__slug=SLUG).first()
    factories.AttendanceChangeFactory(
        attendance=attendance, old_status=Attendance.Status.ABSENT, note="Arrivée à 10 h"
    )
    slot_id = attendance.slot_id
    login(page, live_server, "organiser", factories.PASSWORD)
    problems = {}
    for path in [
        f"{OLD}/participants/",
        f"{OLD}/participation/",
        f"{OLD}/peer-groups/",
        f"{OLD}/attendance/{slot_id}/",
        f"{OLD}/journal/",
        f"{OLD}/team/",
        f"{OLD}/reports/",
    ]:
        page.goto(live_server.url + path)
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        violations = axe_violations(page, best_practices=True)
        if violations:
            problems[path] = violations
    assert problems == {}
