"""The reports page (ask, follow, download) and the exports. Every view checks a permission and
answers 404 for what the user may not see, including the runs and files of other programmes."""

import hashlib
import posixpath

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import get_language, get_supported_language_variant
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participants import permissions as evaluation_permissions
from participants.models import Participant, Questionnaire
from participants.selectors import evaluation_results as evaluation_results_of
from programmes.addresses import row_pattern, row_url
from programmes.errors import DomainError, back_on_refusal
from programmes.models import Programme
from programmes.permissions import can_manage_programme, programme_get_for_user, require
from sessions import permissions as attendance_permissions
from sessions.selectors import slot_get

from . import documents, exports, permissions, selectors, services
from .forms import ReportRequestForm, VerifyForm
from .models import ReportRun, person_document_path
from .parts import PART_KINDS
from .rendering import pdf_from_html

# Refusals that are not about the form's content: too many reports asked for at once.


def _run_for_user(request: HttpRequest, slug: str, pk: int) -> ReportRun:
    programme = programme_get_for_user(request.user, slug)
    run = selectors.report_run_get(programme=programme, pk=pk)
    require(run is not None and permissions.can_view_report_run(request.user, run))
    return run


def _request_message(request: HttpRequest, result: services.ReportRequest) -> None:
    # Without a broker (the demo, development) the run was built during this request, after its
    # commit: say what it is now, not that it is being prepared.
    run = result.run
    run.refresh_from_db(fields=["status", "error"])
    if run.status == ReportRun.Status.DONE:
        messages.success(request, _("Your report is ready: download it below."))
        return
    if run.status == ReportRun.Status.FAILED:
        messages.error(request, run.error or _("The report could not be built."))
        return
    if result.resent:
        messages.info(
            request,
            _(
                "The earlier build of this report had stopped: it has been started again. "
                "It appears below as soon as it is ready."
            ),
        )
    elif not result.created:
        messages.info(
            request,
            _(
                "This report is already being prepared: it was not started a second time. "
                "It appears below as soon as it is ready."
            ),
        )
    elif result.handed_to_workers:
        messages.success(
            request, _("Your report is being prepared. This page shows when it is ready.")
        )
    else:
        messages.warning(
            request,
            _(
                "The report service cannot be reached right now. Your request is saved and "
                "the report will be built as soon as the service is back: you do not need to "
                "ask again."
            ),
        )


