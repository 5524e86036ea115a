"""Who may ask for, see and download reports, and export a programme's data.

Organisers may do everything. A funder of the programme may ask for and download the
funder-facing reports (attendance, participation, funder report), which never name an activist
who did not consent; certificates and the exports name everyone and stay with the organisers.
Facilitators, reviewers and city contacts have no access: the views answer 404.
"""

from programmes.models import Membership, Programme
from programmes.permissions import has_role

from .models import ReportRun

Role = Membership.Role


def can_view_reports(user, programme: Programme) -> bool:
    return has_role(user, programme, Role.ORGANISER, Role.FUNDER)


def requestable_kinds(user, programme: Programme) -> list[str]:
    """The kinds of report this user may ask for in this programme, in display order."""
    if has_role(user, programme, Role.ORGANISER):
        return list(ReportRun.Kind.values)
    if has_role(user, programme, Role.FUNDER):
        return [str(kind) for kind in ReportRun.FUNDER_FACING_KINDS]
    return []


def can_request_report(user, programme: Programme, kind: str) -> bool:
    return kind in requestable_kinds(user, programme)


def can_view_report_run(user, run: ReportRun) -> bool:
    """Seeing a run and downloading its file need the same right as asking for that kind."""
    return can_request_report(user, run.programme, run.kind)


def can_export_data(user, programme: Programme) -> bool:
    """The exports list every person by name with their contact details: organisers only."""
    return has_role(user, programme, Role.ORGANISER)
