"""Who may ask for, see and download reports, and export a programme's data.

Organisers may do everything. A funder of the programme may ask for and download the
funder-facing reports (attendance, participation, funder report), which never name an activist
who did not consent; certificates and the exports name everyone and stay with the organisers.
A funder report is made for one funder (its own agreement in detail, the others' as totals): a
funder sees only those made for the organisation its membership speaks for, and a funder whose
membership names no organisation is offered none. Facilitators, reviewers and city contacts
have no access: the views answer 404.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from programmes import prepared
from programmes.models import Membership, Programme
from programmes.permissions import RolePolicy, holds_role, programme_roles

from .models import ReportRun

Role = Membership.Role

# The membership that makes a user speak for a funding body in a programme.
_FUNDER_MEMBERSHIP = prepared.Query(
    lambda programme, user: (
        Membership.objects.filter(
            programme=programme, user=user, role=Role.FUNDER, organisation__isnull=False
        )
        .select_related("organisation")
        .order_by("pk")[:1]
    ),
    programme=int,
    user=int,
)


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

    def funder_organisation(self, user, programme: Programme):
        """The organisation a funder speaks for in this programme (the first, should there be
        several), else None; cached on the programme object for the request."""
        cache = programme.__dict__.setdefault("_funder_organisation_cache", {})
        if user.pk not in cache:
            memberships = (
                _FUNDER_MEMBERSHIP(programme=programme.pk, user=user.pk)
                if user.is_authenticated
                else ()
            )
            cache[user.pk] = memberships[0].organisation if memberships else None
        return cache[user.pk]

    def sees_every_funder(self, user, programme: Programme) -> bool:
        """Organisers read and ask for the funder report of any funder, or of all at once."""
        return Role.ORGANISER in programme_roles(user, programme)

    def requestable_kinds(self, user, programme: Programme) -> list[str]:
        """The kinds of report this user may ask for in this programme, in display order."""
        roles = programme_roles(user, programme)
        allowed = set().union(*(self.KINDS_BY_ROLE.get(role, ()) for role in roles))
        if (
            ReportRun.Kind.FUNDER in allowed
            and not self.sees_every_funder(user, programme)
            and self.funder_organisation(user, programme) is None
        ):
            allowed.discard(ReportRun.Kind.FUNDER)
        return [kind for kind in ReportRun.Kind.values if kind in allowed]

    def user_has_permission(self, user, action: str, obj) -> bool:
        if action == "view":
            # Seeing a run and downloading its file need the same right as asking for it.
            programme = obj.programme
            if obj.kind not in self.requestable_kinds(user, programme):
                return False
            if obj.kind == ReportRun.Kind.FUNDER and not self.sees_every_funder(user, programme):
                own = self.funder_organisation(user, programme)
                return obj.funder_id is not None and own is not None and obj.funder_id == own.pk
            return True
        return super().user_has_permission(user, action, obj)

    def instances_user_can(self, user, action: str) -> QuerySet:
        if action == "view":
            condition = holds_role(user, {Role.ORGANISER}, programme="programme")
            shared = self.KINDS_BY_ROLE[Role.FUNDER] - {ReportRun.Kind.FUNDER}
            condition |= holds_role(user, {Role.FUNDER}, programme="programme") & Q(kind__in=shared)
            if user.is_authenticated and user.is_active:
                condition |= Q(kind=ReportRun.Kind.FUNDER) & Q(
                    Exists(
                        Membership.objects.filter(
                            programme=OuterRef("programme"),
                            user=user.pk,
                            role=Role.FUNDER,
                            organisation=OuterRef("funder"),
                        )
                    )
                )
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


def funder_organisation(user, programme: Programme):
    return report_run_policy.funder_organisation(user, programme)


def sees_every_funder(user, programme: Programme) -> bool:
    return report_run_policy.sees_every_funder(user, programme)


def can_export_data(user, programme: Programme) -> bool:
    return report_run_policy.user_has_permission(user, "export_data", programme)
