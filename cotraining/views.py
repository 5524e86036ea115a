"""Pages that bring the apps together: the dashboard, a programme's overview, the health check.

The overview lives here rather than in ``programmes`` because it shows figures from every
domain app (applications, participants, attendance), and only the wiring layer may import them all.
"""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from participants.models import TRAINEE_CATEGORIES
from participants.selectors import participant_counts_by_category
from programmes import permissions
from programmes.selectors import (
    applications_to_review,
    contact_application_for_programme,
    programme_application_figures,
    programme_finance_figures,
    programme_list_for_user,
)
from sessions.selectors import programme_participation_summary

from .health import health_report
from .selectors import todo_list

TRAINEE_VALUES = {str(category) for category in TRAINEE_CATEGORIES}

# When the pages named in the accessibility statement were last checked (axe-core on every
# main page of each role at phone and desktop width, and by keyboard); update it with the check.
ACCESSIBILITY_AUDIT_DATE = "2026-12-01"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    todo = todo_list(user=request.user)
    return render(
        request,
        "cotraining/dashboard.html",
        {
            "programmes": [
                (programme, roles, todo.get(programme.pk, []))
                for programme, roles in programme_list_for_user(user=request.user)
            ],
            "can_create_programme": permissions.can_create_programme(request.user),
        },
    )


@login_required
def programme_overview(request: HttpRequest, slug: str) -> HttpResponse:
    programme = permissions.programme_get_for_user(request.user, slug)
    user = request.user
    context = {
        "programme": programme,
        "partners": list(programme.partners.all()),
        "can_manage": permissions.can_manage_programme(user, programme),
        "show_figures": permissions.can_view_overview_figures(user, programme),
        "show_finances": permissions.can_view_finances(user, programme),
    }
    if context["show_figures"]:
        counts = participant_counts_by_category(programme=programme)
        context |= {
            "applications": programme_application_figures(programme=programme),
            "categories": counts,
            "participants_total": sum(
                row.count for row in counts if row.category in TRAINEE_VALUES
            ),
            "participation": programme_participation_summary(programme=programme),
        }
    if context["show_finances"]:
        context["finances"] = programme_finance_figures(programme=programme)
    if permissions.has_role(user, programme, permissions.Role.REVIEWER):
        context["to_review"] = applications_to_review(user=user, programme=programme)
    if permissions.can_follow_own_application(user, programme):
        context["my_application"] = contact_application_for_programme(
            user=user, programme=programme
        )
    return render(request, "cotraining/programme_overview.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    healthy, report = health_report()
    return JsonResponse(report, status=200 if healthy else 503)


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement the French RGAA asks of every public service's site."""
    return render(
        request,
        "cotraining/accessibility.html",
        {
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "audit_date": date.fromisoformat(ACCESSIBILITY_AUDIT_DATE),
        },
    )
