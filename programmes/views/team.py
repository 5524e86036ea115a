"""The team page (organisers), accepting an invitation (anyone with the link), one's account."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import forms, selectors, services
from ..errors import DomainError
from ..models import Membership, Organisation, TeamInvitation
from .common import base_url, organiser_programme


def _team_page(request, programme, *, status=200, invite_form=None) -> HttpResponse:
    team = selectors.team_get(programme=programme)
    organisations = list(Organisation.objects.order_by("name"))
    invite_form = invite_form or forms.TeamInviteForm()
    # The invitation form and each member's role form list the same bodies: one query.
    invite_form.fields["organisation"].choices = [
        ("", invite_form.fields["organisation"].empty_label),
        *[(organisation.pk, organisation.name) for organisation in organisations],
    ]
    return render(
        request,
        "programmes/team.html",
        {
            "programme": programme,
            "team": team,
            "invite_form": invite_form,
            "role_choices": TeamInvitation.Role.choices,
            "organisations": organisations,
            # What was e-mailed to the people invited, and what failed: organisers can resend.
            "team_messages": selectors.team_message_list(programme=programme),
        },
        status=status,
    )


@login_required
def team(request: HttpRequest, slug: str) -> HttpResponse:
    programme = organiser_programme(request, slug)
    return _team_page(request, programme)


@login_required
@require_POST
def team_invite(request: HttpRequest, slug: str) -> HttpResponse:
    programme = organiser_programme(request, slug)
    form = forms.TeamInviteForm(request.POST)
    if not form.is_valid():
        return _team_page(request, programme, status=400, invite_form=form)
    data = form.cleaned_data
    try:
        services.team_invitation_create(
            actor=request.user,
            programme=programme,
            email=data["email"],
            role=data["role"],
            language=data["language"],
            organisation=data["organisation"],
            new_organisation=data["new_organisation"],
            base_url=base_url(request),
        )
    except DomainError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _team_page(request, programme, status=error.status, invite_form=form)
    messages.success(request, _("The invitation is sent to %(email)s.") % {"email": data["email"]})
    return redirect("programmes:team", programme.slug)


def _act(request, programme, run, done: str) -> HttpResponse:
    """Run a team action and go back to the team page, or show the page again with the
    refusal (409 when the team's state forbids it)."""
    try:
        run()
    except DomainError as error:
        for message in error.messages:
            messages.error(request, message)
        return _team_page(request, programme, status=error.status)
    messages.success(request, done)
    return redirect("programmes:team", programme.slug)


@login_required
@require_POST
def team_invitation_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = organiser_programme(request, slug)
    invitation = get_object_or_404(TeamInvitation, programme=programme, pk=pk)
    return _act(
        request,
        programme,
        lambda: services.team_invitation_resend(
            actor=request.user, invitation=invitation, base_url=base_url(request)
        ),
        _("The invitation is sent again to %(email)s, valid for 14 days.")
        % {"email": invitation.email},
    )


@login_required
@require_POST
def team_invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = organiser_programme(request, slug)
    invitation = get_object_or_404(TeamInvitation, programme=programme, pk=pk)
    return _act(
        request,
        programme,
        lambda: services.team_invitation_revoke(actor=request.user, invitation=invitation),
        _("The invitation of %(email)s is revoked: its link no longer works.")
        % {"email": invitation.email},
    )


def _membership(programme, pk: int) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "programme"), programme=programme, pk=pk
    )


@login_required
@require_POST
def team_member_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = organiser_programme(request, slug)
    membership = _membership(programme, pk)
    form = forms.MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role of the team."))
        return _team_page(request, programme, status=400)
    return _act(
        request,
        programme,
        lambda: services.membership_role_change(
            actor=request.user,
            membership=membership,
            role=form.cleaned_data["role"],
            organisation=form.cleaned_data["organisation"],
        ),
        _("The role of %(name)s is changed.")
        % {"name": membership.user.get_full_name() or membership.user.get_username()},
    )


@login_required
@require_POST
def team_member_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    programme = organiser_programme(request, slug)
    membership = _membership(programme, pk)
    return _act(
        request,
        programme,
        lambda: services.membership_remove(actor=request.user, membership=membership),
        _("%(name)s no longer holds this role in the programme.")
        % {"name": membership.user.get_full_name() or membership.user.get_username()},
    )


def _invalid(request, invitation, *, status: int) -> HttpResponse:
    reason = "unknown"
    if invitation is not None:
        if invitation.accepted_at:
            reason = "accepted"
        elif invitation.revoked_at:
            reason = "revoked"
        else:
            reason = "expired"
    return render(
        request,
        "programmes/team_invitation_invalid.html",
        {"invitation": invitation, "reason": reason},
        status=status,
    )


def team_invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link of an invitation: create an account and join, or log in and join."""
    invitation = services.team_invitation_get_by_token(token=token)
    if invitation is None:
        return _invalid(request, None, status=404)
    if not invitation.is_pending or invitation.is_expired():
        return _invalid(request, invitation, status=410)
    account = services.account_for_email(invitation.email)
    user = request.user
    context = {"invitation": invitation, "programme": invitation.programme, "account": account}
    if user.is_authenticated and (user.email or "").lower() != invitation.email.lower():
        return render(request, "programmes/team_invitation_accept.html", context | {"other": True})
    if account is not None:
        if not user.is_authenticated:
            return render(request, "programmes/team_invitation_accept.html", context)
        if request.method == "POST":
            return _accepted(
                request,
                invitation,
                lambda: services.team_invitation_accept(invitation=invitation, user=user),
            )
        return render(request, "programmes/team_invitation_accept.html", context)
    form = forms.TeamSignUpForm(
        request.POST if request.method == "POST" else None, email=invitation.email
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            outcome = _accepted(
                request,
                invitation,
                lambda: services.team_account_create(
                    invitation=invitation,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    password=data["password1"],
                ),
                log_in=True,
            )
            return outcome
        status = 400
    return render(
        request, "programmes/team_invitation_accept.html", context | {"form": form}, status=status
    )


def _accepted(request, invitation, run, *, log_in: bool = False) -> HttpResponse:
    try:
        result = run()
    except DomainError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(request.path)
    if log_in:
        login(request, result, backend=settings.LOGIN_BACKEND)
    messages.success(
        request,
        _("Welcome to the team of %(programme)s as %(role)s.")
        % {"programme": invitation.programme.title, "role": invitation.get_role_display()},
    )
    return redirect("programme_overview", invitation.programme.slug)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "language": selectors.user_profile_language(user=user),
    }
    form = forms.AccountForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.account_update(user=user, **form.cleaned_data)
            except DomainError as error:
                for message in error.messages:
                    form.add_error("email", message)
            else:
                messages.success(request, _("Your account is saved."))
                return redirect("programmes:account")
        status = 400
    return render(request, "programmes/account.html", {"form": form}, status=status)
