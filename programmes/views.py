"""Pages of programme set-up, the call, the city's application, review and selection.

Each view: permission (404 for what the user may not see), then form, then service or
selector, then render. A form with errors is shown again with what was typed and status 400;
an action the state of things forbids (a stale page, a closed selection) answers 409.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from . import forms, permissions, selectors, services
from .models import BudgetLine, CityApplication, CityContribution, Funding, Programme

Status = CityApplication.Status
LIST_PAGE_SIZE = 25
BOARD_PAGE_SIZE = 20


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _organiser_programme(request: HttpRequest, slug: str) -> Programme:
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    return programme


def _add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def _status_for(error: ValidationError) -> int:
    """Bad input is 400; a change the current state forbids is 409."""
    conflicts = {"stale", "closed", "not_editable", "submitted", "wrong_status", "pending"}
    codes = {item.code for item in error.error_list}
    return 409 if codes & conflicts else 400


# Programme set-up ---------------------------------------------------------------------------


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_programme(request.user):
        raise PermissionDenied
    form = forms.ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        programme = services.programme_create(
            actor=request.user,
            fields=form.service_fields,
            partners=form.cleaned_data["partners"],
            new_partners=form.new_partner_names,
        )
        messages.success(request, _("The programme is created. You are its organiser."))
        return redirect("programme_overview", programme.slug)
    status = 400 if form.errors else 200
    return render(
        request, "programmes/programme_form.html", {"form": form, "programme": None}, status=status
    )


@login_required
def programme_edit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    form = forms.ProgrammeForm(request.POST or None, instance=programme)
    if request.method == "POST" and form.is_valid():
        services.programme_update(
            actor=request.user,
            programme=programme,
            fields=form.service_fields,
            partners=form.cleaned_data["partners"],
            new_partners=form.new_partner_names,
        )
        messages.success(request, _("The programme is saved."))
        return redirect("programmes:finances", programme.slug)
    status = 400 if form.errors else 200
    if form.errors:
        # The form changed the instance in memory: the page shows the saved title and links.
        programme.refresh_from_db(fields=["title", "slug"])
    return render(
        request,
        "programmes/programme_form.html",
        {"form": form, "programme": programme},
        status=status,
    )


@login_required
def finances(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    return render(
        request,
        "programmes/finances.html",
        {
            "programme": programme,
            "finances": selectors.programme_finances(programme=programme),
            "call": selectors.call_get_for_programme(programme=programme),
        },
    )


def _finance_form(request, *, programme, form, template_title: str, save, row=None):
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("programmes:finances", programme.slug)
    return render(
        request,
        "programmes/finance_form.html",
        {"programme": programme, "form": form, "title": template_title, "row": row},
        status=400 if form.errors else 200,
    )


@login_required
def funding_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    funding = get_object_or_404(Funding, programme=programme, pk=pk) if pk else None
    form = forms.FundingForm(request.POST or None, instance=funding)
    return _finance_form(
        request,
        programme=programme,
        form=form,
        row=funding,
        template_title=_("Change a funding") if funding else _("Add a funding"),
        save=lambda form: services.funding_save(
            actor=request.user,
            programme=programme,
            funding=funding,
            fields=form.service_fields,
            new_funder=form.cleaned_data["new_funder"],
        ),
    )


@login_required
def budget_line_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    line = get_object_or_404(BudgetLine, programme=programme, pk=pk) if pk else None
    form = forms.BudgetLineForm(request.POST or None, instance=line, programme=programme)
    return _finance_form(
        request,
        programme=programme,
        form=form,
        row=line,
        template_title=_("Change a budget line") if line else _("Add a budget line"),
        save=lambda form: services.budget_line_save(
            actor=request.user, programme=programme, line=line, fields=form.service_fields
        ),
    )


@login_required
def contribution_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    contribution = get_object_or_404(
        CityContribution.objects.select_related("application__city", "application__call"),
        application__call__programme=programme,
        pk=pk,
    )
    form = forms.ContributionForm(request.POST or None, instance=contribution)
    return _finance_form(
        request,
        programme=programme,
        form=form,
        template_title=_("Contribution of %(city)s") % {"city": contribution.application.city},
        save=lambda form: services.contribution_update(
            actor=request.user, contribution=contribution, fields=form.service_fields
        ),
    )


@login_required
def finance_row_delete(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    model = {"fundings": Funding, "budget-lines": BudgetLine}.get(kind)
    if model is None:
        raise Http404
    row = get_object_or_404(model, programme=programme, pk=pk)
    if request.method == "POST":
        services.finance_row_delete(actor=request.user, programme=programme, row=row)
        messages.success(request, _("“%(row)s” is deleted.") % {"row": row})
        return redirect("programmes:finances", programme.slug)
    return render(request, "programmes/confirm_delete.html", {"programme": programme, "row": row})


# The call -----------------------------------------------------------------------------------


@login_required
def call_edit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    call = selectors.call_get_for_programme(programme=programme)
    initial_criteria = [] if call else [{"label": str(label)} for label in forms.SUGGESTED_CRITERIA]
    form = forms.CallForm(
        request.POST or None,
        instance=call,
        initial=None
        if call
        else {
            "title": _("Call for applications") + f" · {programme.title}",
            "places": programme.capacity or None,
        },
    )
    formset = forms.CriterionFormSet(
        request.POST or None,
        instance=call,
        prefix="criteria",
        initial=initial_criteria,
    )
    if not call:  # the suggested grid fills the first rows
        formset.extra = max(len(initial_criteria) - formset.min_num, 0)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            call = services.call_save(
                actor=request.user,
                programme=programme,
                fields=form.service_fields,
                criteria=forms.criteria_rows(formset),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The call is saved."))
            return redirect("programmes:call_edit", programme.slug)
    status = 400 if form.errors or formset.total_error_count() else 200
    return render(
        request,
        "programmes/call_form.html",
        {
            "programme": programme,
            "call": call,
            "form": form,
            "formset": formset,
            "publish_form": None,
        },
        status=status,
    )


@login_required
@require_POST
def call_publish(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    call = selectors.call_get_for_programme(programme=programme)
    if call is None:
        raise Http404
    try:
        services.call_publish(actor=request.user, call=call)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("programmes:call_edit", programme.slug)
    messages.success(request, _("The call is published: cities can apply."))
    return redirect("programmes:call_edit", programme.slug)


@login_required
def call_invite(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    call = selectors.call_get_for_programme(programme=programme)
    if call is None or not call.is_published:
        messages.error(request, _("Publish the call before inviting cities to apply."))
        return redirect("programmes:call_edit", programme.slug)
    form = forms.InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.invitation_send(
            actor=request.user,
            programme=programme,
            email=form.cleaned_data["email"],
            city_name=form.cleaned_data["city_name"],
            message=form.cleaned_data["message"],
            base_url=_base_url(request),
        )
        messages.success(
            request,
            _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]},
        )
        return redirect("programmes:call_invite", programme.slug)
    return render(
        request,
        "programmes/call_invite.html",
        {"programme": programme, "call": call, "form": form},
        status=400 if form.errors else 200,
    )


# The public call and the city's application -------------------------------------------------


def call_public(request: HttpRequest, slug: str) -> HttpResponse:
    call = selectors.call_get_published(slug=slug)
    programme = call.programme
    return render(
        request,
        "programmes/call_public.html",
        {
            "call": call,
            "programme": programme,
            "criteria": list(call.criteria.all()),
            "is_open": call.is_open_on(timezone.localdate()),
            "my_application": selectors.contact_application_for_programme(
                user=request.user, programme=programme
            ),
        },
    )


def apply_sign_up(request: HttpRequest, slug: str, token: str = "") -> HttpResponse:
    """The city's first step: (an account, then) the city; opens a draft application."""
    call = selectors.call_get_published(slug=slug)
    programme = call.programme
    mine = selectors.contact_application_for_programme(user=request.user, programme=programme)
    if mine is not None:
        return redirect("programmes:city_application", programme.slug, mine.pk)
    invited_email = ""
    if token:
        invited_email = selectors.invitation_email_read(token=token, programme=programme) or ""
        if not invited_email:
            return render(
                request,
                "programmes/invitation_invalid.html",
                {"call": call, "programme": programme},
                status=400,
            )
    if not call.is_open_on(timezone.localdate()):
        messages.error(request, _("The call is not open: applications cannot be started now."))
        return redirect("programmes:call_public", programme.slug)

    data = request.POST if request.method == "POST" else None
    needs_account = not request.user.is_authenticated
    account_form = (
        forms.CityContactSignUpForm(data, initial={"email": invited_email})
        if needs_account
        else None
    )
    city_form = forms.CityChoiceForm(data, cities=selectors.city_choices_for_call(call=call))
    if request.method == "POST":
        valid = city_form.is_valid() and (account_form is None or account_form.is_valid())
        if valid:
            try:
                application = _start_application(request, call, account_form, city_form)
            except ValidationError as error:
                _add_errors(city_form, error)
            else:
                messages.success(
                    request,
                    _("The application of %(city)s is open as a draft: fill it in below.")
                    % {"city": application.city.name},
                )
                return redirect("programmes:city_application_edit", programme.slug, application.pk)
    status = 400 if city_form.errors or (account_form and account_form.errors) else 200
    return render(
        request,
        "programmes/apply_sign_up.html",
        {
            "call": call,
            "programme": programme,
            "account_form": account_form,
            "city_form": city_form,
            "invited_email": invited_email,
        },
        status=status,
    )


