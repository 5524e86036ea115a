"""The demo's evaluation: the default questionnaire asked before the training, at its end and
six months later, with invented answers drawn from a fixed seed (the same on every build), and
the public results page switched on."""

import datetime as dt
import random
import uuid

from django.utils import translation

from participants.models import (
    EvaluationInvitation,
    EvaluationResponse,
    Moment,
    Participant,
    Question,
)
from participants.services import questionnaire_create_default
from programmes.models import Programme

TZ = dt.UTC
# How many of the 28 trainees answered at each moment, and how the scale answers moved: the
# training made people more at ease, and six months later a little of it had faded.
ANSWERED = {Moment.BEFORE: 24, Moment.END: 26, Moment.LATER: 19}
SCALE_CENTRE = {Moment.BEFORE: 2.4, Moment.END: 4.1, Moment.LATER: 3.8}
CHOICES = {
    Moment.BEFORE: ("Peut-être", "Peut-être", "Non", "Oui"),
    Moment.END: ("Oui", "Oui", "Peut-être", "Oui"),
    Moment.LATER: ("Oui", "Oui", "Non", "Peut-être"),
}
WRITTEN = {
    Moment.BEFORE: ("J’ai peur de ne pas oser parler.", "Je ne sais pas encore."),
    Moment.END: (
        "Plus de temps en groupe de pairs.",
        "Des pauses plus longues.",
        "Refaire une journée dans un an.",
        "Moins de papiers à lire.",
        "Continuer à se voir entre villes.",
    ),
    Moment.LATER: (
        "Un suivi dans chaque ville.",
        "Inviter aussi les nouveaux élus.",
        "Une rencontre tous les six mois.",
    ),
}


def build_evaluation(*, programme: Programme, organiser, trainees: list[Participant]) -> None:
    """The questionnaire, its three moments sent on fixed dates, who answered, and their
    answers (anonymous: only the category is kept); then the public results page is opened."""
    rng = random.Random(2015)  # noqa: S311 - invented answers, the same on every build
    with translation.override("fr"):
        questionnaire = questionnaire_create_default(programme=programme, user=organiser)
    questions = list(questionnaire.questions.order_by("position"))
    rounds = {item.moment: item for item in questionnaire.rounds.all()}
    sent = {
        Moment.BEFORE: dt.datetime(2015, 1, 15, 9, 0, tzinfo=TZ),
        Moment.END: dt.datetime(2015, 3, 19, 16, 0, tzinfo=TZ),
        Moment.LATER: dt.datetime(2015, 9, 17, 9, 0, tzinfo=TZ),
    }
    invitations, responses = [], []
    for moment, item in rounds.items():
        item.sent_at = sent[moment]
        item.save(update_fields=["sent_at"])
        people = list(trainees)
        answering = set(rng.sample(range(len(people)), ANSWERED[moment]))
        written = list(WRITTEN[moment])
        for index, person in enumerate(people):
            invitations.append(
                EvaluationInvitation(
                    round=item,
                    participant=person,
                    answered=index in answering,
                    reminders=0 if index in answering else 1,
                )
            )
            if index not in answering:
                continue
            answers = {}
            for question in questions:
                key = str(question.pk)
                if question.kind == Question.Kind.SCALE:
                    value = round(rng.gauss(SCALE_CENTRE[moment], 0.9))
                    answers[key] = min(max(value, 1), 5)
                elif question.kind == Question.Kind.CHOICE:
                    answers[key] = rng.choice(CHOICES[moment])
                elif written and rng.random() < 0.4:
                    answers[key] = written.pop()
            responses.append(
                EvaluationResponse(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    round=item,
                    category=person.category,
                    answers=answers,
                )
            )
    EvaluationInvitation.objects.bulk_create(invitations)
    EvaluationResponse.objects.bulk_create(responses)
    programme.results_public = True
    programme.save(update_fields=["results_public"])
