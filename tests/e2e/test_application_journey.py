"""The main journey, in a real browser as a new user would: a city applies, a reviewer scores,
the organiser selects, and the city's triad appears among the participants."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Participant
from programmes.models import CityApplication, Membership, Programme
from tests import factories
from tests.conftest import axe_violations, log_out, login
from tests.factories import PDF_BYTES, make_triad

pytestmark = pytest.mark.django_db(transaction=True)
Role = Membership.Role


@pytest.fixture
def call(db):
    today = timezone.localdate()
    programme = factories.ProgrammeFactory(
        slug="seine-saint-denis-test",
        title="Co-formation Seine-Saint-Denis",
        status=Programme.Status.CALL_OPEN,
    )
    call = factories.CallFactory(
        programme=programme,
        title="Appel à candidatures 2015",
        opens_on=today - dt.timedelta(days=5),
        closes_on=today + dt.timedelta(days=25),
        published_at=timezone.now(),
        required_contribution=Decimal("500.00"),
        places=7,
    )
    for position, label in enumerate(["Engagement du trinôme", "Motivation"]):
        factories.SelectionCriterionFactory(call=call, label=label, position=position)
    for username, role in [("orga", Role.ORGANISER), ("relecteur", Role.REVIEWER)]:
        user = factories.UserFactory(username=username, first_name=username.title())
        factories.MembershipFactory(programme=programme, user=user, role=role)
    return call


def fill_member(page, prefix, first, last, position, email):
    page.locator(f"#id_{prefix}-first_name").fill(first)
    page.locator(f"#id_{prefix}-last_name").fill(last)
    page.locator(f"#id_{prefix}-position").fill(position)
    page.locator(f"#id_{prefix}-email").fill(email)
    page.locator(f"#id_{prefix}-commitment_given").check()


def test_city_applies_reviewer_scores_organiser_selects_participants_appear(
    page, live_server, call
):
    slug = call.programme.slug

    # The city's contact finds the call, creates an account and opens the city's draft.
    page.goto(f"{live_server.url}/apply/{slug}/")
    expect(page.get_by_role("heading", level=1, name="Appel à candidatures 2015")).to_be_visible()
    page.get_by_role("link", name="Candidater pour votre ville").click()
    page.locator("#id_first_name").fill("Claire")
    page.locator("#id_last_name").fill("Martin")
    page.locator("#id_email").fill("claire@ville-saint-denis.fr")
    page.get_by_label("Ou, si votre ville n’est pas dans la liste : son nom").fill("Saint-Denis")
    page.get_by_label("son code INSEE").fill("93066")
    page.get_by_label("son département (numéro)").fill("93")
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", level=1, name="Consultez votre messagerie")).to_be_visible()
    # The link of the e-mail: the password, then the draft.
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/confirm/" in line)
    page.goto(link)
    page.locator("#id_new_password1").fill("un-mot-de-passe-solide-42")
    page.locator("#id_new_password2").fill("un-mot-de-passe-solide-42")
    page.get_by_role("button", name="Envoyer ma demande").click()
    expect(page.get_by_text("vous avez demandé à candidater pour Saint-Denis")).to_be_visible()
    log_out(page)

    # Without an invitation link, an organiser confirms that she speaks for the city.
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{slug}/applications/")
    page.get_by_role("link", name="Demandes de candidature").click()
    page.get_by_role("button", name="Confirmer et ouvrir le brouillon").click()
    expect(page.get_by_text("est maintenant le contact de Saint-Denis")).to_be_visible()
    log_out(page)

    login(page, live_server, "claire@ville-saint-denis.fr", "un-mot-de-passe-solide-42")
    page.goto(f"{live_server.url}/apply/{slug}/")
    page.get_by_role("link", name="Voir la candidature").click()
    page.get_by_role("link", name="Remplir la candidature").click()
    expect(page.get_by_role("heading", level=1, name="Candidature : Saint-Denis")).to_be_visible()

    # A first try with too small a contribution says what is missing and keeps the draft.
    page.get_by_label("Quartiers prioritaires").fill("Franc-Moisin\nSemard")
    page.get_by_label("Motivation").fill("Installer les conseils citoyens avec les habitants.")
    page.get_by_label("Participation financière promise").fill("300")
    fill_member(page, "elected", "Anne", "Élue", "Adjointe au maire", "anne@ville.fr")
    fill_member(
        page, "professional1", "Paul", "Agent", "Chargé de démocratie locale", "paul@ville.fr"
    )
    fill_member(page, "delegate", "Marc", "Délégué", "Délégué du préfet", "marc@prefecture.fr")
    page.get_by_role("button", name="Déposer la candidature").click()
    expect(page.get_by_text("inférieure aux 500,00 € demandés")).to_be_visible()
    assert page.locator("#id_elected-last_name").input_value() == "Élue"

    page.get_by_label("Participation financière promise").fill("650")
    page.locator("#id_commitment_letter").set_input_files(
        files=[{"name": "lettre.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.get_by_role("button", name="Déposer la candidature").click()
    expect(page.get_by_text("La candidature est déposée")).to_be_visible()
    assert page.locator("[data-status]").first.inner_text() == "Déposée"
    log_out(page)

    # The organiser gives the application to a reviewer.
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{slug}/")
    page.get_by_role("link", name="Candidatures").click()
    page.get_by_role("link", name="Saint-Denis").click()
    page.get_by_label("Relecteur").check()
    page.get_by_role("button", name="Enregistrer les évaluateurs").click()
    expect(page.locator("[data-status]").first).to_have_text("En cours d’examen")
    log_out(page)

    # The reviewer scores it; only then do other reviews show.
    login(page, live_server, "relecteur", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{slug}/applications/")
    page.get_by_role("link", name="Saint-Denis").click()
    page.get_by_role("link", name="Évaluer cette candidature").click()
    for criterion in call.criteria.all():
        page.locator(f"input[name=score_{criterion.pk}][value='4']").check()
    page.get_by_label("Commentaire").fill("Trinôme complet et motivé.")
    page.get_by_label("Retenir", exact=True).check()
    page.get_by_role("button", name="Déposer mon évaluation").click()
    expect(page.get_by_text("Trinôme complet et motivé.")).to_be_visible()
    log_out(page)

    # The organiser selects the city on the board, in place.
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{slug}/")
    page.get_by_role("link", name="Sélection").click()
    card = page.locator("article.board-card", has_text="Saint-Denis")
    expect(card.get_by_text("Moyenne 4,0")).to_be_visible()
    card.get_by_label("Retenue", exact=True).check()
    card.get_by_label("Note").fill("Dossier exemplaire")
    card.get_by_role("button", name="Décider").click()
    page.locator("article.board-card [data-status='selected']").wait_for()
    assert page.locator("[data-figure=selected]").inner_text() == "1 ville retenue sur 7 places"

    # The triad is now among the participants of the programme.
    application = CityApplication.objects.get(city__insee_code="93066")
    assert application.status == CityApplication.Status.SELECTED
    names = set(
        Participant.objects.filter(programme=call.programme).values_list("last_name", flat=True)
    )
    assert names == {"Élue", "Agent", "Délégué"}
    page.goto(f"{live_server.url}/programmes/{slug}/participants/")
    for name in ("Élue", "Agent", "Délégué"):
        expect(page.get_by_text(name, exact=False).first).to_be_visible()
    assert page.csp_errors == []


def test_the_call_and_the_application_pages_pass_axe_at_phone_width(a11y_page, live_server, call):
    page = a11y_page
    slug = call.programme.slug
    contact = factories.UserFactory(username="contact")
    application = factories.CityApplicationFactory(
        call=call, status=CityApplication.Status.DRAFT, contact_user=contact
    )
    factories.MembershipFactory(
        programme=call.programme, user=contact, role=Role.CITY_CONTACT, application=application
    )
    page.goto(f"{live_server.url}/apply/{slug}/")
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/apply/{slug}/start/")
    assert axe_violations(page) == []
    login(page, live_server, "contact", factories.PASSWORD)
    page.goto(f"{live_server.url}/apply/{slug}/applications/{application.pk}/edit/")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    log_out(page)
    submitted = factories.CityApplicationFactory(call=call, contribution_pledged=Decimal("600"))
    make_triad(submitted)
    reviewer = Membership.objects.get(role=Role.REVIEWER).user
    factories.ReviewAssignmentFactory(application=submitted, reviewer=reviewer)
    login(page, live_server, "relecteur", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{slug}/applications/{submitted.pk}/review/")
    assert axe_violations(page) == []
    log_out(page)
    login(page, live_server, "orga", factories.PASSWORD)
    paths = [
        "applications/",
        "applications/requests/",
        f"applications/{submitted.pk}/",  # the draft stays with the city
        "selection/",
        "finances/",
        "call/",
    ]
    for path in paths:
        page.goto(f"{live_server.url}/programmes/{slug}/{path}")
        assert axe_violations(page) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
