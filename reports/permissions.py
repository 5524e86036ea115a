"""Who may ask for, see and download reports, and export a programme's data.

Organisers may do everything. A funder of the programme may ask for and download the
funder-facing reports (attendance, participation, funder report), which never name an activist
who did not consent; certificates and the exports name everyone and stay with the organisers.
Facilitators, reviewers and city contacts have no access: the views answer 404.
"""

from django.db.models import Q, QuerySet

from programmes.models import Membership, Programme
from programmes.permissions import RolePolicy, holds_role, programme_roles

from .models import ReportRun

Role = Membership.Role


class ReportRunPolicy(RolePolicy):
    """A programme's report runs: each role may ask for and download some kinds of report."""

    model = ReportRun
    programme_path = "programme"
    actions = {
        "view_reports": frozenset({Role.ORGANISER, Role.FUNDER}),
        # The exports list every person by name with their contact details.
        "export_data": frozenset({Role.ORGANISER}),
    }
    KINDS_BY_ROLE = {
        Role.ORGANISER: frozenset(ReportRun.Kind.values),
        Role.FUNDER: frozenset(ReportRun.FUNDER_FACING_KINDS),
    }

    def requestable_kinds(self, user, programme: Programme) -> list[str]:
        """The kinds of report this user may ask for in this programme, in display order."""
        roles = programme_roles(user, programme)
        allowed = set().union(*(self.KINDS_BY_ROLE.get(role, ()) for role in roles))
        return [kind for kind in ReportRun.Kind.values if kind in allowed]

    def user_has_permission(self, user, action: str, obj) -> bool:
        if action == "view":
            # Seeing a run and downloading its file need the same right as asking for it.
            return obj.kind in self.requestable_kinds(user, obj.programme)
        return super().user_has_permission(user, action, obj)

    def instances_user_can(self, user, action: str) -> QuerySet:
        if action == "view":
            condition = Q(pk__in=[])
            for role, kinds in self.KINDS_BY_ROLE.items():
                condition |= holds_role(user, {role}, programme="programme") & Q(kind__in=kinds)
            return ReportRun.objects.filter(condition)
        return super().instances_user_can(user, action)


report_run_policy = ReportRunPolicy()


def can_view_reports(user, programme: Programme) -> bool:
    return report_run_policy.user_has_permission(user, "view_reports", programme)


def requestable_kinds(user, programme: Programme) -> list[str]:
    return report_run_policy.requestable_kinds(user, programme)


def can_request_report(user, programme: Programme, kind: str) -> bool:
    return kind in requestable_kinds(user, programme)


def can_view_report_run(user, run: ReportRun) -> bool:
    return report_run_policy.user_has_permission(user, "view", run)


def can_export_data(user, programme: Programme) -> bool:
    return report_run_policy.user_has_permission(user, "export_data", programme)
