"""Pages of the timetable, the attendance sheets and the participation figures.

Every view checks a predicate of ``sessions.permissions``; what a user may not see answers 404.
"""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from programmes.addresses import row_pattern, row_url
from programmes.errors import DomainError, NotFound, back_on_refusal
from programmes.network import client_ip
from programmes.permissions import programme_get_for_user, require, roles_reader

from . import permissions, services
from .forms import (
    OFFLINE_CHANGES_MAX,
    ActivityForm,
    CorrectionForm,
    ExpenseForm,
    OfflineChangeForm,
    PaperScanForm,
    RecordForm,
    ReopenForm,
    ReplaceForm,
    SheetForm,
    SignForm,
    SlotForm,
    TrainingDayForm,
)
from .models import (
    Activity,
    AttendanceSignature,
    AttendanceStatus,
    Expense,
    PaperSheet,
    Slot,
    SyncedChange,
    TrainingDay,
)
from .selectors import (
    PEOPLE_PAGE_SIZE,
    AttendanceSlot,
    SheetGrouping,
    SheetRow,
    SignedLine,
    attendance_slot_list,
    programme_expenses,
    programme_participation,
    sheet_activities,
    sheet_counts,
    sheet_history,
    sheet_rows,
    signed_lines,
    slot_activities,
    slot_get,
    slot_last_reopening,
    slot_paper_scans,
    slot_signatures,
    timetable_days,
)

# --- Timetable -----------------------------------------------------------------------------


@login_required
@require_GET
def timetable(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_view_timetable(request.user, programme))
    can_edit = permissions.can_edit_timetable(request.user, programme)
    context = {
        "programme": programme,
        "days": timetable_days(programme=programme),
        "can_edit": can_edit,
    }
    if can_edit:  # one reverse() per kind of link, not per row (programmes.addresses)
        context["urls"] = {
            name: row_pattern(f"sessions:{name}", programme.slug)
            for name in ("day_edit", "slot_create", "slot_edit", "activity_create", "activity_edit")
        }
    return render(request, "sessions/timetable.html", context)


def _editable_programme(request: HttpRequest, slug: str):
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_edit_timetable(request.user, programme))
    return programme


def _timetable_form_page(request, *, programme, form, title, instance=None, facilitators=False):
    """Render a timetable form, or save it through the service and go back to the timetable."""
    if request.method == "POST" and form.is_valid():
        saved = services.timetable_save(
            instance=form.save(commit=False),
            programme=programme,
            user=request.user,
            facilitators=form.cleaned_data["facilitators"] if facilitators else None,
        )
        messages.success(request, _("Saved: %s.") % saved)
        return redirect(f"{reverse('sessions:timetable', args=[programme.slug])}#{anchor(saved)}")
    delete_url = None
    if instance is not None and instance.pk:
        delete_url = reverse(
            f"sessions:{services.timetable_kind(instance)}_delete",
            args=[programme.slug, instance.pk],
        )
    return render(
        request,
        "sessions/timetable_form.html",
        {"programme": programme, "form": form, "title": title, "delete_url": delete_url},
        status=400 if request.method == "POST" else 200,
    )


def anchor(instance) -> str:
    """The id of an object's block on the timetable page."""
    if isinstance(instance, TrainingDay):
        return f"day-{instance.pk}"
    if isinstance(instance, Slot):
        return f"slot-{instance.pk}"
    return f"activity-{instance.pk}"


@login_required
@require_http_methods(["GET", "POST"])
def day_form(request: HttpRequest, slug: str, day_id: int | None = None) -> HttpResponse:
    programme = _editable_programme(request, slug)
    day = (
        get_object_or_404(TrainingDay, pk=day_id, programme=programme)
        if day_id
        else TrainingDay(programme=programme)
    )
    form = TrainingDayForm(request.POST or None, instance=day)
    title = _("Edit the training day") if day.pk else _("Add a training day")
    return _timetable_form_page(request, programme=programme, form=form, title=title, instance=day)


