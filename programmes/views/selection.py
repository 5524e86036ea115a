"""The selection board, decisions (in place with htmx) and closing the selection."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from .. import forms, permissions, selectors, services
from ..errors import DomainError, back_on_refusal
from ..models import CityApplication, Programme
from .common import add_errors, base_url, organiser_programme, submit
from .review import application_for_staff, review_file

BOARD_PAGE_SIZE = 20


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
    programme, application = application_for_staff(request, slug, pk)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    from_board = request.POST.get("from") == "board"
    form = forms.DecisionForm(request.POST, prefix=f"a{application.pk}" if from_board else None)
    status = submit(
        form,
        lambda data: services.application_decide(
            actor=request.user,
            application=application,
            decision=data["decision"],
            note=data["note"],
            override_reason=data["override_reason"],
            expected_status=data["expected_status"],
        ),
    )
    if status is None:
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
    return review_file(request, programme, application, status=status, decision_form=form)


@login_required
def selection_board(request: HttpRequest, slug: str) -> HttpResponse:
    programme = organiser_programme(request, slug)
    call = selectors.call_get_for_programme(programme=programme)
    if call is None:  # a new programme: the navigation offers the board all the same
        return render(request, "programmes/selection_no_call.html", {"programme": programme})
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
    programme = organiser_programme(request, slug)
    call = _board_call(programme)
    form = forms.CloseSelectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sent = services.selection_close(
                    actor=request.user, call=call, base_url=base_url(request)
                )
            except DomainError as error:
                add_errors(form, error)
                status = error.status
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
            "waiting": selectors.applications_waiting(call=call),
        },
        status=status,
    )


@login_required
@require_POST
@back_on_refusal(lambda request, slug, pk: reverse("programmes:selection_board", args=[slug]))
def application_promote(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Give a waitlisted city the place a selected city left free after the selection."""
    programme, application = application_for_staff(request, slug, pk)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    services.application_promote(
        actor=request.user, application=application, base_url=base_url(request)
    )
    messages.success(
        request,
        _("%(city)s is given the free place and told by e-mail.") % {"city": application.city.name},
    )
    return redirect("programmes:selection_board", programme.slug)
