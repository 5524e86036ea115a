"""The sentences of the reports' actions in the audit trail (see ``programmes.audit``)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from programmes.audit import describe

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
            "report.certificate_sent": gettext_lazy(
                "Certificate of completion e-mailed to {target}."
            ),
        }
    )
