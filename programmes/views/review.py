"""The organisers' and reviewers' pages: the list, the review file and its actions, the review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import forms, permissions, selectors, services
from ..addresses import row_pattern, row_url
from ..errors import DomainError
from ..models import ApplicationMessage, CityAccessRequest, CityApplication
from .common import base_url, organiser_programme, submit

LIST_PAGE_SIZE = 25


@login_required
def commitment_letter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _file_download(
        request,
        slug,
        pk,
        lambda application: application.commitment_letter,
        "lettre-engagement-{city}.pdf",
    )


def _file_download(request, slug: str, pk: int, file_of, filename: str) -> HttpResponse:
    """A PDF of an application's file (``file_of(application)``), for those who may read the
    file: the organisers, the reviewers assigned, the city's contact; 404 otherwise."""
    application = (
        CityApplication.objects.filter(call__programme__slug=slug, pk=pk)
        .select_related("call__programme", "city")
        .first()
    )
    if application is None or not permissions.can_download_commitment_letter(
        request.user, application
    ):
        raise Http404
    stored = file_of(application)
    if not stored:
        raise Http404
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    name = filename.format(city=slugify(application.city.name) or application.pk)
    return FileResponse(handle, as_attachment=True, filename=name, content_type="application/pdf")


@login_required
def application_list(request: HttpRequest, slug: str) -> HttpResponse:
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(permissions.can_view_applications(request.user, programme))
    filters = forms.ApplicationFilterForm(request.GET)
    rows = selectors.application_list(programme=programme, user=request.user, **filters.values())
    page = Paginator(rows, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    # One reverse for the page's rows, rather than a {% url %} for each.
    url = row_pattern("programmes:application_detail", programme.slug)
    for row in page.object_list:
        row.detail_url = row_url(url, row.pk)
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


def application_for_staff(request: HttpRequest, slug: str, pk: int):
    programme = permissions.programme_get_for_user(request.user, slug)
    application = selectors.application_get(programme=programme, pk=pk, user=request.user)
    permissions.require(permissions.can_view_application(request.user, application))
    return programme, application


def review_file(request, programme, application, *, status=200, **forms_given) -> HttpResponse:
    user = request.user
    is_organiser = permissions.can_manage_programme(user, programme)
    file = selectors.application_file(
        application=application, user=user, reviewer_choices=is_organiser
    )
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
        "thread": selectors.application_thread(application=application),
    }
    if is_organiser:
        context["thread_form"] = forms_given.get("thread_form") or forms.ThreadMessageForm()
    if is_organiser:
        context["assign_form"] = forms_given.get("assign_form") or forms.AssignReviewersForm(
            initial={"reviewers": [reviewer.pk for reviewer in file.assigned]},
            choices=file.reviewer_choices,
        )
        context["info_form"] = forms_given.get("info_form") or forms.RequestInformationForm()
        context["application_messages"] = selectors.application_messages(application=application)
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
    programme, application = application_for_staff(request, slug, pk)
    return review_file(request, programme, application)


def _file_action(request, programme, application, *, form, form_name: str, run, done: str):
    """An organiser's form on the review file: run the service and go back to the file, or show
    the file again with the form's errors (400, or 409 when the application's state forbids)."""
    status = submit(form, run)
    if status is None:
        messages.success(request, done)
        return redirect("programmes:application_detail", programme.slug, application.pk)
    return review_file(request, programme, application, status=status, **{form_name: form})


@login_required
@require_POST
def application_assign(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, application = application_for_staff(request, slug, pk)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    choices = selectors.application_file(application=application, user=request.user)
    return _file_action(
        request,
        programme,
        application,
        form=forms.AssignReviewersForm(
            request.POST,
            initial={"reviewers": [reviewer.pk for reviewer in choices.assigned]},
            choices=choices.reviewer_choices,
        ),
        form_name="assign_form",
        run=lambda data: services.reviewers_assign(
            actor=request.user,
            application=application,
            reviewers=data["reviewers"],
            base_url=base_url(request),
        ),
        done=_("The reviewers are saved."),
    )


@login_required
@require_POST
def application_request_information(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, application = application_for_staff(request, slug, pk)
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
            base_url=base_url(request),
        ),
        done=_("The application is sent back to the city with your message."),
    )


@login_required
def review_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme, application = application_for_staff(request, slug, pk)
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
        status = submit(
            form,
            lambda data: services.review_submit(
                actor=request.user,
                application=application,
                scores=form.scores,
                comment=data["comment"],
                recommendation=data["recommendation"],
            ),
        )
        if status is None:
            messages.success(request, _("Your review is saved. You now see the other reviews."))
            return redirect("programmes:application_detail", programme.slug, application.pk)
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


@login_required
@require_http_methods(["GET", "POST"])
def access_requests(request: HttpRequest, slug: str) -> HttpResponse:
    """Requests to apply for a city made without an invitation: organisers confirm or refuse."""
    programme = organiser_programme(request, slug)
    if not hasattr(programme, "call"):
        raise Http404
    status = 200
    if request.method == "POST":
        form = forms.AccessRequestAnswerForm(
            request.POST, requests=CityAccessRequest.objects.filter(call=programme.call)
        )
        if form.is_valid():
            row, answer = form.cleaned_data["request"], form.cleaned_data["answer"]
            try:
                if answer == "confirm":
                    application = services.access_request_confirm(
                        actor=request.user, access_request=row, base_url=base_url(request)
                    )
                    messages.success(
                        request,
                        _("%(name)s is now the contact of %(city)s.")
                        % {"name": row.requester.get_full_name(), "city": application.city.name},
                    )
                else:
                    services.access_request_refuse(
                        actor=request.user, access_request=row, base_url=base_url(request)
                    )
                    messages.success(request, _("The request was refused; the person is told."))
            except DomainError as error:
                messages.error(request, " ".join(error.messages))
                status = error.status
            else:
                return redirect("programmes:access_requests", programme.slug)
        else:
            messages.error(request, _("Choose a request and an answer."))
            status = 400
    groups, answered = selectors.access_request_board(programme=programme)
    return render(
        request,
        "programmes/access_requests.html",
        {"programme": programme, "groups": groups, "answered": answered},
        status=status,
    )


@login_required
@require_POST
def application_message(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The organisers write in the application's thread (a question, a follow-up)."""
    programme, application = application_for_staff(request, slug, pk)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    form = forms.ThreadMessageForm(request.POST, request.FILES)
    return _file_action(
        request,
        programme,
        application,
        form=form,
        form_name="thread_form",
        run=lambda data: services.application_message_post(
            actor=request.user,
            application=application,
            side=ApplicationMessage.Side.ORGANISERS,
            body=data["body"],
            attachment=data["attachment"],
        ),
        done=_("Your message is sent to the city."),
    )


@login_required
def application_message_attachment(
    request: HttpRequest, slug: str, pk: int, message_id: int
) -> HttpResponse:
    """A document attached in the thread, for those who may read the file (as the letter)."""

    def attachment(application):
        message = get_object_or_404(ApplicationMessage, application=application, pk=message_id)
        return message.attachment

    return _file_download(request, slug, pk, attachment, f"document-{{city}}-{message_id}.pdf")
