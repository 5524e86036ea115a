"""Programme set-up pages (organisers): the programme, funding, budget, contributions, the call."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.forms.utils import ErrorDict, ErrorList
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import forms, images, permissions, selectors, services
from ..addresses import row_pattern, row_url
from ..errors import DomainError, back_on_refusal
from ..models import BudgetLine, CityContribution, Funding
from .common import add_errors, base_url, organiser_programme, submit


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
    programme = organiser_programme(request, slug)
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
    # With its call (the page only says whether there is one): no query of its own for it.
    programme = organiser_programme(request, slug, related=("call",))
    finances = selectors.programme_finances(programme=programme)
    # One reverse() for each kind of link, not one per row.
    for rows, edit, kind in (
        (finances.fundings, "programmes:funding_edit", "fundings"),
        (finances.budget_lines, "programmes:budget_line_edit", "budget-lines"),
    ):
        edit_url = row_pattern(edit, programme.slug)
        delete_url = row_pattern("programmes:finance_row_delete", programme.slug, kind)
        for row in rows:
            row.edit_url, row.delete_url = row_url(edit_url, row.pk), row_url(delete_url, row.pk)
    edit_url = row_pattern("programmes:contribution_edit", programme.slug)
    for contribution in finances.contributions:
        contribution.edit_url = row_url(edit_url, contribution.pk)
    return render(
        request,
        "programmes/finances.html",
        {
            "programme": programme,
            "finances": finances,
            "call": getattr(programme, "call", None),
            "sections": selectors.finance_sections(programme=programme),
            "organisations": selectors.programme_organisation_list(programme=programme),
        },
    )


def _finance_form(request, *, programme, form, template_title: str, save, row=None):
    status = submit(form, lambda data: save(form)) if request.method == "POST" else 200
    if status is None:
        messages.success(request, _("Saved."))
        return redirect("programmes:finances", programme.slug)
    return render(
        request,
        "programmes/finance_form.html",
        {"programme": programme, "form": form, "title": template_title, "row": row},
        status=status,
    )


@login_required
def funding_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    programme = organiser_programme(request, slug)
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
    programme = organiser_programme(request, slug)
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
    programme = organiser_programme(request, slug)
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
    programme = organiser_programme(request, slug)
    model = {"fundings": Funding, "budget-lines": BudgetLine}.get(kind)
    if model is None:
        raise Http404
    row = get_object_or_404(model, programme=programme, pk=pk)
    if request.method == "POST":
        services.finance_row_delete(actor=request.user, programme=programme, row=row)
        messages.success(request, _("“%(row)s” is deleted.") % {"row": row})
        return redirect("programmes:finances", programme.slug)
    return render(request, "programmes/confirm_delete.html", {"programme": programme, "row": row})


@login_required
def call_edit(request: HttpRequest, slug: str) -> HttpResponse:
    programme = organiser_programme(request, slug)
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
    adding = request.method == "POST" and "add_criterion" in request.POST
    data = request.POST or None
    if adding:  # one more blank row, nothing saved, everything typed kept
        data = request.POST.copy()
        total = data.get("criteria-TOTAL_FORMS", "0")
        data["criteria-TOTAL_FORMS"] = str(int(total) + 1 if total.isdigit() else 1)
    formset = forms.CriterionFormSet(
        data,
        instance=call,
        prefix="criteria",
        # Shown, not compared: posted back as they were, the suggestions would count as
        # unchanged extra rows and be dropped ("submit at least one form").
        initial=None if request.method == "POST" else initial_criteria,
    )
    if not call:  # the suggested grid fills the first rows, then a blank one for another
        formset.extra = max(len(initial_criteria) - formset.min_num, 0) + 1
    if adding:
        return render(
            request,
            "programmes/call_form.html",
            {
                "programme": programme,
                "call": call,
                "form": without_errors(form),
                "formset": without_errors(formset),
                "publish_form": None,
            },
        )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            call = services.call_save(
                actor=request.user,
                programme=programme,
                fields=form.service_fields,
                criteria=forms.criteria_rows(formset),
            )
        except DomainError as error:
            add_errors(form, error)
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


def without_errors(form):
    """A bound form (or formset) shown with what was typed and no error: it was not submitted
    to be saved (a row was added)."""
    if hasattr(form, "forms"):
        form._errors, form._non_form_errors = [], ErrorList()
        for row in form.forms:
            without_errors(row)
    else:
        form._errors = ErrorDict()
        form.cleaned_data = {}
    return form


@login_required
@require_POST
@back_on_refusal(lambda request, slug: reverse("programmes:call_edit", args=[slug]))
def call_publish(request: HttpRequest, slug: str) -> HttpResponse:
    programme = organiser_programme(request, slug)
    call = selectors.call_get_for_programme(programme=programme)
    if call is None:
        raise Http404
    services.call_publish(actor=request.user, call=call)
    messages.success(request, _("The call is published: cities can apply."))
    return redirect("programmes:call_edit", programme.slug)


@login_required
def call_invite(request: HttpRequest, slug: str) -> HttpResponse:
    programme = organiser_programme(request, slug)
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
            base_url=base_url(request),
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


@login_required
def organisation_images(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An organisation's logo and signature-and-stamp image, for the organisers of a programme
    it organises, supports or funds. A refused file answers 400 with the reason and the other
    choices kept (a file input cannot be refilled by the server)."""
    programme = organiser_programme(request, slug)
    organisation = selectors.programme_organisation_get(programme=programme, pk=pk)
    if organisation is None:
        raise Http404
    form = forms.OrganisationImagesForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = submit(
            form,
            lambda data: services.organisation_images_save(
                actor=request.user,
                programme=programme,
                organisation=organisation,
                new=form.new_images,
                remove=form.removed_images,
            ),
        )
        if status is None:
            messages.success(request, _("Saved."))
            return redirect(
                f"{reverse('programmes:finances', args=[programme.slug])}#organisations"
            )
        organisation.refresh_from_db()
    return render(
        request,
        "programmes/organisation_images.html",
        {"programme": programme, "organisation": organisation, "form": form},
        status=status,
    )


# Images are shown inside pages; as a document of their own an SVG could still try to run
# something, so it gets a policy that allows nothing but its own inline styles.
IMAGE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"


@login_required
def organisation_image(request: HttpRequest, slug: str, pk: int, which: str) -> HttpResponse:
    """An organisation's logo, to anyone who may see the programme; its signature and stamp,
    to the organisers only (it signs documents)."""
    programme = permissions.programme_get_for_user(request.user, slug)
    if which == "logo":
        permissions.require(permissions.can_view_programme(request.user, programme))
    elif which == "stamp":
        permissions.require(permissions.can_manage_programme(request.user, programme))
    else:
        raise Http404
    organisation = selectors.programme_organisation_get(programme=programme, pk=pk)
    field = getattr(organisation, which, None)
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(handle, content_type=images.content_type(field.name))
    response["Content-Security-Policy"] = IMAGE_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
@back_on_refusal(lambda request, slug: reverse("programme_overview", args=[slug]))
def programme_close(request: HttpRequest, slug: str) -> HttpResponse:
    programme = organiser_programme(request, slug)
    services.programme_close(actor=request.user, programme=programme)
    messages.success(request, _("The programme is closed."))
    return redirect("programme_overview", programme.slug)
