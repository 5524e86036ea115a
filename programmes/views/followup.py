"""After the training: a selected city's follow-up page (its contact records the action plan and
the citizens' council's milestones), the organisers' and funders' board across cities, a
reminder, a milestone's document."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import forms, permissions, selectors, services
from ..errors import DomainError
from ..models import ActionItem, CityApplication, CouncilMilestone
from .common import base_url, submit


def _followed_application(request: HttpRequest, slug: str, pk: int) -> CityApplication:
    """The selected application whose contact the user is, else 404."""
    application = (
        CityApplication.objects.filter(call__programme__slug=slug, pk=pk)
        .select_related("call__programme", "city")
        .first()
    )
    if application is None or not permissions.can_update_followup(request.user, application):
        raise Http404
    return application


def _nominees(application: CityApplication):
    return application.nominees.filter(erased_at__isnull=True).in_triad_order()


@login_required
def city_followup(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The city's follow-up: its action plan and its council's milestones; the form records a
    milestone (or corrects it: one of each kind)."""
    application = _followed_application(request, slug, pk)
    form = forms.MilestoneForm(request.POST or None, request.FILES or None)
    return _form_page(
        request,
        application,
        form,
        save=lambda data: services.council_milestone_save(
            actor=request.user,
            application=application,
            kind=data["kind"],
            date=data["date"],
            note=data["note"],
            document=form.upload,
        ),
        done=_("The step is recorded. Thank you."),
        template="programmes/city_followup.html",
        context={"followup": selectors.city_followup_get(application=application)},
    )


def _form_page(request, application, form, *, save, done, template, context) -> HttpResponse:
    """Hand a valid form to ``save`` and go back to the city's follow-up; otherwise show the
    page again with what was typed and the status of the refusal."""
    status = 200
    if request.method == "POST":
        status = submit(form, save)
        if status is None:
            messages.success(request, done)
            return redirect(
                "programmes:city_followup", application.call.programme.slug, application.pk
            )
    return render(
        request,
        template,
        {"application": application, "programme": application.call.programme, "form": form}
        | context,
        status=status,
    )


@login_required
def action_item_edit(
    request: HttpRequest, slug: str, pk: int, item_id: int | None = None
) -> HttpResponse:
    application = _followed_application(request, slug, pk)
    item = None
    if item_id is not None:
        item = ActionItem.objects.filter(application=application, pk=item_id).first()
        if item is None:
            raise Http404
    form = forms.ActionItemForm(
        request.POST or None, instance=item, nominees=_nominees(application)
    )
    return _form_page(
        request,
        application,
        form,
        save=lambda data: services.action_item_save(
            actor=request.user,
            application=application,
            item=item,
            fields={name: data[name] for name in forms.ActionItemForm.Meta.fields},
        ),
        done=_("Saved."),
        template="programmes/action_item_form.html",
        context={"item": item},
    )


@login_required
def followup_board(request: HttpRequest, slug: str) -> HttpResponse:
    """Every selected city's follow-up: organisers with names, notes and documents; funders
    see steps, dates and counts only."""
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(permissions.can_view_followup_board(request.user, programme))
    with_names = permissions.can_see_followup_names(request.user, programme)
    return render(
        request,
        "programmes/followup_board.html",
        {
            "programme": programme,
            "board": selectors.followup_board(programme=programme, with_names=with_names),
            "with_names": with_names,
            "today": timezone.localdate(),
            "kinds": CouncilMilestone.Kind.choices,
        },
    )


@login_required
@require_POST
def followup_remind(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    application = (
        CityApplication.objects.filter(call__programme__slug=slug, pk=pk)
        .select_related("call__programme", "city", "contact_user")
        .first()
    )
    if application is None or not permissions.can_remind_city(request.user, application):
        raise Http404
    try:
        services.followup_remind(
            actor=request.user, application=application, base_url=base_url(request)
        )
    except DomainError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("programmes:followup_board", slug)
    messages.success(
        request, _("A reminder is on its way to %(city)s.") % {"city": application.city.name}
    )
    return redirect("programmes:followup_board", slug)


@login_required
def milestone_document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    milestone = (
        CouncilMilestone.objects.filter(application__call__programme__slug=slug, pk=pk)
        .select_related("application__call__programme")
        .first()
    )
    if (
        milestone is None
        or not milestone.document
        or not permissions.can_download_milestone_document(request.user, milestone.application)
    ):
        raise Http404
    try:
        handle = milestone.document.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{milestone.kind}-{milestone.date.isoformat()}.pdf",
        content_type="application/pdf",
    )
