"""Pages that bring the apps together: the dashboard, a programme's overview, the health check.

The overview lives here rather than in ``programmes`` because it shows figures from every
domain app (applications, participants, attendance), and only the wiring layer may import them all.
"""

import json
from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants import permissions as participant_permissions
from participants.forms import EraseForm
from participants.models import Participant
from programmes import permissions
from programmes.errors import back_on_refusal
from programmes.selectors import (
    applications_to_review,
    contact_application_for_programme,
    programme_application_figures,
    programme_finance_figures,
    programme_partner_list,
)
from programmes.stages import Stage
from sessions import offline
from sessions.selectors import people_by_category, programme_participation_overview

from . import personal_data
from .health import health_report
from .selectors import dashboard_get, programme_setup_checklist, programme_stages

# The overview shows the set-up checklist to organisers until the training starts.
SETUP_STAGES = (Stage.PREPARING, Stage.CALL_OPEN, Stage.SELECTION, Stage.READY)

# When the pages named in the accessibility statement were last checked (axe-core on every
# main page of each role at phone and desktop width, and by keyboard); update it with the check.
ACCESSIBILITY_AUDIT_DATE = "2026-12-01"


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    board = dashboard_get(user=request.user)
    return render(
        request,
        "cotraining/dashboard.html",
        {
            "programmes": board.programmes,
            "can_create_programme": board.can_create_programme,
            # A facilitator opens the app in the room: the day's sheets come first.
            "todays_sheets": board.todays_sheets,
        },
    )


@login_required
def programme_overview(request: HttpRequest, slug: str) -> HttpResponse:
    # With its call, which the stage and the application figures read.
    programme = permissions.programme_get_for_user(request.user, slug, related=("call",))
    user = request.user
    stage = programme_stages(programmes=[programme])[programme.pk]
    can_manage = permissions.can_manage_programme(user, programme)
    context = {
        "programme": programme,
        "stage": stage,
        "partners": programme_partner_list(programme=programme),
        "can_manage": can_manage,
        "show_figures": permissions.can_view_overview_figures(user, programme),
        "show_finances": permissions.can_view_finances(user, programme),
    }
    if can_manage and stage.stage in SETUP_STAGES:
        context["checklist"] = programme_setup_checklist(programme=programme)
    context["can_close"] = can_manage and stage.stage == Stage.FOLLOW_UP
    context["can_replace"] = can_manage and stage.stage in (Stage.READY, Stage.TRAINING)
    if context["show_figures"]:
        overview = programme_participation_overview(programme=programme)
        context |= {
            "applications": programme_application_figures(programme=programme),
            "categories": people_by_category(programme=programme, overview=overview),
            "participants_total": overview.summary.trainees,
            "participation": overview.summary,
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


# A person's data (right of access and to erasure): every app answers for what it holds, through
# the registry of ``cotraining.personal_data``; the pages live here, above every app.


@login_required
@require_POST
def person_export(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    """A JSON download of everything held about one person (a POST: it is audited)."""
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(participant_permissions.can_export_personal_data(request.user, programme))
    # Every app adds what it holds about the person (the registry of ``cotraining``).
    data = personal_data.person_export(
        programme=programme, participant_id=participant_id, user=request.user
    )
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    # The file name carries ids only: a download folder should not list people's names.
    filename = f"{programme.slug}-participant-{participant_id}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@back_on_refusal(
    lambda request, slug, participant_id: reverse(
        "participants:participant_edit", args=[slug, participant_id]
    )
)
def person_erase(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    """GET: what erasing does, and the box to tick; POST: erase."""
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(participant_permissions.can_erase_personal_data(request.user, programme))
    participant = get_object_or_404(Participant, pk=participant_id, programme=programme)
    edit_url = reverse("participants:participant_edit", args=[slug, participant.pk])
    form = EraseForm(request.POST if request.method == "POST" else None)
    status = 200
    if participant.erased_at is not None:
        status = 409 if request.method == "POST" else 200
        form = None
    elif request.method == "POST":
        status = 400
        if form.is_valid():
            # Erased meanwhile by someone else: a Conflict, back to the person's page.
            personal_data.person_erase(participant=participant, user=request.user)
            messages.success(request, _("The person's personal data were erased."))
            return redirect(edit_url)
    return render(
        request,
        "participants/erase.html",
        {
            "programme": programme,
            "participant": participant,
            "form": form,
            "cancel_url": edit_url,
            "erased_label": personal_data.erased_label(participant),
        },
        status=status,
    )


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker that keeps the attendance pages for use without a connection; served
    from the site's root so that its scope covers every page (it keeps only a facilitator's).
    ``?lang=`` is the language of the page that registered it: the browser fetches the worker
    without the page's preferences, and the worker speaks the page's language offline."""
    language = request.GET.get("lang", "")
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language()
    with translation.override(language):
        fallback = render_to_string("cotraining/offline_unavailable.html", request=None)
    config = offline.worker_config(fallback=fallback)
    script = render_to_string(
        "cotraining/service_worker.js", {"config": json.dumps(config).replace("<", "\\u003c")}
    )
    return HttpResponse(script, content_type="text/javascript; charset=utf-8")


@require_GET
def web_manifest(request: HttpRequest) -> JsonResponse:
    """What a phone needs to put the site on its home screen, opening at the dashboard."""
    return JsonResponse(
        {
            "name": "cotraining",
            "short_name": "cotraining",
            "description": _("Co-training programmes: attendance sheets that work offline."),
            "lang": request.LANGUAGE_CODE,
            "start_url": reverse("dashboard"),
            "scope": "/",
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#1f4e79",
            "icons": [
                {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
                {"src": static("img/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("img/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            ],
        },
        content_type="application/manifest+json",
    )
