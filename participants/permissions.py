"""Who may see and manage the people of a programme (rights come from memberships)."""

from programmes.models import Membership
from programmes.permissions import has_role

Role = Membership.Role


def can_view_participants(user, programme) -> bool:
    """The team running the training: organisers and facilitators."""
    return has_role(user, programme, Role.ORGANISER, Role.FACILITATOR)


def can_manage_participants(user, programme) -> bool:
    """Add and edit people, their consents, and compose the peer groups."""
    return has_role(user, programme, Role.ORGANISER)


def can_view_contact_details(user, programme) -> bool:
    """E-mail and phone numbers are personal data: organisers only."""
    return has_role(user, programme, Role.ORGANISER)


def can_export_personal_data(user, programme) -> bool:
    """Download everything held about one person (their right of access): organisers only."""
    return has_role(user, programme, Role.ORGANISER)


def can_erase_personal_data(user, programme) -> bool:
    """Erase one person's personal data (their right to erasure): organisers only."""
    return has_role(user, programme, Role.ORGANISER)
