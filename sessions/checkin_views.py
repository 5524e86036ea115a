"""Self check-in pages: the facilitator's rotating QR code, and what a participant sees on
their own phone (plain language: one short sentence per step, a pictogram per status)."""

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from participants.models import Participant
from programmes.errors import DomainError
from programmes.network import client_ip
from programmes.permissions import require

from . import checkin, permissions, services
from .forms import CheckinForm
from .models import AttendanceSignature, Slot
from .selectors import sheet_rows, slot_get

# The participants a phone holds a personal link for, kept in its session.
SESSION_KEY = "checkin_people"


@login_required
@require_GET
def checkin_code(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    """The QR code of a half-day's self check-in, for the facilitator to show; the page asks
    for a new one every ``CODE_MAX_AGE`` seconds (htmx), the fragment alone answers that."""
    slot = slot_get(slug=slug, slot_id=slot_id)
    programme = slot.day.programme
    require(permissions.can_record_attendance(request.user, programme))
    is_open = checkin.is_open(slot)
    url = ""
    svg = ""
    if is_open:
        code = checkin.code_make(slot)
        url = request.build_absolute_uri(reverse("sessions:checkin", args=[slot.pk, code]))
        svg = segno.make(url, error="m").svg_inline(
            scale=6, omitsize=True, svgclass="checkin-qr", title=_("Code to sign")
        )
    opens, closes = checkin.slot_window(slot)
    context = {
        "programme": programme,
        "slot": slot,
        "is_open": is_open,
        "url": url,
        "svg": svg,
        "opens": opens,
        "closes": closes,
        "max_age": checkin.CODE_MAX_AGE,
        "sheet_url": reverse("sessions:attendance_sheet", args=[slug, slot.pk]),
    }
    if request.htmx:
        return render(request, "sessions/checkin_code.html#code", context)
    rows = sheet_rows(slot=slot)
    context["links"] = [
        (
            row.participant,
            request.build_absolute_uri(
                reverse("sessions:checkin_person", args=[checkin.person_token(row.participant)])
            ),
        )
        for row in rows
    ]
    return render(request, "sessions/checkin_code.html", context)


@require_GET
def checkin_person(request: HttpRequest, token: str) -> HttpResponse:
    """A participant's personal link: this phone now signs for them (no account needed)."""
    participant_id = checkin.person_id(token)
    person = (
        Participant.objects.filter(pk=participant_id, is_active=True)
        .select_related("programme")
        .first()
        if participant_id
        else None
    )
    if person is None:
        raise Http404
    people = [pk for pk in request.session.get(SESSION_KEY, []) if pk != person.pk]
    request.session[SESSION_KEY] = [person.pk, *people][:5]
    return render(request, "sessions/checkin_ready.html", {"person": person})


def _checkin_person(request: HttpRequest, slot: Slot) -> Participant | None:
    """Who signs from this phone: the participant of the logged-in account in this programme,
    else the one of a personal link opened on this phone."""
    people = Participant.objects.filter(programme_id=slot.day.programme_id, is_active=True)
    if request.user.is_authenticated:
        person = people.filter(user=request.user).first()
        if person is not None:
            return person
    ids = request.session.get(SESSION_KEY, [])
    return people.filter(pk__in=ids).first() if ids else None


@require_http_methods(["GET", "POST"])
def checkin_sign(request: HttpRequest, slot_id: int, code: str) -> HttpResponse:
    """The page a scanned QR code opens: who you are, then sign with your finger."""
    slot = Slot.objects.select_related("day__programme").filter(pk=slot_id).first()
    if slot is None:
        raise Http404
    person = _checkin_person(request, slot)
    context = {"slot": slot, "programme": slot.day.programme, "person": person, "code": code}
    try:
        if request.method == "POST" and person is not None:
            checkin.pass_check(slot, person.pk, request.POST.get("pass", ""))
        else:
            checkin.code_check(slot, code)
    except DomainError as problem:
        context |= {"state": "refused", "error": problem.message}
        return render(request, "sessions/checkin.html", context, status=problem.status)
    if person is None:
        context["state"] = "who"
        context["login_url"] = f"{reverse('login')}?next={request.path}"
        return render(request, "sessions/checkin.html", context)
    signed = AttendanceSignature.objects.filter(
        slot=slot, participant=person, role=AttendanceSignature.Role.TRAINEE
    ).exists()
    if signed:
        context["state"] = "signed"
        return render(request, "sessions/checkin.html", context)
    form = CheckinForm(request.POST or None)
    context |= {"state": "sign", "form": form, "pass": checkin.pass_make(slot, person.pk)}
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_self_checkin(
                slot=slot,
                participant_id=person.pk,
                user=request.user if request.user.is_authenticated else None,
                strokes=form.cleaned_data["strokes"],
                user_agent=request.headers.get("User-Agent", ""),
                ip_address=client_ip(request) or None,
            )
        except DomainError as problem:
            context["error"] = problem.message
            return render(request, "sessions/checkin.html", context, status=problem.status)
        context["state"] = "signed"
        return render(request, "sessions/checkin.html", context)
    return render(
        request, "sessions/checkin.html", context, status=400 if request.method == "POST" else 200
    )
