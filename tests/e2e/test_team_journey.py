"""A programme runs without an administrator, in a real browser: an organiser creates a
programme and invites a reviewer, a facilitator and a funder; each accepts from the e-mail's
link, logs in and sees what their role allows; the reviewer is e-mailed an assignment; the
organiser, who forgot their password, resets it."""

import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from programmes.models import CityApplication, Membership, Programme
from tests import factories
from tests.conftest import axe_violations, log_out, login

pytestmark = pytest.mark.django_db(transaction=True)
Role = Membership.Role
PASSWORD = "un-mot-de-passe-solide-42"
INVITATION = re.compile(r"https?://\S+/invitations/\S+/")
RESET = re.compile(r"https?://\S+/password/reset/\S+/")


def last_link(pattern, to: str) -> str:
    message = [m for m in mail.outbox if m.to == [to]][-1]
    return pattern.search(message.body).group(0)


def nav_links(page) -> set[str]:
    return set(page.locator(".programme-nav a").all_inner_texts())


def test_an_organiser_builds_a_team_that_each_join_from_the_e_mail(page, a11y_page, live_server):
    # Someone who already organises a programme may create another one.
    organiser = factories.UserFactory(
        username="orga", first_name="Claire", email="claire@example.org"
    )
    factories.MembershipFactory(user=organiser, role=Role.ORGANISER)
    organiser.set_password(PASSWORD)
    organiser.save()
    login(page, live_server, "orga", PASSWORD)
    page.goto(f"{live_server.url}/programmes/new/")
    page.locator("#id_title").fill("Co-formation Bobigny 2027")
    page.locator("#id_slug").fill("bobigny-2027")
    page.get_by_role("button", name="Créer le programme").click()
    page.get_by_role("link", name="Équipe", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="L’équipe du programme")).to_be_visible()

    # Three invitations, one per role; the funder's names its funding body.
    invited = {
        "relecteur@example.org": "reviewer",
        "animatrice@example.org": "facilitator",
        "financeur@example.org": "funder",
    }
    for email, role in invited.items():
        page.locator("#id_email").fill(email)
        page.locator("#id_role").select_option(role)
        if role == "funder":
            page.locator("#id_new_organisation").fill("Préfecture de la Seine-Saint-Denis")
        page.get_by_role("button", name="Envoyer l’invitation").click()
        expect(page.get_by_text(f"L’invitation est envoyée à {email}.")).to_be_visible()
    assert page.locator("[data-invitation]").count() == 3
    assert axe_violations_of(a11y_page, live_server, "orga", page.url) == []

    programme = Programme.objects.get(slug="bobigny-2027")
    application = factories.CityApplicationFactory(
        call__programme=programme,
        status=CityApplication.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    log_out(page)

    # Each one follows the link of their e-mail, creates their account, then logs in again.
    expected = {
        "reviewer": ("Candidatures", "Vue d’ensemble"),
        "facilitator": ("Émargement", "Participants"),
        "funder": ("Rapports", "Participation"),
    }
    for email, role in invited.items():
        page.goto(last_link(INVITATION, email))
        page.locator("#id_first_name").fill(role.title())
        page.locator("#id_last_name").fill("Invité")
        page.locator("#id_password1").fill(PASSWORD)
        page.locator("#id_password2").fill(PASSWORD)
        page.get_by_role("button", name="Créer mon compte et rejoindre").click()
        expect(page.get_by_text("Bienvenue dans l’équipe")).to_be_visible()
        log_out(page)
        login(page, live_server, email, PASSWORD)
        page.goto(f"{live_server.url}/programmes/bobigny-2027/")
        links = nav_links(page)
        assert set(expected[role]) <= links, (role, links)
        assert "Équipe" not in links
        assert "Budget et financements" not in links
        response = page.goto(f"{live_server.url}/programmes/bobigny-2027/team/")
        assert response.status == 404
        log_out(page)

    # The organiser assigns the file to the new reviewer, who is told by e-mail.
    login(page, live_server, "orga", PASSWORD)
    page.goto(f"{live_server.url}/programmes/bobigny-2027/applications/{application.pk}/")
    page.get_by_label("Reviewer Invité").check()
    page.get_by_role("button", name="Enregistrer les évaluateurs").click()
    assert [m for m in mail.outbox if m.to == ["relecteur@example.org"]][-1].subject.startswith(
        "Une candidature à évaluer"
    )
    log_out(page)

    # The organiser forgot their password: the login page leads to a new one.
    page.goto(f"{live_server.url}/login/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.locator("#id_email").fill("claire@example.org")
    page.get_by_role("button", name="M’envoyer le lien").click()
    expect(page.get_by_role("heading", name="Regardez vos courriels")).to_be_visible()
    page.goto(last_link(RESET, "claire@example.org"))
    new = "un-tout-nouveau-mot-de-passe-7"
    page.locator("#id_new_password1").fill(new)
    page.locator("#id_new_password2").fill(new)
    page.get_by_role("button", name="Enregistrer mon nouveau mot de passe").click()
    expect(
        page.get_by_role("heading", name="Votre nouveau mot de passe est enregistré")
    ).to_be_visible()
    login(page, live_server, "orga", new)
    expect(page.get_by_role("heading", name="Mes programmes")).to_be_visible()
    expect(page.get_by_role("link", name="Co-formation Bobigny 2027")).to_be_visible()
    assert page.csp_errors == []


def axe_violations_of(a11y_page, live_server, username, url) -> list[dict]:
    """The team page checked with axe-core on a phone, in a context of its own."""
    login(a11y_page, live_server, username, PASSWORD)
    a11y_page.goto(url)
    return axe_violations(a11y_page)
