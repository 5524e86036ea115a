"""The sentences of the reports' actions in the audit trail (see ``programmes.audit``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from programmes.audit import describe, name_families

from .models import ReportRun


def _report(sentence: str):
    def display(entry, values) -> str:
        kind = values.get("kind", "")
        label = ReportRun.Kind(kind).label if kind in ReportRun.Kind.values else kind
        return _(sentence) % {"report": label, "language": values.get("language", "")}

    return display


def register() -> None:
    describe(
        {
            "report.requested": _report(gettext_noop("%(report)s asked for (%(language)s).")),
            "report.downloaded": _report(gettext_noop("%(report)s downloaded (%(language)s).")),
            # A bulk export holds the contact details of many people: who took it, and when.
            "export.participants": gettext_lazy("Export of the participants downloaded."),
            "export.attendance": gettext_lazy("Export of the attendance records downloaded."),
            "public_results.opened": gettext_lazy("The public results page was opened."),
            "public_results.closed": gettext_lazy("The public results page was closed."),
            "export.applications": gettext_lazy("Export of the applications downloaded."),
            "export.budget": gettext_lazy("Export of the budget downloaded."),
            "export.contributions": gettext_lazy("Export of the city contributions downloaded."),
            "report.certificate_sent": gettext_lazy(
                "Certificate of completion e-mailed to {target}."
            ),
            "report.person_downloaded": gettext_lazy(
                "Certificate of completion of {target} downloaded."
            ),
        }
    )
    name_families(
        {
            "report": gettext_lazy("Reports"),
            "export": gettext_lazy("Exports"),
        }
    )