@login_required
@require_http_methods(["GET", "POST"])
def slot_form(
    request: HttpRequest, slug: str, day_id: int | None = None, slot_id: int | None = None
) -> HttpResponse:
    programme = _editable_programme(request, slug)
    if slot_id:
        slot = get_object_or_404(
            Slot.objects.select_related("day"), pk=slot_id, day__programme=programme
        )
        title = _("Edit the half-day of %s") % slot.day
    else:
        day = get_object_or_404(TrainingDay, pk=day_id, programme=programme)
        taken = set(day.slots.values_list("part", flat=True))
        part = Slot.Part.AFTERNOON if Slot.Part.MORNING in taken else Slot.Part.MORNING
        slot = Slot(day=day, part=part)
        title = _("Add a half-day to %s") % day
    initial = {} if slot.pk else SLOT_TIMES[slot.part]
    form = SlotForm(request.POST or None, instance=slot, initial=initial)
    return _timetable_form_page(request, programme=programme, form=form, title=title, instance=slot)


SLOT_TIMES = {
    Slot.Part.MORNING: {"part": Slot.Part.MORNING, "starts_at": "09:00", "ends_at": "12:30"},
    Slot.Part.AFTERNOON: {"part": Slot.Part.AFTERNOON, "starts_at": "14:00", "ends_at": "17:30"},
}


@login_required
@require_http_methods(["GET", "POST"])
def activity_form(
    request: HttpRequest, slug: str, slot_id: int | None = None, activity_id: int | None = None
) -> HttpResponse:
    programme = _editable_programme(request, slug)
    if activity_id:
        activity = get_object_or_404(
            Activity.objects.select_related("slot__day"),
            pk=activity_id,
            slot__day__programme=programme,
        )
        title = _("Edit the activity")
    else:
        slot = get_object_or_404(
            Slot.objects.select_related("day"), pk=slot_id, day__programme=programme
        )
        activity = Activity(slot=slot, position=slot.activities.count())
        title = _("Add an activity to %s") % slot
    form = ActivityForm(request.POST or None, instance=activity, programme=programme)
    return _timetable_form_page(
        request, programme=programme, form=form, title=title, instance=activity, facilitators=True
    )


@login_required
@require_POST
@back_on_refusal(lambda request, slug, **_: reverse("sessions:timetable", args=[slug]))
def timetable_delete(request: HttpRequest, slug: str, model: str, pk: int) -> HttpResponse:
    programme = _editable_programme(request, slug)
    lookups = {
        "trainingday": (TrainingDay, {"programme": programme}),
        "slot": (Slot, {"day__programme": programme}),
        "activity": (Activity, {"slot__day__programme": programme}),
    }
    if model not in lookups:
        raise Http404
    model_class, scope = lookups[model]
    instance = get_object_or_404(model_class, pk=pk, **scope)
    services.timetable_delete(instance=instance, programme=programme, user=request.user)
    messages.success(request, _("Deleted: %s.") % instance)
    return redirect("sessions:timetable", programme.slug)


# --- Attendance ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendanceLine:
    """A half-day of the attendance page with what its card shows, formatted once."""

    slot: AttendanceSlot
    url: str
    heading: str  # "Jeudi 22 janvier · Matin"
    times: str  # "09:00–12:30 · Accueil · Plénière"
    figures: str  # "12 of 28 marked, 10 attending"


