"""What a person sees after acting, on a phone: an error far down a long page is brought into
view, and an in-place update never trips the Content Security Policy."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import CityApplication, Membership, Programme
from tests import factories
from tests.conftest import login
from tests.factories import build_training, make_triad

pytestmark = pytest.mark.django_db(transaction=True)
Role = Membership.Role


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_an_error_at_the_bottom_of_a_long_page_is_brought_into_view(phone_page, live_server):
    """Reopening a signed sheet without a reason: the sheet lists every trainee above the form,
    and the answer came back scrolled to the top, showing nothing wrong."""
    page = phone_page
    training = build_training(factories.ProgrammeFactory(), cities=5, activists=4)
    slot = training.slot
    slot.closed_at = timezone.now()
    slot.save(update_fields=["closed_at"])
    user = factories.UserFactory(username="orga")
    factories.MembershipFactory(programme=training.programme, user=user, role=Role.ORGANISER)
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{training.programme.slug}/attendance/{slot.pk}/")
    page.get_by_role("button", name="Rouvrir la feuille").click()
    page.wait_for_load_state("networkidle")

    reason = page.get_by_label("Pourquoi rouvrir cette feuille ?")
    expect(reason).to_be_focused()
    assert in_view(page, reason)
    assert in_view(page, page.get_by_text("Ce champ est obligatoire."))
    assert page.csp_errors == []


def test_a_resized_note_does_not_break_the_policy_when_the_board_updates(page, live_server):
    """htmx settles the attributes of a swapped card; copying a style attribute (a note field
    the organiser resized) is an inline style the Content Security Policy blocks."""
    today = timezone.localdate()
    programme = factories.ProgrammeFactory(status=Programme.Status.SELECTION)
    call = factories.CallFactory(
        programme=programme,
        opens_on=today - dt.timedelta(days=30),
        closes_on=today - dt.timedelta(days=1),
        published_at=timezone.now(),
        required_contribution=Decimal("500"),
        places=2,
    )
    application = factories.CityApplicationFactory(
        call=call, status=CityApplication.Status.UNDER_REVIEW, city__name="Bondy"
    )
    make_triad(application)
    user = factories.UserFactory(username="orga")
    factories.MembershipFactory(programme=programme, user=user, role=Role.ORGANISER)
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{programme.slug}/selection/")

    card = page.locator(f"#card-{application.pk}")
    card.locator("textarea").evaluate("note => { note.style.height = '9rem'; }")  # a resize
    card.get_by_label("Retenue", exact=True).check()
    card.get_by_role("button", name="Décider").click()

    expect(page.locator(f'#card-{application.pk} [data-status="selected"]')).to_be_visible()
    expect(page.locator('[data-figure="selected"]')).to_contain_text("1 ville retenue")
    assert page.csp_errors == []


def test_a_review_sent_without_scores_keeps_one_to_five_on_one_line(phone_page, live_server):
    """The message under a missing score used to sit beside the 5 and push it to a line of its
    own: 1 2 3 4 / 5."""
    page = phone_page
    call = factories.CallFactory(published_at=timezone.now())
    factories.SelectionCriterionFactory(call=call, label="Engagement du trinôme")
    application = factories.CityApplicationFactory(call=call, city__name="Bondy")
    reviewer = factories.UserFactory(username="relecteur")
    factories.MembershipFactory(programme=call.programme, user=reviewer, role=Role.REVIEWER)
    factories.ReviewAssignmentFactory(application=application, reviewer=reviewer)
    login(page, live_server, "relecteur", factories.PASSWORD)
    page.goto(
        f"{live_server.url}/programmes/{call.programme.slug}/applications/{application.pk}/review/"
    )
    page.get_by_role("button", name="Déposer mon évaluation").click()
    page.wait_for_load_state("networkidle")

    expect(page.get_by_text("Donnez une note de 1 à 5.")).to_be_visible()
    tops = [
        page.get_by_label(str(score), exact=True).first.bounding_box()["y"] for score in range(1, 6)
    ]
    assert len(set(tops)) == 1, tops
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_tap_after_the_session_expired_leads_to_log_in_and_back(phone_page, live_server):
    """The tap used to look saved: htmx got the login page (the redirect followed inside its
    request), swapped nothing, and the line kept its old "marked by" text."""
    page = phone_page
    training = build_training(factories.ProgrammeFactory(), cities=1, activists=1)
    user = factories.UserFactory(username="anim")
    factories.MembershipFactory(programme=training.programme, user=user, role=Role.FACILITATOR)
    login(page, live_server, "anim", factories.PASSWORD)
    sheet = f"/programmes/{training.programme.slug}/attendance/{training.slot.pk}/"
    page.goto(live_server.url + sheet)
    cookies = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(cookies)  # the session is gone, the page is still open

    page.locator("fieldset.att-row").first.locator("label", has_text="Absent").click()
    page.wait_for_url(f"**/login/?next={sheet}")
    page.get_by_label("Nom d’utilisateur").fill("anim")
    page.get_by_label("Mot de passe").fill(factories.PASSWORD)
    page.locator("main").get_by_role("button", name="Connexion").click()
    page.wait_for_url(f"**{sheet}")
    assert not training.slot.attendances.exists()  # and the sheet shows nothing was saved
    assert page.csp_errors == []


def test_a_decision_on_a_file_gone_meanwhile_says_it_failed(page, live_server):
    """htmx does not swap a 404 or a 500: the board used to stay as it was, silently."""
    programme = factories.ProgrammeFactory(status=Programme.Status.SELECTION)
    call = factories.CallFactory(programme=programme, published_at=timezone.now())
    application = factories.CityApplicationFactory(
        call=call, status=CityApplication.Status.UNDER_REVIEW
    )
    make_triad(application)
    user = factories.UserFactory(username="orga")
    factories.MembershipFactory(programme=programme, user=user, role=Role.ORGANISER)
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{programme.slug}/selection/")
    expect(page.get_by_role("alert")).to_have_count(0)
    card = page.locator(f"#card-{application.pk}")
    application.delete()  # another organiser's doing, say

    card.get_by_label("Retenue", exact=True).check()
    card.get_by_role("button", name="Décider").click()
    expect(page.get_by_role("alert")).to_contain_text("rien n’a été enregistré")
