"""Who may see and manage the people of a programme (rights come from memberships)."""

from programmes.models import Membership
from programmes.permissions import RolePolicy

from .models import Participant, Questionnaire

Role = Membership.Role


class ParticipantPolicy(RolePolicy):
    """A programme's participants: the team running the training sees them, organisers
    manage them and hold their personal data."""

    model = Participant
    programme_path = "programme"
    actions = {
        "view": frozenset({Role.ORGANISER, Role.FACILITATOR}),
        # Add and edit people, their consents, and compose the peer groups.
        "manage": frozenset({Role.ORGANISER}),
        # E-mail and phone numbers are personal data.
        "view_contact_details": frozenset({Role.ORGANISER}),
        # Everything held about one person (their right of access), and its erasure.
        "export_personal_data": frozenset({Role.ORGANISER}),
        "erase_personal_data": frozenset({Role.ORGANISER}),
    }


participant_policy = ParticipantPolicy()


def can_view_participants(user, programme) -> bool:
    return participant_policy.user_has_permission(user, "view", programme)


def can_manage_participants(user, programme) -> bool:
    return participant_policy.user_has_permission(user, "manage", programme)


def can_view_contact_details(user, programme) -> bool:
    return participant_policy.user_has_permission(user, "view_contact_details", programme)


def can_export_personal_data(user, programme) -> bool:
    return participant_policy.user_has_permission(user, "export_personal_data", programme)


def can_erase_personal_data(user, programme) -> bool:
    return participant_policy.user_has_permission(user, "erase_personal_data", programme)


class EvaluationPolicy(RolePolicy):
    """A programme's evaluation: organisers build and send the questionnaires and read every
    answer (free text too, never with a name); facilitators type in the answers given on
    paper; funders read the aggregated results."""

    model = Questionnaire
    programme_path = "programme"
    actions = {
        "manage": frozenset({Role.ORGANISER}),
        "enter_on_paper": frozenset({Role.ORGANISER, Role.FACILITATOR}),
        "view_results": frozenset({Role.ORGANISER, Role.FUNDER}),
        "read_free_text": frozenset({Role.ORGANISER}),
    }


evaluation_policy = EvaluationPolicy()


def can_manage_evaluation(user, programme) -> bool:
    return evaluation_policy.user_has_permission(user, "manage", programme)


def can_enter_paper_answers(user, programme) -> bool:
    return evaluation_policy.user_has_permission(user, "enter_on_paper", programme)


def can_view_evaluation_results(user, programme) -> bool:
    return evaluation_policy.user_has_permission(user, "view_results", programme)


def can_read_free_text(user, programme) -> bool:
    return evaluation_policy.user_has_permission(user, "read_free_text", programme)


def can_open_evaluation(user, programme) -> bool:
    """The evaluation's entry page: whoever builds, types in or reads it."""
    return can_enter_paper_answers(user, programme) or can_view_evaluation_results(user, programme)