@login_required
@require_GET
def attendance_list(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_record_attendance(request.user, programme))
    slots = attendance_slot_list(programme=programme)
    now = timezone.localtime()
    sheet = row_pattern("sessions:attendance_sheet", programme.slug)
    lines = [
        AttendanceLine(
            slot=slot,
            url=row_url(sheet, slot.pk),
            heading=f"{capfirst(date_format(slot.date, 'l j F'))} · {slot.part_label}",
            times=" · ".join(
                (f"{time_format(slot.starts_at, 'H:i')}–{time_format(slot.ends_at, 'H:i')}",)
                + slot.activities
            ),
            figures=_("%(recorded)s of %(expected)s marked, %(attended)s attending")
            % {"recorded": slot.recorded, "expected": slot.expected, "attended": slot.attended},
        )
        for slot in slots
    ]
    return render(
        request,
        "sessions/attendance_list.html",
        {
            "programme": programme,
            "lines": lines,
            # The first one is the last held when every half-day is over (a finished programme).
            "first_is_over": bool(slots)
            and (slots[0].date, slots[0].ends_at) < (now.date(), now.time()),
            # "Prepare for offline use": every sheet of the current or next training day.
            "prepare_urls": [
                line.url
                for line in lines
                if line.slot.date == slots[0].date and not line.slot.is_closed
            ],
            "prepare_day": date_format(slots[0].date, "l j F") if slots else "",
        },
    )


def _sheet_slot(request: HttpRequest, slug: str, slot_id: int) -> Slot:
    """The slot if the user may record attendance in its programme, else 404 (one query: the
    user's roles are read with it)."""
    slot = slot_get(slug=slug, slot_id=slot_id, reader=roles_reader(request.user))
    require(permissions.can_record_attendance(request.user, slot.day.programme))
    return slot


@dataclass
class RowView:
    """A sheet line as shown: the record, plus what the user typed and a message if any."""

    row: SheetRow
    status: str
    note: str
    version: int
    error: str = ""
    saved: bool = False
    signature: AttendanceSignature | None = None
    line: SignedLine | None = None

    @classmethod
    def of(cls, row: SheetRow, **kwargs) -> "RowView":
        if not kwargs:  # a line as recorded: each of a sheet's 500
            return cls(row, row.status, row.note, row.version)
        values = {"status": row.status, "note": row.note, "version": row.version} | kwargs
        return cls(row=row, **values)


def _record_url(slot: Slot) -> str:
    """The address of a tap without the participant id, which attendance.js appends."""
    url = reverse("sessions:attendance_record", args=[slot.day.programme.slug, slot.pk, 1])
    return url.removesuffix("1/")


def _sign_url(slot: Slot, request: HttpRequest | None = None) -> str:
    """The address of a signing page without the role and the person, which the template
    appends. On the sheet's own address it is relative (``sign/``): 45 bytes less on each of
    500 lines; a sheet drawn at another address (a refused form) gets the full one."""
    url = reverse("sessions:attendance_sign", args=[slot.day.programme.slug, slot.pk, "x", 1])
    url = url.removesuffix("x/1/")
    if request is not None and request.path + "sign/" == url:
        return "sign/"
    return url


def _correct_url(slot: Slot) -> str:
    """The address of a line's correction without the person, which the line appends."""
    url = reverse("sessions:attendance_correct", args=[slot.day.programme.slug, slot.pk, 1])
    return url.removesuffix("1/")


def _grouping(request: HttpRequest) -> str:
    group = request.GET.get("group") or request.POST.get("group")
    return group if group in SheetGrouping.values else SheetGrouping.PEER_GROUP


