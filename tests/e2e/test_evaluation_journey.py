"""The evaluation's journey: an organiser sends the end-of-training questionnaire, a participant
answers from their link on a phone, and the results page shows the new answer."""

import re

import pytest
from playwright.sync_api import expect

from participants.models import Category, EvaluationInvitation
from participants.services import response_submit
from programmes.models import Membership, OutboxMessage
from tests import factories
from tests.conftest import axe_violations, login

pytestmark = pytest.mark.django_db(transaction=True)
Role = Membership.Role


def test_a_participant_answers_on_a_phone_and_the_results_update(page, a11y_page, live_server):
    programme = factories.ProgrammeFactory()
    for index in range(5):
        factories.ParticipantFactory(
            programme=programme,
            category=Category.ACTIVIST,
            email=f"militant{index}@example.org",
        )
    user = factories.UserFactory(username="orga")
    factories.MembershipFactory(programme=programme, user=user, role=Role.ORGANISER)
    login(page, live_server, "orga", factories.PASSWORD)
    page.goto(f"{live_server.url}/programmes/{programme.slug}/evaluation/")
    page.get_by_role("button", name="Créer le questionnaire par défaut").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Envoyer le questionnaire : À la fin de la formation").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("5 personnes invitées : 5 par e-mail")).to_be_visible()

    # Four people answered already; the fifth answers from the link in their e-mail.
    invitations = list(EvaluationInvitation.objects.filter(round__moment="end"))
    first = invitations[0].round.questionnaire.questions.order_by("position").first()
    for invitation in invitations[:4]:
        response_submit(invitation=invitation, answers={first.pk: 4})
    last = invitations[4].participant
    message = OutboxMessage.objects.get(recipient=last.email)
    link = re.search(r"https?://\S+/evaluation/\S+/", message.body).group(0)

    phone = a11y_page
    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("Ce que la formation a changé")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(phone) == []
    question = phone.get_by_role("group", name="Je me sens à l’aise quand je parle en groupe.")
    question.get_by_label("5").check()
    phone.get_by_label("Que faut-il changer dans la formation ?").fill("Des pauses plus longues")
    phone.get_by_role("button", name="Envoyer mes réponses").click()
    expect(phone.get_by_role("heading", name="Merci !")).to_be_visible()
    assert axe_violations(phone) == []

    page.goto(f"{live_server.url}/programmes/{programme.slug}/evaluation/")
    page.get_by_role("link", name="Résultats : Ce que la formation a changé").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text(re.compile("5 réponses en tout"))).to_be_visible()
    expect(page.get_by_text("Des pauses plus longues")).to_be_visible()
    # The first question now has five answers: its row is shown (4, 4, 4, 4, 5: 4.2 on average).
    expect(
        page.get_by_role("row", name=re.compile("^À la fin de la formation 5 4,2 100 %"))
    ).to_be_visible()
    assert page.csp_errors == []


def test_the_public_results_page_passes_axe_on_a_phone(a11y_page, live_server):
    programme = factories.ProgrammeFactory(results_public=True, objectives="Mieux s’écouter.")
    questionnaire = factories.QuestionnaireFactory(programme=programme)
    scale = factories.QuestionFactory(questionnaire=questionnaire, text="Je suis bien")
    choice = factories.QuestionFactory(
        questionnaire=questionnaire, kind="choice", choices="Oui\nNon", text="Encore ?"
    )
    end = factories.EvaluationRoundFactory(questionnaire=questionnaire)
    factories.answer_many(end, scale, [5, 4, 3, 4, 5, 2])
    factories.answer_many(end, choice, ["Oui", "Oui", "Non", "Oui", "Oui"])
    page = a11y_page
    page.goto(f"{live_server.url}/results/{programme.slug}/")
    expect(page.get_by_role("img", name=re.compile("Je suis bien"))).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(page) == []
