"""The public call and the city's own pages: sign-up, the application form, its status,
withdrawal."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import forms, permissions, selectors, services
from ..errors import Conflict, DomainError, InvalidInput
from ..models import ApplicationMessage, CityApplication
from .common import add_errors, base_url, submit


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
            "my_request": selectors.access_request_pending(user=request.user, call=call),
        },
    )


def apply_sign_up(request: HttpRequest, slug: str, token: str = "") -> HttpResponse:
    """The city's first step: (an account, then) the city; opens a draft application."""
    call = selectors.call_get_published(slug=slug)
    programme = call.programme
    mine = selectors.contact_application_for_programme(user=request.user, programme=programme)
    if mine is not None:
        return redirect("programmes:city_application", programme.slug, mine.pk)
    if not token and selectors.access_request_pending(user=request.user, call=call):
        return redirect("programmes:call_public", programme.slug)
    if permissions.programme_roles(request.user, programme):
        messages.error(
            request,
            _(
                "You already take part in this programme (organiser, reviewer, facilitator or "
                "funder): a city applies through its own contact's account."
            ),
        )
        return redirect("programmes:call_public", programme.slug)
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
        if valid and account_form is not None:
            return _sign_up_request(request, call, account_form, city_form, invited_email)
        if valid and not token:
            # Without the organisers' link, choosing a city is a request they confirm.
            try:
                access_request = services.access_request_create(
                    user=request.user,
                    call=call,
                    city=city_form.cleaned_data.get("city"),
                    new_city=city_form.new_city,
                    base_url=base_url(request),
                )
            except DomainError as error:
                add_errors(city_form, error)
            else:
                _say_request_sent(request, access_request)
                return redirect("programmes:call_public", programme.slug)
        elif valid:
            try:
                application = _start_application(request, call, city_form)
            except DomainError as error:
                add_errors(city_form, error)
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


def _sign_up_request(request, call, account_form, city_form, invited_email) -> HttpResponse:
    """Nothing is created yet: the address gets the link that goes on, or a reminder that it
    already has an account, and the page says the same either way (no account enumeration).
    With the organisers' invitation, for the invited address, the link is followed at once."""
    programme = call.programme
    account = account_form.account
    city = city_form.cleaned_data.get("city")

    def confirm_url(token: str) -> str:
        return base_url(request) + reverse("programmes:apply_confirm", args=[programme.slug, token])

    invited = bool(invited_email) and account["email"].lower() == invited_email.lower()
    token = services.sign_up_request(
        call=call,
        invited=invited,
        account=account,
        city_id=city.pk if city else None,
        new_city=city_form.new_city,
        confirm_url=confirm_url,
        login_url=base_url(request) + reverse("login"),
    )
    if token and invited:
        return redirect("programmes:apply_confirm", programme.slug, token)
    return render(
        request,
        "programmes/apply_check_mailbox.html",
        {"call": call, "programme": programme, "email": account["email"]},
    )


