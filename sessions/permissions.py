"""Who may read the timetable, record attendance and read the participation figures.

Rights come from the user's roles in the programme (``programmes.permissions``). Funders read
the participation figures only, city contacts nothing of this app.
"""

from programmes.models import Membership
from programmes.permissions import has_role

Role = Membership.Role


def can_view_timetable(user, programme) -> bool:
    return has_role(user, programme, Role.ORGANISER, Role.FACILITATOR, Role.REVIEWER)


def can_edit_timetable(user, programme) -> bool:
    return has_role(user, programme, Role.ORGANISER)


def can_record_attendance(user, programme) -> bool:
    """Read the sheets, mark statuses, print the blank sheet, close a sheet."""
    return has_role(user, programme, Role.ORGANISER, Role.FACILITATOR)


def can_reopen_sheet(user, programme) -> bool:
    """A closed (signed) sheet is reopened by an organiser only, with a reason."""
    return has_role(user, programme, Role.ORGANISER)


def can_view_participation(user, programme) -> bool:
    return has_role(user, programme, Role.ORGANISER, Role.FACILITATOR, Role.FUNDER)


def can_view_participant_names(user, programme) -> bool:
    """Funders see names only of people who consented to be named; the team sees them all."""
    return has_role(user, programme, Role.ORGANISER, Role.FACILITATOR)
