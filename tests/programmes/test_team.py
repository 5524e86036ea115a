"""The team page: invitations and their lifecycle, roles, the last organiser, who may do what."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from programmes.models import AuditEntry, Membership, TeamInvitation, UserProfile
from programmes.services import (
    membership_remove,
    membership_role_change,
    team_invitation_create,
)
from tests import factories

pytestmark = pytest.mark.django_db

Role = Membership.Role
LINK = re.compile(r"https?://\S+/invitations/\S+/")


@pytest.fixture
def team(programme, member):
    return {
        "organiser": member(programme, Role.ORGANISER),
        "reviewer": member(programme, Role.REVIEWER),
        "facilitator": member(programme, Role.FACILITATOR),
        "funder": member(programme, Role.FUNDER),
    }


def invite(client, programme, capture, **data):
    with capture(execute=True):
        return client.post(
            reverse("programmes:team_invite", args=[programme.slug]),
            {"language": "fr", **data},
        )


def link_in(message) -> str:
    return LINK.search(message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- who may do what ---------------------------------------------------------------------------


def _urls(programme, invitation, membership):
    slug = programme.slug
    return [
        ("get", reverse("programmes:team", args=[slug])),
        ("post", reverse("programmes:team_invite", args=[slug])),
        ("post", reverse("programmes:team_invitation_resend", args=[slug, invitation.pk])),
        ("post", reverse("programmes:team_invitation_revoke", args=[slug, invitation.pk])),
        ("post", reverse("programmes:team_member_role", args=[slug, membership.pk])),
        ("post", reverse("programmes:team_member_remove", args=[slug, membership.pk])),
    ]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("organiser", {200, 302, 400}),
        ("reviewer", {404}),
        ("facilitator", {404}),
        ("funder", {404}),
        ("city_contact", {404}),
        ("outsider", {404}),
        ("anonymous", {"login"}),
    ],
)
def test_only_organisers_reach_the_team_pages(client, programme, team, role, expected):
    invitation, _url = team_invitation_create(
        actor=team["organiser"],
        programme=programme,
        email="x@example.org",
        role=Role.REVIEWER,
        language="fr",
        base_url="",
    )
    membership = Membership.objects.get(user=team["reviewer"])
    if role in team:
        client.force_login(team[role])
    elif role == "city_contact":
        application = factories.CityApplicationFactory(call__programme=programme)
        contact = factories.UserFactory()
        factories.MembershipFactory(
            programme=programme, user=contact, role=Role.CITY_CONTACT, application=application
        )
        client.force_login(contact)
    elif role == "outsider":
        client.force_login(factories.MembershipFactory(role=Role.ORGANISER).user)
    for method, url in _urls(programme, invitation, membership):
        response = getattr(client, method)(url, {"role": "funder"})
        got = response.status_code
        if role == "anonymous":
            got = "login" if got == 302 and "/login/" in response["Location"] else got
        assert got in expected, (role, url, got)
    if role != "organiser":
        assert Membership.objects.filter(pk=membership.pk, role=Role.REVIEWER).exists()
        assert TeamInvitation.objects.get(pk=invitation.pk).is_pending


def test_another_programmes_invitations_and_members_answer_404(client, programme, team):
    other = factories.ProgrammeFactory()
    organiser_there = factories.MembershipFactory(programme=other, role=Role.ORGANISER)
    invitation, _url = team_invitation_create(
        actor=organiser_there.user,
        programme=other,
        email="y@example.org",
        role=Role.REVIEWER,
        language="fr",
        base_url="",
    )
    client.force_login(team["organiser"])
    for method, url in _urls(programme, invitation, organiser_there)[2:]:
        assert getattr(client, method)(url, {"role": "reviewer"}).status_code == 404, url
    assert TeamInvitation.objects.get(pk=invitation.pk).is_pending
    assert Membership.objects.filter(pk=organiser_there.pk, role=Role.ORGANISER).exists()


def test_the_team_link_is_in_the_programme_menu_for_organisers_only(client, programme, team):
    url = reverse("programmes:team", args=[programme.slug])
    overview = reverse("programme_overview", args=[programme.slug])
    client.force_login(team["organiser"])
    assert f'href="{url}"' in client.get(overview).text
    client.force_login(team["facilitator"])
    assert f'href="{url}"' not in client.get(overview).text


# --- the page ------------------------------------------------------------------------------------


def test_the_team_page_lists_members_roles_since_and_pending_invitations(client, programme, team):
    team_invitation_create(
        actor=team["organiser"],
        programme=programme,
        email="pending@example.org",
        role=Role.FACILITATOR,
        language="en",
        base_url="",
    )
    revoked, _url = team_invitation_create(
        actor=team["organiser"],
        programme=programme,
        email="revoked@example.org",
        role=Role.FACILITATOR,
        language="en",
        base_url="",
    )
    revoked.revoked_at = timezone.now()
    revoked.save()
    client.force_login(team["organiser"])
    text = client.get(reverse("programmes:team", args=[programme.slug])).text
    for user in team.values():
        assert user.email in text
    assert "Animateur" in text or "Animatrice" in text or "facilitat" in text.lower()
    waiting = text.split('id="invitations-title"')[1].split('id="invite-title"')[0]
    assert "pending@example.org" in waiting
    assert "revoked@example.org" not in waiting
    assert timezone.localdate().strftime("%Y") in text  # since when


def test_the_team_page_runs_a_fixed_number_of_queries(client, programme, team):
    client.force_login(team["organiser"])
    url = reverse("programmes:team", args=[programme.slug])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    # The history names invitations and memberships: one of each before the first count, so
    # that what grows is the number of rows, not the kinds of object named.
    team_invitation_create(
        actor=team["organiser"],
        programme=programme,
        email="first@example.org",
        role=Role.REVIEWER,
        language="fr",
        base_url="",
    )
    small = count()
    for n in range(25):
        user = factories.UserFactory()
        factories.MembershipFactory(programme=programme, user=user, role=Role.REVIEWER)
        factories.MembershipFactory(
            programme=programme,
            user=user,
            role=Role.FUNDER,
            organisation=factories.OrganisationFactory(),
        )
        team_invitation_create(
            actor=team["organiser"],
            programme=programme,
            email=f"p{n}@example.org",
            role=Role.FUNDER,
            organisation=factories.OrganisationFactory(),
            language="fr",
            base_url="",
        )
    assert count() == small
    # session, user, programme with the roles, members, invitations, history, the invitations
    # the history names (its sentences are drawn from the current rows), funding bodies,
    # invitations e-mailed
    assert small == 9


# --- inviting ------------------------------------------------------------------------------------


def test_inviting_sends_a_link_in_the_invitees_language_and_stores_only_its_hash(
    client, programme, team, django_capture_on_commit_callbacks
):
    client.force_login(team["organiser"])
    response = invite(
        client,
        programme,
        django_capture_on_commit_callbacks,
        email="new.reviewer@example.org",
        role="reviewer",
        language="en",
    )
    assert response.status_code == 302
    invitation = TeamInvitation.objects.get(email="new.reviewer@example.org")
    assert invitation.invited_by == team["organiser"]
    assert invitation.expires_at - invitation.sent_at == dt.timedelta(days=14)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.reviewer@example.org"]
    assert "Invitation to join the team" in message.subject  # English, as chosen
    token = link_in(message).rstrip("/").rsplit("/", 1)[-1]
    assert token not in invitation.token_hash
    assert len(invitation.token_hash) == 64
    assert AuditEntry.objects.filter(action="team.invitation_sent", programme=programme).exists()
    # The team page says what was e-mailed to whom, and that it went.
    page = client.get(reverse("programmes:team", args=[programme.slug])).text
    section = page[page.index('id="team-messages-title"') :]
    assert "new.reviewer@example.org" in section
    assert 'data-status="sent"' in section


def test_a_funder_needs_a_funding_body(client, programme, team, django_capture_on_commit_callbacks):
    client.force_login(team["organiser"])
    response = invite(
        client, programme, django_capture_on_commit_callbacks, email="f@example.org", role="funder"
    )
    assert response.status_code == 400
    assert "organisme financeur" in response.text
    response = invite(
        client,
        programme,
        django_capture_on_commit_callbacks,
        email="f@example.org",
        role="funder",
        new_organisation="CGET",
    )
    assert response.status_code == 302
    assert TeamInvitation.objects.get(email="f@example.org").organisation.name == "CGET"


def test_inviting_twice_or_a_member_in_the_same_role_is_refused(
    client, programme, team, django_capture_on_commit_callbacks
):
    client.force_login(team["organiser"])
    capture = django_capture_on_commit_callbacks
    assert (
        invite(client, programme, capture, email="a@example.org", role="reviewer").status_code
        == 302
    )
    assert (
        invite(client, programme, capture, email="A@example.org", role="reviewer").status_code
        == 409
    )
    email = team["reviewer"].email
    assert invite(client, programme, capture, email=email, role="reviewer").status_code == 409
    assert invite(client, programme, capture, email="bad", role="reviewer").status_code == 400
    assert (
        invite(client, programme, capture, email="b@example.org", role="city_contact").status_code
        == 400
    )
    assert TeamInvitation.objects.count() == 1


# --- accepting -----------------------------------------------------------------------------------


def _invitation(programme, organiser, *, email="newcomer@example.org", role=Role.REVIEWER, **kw):
    invitation, url = team_invitation_create(
        actor=organiser,
        programme=programme,
        email=email,
        role=role,
        language=kw.pop("language", "fr"),
        base_url="http://testserver",
        **kw,
    )
    return invitation, path_of(url)


def test_a_new_person_creates_their_account_and_joins_once(client, programme, team):
    invitation, url = _invitation(programme, team["organiser"], language="en")
    page = client.get(url)
    assert page.status_code == 200
    assert "newcomer@example.org" in page.text
    weak = client.post(
        url, {"first_name": "Léa", "last_name": "Martin", "password1": "123", "password2": "123"}
    )
    assert weak.status_code == 400  # Django's password validators
    assert not get_user_model().objects.filter(email="newcomer@example.org").exists()
    password = "a-long-and-new-password-7"
    response = client.post(
        url,
        {"first_name": "Léa", "last_name": "Martin", "password1": password, "password2": password},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("programme_overview", args=[programme.slug])
    user = get_user_model().objects.get(email="newcomer@example.org")
    assert user.get_full_name() == "Léa Martin"
    assert Membership.objects.filter(programme=programme, user=user, role=Role.REVIEWER).exists()
    assert UserProfile.objects.get(user=user).language == "en"
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert AuditEntry.objects.filter(action="team.invitation_accepted", actor=user).exists()
    # Logged in, and the link is used up.
    assert client.get(reverse("programme_overview", args=[programme.slug])).status_code == 200
    client.logout()
    again = client.get(url)
    assert again.status_code == 410
    assert "déjà été utilisé" in again.text
    assert (
        client.post(
            reverse("login"), {"username": "newcomer@example.org", "password": password}
        ).status_code
        == 302
    )


def test_an_existing_account_logs_in_then_joins(client, programme, team):
    person = factories.UserFactory(email="Known@Example.org")
    invitation, url = _invitation(programme, team["organiser"], email="known@example.org")
    page = client.get(url)
    assert page.status_code == 200
    login_link = reverse("login") + "?next=" + url
    assert login_link in page.text
    assert client.post(url).status_code == 200  # nothing happens before logging in
    assert not Membership.objects.filter(user=person, programme=programme).exists()
    client.force_login(team["facilitator"])  # another account: refused
    assert "un autre compte" in client.get(url).text
    client.post(url)
    assert not Membership.objects.filter(user=person, programme=programme).exists()
    client.force_login(person)
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.objects.filter(user=person, programme=programme, role=Role.REVIEWER).exists()
    assert client.post(url).status_code == 410


@pytest.mark.parametrize("state", ["expired", "revoked", "unknown"])
def test_expired_revoked_and_unknown_links_get_a_clear_page(client, programme, team, state):
    invitation, url = _invitation(programme, team["organiser"])
    if state == "expired":
        invitation.expires_at = timezone.now() - dt.timedelta(seconds=1)
        invitation.save()
    elif state == "revoked":
        client.force_login(team["organiser"])
        client.post(
            reverse("programmes:team_invitation_revoke", args=[programme.slug, invitation.pk])
        )
        client.logout()
        assert AuditEntry.objects.filter(action="team.invitation_revoked").exists()
    else:
        url = url[:-5] + "zzzz/"
    response = client.get(url)
    assert response.status_code == (404 if state == "unknown" else 410)
    assert "Ce lien d’invitation n’est pas valable" in response.text
    password = "a-long-and-new-password-7"
    client.post(
        url, {"first_name": "A", "last_name": "B", "password1": password, "password2": password}
    )
    assert not get_user_model().objects.filter(email="newcomer@example.org").exists()


def test_resending_gives_a_new_link_and_expiry_and_kills_the_old_one(
    client, programme, team, django_capture_on_commit_callbacks
):
    invitation, old_url = _invitation(programme, team["organiser"])
    TeamInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(days=1)
    )
    client.force_login(team["organiser"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("programmes:team_invitation_resend", args=[programme.slug, invitation.pk])
        )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.expires_at > timezone.now() + dt.timedelta(days=13)
    new_url = path_of(link_in(mail.outbox[-1]))
    client.logout()
    assert client.get(old_url).status_code == 404
    assert client.get(new_url).status_code == 200
    assert AuditEntry.objects.filter(action="team.invitation_resent").exists()


def test_a_used_invitation_cannot_be_resent_or_revoked(client, programme, team):
    invitation, _url = _invitation(programme, team["organiser"])
    invitation.accepted_at = timezone.now()
    invitation.save()
    client.force_login(team["organiser"])
    for name in ("team_invitation_resend", "team_invitation_revoke"):
        response = client.post(reverse(f"programmes:{name}", args=[programme.slug, invitation.pk]))
        assert response.status_code == 409
        assert "déjà été acceptée" in response.text


# --- roles and the last organiser ---------------------------------------------------------------


def test_an_organiser_changes_a_role_and_removes_a_member(client, programme, team):
    client.force_login(team["organiser"])
    membership = Membership.objects.get(user=team["reviewer"], programme=programme)
    response = client.post(
        reverse("programmes:team_member_role", args=[programme.slug, membership.pk]),
        {"role": "facilitator"},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.FACILITATOR
    # A funder needs a funding body, chosen next to the role.
    role_url = reverse("programmes:team_member_role", args=[programme.slug, membership.pk])
    assert client.post(role_url, {"role": "funder"}).status_code == 400
    body = factories.OrganisationFactory(name="Préfecture")
    assert client.post(role_url, {"role": "funder", "organisation": body.pk}).status_code == 302
    membership.refresh_from_db()
    assert (membership.role, membership.organisation) == (Role.FUNDER, body)
    other_body = factories.OrganisationFactory(name="CGET")
    client.post(role_url, {"role": "funder", "organisation": other_body.pk})
    membership.refresh_from_db()
    assert membership.organisation == other_body
    response = client.post(
        reverse("programmes:team_member_remove", args=[programme.slug, membership.pk])
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"team.role_changed", "team.member_removed"} <= actions


def test_the_last_organiser_can_be_neither_removed_nor_demoted(client, programme, team):
    client.force_login(team["organiser"])
    mine = Membership.objects.get(user=team["organiser"], programme=programme)
    for name, data in (("team_member_remove", {}), ("team_member_role", {"role": "reviewer"})):
        response = client.post(reverse(f"programmes:{name}", args=[programme.slug, mine.pk]), data)
        assert response.status_code == 409
        assert "dernier organisateur" in response.text
    mine.refresh_from_db()
    assert mine.role == Role.ORGANISER
    # With a second organiser, the first may step down.
    second = factories.MembershipFactory(programme=programme, role=Role.ORGANISER)
    membership_remove(actor=team["organiser"], membership=mine)
    assert list(
        Membership.objects.filter(programme=programme, role=Role.ORGANISER).values_list(
            "pk", flat=True
        )
    ) == [second.pk]
    with pytest.raises(Exception, match="dernier organisateur"):
        membership_role_change(actor=second.user, membership=second, role=Role.REVIEWER)


# --- the first organiser of an installation -------------------------------------------------------


def test_invite_organiser_prints_and_sends_the_link(
    programme, capsys, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "invite_organiser",
            "first@example.org",
            "--programme",
            programme.slug,
            "--base-url",
            "https://cotraining.example.org",
        )
    out = capsys.readouterr().out
    invitation = TeamInvitation.objects.get(email="first@example.org")
    assert invitation.role == Role.ORGANISER
    assert invitation.invited_by is None
    assert "https://cotraining.example.org/invitations/" in out
    assert link_in(mail.outbox[0]) in out
    with pytest.raises(CommandError, match="No programme"):
        call_command("invite_organiser", "first@example.org", "--programme", "nope")
    with pytest.raises(CommandError):
        call_command("invite_organiser", "not-an-address", "--programme", programme.slug)