def apply_confirm(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """The sign-up link: choose a password; the account is created and the person logged in,
    with the city's draft when the organisers invited that address, else with a request to
    apply for the city that the organisers confirm."""
    call = selectors.call_get_published(slug=slug)
    programme = call.programme
    data = services.sign_up_read(token=token, call=call)
    if data is None:
        return render(
            request,
            "programmes/sign_up_link_invalid.html",
            {"call": call, "programme": programme},
            status=400,
        )
    account = data["account"]
    if services.account_exists(email=account["email"]):
        messages.info(
            request, _("This link has been used already: log in with your e-mail address.")
        )
        return redirect(
            f"{reverse('login')}?next={reverse('programmes:apply_sign_up', args=[slug])}"
        )
    user = get_user_model()(**account)
    form = forms.SignUpPasswordForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and not data.get("invited"):
        # Without the organisers' invitation, the account asks for the city: they confirm.
        try:
            access_request = _create_account_asking(
                request, call, data, form.cleaned_data["new_password1"]
            )
        except DomainError as error:
            add_errors(form, error)
        else:
            _say_request_sent(request, access_request)
            return redirect("programmes:call_public", programme.slug)
    elif request.method == "POST" and form.is_valid():
        try:
            application = _create_account(request, call, data, form.cleaned_data["new_password1"])
        except DomainError as error:
            add_errors(form, error)
        else:
            messages.success(
                request,
                _("The application of %(city)s is open as a draft: fill it in below.")
                % {"city": application.city.name},
            )
            return redirect("programmes:city_application_edit", programme.slug, application.pk)
    return render(
        request,
        "programmes/apply_confirm.html",
        {
            "call": call,
            "programme": programme,
            "form": form,
            "email": account["email"],
            "invited": bool(data.get("invited")),
        },
        status=400 if form.errors else 200,
    )


def _say_request_sent(request, access_request) -> None:
    messages.success(
        request,
        _(
            "Your request to apply for %(city)s was sent to the organisers. You will receive an "
            "e-mail when they confirm it."
        )
        % {"city": access_request.city_label},
    )


def _create_account_asking(request, call, data, password):
    city = None
    if data["city"] is not None:
        city = selectors.city_choices_for_call(call=call).filter(pk=data["city"]).first()
        if city is None:
            raise InvalidInput(_("This city can no longer be chosen."), code="city_gone")
    access_request = services.access_request_sign_up(
        account=data["account"],
        password=password,
        call=call,
        city=city,
        new_city=data["new_city"],
        base_url=base_url(request),
    )
    login(request, access_request.requester, backend=settings.LOGIN_BACKEND)
    return access_request


def _create_account(request, call, data, password) -> CityApplication:
    if data["city"] is not None:
        city = selectors.city_choices_for_call(call=call).filter(pk=data["city"]).first()
        if city is None:
            raise InvalidInput(_("This city can no longer be chosen."), code="city_gone")
    else:
        city = services.city_get_or_create(**data["new_city"])
    try:
        application = services.city_contact_sign_up(
            account=data["account"], password=password, call=call, city=city
        )
    except IntegrityError as error:
        # Two people starting the same city's application at the same moment.
        raise InvalidInput(
            _("%(city)s has already started an application.") % {"city": city.name},
            code="city_taken",
        ) from error
    login(request, application.contact_user, backend=settings.LOGIN_BACKEND)
    return application


def _start_application(request, call, city_form) -> CityApplication:
    city = city_form.cleaned_data.get("city")
    if city is None:
        city = services.city_get_or_create(**city_form.new_city)
    try:
        return services.application_start(user=request.user, call=call, city=city)
    except IntegrityError as error:
        # Two people starting the same city's application at the same moment.
        raise Conflict(
            _("%(city)s has already started an application.") % {"city": city.name},
            code="city_taken",
        ) from error


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


def _city_may_write(application: CityApplication) -> bool:
    """The city writes in its thread once the organisers have its file, until it withdraws."""
    return application.status not in (
        CityApplication.Status.DRAFT,
        CityApplication.Status.WITHDRAWN,
    )


@login_required
def city_application(
    request: HttpRequest, slug: str, pk: int, *, thread_form=None, status: int = 200
) -> HttpResponse:
    application = _own_application(request, slug, pk)
    nominees = list(application.nominees.in_triad_order())
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
            "events": selectors.events_for_city(application=application),
            "thread": selectors.application_thread(application=application),
            "thread_form": thread_form or forms.ThreadMessageForm(),
            "can_write": _city_may_write(application),
            "can_edit": permissions.can_edit_application(request.user, application),
            "can_withdraw": permissions.can_withdraw_application(request.user, application),
            "can_follow_up": permissions.can_update_followup(request.user, application),
        },
        status=status,
    )


@login_required
@require_POST
def city_application_message(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The city answers in its application's thread, in writing, with a document if need be."""
    application = _own_application(request, slug, pk)
    if not _city_may_write(application):
        raise Http404
    form = forms.ThreadMessageForm(request.POST, request.FILES)
    status = submit(
        form,
        lambda data: services.application_message_post(
            actor=request.user,
            application=application,
            side=ApplicationMessage.Side.CITY,
            body=data["body"],
            attachment=data["attachment"],
        ),
    )
    if status is None:
        messages.success(request, _("Your answer is sent to the organisers."))
        return redirect("programmes:city_application", slug, pk)
    return city_application(request, slug, pk, thread_form=form, status=status)


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
    except DomainError as error:
        add_errors(form, error)
        return [], error.status
    if request.POST.get("action") != "submit":
        messages.success(request, _("The draft is saved. You can come back to it at any time."))
        return redirect("programmes:city_application_edit", programme.slug, application.pk)
    try:
        services.application_submit(
            actor=request.user, application=application, base_url=base_url(request)
        )
    except DomainError as error:
        messages.warning(
            request,
            _("Your changes are saved as a draft, but the application cannot be submitted yet."),
        )
        return error.messages, error.status
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
        messages.error(
            request,
            _(
                "The training has begun: the application can no longer be withdrawn. Tell the "
                "organisers if the city's people cannot come any more."
            )
            if programme.has_begun()
            else _("This application can no longer be withdrawn."),
        )
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