def _sheet_context(request, slot: Slot, rows: list[RowView], **extra) -> dict:
    programme = slot.day.programme
    user = request.user
    counts = sheet_counts([view.row for view in rows])
    activities = sheet_activities(slot=slot)
    signatures = slot_signatures(slot=slot)
    Role = AttendanceSignature.Role
    signed = {(sig.role, sig.participant_id): sig for sig in signatures}
    lines = signed_lines(signatures)
    for view in rows:
        view.line = lines.get(view.row.participant.pk)
        view.signature = view.line.signature if view.line else None
    trainers = {person.pk: person for activity in activities for person in activity.facilitators}
    return {
        "programme": programme,
        "slot": slot,
        "rows": rows,
        "counts": counts,
        "count_rows": [
            *((value, label, counts[value]) for value, label in AttendanceStatus.choices),
            ("unrecorded", _("Not marked"), counts["unrecorded"]),
        ],
        "record_url": _record_url(slot),
        "sign_url": _sign_url(slot, request),
        "correct_url": _correct_url(slot),
        "grouping": _grouping(request),
        "groupings": SheetGrouping.choices,
        "activities": activities,
        "trainers": [
            (person, signed.get((Role.TRAINER, person.pk)))
            for person in sorted(trainers.values(), key=lambda p: (p.last_name, p.first_name))
        ],
        "trainee_signatures": len(lines),
        "history": sheet_history(slot=slot),
        "paper_scans": slot_paper_scans(slot=slot),
        "reopened": slot_last_reopening(slot=slot),
        "paper_form": extra.pop("paper_form", None) or PaperScanForm(),
        "can_correct": not slot.is_closed,
        "can_reopen": permissions.can_reopen_sheet(user, programme),
        "reopen_form": extra.pop("reopen_form", None) or ReopenForm(),
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def attendance_sheet(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    """The sheet of a half-day; a POST saves the whole sheet (the page without JavaScript)."""
    slot = _sheet_slot(request, slug, slot_id)
    if request.method == "GET":
        rows = sheet_rows(slot=slot, group_by=_grouping(request))
        return render(
            request,
            "sessions/attendance_sheet.html",
            _sheet_context(request, slot, [RowView.of(row) for row in rows]),
        )

    form = SheetForm(request.POST)
    if slot.is_closed:
        messages.error(request, _("This sheet is closed: an organiser must reopen it first."))
        return redirect(_sheet_url(request, slot))
    if not form.is_valid():
        return _sheet_with_errors(request, slot, form, status=400)
    try:
        result = services.attendance_sheet_save(
            slot=slot,
            entries=[services.SheetEntry(**entry) for entry in form.entries()],
            user=request.user,
        )
    except DomainError as error:
        form.non_field_errors.extend(error.messages)
        return _sheet_with_errors(request, slot, form, status=error.status)
    if result.conflicts:
        conflicts = {conflict.current.participant.pk: conflict for conflict in result.conflicts}
        views = [
            RowView.of(row, error=conflicts[row.participant.pk].message)
            if row.participant.pk in conflicts
            else RowView.of(row)
            for row in sheet_rows(slot=slot, group_by=_grouping(request))
        ]
        messages.warning(
            request,
            _("%(saved)d saved; %(conflicts)d changed meanwhile by someone else, shown below.")
            % {"saved": result.saved, "conflicts": len(result.conflicts)},
        )
        context = _sheet_context(request, slot, views)
        return render(request, "sessions/attendance_sheet.html", context, status=409)
    messages.success(
        request,
        _("Sheet saved: %(saved)d changes, %(unchanged)d unchanged.")
        % {"saved": result.saved, "unchanged": result.unchanged},
    )
    return redirect(_sheet_url(request, slot))


def _sheet_with_errors(request, slot, form: SheetForm, *, status: int) -> HttpResponse:
    """The sheet again with what was typed and the errors; nothing was saved."""
    rows = sheet_rows(slot=slot, group_by=_grouping(request))
    expected = {row.participant.pk for row in rows}
    if set(form.forms) - expected:
        message = _("The sheet names people who are not expected on it; nothing was saved.")
        if message not in form.non_field_errors:
            form.non_field_errors.append(message)
    views = []
    for row in rows:
        line = form.forms.get(row.participant.pk)
        if line is None:
            views.append(RowView.of(row))
            continue
        views.append(
            RowView(
                row=row,
                status=line["status"].value() or "",
                note=line["note"].value() or "",
                version=row.version,
                error=" ".join(str(error) for errors in line.errors.values() for error in errors),
            )
        )
    context = _sheet_context(request, slot, views, form_errors=form.non_field_errors)
    return render(request, "sessions/attendance_sheet.html", context, status=status)


@login_required
@require_POST
def attendance_record(
    request: HttpRequest, slug: str, slot_id: int, participant_id: int
) -> HttpResponse:
    """One tap on the sheet: save one line, answer that line (htmx) or go back to the sheet."""
    slot = _sheet_slot(request, slug, slot_id)
    form = RecordForm(request.POST, participant_id=participant_id)
    status = 200
    if not form.is_valid():
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
        row, status = None, 400
    else:
        try:
            row, changed = services.attendance_record(
                slot=slot,
                participant_id=participant_id,
                user=request.user,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                version=form.cleaned_data["version"],
            )
            error = ""
        except services.AttendanceConflict as conflict:
            row, error, status = conflict.current, conflict.message, conflict.status
        except NotFound:
            raise  # answered by DomainErrorMiddleware, as a 404
        except DomainError as problem:
            row, error, status = None, problem.message, problem.status
    if row is None:
        rows = sheet_rows(slot=slot, participant_id=participant_id)
        if not rows:
            raise Http404
        row = rows[0]
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Saved: %s.") % row.participant.full_name)
        return redirect("sessions:attendance_sheet", slug, slot.pk)
    # Saved: only the version and the "saved" line change, so that a second tap made meanwhile
    # is not undone. Refused: the whole line comes back with the value on record and why.
    view = RowView.of(row, error=error, saved=status == 200)
    partial = "row_saved" if status == 200 else "row"
    return render(
        request,
        f"sessions/attendance_sheet.html#{partial}",
        {
            "programme": slot.day.programme,
            "slot": slot,
            "view": view,
            "sign_url": _sign_url(slot),
            "correct_url": _correct_url(slot),
            "can_correct": not slot.is_closed,
            "oob": True,
        },
        status=status,
    )


@login_required
@require_POST
@back_on_refusal(lambda request, slug, slot_id: _sheet_address(request, slug, slot_id))
def attendance_mark_present(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    slot = _sheet_slot(request, slug, slot_id)
    result = services.attendance_mark_unrecorded_present(slot=slot, user=request.user)
    messages.success(
        request,
        _("%(count)d people marked present; statuses already marked were kept.")
        % {"count": result.saved},
    )
    return redirect(_sheet_url(request, slot))


def _offline_changes(
    request: HttpRequest,
) -> list[services.OfflineChange | services.OfflineSignature] | None:
    """The changes a phone sends as JSON (``{"changes": [...]}``), or None when malformed."""
    try:
        payload = json.loads(request.body)
        items = payload["changes"]
    except (ValueError, TypeError, KeyError):
        return None
    if not isinstance(items, list) or len(items) > OFFLINE_CHANGES_MAX:
        return None
    changes = []
    for item in items:
        form = OfflineChangeForm(item if isinstance(item, dict) else {})
        if not form.is_valid():
            return None
        data = form.cleaned_data
        if data["kind"] == "signature":
            changes.append(
                services.OfflineSignature(
                    change_id=data["id"],
                    participant_id=data["participant"],
                    role=data["role"],
                    device_time=data["device_time"],
                    strokes=data["strokes"],
                    mark=data["mark"],
                    as_mark=data["as_mark"],
                    arrived_at=data["arrived_at"],
                    left_at=data["left_at"],
                    user_agent=request.headers.get("User-Agent", ""),
                    ip_address=_client_ip(request),
                )
            )
            continue
        changes.append(
            services.OfflineChange(
                change_id=data["id"],
                participant_id=data["participant"],
                status=data["status"],
                note=data["note"],
                version=data["version"],
                device_time=data["device_time"],
                mark_present=data["kind"] == "mark_present",
            )
        )
    return changes


@login_required
@require_POST
def attendance_sync(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    """Changes a phone made offline, sent when the connection returns (JSON in, JSON out):
    each answered with its result and the line as it is now (its state as the sheet shows it)."""
    slot = _sheet_slot(request, slug, slot_id)
    changes = _offline_changes(request)
    if changes is None:
        return JsonResponse({"error": _("The changes sent could not be read.")}, status=400)
    try:
        outcomes = services.attendance_sync(slot=slot, changes=changes, user=request.user)
    except DomainError as error:
        return JsonResponse({"error": error.message}, status=error.status)
    results = []
    signatures = {c.change_id: c for c in changes if isinstance(c, services.OfflineSignature)}
    for outcome in outcomes:
        row = outcome.row
        answer = {"id": str(outcome.change_id), "result": outcome.result}
        if outcome.change_id in signatures:
            # The line's radios are not the phone's to change here: only the result and why.
            signature = signatures[outcome.change_id]
            answer |= {
                "kind": "signature",
                "participant": signature.participant_id,
                "role": signature.role,
                "message": outcome.message,
            }
        elif row is not None:
            view = RowView.of(
                row, error=outcome.message, saved=outcome.result == SyncedChange.Result.APPLIED
            )
            answer |= {
                "participant": row.participant.pk,
                "status": row.status,
                "note": row.note,
                "version": row.version,
                "state": render_to_string(
                    "sessions/attendance_sheet.html#row_state", {"view": view}, request
                ).strip(),
            }
        else:
            answer["message"] = outcome.message
        results.append(answer)
    return JsonResponse({"results": results, "synced_at": timezone.localtime().strftime("%H:%M")})


def _sheet_url(request: HttpRequest, slot: Slot) -> str:
    return _sheet_address(request, slot.day.programme.slug, slot.pk)


def _sheet_address(request: HttpRequest, slug: str, slot_id: int) -> str:
    url = reverse("sessions:attendance_sheet", args=[slug, slot_id])
    return f"{url}?group={_grouping(request)}"


def _client_ip(request: HttpRequest) -> str | None:
    """The address the request came from, through the trusted proxies only."""
    return client_ip(request) or None


@login_required
@require_http_methods(["GET", "POST"])
def attendance_sign(
    request: HttpRequest, slug: str, slot_id: int, role: str, participant_id: int
) -> HttpResponse:
    """The signing page of one person on a half-day: a drawing on the facilitator's device or
    a mark with the facilitator as witness."""
    slot = _sheet_slot(request, slug, slot_id)
    Role = AttendanceSignature.Role
    status = ""
    if role == Role.TRAINEE:
        rows = sheet_rows(slot=slot, participant_id=participant_id)
        if not rows:
            raise Http404
        person, status = rows[0].participant, rows[0].status
    elif role == Role.TRAINER:
        person = next(
            (
                facilitator
                for activity in slot_activities(slot=slot)
                for facilitator in activity.facilitators.all()
                if facilitator.pk == participant_id
            ),
            None,
        )
        if person is None:
            raise Http404
    else:
        raise Http404
    sheet_url = _sheet_url(request, slot)
    if slot.is_closed:
        messages.error(request, _("This sheet is closed: an organiser must reopen it first."))
        return redirect(sheet_url)
    now = timezone.localtime().strftime("%H:%M")
    form = SignForm(
        request.POST or None,
        initial={"arrived_at": now, "left_at": now},
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.attendance_sign(
                slot=slot,
                participant_id=participant_id,
                role=role,
                user=request.user,
                strokes=data["strokes"],
                mark=data["mark"],
                as_mark=data["as_mark"],
                arrived_at=data["arrived_at"],
                left_at=data["left_at"],
                user_agent=request.headers.get("User-Agent", ""),
                ip_address=_client_ip(request),
            )
        except DomainError as problem:
            if problem.code in ("closed", "already_signed"):
                messages.error(request, problem.message)
                return redirect(sheet_url)
            error, response_status = problem.message, problem.status
        else:
            messages.success(request, _("Signed: %s.") % person.full_name)
            return redirect(f"{sheet_url}#row-{participant_id}")
    elif request.method == "POST":
        response_status = 400
    return render(
        request,
        "sessions/attendance_sign.html",
        {
            "programme": slot.day.programme,
            "slot": slot,
            "person": person,
            "role": role,
            "is_trainer": role == Role.TRAINER,
            "status": status,
            "status_label": AttendanceStatus(status).label if status else "",
            "form": form,
            "error": error,
            "sheet_url": sheet_url,
        },
        status=response_status if request.method == "POST" else 200,
    )


@login_required
@require_POST
@back_on_refusal(lambda request, slug, slot_id: _sheet_address(request, slug, slot_id))
def slot_close(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    slot = _sheet_slot(request, slug, slot_id)
    services.slot_close(slot=slot, user=request.user)
    messages.success(request, _("The sheet is closed and signed. It is now read-only."))
    return redirect(_sheet_url(request, slot))


@login_required
@require_POST
@back_on_refusal(lambda request, slug, slot_id: _sheet_address(request, slug, slot_id))
def slot_reopen(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    slot = _sheet_slot(request, slug, slot_id)
    require(permissions.can_reopen_sheet(request.user, slot.day.programme))
    form = ReopenForm(request.POST)
    if not form.is_valid():
        rows = [RowView.of(row) for row in sheet_rows(slot=slot, group_by=_grouping(request))]
        context = _sheet_context(request, slot, rows, reopen_form=form)
        return render(request, "sessions/attendance_sheet.html", context, status=400)
    services.slot_reopen(slot=slot, user=request.user, reason=form.cleaned_data["reason"])
    messages.success(request, _("The sheet is open again for corrections."))
    return redirect(_sheet_url(request, slot))


@login_required
@require_http_methods(["GET", "POST"])
def attendance_correct(
    request: HttpRequest, slug: str, slot_id: int, participant_id: int
) -> HttpResponse:
    """Correct a signed line (status, arrival or departure time) on an open sheet: a new row
    with a reason, the signature stays. After closing, an organiser reopens the sheet first."""
    slot = _sheet_slot(request, slug, slot_id)
    sheet_url = _sheet_url(request, slot)
    if slot.is_closed:
        messages.error(request, _("This sheet is closed: an organiser must reopen it first."))
        return redirect(sheet_url)
    rows = sheet_rows(slot=slot, participant_id=participant_id)
    line = signed_lines(slot_signatures(slot=slot)).get(participant_id)
    if not rows or line is None:
        raise Http404
    latest = line.latest
    form = CorrectionForm(
        request.POST or None,
        initial={
            "status": rows[0].status,
            "arrived_at": latest.arrived_at or timezone.localtime().strftime("%H:%M"),
            "left_at": latest.left_at or timezone.localtime().strftime("%H:%M"),
        },
    )
    status = 200
    error = ""
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.attendance_correct(
                    slot=slot,
                    participant_id=participant_id,
                    user=request.user,
                    reason=data["reason"],
                    status=data["status"],
                    arrived_at=data["arrived_at"],
                    left_at=data["left_at"],
                    user_agent=request.headers.get("User-Agent", ""),
                    ip_address=_client_ip(request),
                )
            except DomainError as problem:
                error, status = problem.message, problem.status
            else:
                messages.success(request, _("Corrected: %s.") % rows[0].participant.full_name)
                return redirect(f"{sheet_url}#row-{participant_id}")
    return render(
        request,
        "sessions/attendance_correct.html",
        {
            "programme": slot.day.programme,
            "slot": slot,
            "person": rows[0].participant,
            "line": line,
            "form": form,
            "error": error,
            "sheet_url": sheet_url,
        },
        status=status,
    )


@login_required
@require_POST
def paper_scan_upload(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    """Keep the scan of the sheet signed in ink (the paper fallback)."""
    slot = _sheet_slot(request, slug, slot_id)
    form = PaperScanForm(request.POST, request.FILES)
    if not form.is_valid():
        rows = [RowView.of(row) for row in sheet_rows(slot=slot, group_by=_grouping(request))]
        context = _sheet_context(request, slot, rows, paper_form=form)
        return render(request, "sessions/attendance_sheet.html", context, status=400)
    services.paper_scan_add(slot=slot, upload=form.cleaned_data["scan"], user=request.user)
    messages.success(request, _("The scan is kept with the sheet: it counts as signed on paper."))
    return redirect(f"{_sheet_url(request, slot)}#paper")


@login_required
@require_GET
def paper_scan_download(request: HttpRequest, slug: str, slot_id: int, scan_id: int):
    slot = _sheet_slot(request, slug, slot_id)
    scan = get_object_or_404(PaperSheet, pk=scan_id, slot=slot)
    extension = scan.file.name.rsplit(".", 1)[-1]
    return FileResponse(
        scan.file.open("rb"),
        content_type=scan.content_type,
        as_attachment=True,
        filename=f"paper-sheet-{slot.day.date}-{slot.part}.{extension}",
    )


# --- Participation -------------------------------------------------------------------------


@login_required
@require_GET
def participation(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_view_participation(request.user, programme))
    show_names = permissions.can_view_participant_names(request.user, programme)
    figures = programme_participation(programme=programme)
    if not show_names:
        figures = figures.without_names()
    # Two tables of people, each a page at a time.
    hours_page = Paginator(figures.participants, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    commitments_page = Paginator(figures.commitments, PEOPLE_PAGE_SIZE).get_page(
        request.GET.get("commitments")
    )
    return render(
        request,
        "sessions/participation.html",
        {
            "programme": programme,
            "figures": figures,
            "hours_page": hours_page,
            "commitments_page": commitments_page,
            # Each table's page links keep the other table's page.
            "hours_query": urlencode({"commitments": commitments_page.number}),
            "commitments_query": urlencode({"page": hours_page.number}),
            "show_names": show_names,
            "now": timezone.now(),
        },
    )


# --- The activists' expenses -----------------------------------------------------------------


def _expenses_programme(request: HttpRequest, slug: str):
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_manage_expenses(request.user, programme))
    return programme


@login_required
@require_GET
def expenses(request: HttpRequest, slug: str) -> HttpResponse:
    """Every expense by day and person, with a warning where the person did not attend that
    day, and what each person, budget line and funding cost, planned against paid."""
    programme = _expenses_programme(request, slug)
    return render(
        request,
        "sessions/expenses.html",
        {"programme": programme, "overview": programme_expenses(programme=programme)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def expense_form(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    programme = _expenses_programme(request, slug)
    expense = None
    if pk is not None:
        expense = get_object_or_404(Expense, pk=pk, day__programme=programme)
    initial = {}
    if expense is None and request.GET.get("participant", "").isdigit():
        initial["participant"] = request.GET["participant"]
    form = ExpenseForm(request.POST or None, instance=expense, programme=programme, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                saved = services.expense_save(
                    programme=programme,
                    actor=request.user,
                    expense=expense,
                    fields={name: form.cleaned_data[name] for name in ExpenseForm.Meta.fields},
                )
            except DomainError as error:
                for message in error.messages:
                    form.add_error(None, message)
                status = error.status
            else:
                messages.success(request, _("Saved: %s.") % saved)
                return redirect("sessions:expenses", programme.slug)
    return render(
        request,
        "sessions/expense_form.html",
        {"programme": programme, "form": form, "expense": expense},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def triad_replace(request: HttpRequest, slug: str) -> HttpResponse:
    """Replace a member of a city's triad from a half-day (organisers)."""
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_replace_participant(request.user, programme))
    form = ReplaceForm(request.POST or None, programme=programme)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                newcomer = services.participant_replace(
                    actor=request.user,
                    participant=form.cleaned_data["participant"],
                    slot=form.cleaned_data["slot"],
                    fields=form.newcomer,
                )
            except DomainError as error:
                form.add_error(None, error.messages)
                status = error.status
            else:
                messages.success(
                    request,
                    _("%(old)s is replaced by %(new)s from %(slot)s.")
                    % {
                        "old": form.cleaned_data["participant"].full_name,
                        "new": newcomer.full_name,
                        "slot": form.cleaned_data["slot"],
                    },
                )
                return redirect("programme_overview", programme.slug)
    return render(
        request,
        "sessions/triad_replace.html",
        {"programme": programme, "form": form},
        status=status,
    )
