"""A programme's team: invitations by e-mail, accepting them, roles, leaving; people's own
accounts (name, e-mail, language of e-mails).

An invitation's link carries a random token; only its SHA-256 is stored. Resending draws a new
token (the old link stops working) and a new expiry; accepting, revoking or expiring ends it.
"""

import datetime as dt
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import emails
from ..errors import Conflict, InvalidInput
from ..models import Membership, Organisation, Programme, TeamInvitation, UserProfile
from .common import Role, audit

INVITATION_LIFETIME = dt.timedelta(days=14)
# The roles a team member holds (a city contact comes with the city's application).
TEAM_ROLES = (Role.ORGANISER, Role.REVIEWER, Role.FACILITATOR, Role.FUNDER)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token(invitation: TeamInvitation, *, base_url: str) -> str:
    """Give the invitation a fresh token and expiry; returns the link to accept it."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + INVITATION_LIFETIME
    return base_url + reverse("programmes:team_invitation_accept", args=[token])


def _check_pending(invitation: TeamInvitation) -> None:
    if invitation.accepted_at is not None:
        raise Conflict(_("This invitation has already been accepted."), code="not_pending")
    if invitation.revoked_at is not None:
        raise Conflict(_("This invitation has been revoked."), code="not_pending")


@transaction.atomic
def team_invitation_create(
    *,
    actor,
    programme: Programme,
    email: str,
    role: str,
    language: str,
    organisation: Organisation | None = None,
    new_organisation: str = "",
    base_url: str,
) -> tuple[TeamInvitation, str]:
    """Invite someone by e-mail to the programme's team in a role; e-mails them the link (in
    ``language``) once the transaction commits. Returns the invitation and the link."""
    email = email.strip()
    if role not in TeamInvitation.Role.values:
        raise InvalidInput(_("Choose a role for the person invited."), code="invalid_role")
    if new_organisation.strip():
        organisation, _created = Organisation.objects.get_or_create(
            name=new_organisation.strip(), defaults={"kind": Organisation.Kind.FUNDER}
        )
    if role == Role.FUNDER and organisation is None:
        raise InvalidInput(
            _("A funder speaks for a funding body: choose it or type its name."),
            code="no_organisation",
        )
    if role != Role.FUNDER:
        organisation = None
    if Membership.objects.filter(
        programme=programme, role=role, user__email__iexact=email
    ).exists():
        raise Conflict(
            _("%(email)s already holds this role in the programme.") % {"email": email},
            code="already_member",
        )
    if (
        TeamInvitation.objects.usable()
        .filter(programme=programme, role=role, email__iexact=email)
        .exists()
    ):
        raise Conflict(
            _("%(email)s already has an invitation for this role: send it again instead.")
            % {"email": email},
            code="pending",
        )
    invitation = TeamInvitation(
        programme=programme,
        email=email,
        role=role,
        organisation=organisation,
        invited_by=actor if actor is not None and actor.is_authenticated else None,
        language=language,
    )
    url = _new_token(invitation, base_url=base_url)
    invitation.save()
    audit(
        actor=actor,
        programme=programme,
        action="team.invitation_sent",
        obj=invitation,
        data={"role": role},
    )
    emails.team_invitation_email_queue(invitation=invitation, url=url)
    return invitation, url


@transaction.atomic
def team_invitation_resend(*, actor, invitation: TeamInvitation, base_url: str) -> str:
    """Send a pending invitation again with a new link valid 14 days; the old link stops
    working. Returns the new link."""
    invitation = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
    _check_pending(invitation)
    url = _new_token(invitation, base_url=base_url)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit(
        actor=actor,
        programme=invitation.programme,
        action="team.invitation_resent",
        obj=invitation,
        data={"role": invitation.role},
    )
    emails.team_invitation_email_queue(invitation=invitation, url=url)
    return url


@transaction.atomic
def team_invitation_revoke(*, actor, invitation: TeamInvitation) -> None:
    """Withdraw a pending invitation: its link no longer opens anything."""
    invitation = TeamInvitation.objects.select_for_update().get(pk=invitation.pk)
    _check_pending(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit(
        actor=actor,
        programme=invitation.programme,
        action="team.invitation_revoked",
        obj=invitation,
        data={"role": invitation.role},
    )


def team_invitation_get_by_token(*, token: str) -> TeamInvitation | None:
    """The invitation a link names, whatever its state (None for an unknown link)."""
    if not token or len(token) > 200:
        return None
    return (
        TeamInvitation.objects.filter(token_hash=token_hash(token))
        .select_related("programme", "organisation", "invited_by")
        .first()
    )


def _lock_usable(invitation: TeamInvitation) -> TeamInvitation:
    locked = (
        TeamInvitation.objects.select_for_update().select_related("programme").get(pk=invitation.pk)
    )
    _check_pending(locked)
    if locked.is_expired():
        raise Conflict(
            _("This invitation has expired: ask the organisers to send it again."),
            code="not_pending",
        )
    return locked


def _join(invitation: TeamInvitation, user) -> Membership:
    membership, created = Membership.objects.get_or_create(
        programme=invitation.programme,
        user=user,
        role=invitation.role,
        defaults={"organisation": invitation.organisation},
    )
    if not created and invitation.organisation_id and not membership.organisation_id:
        membership.organisation = invitation.organisation
        membership.save(update_fields=["organisation"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit(
        actor=user,
        programme=invitation.programme,
        action="team.invitation_accepted",
        obj=invitation,
        data={"role": invitation.role},
    )
    return membership


@transaction.atomic
def team_invitation_accept(*, invitation: TeamInvitation, user) -> Membership:
    """An existing account accepts the invitation sent to its address: it becomes a member in
    the invitation's role. The link is used up."""
    locked = _lock_usable(invitation)
    if (user.email or "").lower() != locked.email.lower():
        raise InvalidInput(
            _("This invitation was sent to %(email)s: log in with that account to accept it.")
            % {"email": locked.email},
            code="wrong_account",
        )
    return _join(locked, user)


