"""The sentences of the timetable's and attendance's actions in the audit trail (see
``programmes.audit``)."""

from django.utils.translation import gettext_lazy

from programmes.audit import describe, load_with, name_families

from .models import Expense, Slot


def _with_reason(entry, values) -> str:
    text = str(gettext_lazy("Sheet of {target} reopened.")).format_map(values)
    return f"{text} {values['note']}" if values.get("note") else text


def register() -> None:
    describe(
        {
            "attendance.sheet_closed": gettext_lazy(
                "Sheet of {target} closed: {recorded} of {expected} people marked."
            ),
            "attendance.sheet_reopened": _with_reason,
            "expense.created": gettext_lazy("Expense of {related} recorded: {target}."),
            "expense.updated": gettext_lazy("Expense of {related} changed: {target}."),
            "attendance.line_corrected": gettext_lazy(
                "A signed line of the sheet of {target} corrected ({related})."
            ),
            "attendance.paper_scan_added": gettext_lazy(
                "Scan of the sheet signed on paper added to {target}."
            ),
            "timetable.trainingday_created": gettext_lazy("Training day added: {target}."),
            "timetable.trainingday_updated": gettext_lazy("Training day changed: {target}."),
            "timetable.trainingday_deleted": gettext_lazy("Training day deleted: {target}."),
            "timetable.slot_created": gettext_lazy("Half-day added: {target}."),
            "timetable.slot_updated": gettext_lazy("Half-day changed: {target}."),
            "timetable.slot_deleted": gettext_lazy("Half-day deleted: {target}."),
            "timetable.activity_created": gettext_lazy("Activity added: {target}."),
            "timetable.activity_updated": gettext_lazy("Activity changed: {target}."),
            "timetable.activity_deleted": gettext_lazy("Activity deleted: {target}."),
            "participants.replaced": gettext_lazy("{target} replaced by {related}."),
        }
    )
    name_families(
        {
            "attendance": gettext_lazy("Attendance"),
            "timetable": gettext_lazy("Timetable"),
        }
    )
    load_with(Slot, "day")
    load_with(Expense, "day")
