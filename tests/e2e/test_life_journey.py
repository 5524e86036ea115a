"""The life of a programme, at desktop and phone width: the organiser follows the set-up
checklist, publishes the call; two cities apply, one is selected and one waitlisted; the
selected one withdraws after the selection, the waitlisted one is given its place, a triad
member is replaced, a day is held; the stage follows, and axe-core finds nothing.

Steps another journey already clicks (applying, deciding, closing the selection, marking a
sheet) are done through the services; the steps of this issue are clicked."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from participants.models import Participant
from programmes import services
from programmes.models import CityApplication, Membership, Programme
from tests import factories
from tests.conftest import PHONE, axe_violations, login
from tests.factories import make_triad

pytestmark = pytest.mark.django_db(transaction=True)
Role = Membership.Role
Status = CityApplication.Status
DESKTOP = {"width": 1280, "height": 900}


def _clean(page) -> None:
    assert axe_violations(page) == [], page.url


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_programme_from_its_set_up_to_a_replaced_triad_member(browser, live_server, viewport):
    context = browser.new_context(viewport=viewport, locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    today = timezone.localdate()
    programme = factories.ProgrammeFactory(
        status=Programme.Status.DRAFT,
        start_date=today + dt.timedelta(days=40),
        end_date=today + dt.timedelta(days=41),
    )
    organiser = factories.UserFactory(username="orga")
    factories.MembershipFactory(programme=programme, user=organiser, role=Role.ORGANISER)
    overview = f"{live_server.url}/programmes/{programme.slug}/"

    # A new programme: its stage, and a checklist whose links lead to each step.
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(overview)
    expect(page.locator("[data-stage]").first).to_have_text("En préparation")
    expect(page.locator('[data-check="dates"]')).to_have_attribute("data-done", "true")
    expect(page.locator('[data-check="call"]')).to_have_attribute("data-done", "false")
    _clean(page)
    page.locator('[data-check="call"] a').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("L’appel à candidatures")
    rows = page.locator(".criterion-row").count()
    page.get_by_role("button", name="Ajouter un critère").click()
    expect(page.locator(".criterion-row")).to_have_count(rows + 1)
    page.locator(f"#id_criteria-{rows}-label").fill("Ancrage dans les quartiers")
    page.locator("#id_opens_on").fill(today.isoformat())
    page.locator("#id_closes_on").fill((today + dt.timedelta(days=10)).isoformat())
    page.locator("#id_required_contribution").fill("500")
    page.locator("#id_places").fill("1")
    page.get_by_role("button", name="Enregistrer l’appel").click()
    _clean(page)
    page.get_by_role("button", name="Publier l’appel").click()
    page.goto(overview)
    expect(page.locator("[data-stage]").first).to_have_text("Appel ouvert")
    expect(page.locator('[data-check="call"]')).to_have_attribute("data-done", "true")
    assert programme.call.criteria.filter(label="Ancrage dans les quartiers").exists()

    # The rest of the set-up, as other pages do it, ticks the list.
    factories.MembershipFactory(programme=programme, role=Role.FACILITATOR)
    factories.FundingFactory(programme=programme)
    factories.BudgetLineFactory(programme=programme)
    day = factories.TrainingDayFactory(programme=programme, date=programme.start_date)
    first = factories.SlotFactory(day=day, part="morning")
    second = factories.SlotFactory(day=day, part="afternoon")
    factories.PeerGroupFactory(programme=programme)
    page.reload()
    expect(page.locator('.setup-checklist [data-done="false"]')).to_have_count(0)

    # Two cities apply; one is selected, one waitlisted; the selection closes.
    call = programme.call
    contacts, applications = [], []
    for index in range(2):
        contact = factories.UserFactory(username=f"ville{index}")
        application = factories.CityApplicationFactory(
            call=call,
            contact_user=contact,
            submitted_at=timezone.now(),
            contribution_pledged=Decimal("650.00"),
            priority_neighbourhoods="Franc-Moisin",
        )
        make_triad(application)
        factories.MembershipFactory(
            programme=programme, user=contact, role=Role.CITY_CONTACT, application=application
        )
        contacts.append(contact)
        applications.append(application)
    selected, waitlisted = applications
    services.application_decide(actor=organiser, application=selected, decision=Status.SELECTED)
    services.application_decide(actor=organiser, application=waitlisted, decision=Status.WAITLISTED)
    services.selection_close(actor=organiser, call=call, base_url=live_server.url)
    page.goto(overview)
    expect(page.locator("[data-stage]").first).to_have_text("Prêt pour la formation")

    # The selected city withdraws.
    context.clear_cookies()
    login(page, live_server, "ville0", factories.PASSWORD)
    page.goto(f"{live_server.url}/apply/{programme.slug}/applications/{selected.pk}/")
    _clean(page)
    page.get_by_role("link", name="Retirer la candidature").click()
    page.get_by_label("Motif (facultatif)").fill("Élections municipales")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Retirer").click()
    page.wait_for_load_state("networkidle")
    selected.refresh_from_db()
    assert selected.status == Status.WITHDRAWN

    # The board shows the free place; the waitlisted city is given it.
    context.clear_cookies()
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{programme.slug}/selection/")
    expect(page.locator('[data-figure="free-places"]')).to_contain_text("1 place libre")
    expect(page.locator('[data-figure="selected"]')).to_have_text("0 ville retenue sur 1 place")
    _clean(page)
    page.get_by_role("button", name=f"Donner la place libre à {waitlisted.city.name}").click()
    expect(page.locator('[data-figure="selected"]')).to_have_text("1 ville retenue sur 1 place")
    waitlisted.refresh_from_db()
    assert waitlisted.status == Status.SELECTED

    # A triad member is replaced from the second half-day.
    leaving = Participant.objects.filter(nominee__application=waitlisted).first()
    page.goto(overview)
    page.get_by_role("link", name="Remplacer un membre d’un trinôme").click()
    page.wait_for_url("**/participants/replace/")
    _clean(page)
    page.get_by_label("Qui part").select_option(str(leaving.pk))
    page.get_by_label("La nouvelle personne est attendue à partir de").select_option(str(second.pk))
    page.get_by_label("Prénom de la nouvelle personne").fill("Nadia")
    page.get_by_role("button", name="Remplacer", exact=True).click()
    expect(page.locator("[data-stage]").first).to_have_text("Prêt pour la formation")
    leaving.refresh_from_db()
    assert not leaving.is_active
    newcomer = Participant.objects.get(first_name="Nadia")

    # A day is held: the stage follows.
    for person in Participant.objects.filter(programme=programme, is_active=True):
        if person.pk != newcomer.pk:
            factories.AttendanceFactory(slot=first, participant=person)
    factories.AttendanceFactory(slot=first, participant=leaving)
    page.reload()
    expect(page.locator("[data-stage]").first).to_have_text("Formation en cours")
    _clean(page)
    context.close()