def _export_links(programme: Programme) -> list[tuple[str, str, str]]:
    """(label, CSV address, Excel address) of each dataset, from one reverse()."""
    pattern = reverse("reports:export", args=[programme.slug, "DATASET", "FORMAT"])
    head, tail = pattern.rsplit("DATASET.FORMAT", 1)
    return [
        (label, f"{head}{dataset}.csv{tail}", f"{head}{dataset}.xlsx{tail}")
        for dataset, label in exports.DATASET_LABELS.items()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_view_reports(request.user, programme))
    kinds = permissions.requestable_kinds(request.user, programme)
    every_funder = permissions.sees_every_funder(request.user, programme)
    form = ReportRequestForm(
        request.POST or None,
        kinds=kinds,
        funders=selectors.programme_funders(programme=programme) if every_funder else None,
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            funder = (
                form.chosen_funder
                if every_funder
                else permissions.funder_organisation(request.user, programme)
            )
            try:
                result = services.report_run_request(
                    programme=programme,
                    kind=form.cleaned_data["kind"],
                    language=get_supported_language_variant(get_language()),
                    user=request.user,
                    funder=funder,
                )
            except DomainError as error:  # shown on the form, with the refusal's status
                form.add_error(None, error)
                status = error.status
            else:
                _request_message(request, result)
                return redirect("reports:report_list", slug=programme.slug)
        else:
            status = 400
    can_export = permissions.can_export_data(request.user, programme)
    context = {
        "programme": programme,
        "form": form,
        "runs": selectors.report_run_list(programme=programme, user=request.user),
        "can_export": can_export,
        "exports": _export_links(programme) if can_export else (),
    }
    return render(request, "reports/report_list.html", context, status=status)


@login_required
@require_GET
def report_run_status(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """One run's row, polled by htmx while it is queued or running (the row of a finished run
    carries no polling trigger, so polling stops)."""
    run = _run_for_user(request, slug, pk)
    return render(
        request, "reports/report_list.html#run_row", {"run": run, "programme": run.programme}
    )


@login_required
@require_GET
def report_run_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The run's PDF, after checking the permission again, under a name the server chooses."""
    run = _run_for_user(request, slug, pk)
    if not run.is_downloadable:
        return _unavailable(request, run)
    try:
        handle = run.file.open("rb")
    except FileNotFoundError:
        return _unavailable(request, run, missing=True)
    services.report_run_record_download(run=run, user=request.user)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=posixpath.basename(run.file.name),
        content_type=run.file_type[1],
    )


def _unavailable(request: HttpRequest, run: ReportRun, *, missing: bool = False) -> HttpResponse:
    status = 410 if missing or run.status == ReportRun.Status.EXPIRED else 409
    return render(
        request,
        "reports/report_unavailable.html",
        {"run": run, "programme": run.programme, "missing": missing},
        status=status,
    )


@login_required
@require_GET
def report_run_people(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The people of a run built in parts (the certificates), each with a link to their own
    file: a certificate to hand to its holder without the others'."""
    run = _run_for_user(request, slug, pk)
    if run.kind not in PART_KINDS:
        raise Http404
    if not run.is_downloadable:
        return _unavailable(request, run)
    # One reverse() for every row: the URL differs by the participant's id only.
    url = row_pattern("reports:report_run_person_download", run.programme.slug, run.pk)
    people = [
        (person, row_url(url, person.participant_id))
        for person in selectors.report_run_people(run=run)
    ]
    return render(
        request,
        "reports/report_run_people.html",
        {"run": run, "programme": run.programme, "people": people},
    )


@login_required
@require_GET
def report_run_person_download(
    request: HttpRequest, slug: str, pk: int, participant_id: int
) -> HttpResponse:
    """One person's own file of a run built in parts (their certificate, cut from the run),
    under the same permission as the whole run; 404 for a person the run does not hold."""
    run = _run_for_user(request, slug, pk)
    if run.kind not in PART_KINDS or not selectors.report_run_has_person(
        run=run, participant_id=participant_id
    ):
        raise Http404
    if not run.is_downloadable:
        return _unavailable(request, run)
    participant = Participant.objects.filter(pk=participant_id, programme=run.programme).first()
    if participant is None:
        raise Http404
    try:
        handle = run.file.storage.open(person_document_path(run, participant_id), "rb")
    except FileNotFoundError:
        return _unavailable(request, run, missing=True)
    services.report_run_record_person_download(run=run, participant=participant, user=request.user)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=services.certificate_file_name(run.programme, participant),
        content_type="application/pdf",
    )


@login_required
@require_GET
def export_download(request: HttpRequest, slug: str, dataset: str, file_format: str):
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_export_data(request.user, programme))
    if dataset not in exports.DATASETS or file_format not in exports.FORMATS:
        raise Http404
    services.export_record_download(programme=programme, dataset=dataset, user=request.user)
    table = exports.TABLES[dataset](programme=programme)
    name = exports.export_file_name(dataset=dataset, file_format=file_format, programme=programme)
    if file_format == "csv":
        separator = exports.csv_separator(
            language=get_language(), choice=request.GET.get("separator", "")
        )
        response = StreamingHttpResponse(
            exports.csv_lines(table, separator=separator),
            content_type=exports.CONTENT_TYPES["csv"],
        )
    else:
        response = HttpResponse(
            exports.xlsx_bytes(table), content_type=exports.CONTENT_TYPES["xlsx"]
        )
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@login_required
@require_GET
def attendance_sheet_pdf(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    """The blank sheet of a half-day to print and sign, for those who take attendance."""
    slot = slot_get(slug=slug, slot_id=slot_id)
    require(attendance_permissions.can_record_attendance(request.user, slot.day.programme))
    pdf = pdf_from_html(documents.attendance_sheet_html(slot=slot))
    name = slugify(f"emargement-{slot.day.programme.slug}-{slot.day.date}-{slot.part}")
    response = HttpResponse(pdf.content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Public: check a sealed attendance sheet by its code or its PDF. The answer names no
    person: only whether it is intact, when it was sealed, the programme, the half-day and the
    number of signatures."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    check, status = None, 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload:
                digest = hashlib.sha256()
                for chunk in upload.chunks():
                    digest.update(chunk)
                check = selectors.seal_verify_file(sha256=digest.hexdigest())
            else:
                check = selectors.seal_verify_code(code=form.cleaned_data["code"])
        else:
            status = 400
    return render(request, "reports/verify.html", {"form": form, "check": check}, status=status)


@login_required
@require_GET
def sealed_sheet_pdf(request: HttpRequest, slug: str, slot_id: int) -> HttpResponse:
    """The sealed (signed) sheet of a closed half-day, for those who take attendance; built now
    if the workers have not built it yet."""
    slot = slot_get(slug=slug, slot_id=slot_id)
    require(attendance_permissions.can_record_attendance(request.user, slot.day.programme))
    seal = selectors.sealed_sheet_current(slot=slot)
    if seal is None:
        raise Http404
    if not seal.file_sha256:
        services.sealed_sheet_build(seal_id=seal.pk)
        seal.refresh_from_db()
    if not seal.file:
        messages.error(
            request,
            _("The sealed sheet was deleted with a person’s data; its code still verifies."),
        )
        return redirect("sessions:attendance_sheet", slug, slot.pk)
    return FileResponse(
        seal.file.open("rb"),
        content_type="application/pdf",
        as_attachment=False,
        filename=posixpath.basename(seal.file.name),
    )


# --- Evaluation results and the public results page ---------------------------------------------
def _certificate_person(request: HttpRequest, slug: str, participant_id: int):
    """The programme and the trainee, when the user may ask for certificates, else 404."""
    programme = programme_get_for_user(request.user, slug)
    require(permissions.can_request_report(request.user, programme, ReportRun.Kind.CERTIFICATES))
    participant = Participant.objects.filter(pk=participant_id, programme=programme).first()
    if participant is None:
        raise Http404
    return programme, participant


@login_required
@require_GET
def evaluation_results(request: HttpRequest, slug: str, questionnaire_id: int) -> HttpResponse:
    """A questionnaire's results: per question, by moment and category, small groups hidden;
    the written answers for the organisers only, never with a name."""
    programme = programme_get_for_user(request.user, slug)
    require(evaluation_permissions.can_view_evaluation_results(request.user, programme))
    questionnaire = get_object_or_404(Questionnaire, pk=questionnaire_id, programme=programme)
    results = evaluation_results_of(
        programme=programme,
        questionnaire=questionnaire,
        with_text=evaluation_permissions.can_read_free_text(request.user, programme),
    )
    return render(
        request,
        "reports/evaluation_results.html",
        {"programme": programme, "questionnaire": questionnaire, "evaluation": results},
    )


@require_GET
def public_results(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's public results page, for anyone once its organisers opened it; before
    that, a preview for them only (404 for everyone else)."""
    programme = get_object_or_404(Programme, slug=slug)
    can_manage = can_manage_programme(request.user, programme)
    require(programme.results_public or can_manage)
    return render(
        request,
        "reports/public/results.html",
        {
            "programme": programme,
            "page": selectors.public_results_data(programme=programme, language=get_language()),
            "can_manage": can_manage,
        },
    )


@login_required
@require_GET
@back_on_refusal(
    lambda request, slug, participant_id: reverse(
        "participants:participant_edit", args=[slug, participant_id]
    )
)
def certificate_pdf(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    """One trainee's certificat de réalisation, in the reader's language (one page: built in
    the request, as the blank attendance sheet is)."""
    programme, participant = _certificate_person(request, slug, participant_id)
    content = services.certificate_pdf(
        programme=programme,
        participant_id=participant.pk,
        signatory=request.user.get_full_name() or request.user.get_username(),
    )
    name = services.certificate_file_name(programme, participant)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, name)
    return response


@login_required
@require_POST
def public_results_toggle(request: HttpRequest, slug: str) -> HttpResponse:
    programme = programme_get_for_user(request.user, slug)
    require(can_manage_programme(request.user, programme))
    public = request.POST.get("public") == "1"
    services.public_results_set(programme=programme, public=public, user=request.user)
    messages.success(
        request,
        _("The results page is public.") if public else _("The results page is no longer public."),
    )
    return redirect("reports:public_results", slug)


@login_required
@require_POST
@back_on_refusal(
    lambda request, slug, participant_id: reverse(
        "participants:participant_edit", args=[slug, participant_id]
    )
)
def certificate_send(request: HttpRequest, slug: str, participant_id: int) -> HttpResponse:
    programme, participant = _certificate_person(request, slug, participant_id)
    services.certificate_send(programme=programme, participant=participant, user=request.user)
    messages.success(
        request, _("The certificate is being sent by e-mail to %s.") % participant.full_name
    )
    return redirect("participants:participant_edit", slug, participant.pk)
