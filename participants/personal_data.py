"""What ``participants`` holds about a person: their record in a programme (identity, contact,
category, city, organisation, account, consents, peer group, named commitment).

Read by the registry in ``cotraining.personal_data`` (``person`` is its ``Person``)."""

from .models import EvaluationInvitation, EvaluationResponse, Participant, Question

# Invitations say whether a person answered; responses hold their answers when the
# questionnaire is not anonymous (anonymous ones hold no link to anyone).
MODELS = (Participant, EvaluationInvitation, EvaluationResponse)


def _when(value) -> str | None:
    return value.isoformat() if value else None


def _choice(instance, field: str) -> dict:
    """A choice as its stored code and its label in the reader's language."""
    return {
        "code": getattr(instance, field),
        "label": str(getattr(instance, f"get_{field}_display")()),
    }


def export(person) -> dict:
    """The person's record (loaded with its relations: no query)."""
    participant = person.participant
    user = participant.user
    return {
        "participant": {
            "id": participant.pk,
            "first_name": participant.first_name,
            "last_name": participant.last_name,
            "email": participant.email,
            "phone": participant.phone,
            "position": participant.position,
            "category": _choice(participant, "category"),
            "city": str(participant.city) if participant.city_id else None,
            "organisation": str(participant.organisation) if participant.organisation_id else None,
            "user_account": (
                {"username": user.get_username(), "name": user.get_full_name()} if user else None
            ),
            "active": participant.is_active,
            "created_at": _when(participant.created_at),
            "updated_at": _when(participant.updated_at),
            "erased_at": _when(participant.erased_at),
        },
        "consents": {
            "name_in_reports_for_funders": participant.consent_name_in_reports,
            "photos": participant.consent_photos,
            "recorded_at": _when(participant.consent_recorded_at),
        },
        "peer_group": (
            {
                "name": participant.peer_group.name,
                "knowledge": _choice(participant.peer_group, "knowledge"),
            }
            if participant.peer_group_id
            else None
        ),
        "named_commitment_to_attend_every_day": participant.commitment_given,
        "evaluation": _evaluation(participant),
    }


def _evaluation(participant) -> dict:
    """The questionnaires the person was asked to answer, and their own answers when the
    questionnaire is not anonymous (anonymous answers are linked to nobody: they cannot be
    found, hence not exported). Two queries."""
    invitations = EvaluationInvitation.objects.filter(participant=participant).select_related(
        "round__questionnaire"
    )
    responses = EvaluationResponse.objects.filter(participant=participant).select_related(
        "round__questionnaire"
    )
    return {
        "invitations": [
            {
                "questionnaire": invitation.round.questionnaire.title,
                "moment": invitation.round.moment,
                "answered": invitation.answered,
            }
            for invitation in invitations
        ],
        "answers": [
            {
                "questionnaire": response.round.questionnaire.title,
                "moment": response.round.moment,
                "answers": response.answers,
            }
            for response in responses
        ],
    }


def erase(person) -> None:
    """Replace the first and last name by the neutral label, blank e-mail, phone and position,
    unlink the user account, withdraw the consents, and mark the person erased. Kept: category,
    city, organisation, peer group, named commitment and the active flag, which the figures
    need."""
    participant = person.participant
    participant.first_name, participant.last_name = person.label, ""
    participant.email = participant.phone = participant.position = ""
    participant.user = None
    participant.consent_name_in_reports = participant.consent_photos = False
    participant.consent_recorded_at = person.erased_at
    participant.erased_at = person.erased_at
    participant.save()
    # Their answers to questionnaires that are not anonymous stay for the figures, unlinked,
    # without what they wrote in their own words (two queries, three with answers to change).
    written = {
        str(pk)
        for pk in Question.objects.filter(
            kind=Question.Kind.TEXT, questionnaire__rounds__responses__participant=participant
        ).values_list("pk", flat=True)
    }
    responses = list(EvaluationResponse.objects.filter(participant=participant))
    for response in responses:
        response.answers = {k: v for k, v in response.answers.items() if k not in written}
        response.participant = None
    EvaluationResponse.objects.bulk_update(responses, ["answers", "participant"])
