"""The sentences of the participants' actions in the audit trail (see ``programmes.audit``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes.audit import describe, name_families


def _changed(entry, values) -> str:
    fields = ", ".join(str(name) for name in values.get("fields") or [])
    if not fields:
        return _("Participant changed: %(name)s.") % {"name": values["target"]}
    return _("Participant changed: %(name)s (%(fields)s).") % {
        "name": values["target"],
        "fields": fields,
    }


def register() -> None:
    describe(
        {
            "participants.created": gettext_lazy("Participant added: {target}."),
            "participants.updated": _changed,
            "participants.exported": gettext_lazy("Personal data of {target} exported."),
            "participants.erased": gettext_lazy(
                "Personal data erased: the person is now called {target}."
            ),
            "participants.from_application": gettext_lazy(
                "{related}: {created} participants created, {reactivated} active again."
            ),
            "participants.deactivated": gettext_lazy(
                "{related} is no longer selected: {count} participants set inactive."
            ),
            "peer_groups.created": gettext_lazy("Peer group created: {target}."),
            "peer_groups.updated": gettext_lazy("Peer group changed: {target}."),
            "peer_groups.composed": gettext_lazy("{count} people moved between peer groups."),
            "evaluation.created": gettext_lazy("Questionnaire created: {target}."),
            "evaluation.updated": gettext_lazy("Questionnaire changed: {target}."),
            "evaluation.question_added": gettext_lazy("Question added to {target}."),
            "evaluation.question_removed": gettext_lazy("Question removed from {target}."),
            "evaluation.round_dated": gettext_lazy("{target}: date of a moment changed."),
            "evaluation.sent": gettext_lazy(
                "{target} sent: {invited} people invited, {emailed} by e-mail."
            ),
            "evaluation.reminded": gettext_lazy("{target}: reminder e-mailed to {emailed} people."),
            "evaluation.paper_entered": gettext_lazy("{target}: paper answers typed in."),
        }
    )
    name_families(
        {
            "participants": gettext_lazy("Participants"),
            "peer_groups": gettext_lazy("Peer groups"),
        }
    )
