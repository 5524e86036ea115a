"""The evaluation: questionnaires, personal links, anonymous answers, paper entry, reminders."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from participants.models import (
    Category,
    EvaluationInvitation,
    EvaluationResponse,
    EvaluationRound,
    Question,
)
from participants.selectors import SMALL_GROUP, evaluation_results
from participants.services import (
    evaluation_token,
    questionnaire_create_default,
    response_submit,
    round_remind,
    round_send,
)
from programmes.errors import Conflict
from programmes.models import Membership, OutboxMessage
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role


def _default(programme, organiser):
    return questionnaire_create_default(programme=programme, user=organiser)


def test_the_default_questionnaire_has_three_moments_and_plain_questions(programme, member):
    organiser = member(programme, Role.ORGANISER)
    questionnaire = _default(programme, organiser)
    moments = set(questionnaire.rounds.values_list("moment", flat=True))
    assert moments == {"before", "end", "later"}
    kinds = list(questionnaire.questions.values_list("kind", flat=True))
    assert {"scale", "choice", "text"} <= set(kinds)
    assert questionnaire.anonymous
    # Short sentences: one idea per question.
    assert all(len(text) <= 70 for text in questionnaire.questions.values_list("text", flat=True))


def test_the_default_questionnaire_is_in_french_for_a_french_organiser(programme, member):
    organiser = member(programme, Role.ORGANISER)
    with translation.override("fr"):
        questionnaire = _default(programme, organiser)
    texts = list(questionnaire.questions.values_list("text", flat=True))
    assert "Je me sens à l’aise quand je parle en groupe." in texts


def _round_with_people(programme, organiser, *, activists=2, professionals=1):
    questionnaire = _default(programme, organiser)
    for _index in range(activists):
        factories.ParticipantFactory(
            programme=programme, category=Category.ACTIVIST, email="", last_name=""
        )
    for _index in range(professionals):
        factories.ParticipantFactory(
            programme=programme, category=Category.CITY_PROFESSIONAL, email="pro@example.org"
        )
    factories.ParticipantFactory(programme=programme, category=Category.FACILITATOR)
    return questionnaire, questionnaire.rounds.get(moment="end")


def test_sending_invites_every_trainee_once_and_emails_those_with_an_address(
    programme, member, django_capture_on_commit_callbacks
):
    organiser = member(programme, Role.ORGANISER)
    _questionnaire, end = _round_with_people(programme, organiser)
    with django_capture_on_commit_callbacks(execute=True):
        sending = round_send(round=end, user=organiser, base_url="https://example.org")
    assert (sending.invited, sending.emailed, sending.on_paper) == (3, 1, 2)
    assert len(mail.outbox) == 1
    token_link = mail.outbox[0].body
    assert "https://example.org/evaluation/" in token_link
    # Facilitators are not trainees; a second sending invites nobody twice.
    again = round_send(round=end, user=organiser, base_url="")
    assert again.invited == 0
    assert EvaluationInvitation.objects.filter(round=end).count() == 3


def test_an_anonymous_answer_is_not_stored_with_the_person(programme, member):
    organiser = member(programme, Role.ORGANISER)
    questionnaire, end = _round_with_people(programme, organiser)
    round_send(round=end, user=organiser, base_url="")
    invitation = EvaluationInvitation.objects.filter(round=end).first()
    question = questionnaire.questions.filter(kind="scale").first()
    response_submit(invitation=invitation, answers={question.pk: 4})
    response = EvaluationResponse.objects.get()
    assert response.participant_id is None
    assert response.category == invitation.participant.category
    assert response.answers == {str(question.pk): 4}
    # Nothing on the row says when, nor follows an order: no time field, a random key.
    field_names = {field.name for field in EvaluationResponse._meta.get_fields()}
    assert not {"created_at", "updated_at", "answered_at"} & field_names
    assert not isinstance(response.pk, int)
    invitation.refresh_from_db()
    assert invitation.answered
    with pytest.raises(Conflict):
        response_submit(invitation=invitation, answers={question.pk: 2})
    assert EvaluationResponse.objects.count() == 1


def test_a_named_questionnaire_keeps_the_person(programme, member):
    organiser = member(programme, Role.ORGANISER)
    questionnaire, end = _round_with_people(programme, organiser)
    questionnaire.anonymous = False
    questionnaire.save()
    round_send(round=end, user=organiser, base_url="")
    invitation = EvaluationInvitation.objects.filter(round=end).first()
    response_submit(invitation=invitation, answers={})
    assert EvaluationResponse.objects.get().participant == invitation.participant


def test_a_participant_answers_from_the_link_without_an_account(client, programme, member):
    organiser = member(programme, Role.ORGANISER)
    questionnaire, end = _round_with_people(programme, organiser)
    round_send(round=end, user=organiser, base_url="")
    invitation = EvaluationInvitation.objects.filter(round=end).first()
    url = reverse("participants:evaluation_answer", args=[evaluation_token(invitation)])
    page = client.get(url)
    assert page.status_code == 200
    scale = questionnaire.questions.filter(kind="scale").first()
    text = questionnaire.questions.get(kind="text")
    answered = client.post(url, {f"q{scale.pk}": "5", f"q{text.pk}": "Plus de pauses"})
    assert answered.status_code == 200
    assert answered.context["thanks"] is True
    assert EvaluationResponse.objects.get().answers == {
        str(scale.pk): 5,
        str(text.pk): "Plus de pauses",
    }
    # The link answers once.
    client.post(url, {f"q{scale.pk}": "1"})
    assert EvaluationResponse.objects.count() == 1


def test_a_bad_answer_is_refused_and_kept_on_the_form(client, programme, member):
    organiser = member(programme, Role.ORGANISER)
    questionnaire, end = _round_with_people(programme, organiser)
    round_send(round=end, user=organiser, base_url="")
    invitation = EvaluationInvitation.objects.filter(round=end).first()
    url = reverse("participants:evaluation_answer", args=[evaluation_token(invitation)])
    scale = questionnaire.questions.filter(kind="scale").first()
    text = questionnaire.questions.get(kind="text")
    response = client.post(url, {f"q{scale.pk}": "9", f"q{text.pk}": "garder ce texte"})
    assert response.status_code == 400
    assert "garder ce texte" in response.content.decode()
    assert not EvaluationResponse.objects.exists()


def test_a_forged_link_answers_404(client):
    response = client.get(reverse("participants:evaluation_answer", args=["forged:token"]))
    assert response.status_code == 404


def test_reminders_go_only_to_those_who_have_not_answered(
    programme, member, django_capture_on_commit_callbacks
):
    organiser = member(programme, Role.ORGANISER)
    _questionnaire, end = _round_with_people(programme, organiser, activists=0, professionals=2)
    round_send(round=end, user=organiser, base_url="")
    first, second = EvaluationInvitation.objects.filter(round=end)
    response_submit(invitation=first, answers={})
    before = OutboxMessage.objects.count()
    sending = round_remind(round=end, user=organiser, base_url="")
    assert sending.emailed == 1
    assert OutboxMessage.objects.count() == before + 1
    assert OutboxMessage.objects.latest("pk").kind == OutboxMessage.Kind.REMINDER
    second.refresh_from_db()
    assert second.reminders == 1


def test_results_hide_groups_of_fewer_than_five(programme, member):
    questionnaire = factories.QuestionnaireFactory(programme=programme)
    question = factories.QuestionFactory(questionnaire=questionnaire)
    end = factories.EvaluationRoundFactory(questionnaire=questionnaire, moment="end")
    before = factories.EvaluationRoundFactory(questionnaire=questionnaire, moment="before")
    factories.answer_many(end, question, [5, 4, 4, 2, 1], category=Category.ACTIVIST)
    factories.answer_many(end, question, [5, 5], category=Category.ELECTED_OFFICIAL)
    factories.answer_many(before, question, [1, 2, 3, 4])
    with translation.override("en"):
        (results,) = evaluation_results(programme=programme)
    (item,) = results.questions
    by_label = {row.label: row for row in item.moments}
    end_row = by_label["At the end of the training"]
    assert (end_row.count, end_row.hidden) == (7, False)
    assert str(end_row.mean) == "3.7"  # 26 / 7
    assert str(end_row.rate) == "71.4"  # 5 of 7 answered 4 or 5
    assert by_label["Before the training"].hidden
    assert by_label["Before the training"].mean is None
    categories = {row.label: row for row in item.categories}
    assert not categories["ATD activist — At the end of the training"].hidden
    assert categories["Elected official — At the end of the training"].hidden
    assert SMALL_GROUP == 5


def test_written_answers_only_when_asked_for_and_never_in_small_groups(programme):
    questionnaire = factories.QuestionnaireFactory(programme=programme)
    question = factories.QuestionFactory(questionnaire=questionnaire, kind=Question.Kind.TEXT)
    end = factories.EvaluationRoundFactory(questionnaire=questionnaire, moment="end")
    later = factories.EvaluationRoundFactory(questionnaire=questionnaire, moment="later")
    factories.answer_many(end, question, ["b", "a", "c", "e", "d"])
    factories.answer_many(later, question, ["secret"])
    (public,) = evaluation_results(programme=programme)
    assert public.questions[0].texts == []
    with translation.override("en"):
        (organisers,) = evaluation_results(programme=programme, with_text=True)
    assert organisers.questions[0].texts == [
        ("At the end of the training", ["a", "b", "c", "d", "e"])
    ]


def test_results_take_four_queries_whatever_the_number_of_answers(programme):
    questionnaire = factories.QuestionnaireFactory(programme=programme)
    question = factories.QuestionFactory(questionnaire=questionnaire)
    end = factories.EvaluationRoundFactory(questionnaire=questionnaire)
    factories.answer_many(end, question, [1])
    with CaptureQueriesContext(connection) as few:
        evaluation_results(programme=programme)
    factories.QuestionFactory(questionnaire=questionnaire, kind="choice", choices="a\nb")
    factories.EvaluationRoundFactory(questionnaire=questionnaire, moment="later")
    factories.answer_many(end, question, list(range(1, 6)) * 20)
    with CaptureQueriesContext(connection) as many:
        evaluation_results(programme=programme)
    assert len(few) == len(many) == 4


def test_the_questions_cannot_change_once_someone_answered(client, programme, member):
    organiser = member(programme, Role.ORGANISER)
    questionnaire, end = _round_with_people(programme, organiser)
    round_send(round=end, user=organiser, base_url="")
    response_submit(invitation=EvaluationInvitation.objects.first(), answers={})
    client.force_login(organiser)
    question = questionnaire.questions.first()
    response = client.post(
        reverse("participants:question_delete", args=[programme.slug, question.pk])
    )
    assert response.status_code == 409
    assert Question.objects.filter(pk=question.pk).exists()


def test_a_facilitator_types_in_paper_answers_and_the_round_counts_them(client, programme, member):
    organiser = member(programme, Role.ORGANISER)
    facilitator = member(programme, Role.FACILITATOR)
    questionnaire, end = _round_with_people(programme, organiser)
    round_send(round=end, user=organiser, base_url="")
    invitation = EvaluationInvitation.objects.filter(
        round=end, participant__category=Category.ACTIVIST
    ).first()
    client.force_login(facilitator)
    url = reverse("participants:paper_entry", args=[programme.slug, invitation.pk])
    assert client.get(url).status_code == 200
    scale = questionnaire.questions.filter(kind="scale").first()
    response = client.post(url, {f"q{scale.pk}": "3"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.answered
    page = client.get(
        reverse("participants:questionnaire", args=[programme.slug, questionnaire.pk])
    )
    progress = {item.round.moment: item for item, _form in page.context["rounds"]}["end"]
    assert (progress.answered, progress.invited, len(progress.waiting)) == (1, 3, 2)


def test_the_questionnaire_page_lists_who_has_not_answered_in_a_fixed_number_of_queries(
    client, programme, member, django_assert_num_queries
):
    organiser = member(programme, Role.ORGANISER)
    questionnaire, end = _round_with_people(programme, organiser, activists=1, professionals=0)
    round_send(round=end, user=organiser, base_url="")
    client.force_login(organiser)
    url = reverse("participants:questionnaire", args=[programme.slug, questionnaire.pk])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _index in range(15):
        factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST)
    round_send(round=end, user=organiser, base_url="")
    with CaptureQueriesContext(connection) as many:
        page = client.get(url)
    assert len(few) == len(many)
    path = reverse("participants:paper_entry", args=[programme.slug, 1]).rsplit("/", 3)[0]
    assert page.content.decode().count(path + "/") == 16


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ORGANISER, 200),
        (Role.FACILITATOR, 200),
        (Role.FUNDER, 404),
        (Role.REVIEWER, 404),
    ],
)
def test_who_may_open_a_questionnaire(client, programme, member, role, status):
    questionnaire = factories.QuestionnaireFactory(programme=programme)
    client.force_login(member(programme, role))
    url = reverse("participants:questionnaire", args=[programme.slug, questionnaire.pk])
    assert client.get(url).status_code == status
    assert (
        client.get(
            reverse("participants:questionnaire_print", args=[programme.slug, questionnaire.pk])
        ).status_code
        == status
    )


def test_another_programmes_questionnaire_answers_404(client, programme, member):
    other = factories.QuestionnaireFactory()
    client.force_login(member(programme, Role.ORGANISER))
    url = reverse("participants:questionnaire", args=[programme.slug, other.pk])
    assert client.get(url).status_code == 404


def test_only_organisers_send(client, programme, member):
    questionnaire = factories.QuestionnaireFactory(programme=programme)
    end = factories.EvaluationRoundFactory(questionnaire=questionnaire)
    client.force_login(member(programme, Role.FACILITATOR))
    url = reverse("participants:round_update", args=[programme.slug, end.pk])
    assert client.post(url, {"action": "send"}).status_code == 404
    assert EvaluationRound.objects.get(pk=end.pk).sent_at is None


def test_erasing_a_person_unlinks_their_named_answers_and_drops_their_words(programme, member):
    from cotraining.personal_data import person_erase

    organiser = member(programme, Role.ORGANISER)
    questionnaire, end = _round_with_people(programme, organiser, activists=0, professionals=1)
    questionnaire.anonymous = False
    questionnaire.save()
    round_send(round=end, user=organiser, base_url="")
    invitation = EvaluationInvitation.objects.get(round=end)
    scale = questionnaire.questions.filter(kind="scale").first()
    text = questionnaire.questions.get(kind="text")
    response_submit(invitation=invitation, answers={scale.pk: 3, text.pk: "Moi, Zoé, je pense"})
    person_erase(participant=invitation.participant, user=organiser)
    response = EvaluationResponse.objects.get()
    assert response.participant_id is None
    assert response.answers == {str(scale.pk): 3}