def _start_application(request, call, account_form, city_form) -> CityApplication:
    city = city_form.cleaned_data.get("city")
    if city is None:
        city = services.city_get_or_create(**city_form.new_city)
    try:
        if account_form is None:
            return services.application_start(user=request.user, call=call, city=city)
        application = services.city_contact_sign_up(
            account=account_form.account,
            password=account_form.cleaned_data["password1"],
            call=call,
            city=city,
        )
    except IntegrityError as error:
        # Two people starting the same city's application at the same moment.
        raise ValidationError(
            _("%(city)s has already started an application.") % {"city": city.name},
            code="city_taken",
        ) from error
    login(request, application.contact_user, backend="django.contrib.auth.backends.ModelBackend")
    return application


def _own_application(request: HttpRequest, slug: str, pk: int) -> CityApplication:
    """The application of the city the user is the contact of, else 404."""
    application = (
        CityApplication.objects.filter(call__programme__slug=slug, pk=pk)
        .select_related("call__programme", "city", "contact_user")
        .first()
    )
    if application is None or not permissions.can_view_own_application(request.user, application):
        raise Http404
    return application


@login_required
def city_application(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application = _own_application(request, slug, pk)
    nominees = list(application.nominees.order_by("role", "pk"))
    return render(
        request,
        "programmes/city_application.html",
        {
            "application": application,
            "call": application.call,
            "programme": application.call.programme,
            "nominees": nominees,
            "checklist": selectors.application_checklist(
                application=application, nominees=nominees
            ),
            "problems": selectors.application_submission_problems(
                application=application, nominees=nominees
            )
            if application.is_editable
            else [],
            "events": list(application.events.select_related("actor").order_by("created_at")),
            "can_edit": permissions.can_edit_application(request.user, application),
            "can_withdraw": permissions.can_withdraw_application(request.user, application),
        },
    )


@login_required
def city_application_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application = _own_application(request, slug, pk)
    programme = application.call.programme
    if not application.is_editable:
        messages.error(
            request,
            _(
                "This application has been submitted and can no longer be changed, unless the "
                "organisers ask for more information."
            ),
        )
        return redirect("programmes:city_application", programme.slug, application.pk)
    slots = selectors.triad_slots(application.nominees.all())
    data = request.POST if request.method == "POST" else None
    form = forms.ApplicationForm(
        data,
        request.FILES or None,
        instance=application,
        required_contribution=application.call.required_contribution,
    )
    triad = forms.TriadForms(data, slots=slots)
    problems: list[str] = []
    status = 200
    if request.method == "POST":
        if form.is_valid() & triad.is_valid():
            response = _save_application(request, application, form, triad)
            if isinstance(response, HttpResponse):
                return response
            problems, status = response
        else:
            status = 400
            if request.FILES.get("commitment_letter") and "commitment_letter" not in form.errors:
                form.add_error(
                    None, _("Nothing was saved: choose the letter again after the corrections.")
                )
    elif application.is_editable:
        problems = selectors.application_submission_problems(application=application)
    return render(
        request,
        "programmes/city_application_form.html",
        {
            "application": application,
            "call": application.call,
            "programme": programme,
            "form": form,
            "triad": triad,
            "problems": problems,
        },
        status=status,
    )


def _save_application(request, application, form, triad):
    """Save the draft; then submit it if asked. Returns a redirect, or what to show again."""
    programme = application.call.programme
    try:
        application = services.application_save(
            actor=request.user,
            application=application,
            fields=form.service_fields,
            triad=triad.rows,
            letter=form.letter,
            remove_letter=form.remove_letter,
        )
    except ValidationError as error:
        _add_errors(form, error)
        return [], _status_for(error)
    if request.POST.get("action") != "submit":
        messages.success(request, _("The draft is saved. You can come back to it at any time."))
        return redirect("programmes:city_application_edit", programme.slug, application.pk)
    try:
        services.application_submit(
            actor=request.user, application=application, base_url=_base_url(request)
        )
    except ValidationError as error:
        messages.warning(
            request,
            _("Your changes are saved as a draft, but the application cannot be submitted yet."),
        )
        return error.messages, _status_for(error)
    messages.success(
        request,
        _("The application is submitted. A confirmation was sent by e-mail."),
    )
    return redirect("programmes:city_application", programme.slug, application.pk)


@login_required
def city_application_withdraw(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application = _own_application(request, slug, pk)
    programme = application.call.programme
    form = forms.WithdrawForm(request.POST or None)
    if not permissions.can_withdraw_application(request.user, application):
        messages.error(request, _("This application can no longer be withdrawn."))
        return redirect("programmes:city_application", programme.slug, application.pk)
    if request.method == "POST" and form.is_valid():
        services.application_withdraw(
            actor=request.user, application=application, note=form.cleaned_data["note"]
        )
        messages.success(request, _("The application is withdrawn."))
        return redirect("programmes:city_application", programme.slug, application.pk)
    return render(
        request,
        "programmes/city_application_withdraw.html",
        {"application": application, "programme": programme, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def commitment_letter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application = (
        CityApplication.objects.filter(call__programme__slug=slug, pk=pk)
        .select_related("call__programme", "city")
        .first()
    )
    if application is None or not permissions.can_download_commitment_letter(
        request.user, application
    ):
        raise Http404
    if not application.commitment_letter:
        raise Http404
    try:
        handle = application.commitment_letter.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    filename = f"lettre-engagement-{slugify(application.city.name) or application.pk}.pdf"
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )


# Review -------------------------------------------------------------------------------------


@login_required
def application_list(request: HttpRequest, slug: str) -> HttpResponse:
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(permissions.can_view_applications(request.user, programme))
    filters = forms.ApplicationFilterForm(request.GET)
    queryset = selectors.application_list(
        programme=programme, user=request.user, **filters.values()
    )
    page = Paginator(queryset, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "programme": programme,
        "filters": filters,
        "page": page,
        "query": query.urlencode(),
        "is_organiser": permissions.can_manage_programme(request.user, programme),
    }
    template = "programmes/application_list.html"
    if request.htmx and request.htmx.target == "results":
        template += "#results"
    return render(request, template, context)


def _application_for_staff(request: HttpRequest, slug: str, pk: int):
    programme = permissions.programme_get_for_user(request.user, slug)
    application = selectors.application_get(programme=programme, pk=pk, user=request.user)
    permissions.require(permissions.can_view_application(request.user, application))
    return programme, application


def _detail(request, programme, application, *, status=200, **forms_given) -> HttpResponse:
    user = request.user
    file = selectors.application_file(application=application, user=user)
    is_organiser = permissions.can_manage_programme(user, programme)
    context = {
        "programme": programme,
        "application": application,
        "call": application.call,
        "file": file,
        "is_organiser": is_organiser,
        "sees_reviews": permissions.can_see_all_reviews(
            user, application, reviewed_by_me=file.my_review is not None
        ),
        "can_review": permissions.can_review_application(user, application),
        "can_decide": permissions.can_decide_application(user, application),
        "can_request_information": permissions.can_request_information(user, application),
        "can_download_letter": bool(application.commitment_letter),
    }
    if is_organiser:
        context["assign_form"] = forms_given.get("assign_form") or forms.AssignReviewersForm(
            initial={"reviewers": [reviewer.pk for reviewer in file.assigned]},
            choices=file.reviewer_choices,
        )
        context["info_form"] = forms_given.get("info_form") or forms.RequestInformationForm()
        context["decision_form"] = forms_given.get("decision_form") or forms.DecisionForm(
            initial={
                "decision": application.status
                if application.status in CityApplication.DECISIONS
                else None,
                "note": application.decision_note,
                "expected_status": application.status,
            }
        )
    return render(request, "programmes/application_detail.html", context, status=status)


@login_required
def application_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, application = _application_for_staff(request, slug, pk)
    return _detail(request, programme, application)


def _file_action(request, programme, application, *, form, form_name: str, run, done: str):
    """An organiser's form on the review file: run the service and go back to the file, or show
    the file again with the form's errors (400, or 409 when the application's state forbids)."""
    if form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
            status = _status_for(error)
        else:
            messages.success(request, done)
            return redirect("programmes:application_detail", programme.slug, application.pk)
    else:
        status = 400
    return _detail(request, programme, application, status=status, **{form_name: form})


@login_required
@require_POST
def application_assign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, application = _application_for_staff(request, slug, pk)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    choices = selectors.application_file(application=application, user=request.user)
    return _file_action(
        request,
        programme,
        application,
        form=forms.AssignReviewersForm(request.POST, choices=choices.reviewer_choices),
        form_name="assign_form",
        run=lambda data: services.reviewers_assign(
            actor=request.user, application=application, reviewers=data["reviewers"]
        ),
        done=_("The reviewers are saved."),
    )


@login_required
@require_POST
def application_request_information(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, application = _application_for_staff(request, slug, pk)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    return _file_action(
        request,
        programme,
        application,
        form=forms.RequestInformationForm(request.POST),
        form_name="info_form",
        run=lambda data: services.application_request_information(
            actor=request.user,
            application=application,
            message=data["message"],
            base_url=_base_url(request),
        ),
        done=_("The application is sent back to the city with your message."),
    )


@login_required
def review_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, application = _application_for_staff(request, slug, pk)
    permissions.require(permissions.is_assigned_reviewer(request.user, application))
    criteria = list(application.call.criteria.all())
    review = selectors.review_get(application=application, user=request.user)
    initial = {}
    if review:
        initial = {"comment": review.comment, "recommendation": review.recommendation} | {
            f"score_{score.criterion_id}": score.score for score in review.scores.all()
        }
    form = forms.ReviewForm(request.POST or None, initial=initial, criteria=criteria)
    status = 200
    if not permissions.can_review_application(request.user, application):
        if request.method == "POST":
            messages.error(request, _("This application can no longer be reviewed."))
            status = 409
    elif request.method == "POST":
        if form.is_valid():
            try:
                services.review_submit(
                    actor=request.user,
                    application=application,
                    scores=form.scores,
                    comment=form.cleaned_data["comment"],
                    recommendation=form.cleaned_data["recommendation"],
                )
            except ValidationError as error:
                _add_errors(form, error)
                status = _status_for(error)
            else:
                messages.success(request, _("Your review is saved. You now see the other reviews."))
                return redirect("programmes:application_detail", programme.slug, application.pk)
        else:
            status = 400
    return render(
        request,
        "programmes/review_form.html",
        {
            "programme": programme,
            "application": application,
            "form": form,
            "review": review,
            "can_review": permissions.can_review_application(request.user, application),
        },
        status=status,
    )


# Selection ----------------------------------------------------------------------------------


def _board_call(programme: Programme):
    call = selectors.call_get_for_programme(programme=programme)
    if call is None:
        raise Http404
    return call


def _board_card(request, programme, call, application_pk: int, *, form=None, status=200):
    """The board's card of one application, with the places counter swapped out of band."""
    criteria = list(call.criteria.all())
    application = selectors.selection_board(call=call).filter(pk=application_pk).first()
    if application is None:  # no longer on the board (withdrawn meanwhile): open its file
        return HttpResponseClientRedirect(
            reverse("programmes:application_detail", args=[programme.slug, application_pk])
        )
    selectors.board_details(applications=[application], criteria=criteria)
    application.form = form or _decision_form(application)
    return render(
        request,
        "programmes/selection_board.html#card",
        {
            "programme": programme,
            "call": call,
            "criteria": criteria,
            "application": application,
            "figures": selectors.selection_figures(call=call),
            "oob": True,
            "can_decide": not call.is_selection_closed,
        },
        status=status,
    )


def _decision_form(application, data=None):
    return forms.DecisionForm(
        data,
        prefix=f"a{application.pk}",
        initial={
            "decision": application.status
            if application.status in CityApplication.DECISIONS
            else None,
            "note": application.decision_note,
            "expected_status": application.status,
        },
    )


@login_required
@require_POST
def application_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, application = _application_for_staff(request, slug, pk)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    from_board = request.POST.get("from") == "board"
    form = forms.DecisionForm(request.POST, prefix=f"a{application.pk}" if from_board else None)
    status = 400
    if form.is_valid():
        try:
            services.application_decide(
                actor=request.user,
                application=application,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                override_reason=form.cleaned_data["override_reason"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except ValidationError as error:
            _add_errors(form, error)
            status = _status_for(error)
        else:
            if request.htmx:
                return _board_card(request, programme, application.call, application.pk)
            messages.success(
                request,
                _("%(city)s: %(status)s.")
                % {"city": application.city.name, "status": application.get_status_display()},
            )
            if from_board:
                return redirect("programmes:selection_board", programme.slug)
            return redirect("programmes:application_detail", programme.slug, application.pk)
    if request.htmx:
        return _board_card(
            request, programme, application.call, application.pk, form=form, status=status
        )
    return _detail(request, programme, application, status=status, decision_form=form)


@login_required
def selection_board(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    call = _board_call(programme)
    criteria = list(call.criteria.all())
    page = Paginator(selectors.selection_board(call=call), BOARD_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    applications = selectors.board_details(applications=list(page.object_list), criteria=criteria)
    for application in applications:
        application.form = _decision_form(application)
    return render(
        request,
        "programmes/selection_board.html",
        {
            "programme": programme,
            "call": call,
            "criteria": criteria,
            "page": page,
            "applications": applications,
            "figures": selectors.selection_figures(call=call),
            "can_decide": not call.is_selection_closed,
            "close_form": forms.CloseSelectionForm(),
        },
    )


@login_required
def selection_close(request: HttpRequest, slug: str) -> HttpResponse:
    programme = _organiser_programme(request, slug)
    call = _board_call(programme)
    form = forms.CloseSelectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = services.selection_close(
                    actor=request.user, call=call, base_url=_base_url(request)
                )
            except ValidationError as error:
                _add_errors(form, error)
                status = _status_for(error)
            else:
                messages.success(
                    request,
                    _("The selection is closed; %(count)s cities are told the decision by e-mail.")
                    % {"count": sent},
                )
                return redirect("programmes:selection_board", programme.slug)
        else:
            status = 400
    return render(
        request,
        "programmes/selection_close.html",
        {
            "programme": programme,
            "call": call,
            "form": form,
            "figures": selectors.selection_figures(call=call),
        },
        status=status,
    )