def account_for_email(email: str):
    """The active account that uses this e-mail address, if any."""
    return (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True)
        .order_by("-last_login", "pk")
        .first()
    )


@transaction.atomic
def team_account_create(
    *, invitation: TeamInvitation, first_name: str, last_name: str, password: str
):
    """Someone without an account accepts an invitation: the account is created with the
    invited address (also the name to log in with), in the invitation's language, and joins
    the team. Returns the new user."""
    locked = _lock_usable(invitation)
    User = get_user_model()
    if (
        User.objects.filter(email__iexact=locked.email).exists()
        or User.objects.filter(username__iexact=locked.email).exists()
    ):
        raise InvalidInput(
            _("An account already uses this e-mail address: log in with it to accept."),
            code="email_taken",
        )
    user = User.objects.create_user(
        username=locked.email.lower(),
        email=locked.email,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    UserProfile.objects.create(user=user, language=locked.language)
    audit(actor=user, programme=locked.programme, action="account.created", obj=user)
    _join(locked, user)
    return user


def _lock_organisers(programme: Programme) -> list[Membership]:
    """The programme's organiser memberships, locked: two organisers leaving at once must not
    leave the programme without one."""
    return list(
        Membership.objects.select_for_update()
        .filter(programme=programme, role=Role.ORGANISER)
        .order_by("pk")
    )


def _check_not_last_organiser(membership: Membership) -> None:
    if membership.role != Role.ORGANISER:
        return
    organisers = _lock_organisers(membership.programme)
    if [m.pk for m in organisers] == [membership.pk]:
        raise Conflict(
            _(
                "%(name)s is the programme’s last organiser: invite another organiser before "
                "changing this."
            )
            % {"name": membership.user.get_full_name() or membership.user.get_username()},
            code="last_organiser",
        )


@transaction.atomic
def membership_role_change(
    *, actor, membership: Membership, role: str, organisation: Organisation | None = None
) -> Membership:
    """Give a team member another role instead of this one (or, for a funder, another funding
    body); the last organiser keeps theirs."""
    if role not in TeamInvitation.Role.values or membership.role not in TEAM_ROLES:
        raise InvalidInput(_("Choose a role of the team."), code="invalid_role")
    if role == membership.role:
        if role == Role.FUNDER and organisation and organisation != membership.organisation:
            membership.organisation = organisation
            membership.save(update_fields=["organisation"])
            _audit_role_change(actor, membership, previous=role)
        return membership
    _check_not_last_organiser(membership)
    if Membership.objects.filter(
        programme=membership.programme, user=membership.user, role=role
    ).exists():
        raise Conflict(
            _("%(name)s already holds this role: remove this one instead.")
            % {"name": membership.user.get_full_name() or membership.user.get_username()},
            code="already_member",
        )
    if role == Role.FUNDER and organisation is None and membership.organisation_id is None:
        raise InvalidInput(
            _("A funder speaks for a funding body: choose it."), code="no_organisation"
        )
    previous = membership.role
    membership.role = role
    if role == Role.FUNDER:
        membership.organisation = organisation or membership.organisation
    membership.save(update_fields=["role", "organisation"])
    _audit_role_change(actor, membership, previous=previous)
    return membership


def _audit_role_change(actor, membership: Membership, *, previous: str) -> None:
    audit(
        actor=actor,
        programme=membership.programme,
        action="team.role_changed",
        obj=membership,
        related=membership.user,
        data={"from": previous, "to": membership.role},
    )


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    """Take a role away from a team member; the last organiser cannot be removed."""
    if membership.role not in TEAM_ROLES:
        raise InvalidInput(
            _("A city contact is tied to the city’s application and is not removed here."),
            code="invalid_role",
        )
    _check_not_last_organiser(membership)
    audit(
        actor=actor,
        programme=membership.programme,
        action="team.member_removed",
        obj=membership,
        related=membership.user,
        data={"role": membership.role},
    )
    membership.delete()


@transaction.atomic
def account_update(*, user, first_name: str, last_name: str, email: str, language: str) -> None:
    """Change one's own name, e-mail address and language of e-mails."""
    User = get_user_model()
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise InvalidInput(
            _("Another account already uses this e-mail address."), code="email_taken"
        )
    changed = [
        name
        for name, value in (("first_name", first_name), ("last_name", last_name), ("email", email))
        if getattr(user, name) != value
    ]
    user.first_name, user.last_name, user.email = first_name, last_name, email
    user.save(update_fields=["first_name", "last_name", "email"])
    profile, _created = UserProfile.objects.get_or_create(user=user)
    if profile.language != language:
        profile.language = language
        profile.save(update_fields=["language"])
        changed.append("language")
    if changed:
        audit(
            actor=user,
            programme=None,
            action="account.updated",
            obj=user,
            data={"fields": list(changed)},
        )
