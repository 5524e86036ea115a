"""Who may read the timetable, record attendance and read the participation figures.

Rights come from the user's roles in the programme (``programmes.permissions``). Funders read
the participation figures only, city contacts nothing of this app.
"""

from programmes.models import Membership
from programmes.permissions import RolePolicy

from .models import Slot

Role = Membership.Role


class SlotPolicy(RolePolicy):
    """A programme's half-days: their timetable, their attendance sheets, and the
    participation figures computed from them."""

    model = Slot
    programme_path = "day__programme"
    actions = {
        "view_timetable": frozenset({Role.ORGANISER, Role.FACILITATOR, Role.REVIEWER}),
        "edit_timetable": frozenset({Role.ORGANISER}),
        # Read the sheets, mark statuses, print the blank sheet, close a sheet.
        "record_attendance": frozenset({Role.ORGANISER, Role.FACILITATOR}),
        # A closed (signed) sheet is reopened by an organiser only, with a reason.
        "reopen_sheet": frozenset({Role.ORGANISER}),
        "view_participation": frozenset({Role.ORGANISER, Role.FACILITATOR, Role.FUNDER}),
        # Funders see names only of people who consented to be named; the team sees them all.
        "view_participant_names": frozenset({Role.ORGANISER, Role.FACILITATOR}),
        # The people's expenses for their training days: organisers (who book and pay them).
        "manage_expenses": frozenset({Role.ORGANISER}),
        # Who is expected from which half-day: replace a triad member.
        "replace_participant": frozenset({Role.ORGANISER}),
    }


slot_policy = SlotPolicy()


def can_view_timetable(user, programme) -> bool:
    return slot_policy.user_has_permission(user, "view_timetable", programme)


def can_edit_timetable(user, programme) -> bool:
    return slot_policy.user_has_permission(user, "edit_timetable", programme)


def can_record_attendance(user, programme) -> bool:
    return slot_policy.user_has_permission(user, "record_attendance", programme)


def can_reopen_sheet(user, programme) -> bool:
    return slot_policy.user_has_permission(user, "reopen_sheet", programme)


def can_view_participation(user, programme) -> bool:
    return slot_policy.user_has_permission(user, "view_participation", programme)


def can_view_participant_names(user, programme) -> bool:
    return slot_policy.user_has_permission(user, "view_participant_names", programme)


def can_manage_expenses(user, programme) -> bool:
    return slot_policy.user_has_permission(user, "manage_expenses", programme)


def can_replace_participant(user, programme) -> bool:
    return slot_policy.user_has_permission(user, "replace_participant", programme)
