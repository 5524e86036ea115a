"""Dashboard, programme overview and health check: access by membership, figures, query budgets."""

import json
import socket
import time

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from participants.models import Category
from programmes.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role


def overview_url(programme):
    return reverse("programme_overview", args=[programme.slug])


def test_anonymous_visitors_are_sent_to_the_login_page(client, programme):
    for url in (reverse("dashboard"), overview_url(programme)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_dashboard_lists_only_my_programmes_with_my_roles(client, member):
    mine = factories.ProgrammeFactory(title="Co-formation Bobigny")
    other = factories.ProgrammeFactory(title="Co-formation Lyon")
    user = member(mine, Role.FACILITATOR)
    factories.MembershipFactory(programme=mine, user=user, role=Role.REVIEWER)
    client.force_login(user)
    response = client.get(reverse("dashboard"))
    assert "Co-formation Bobigny" in response.text
    assert other.title not in response.text
    assert "Animateur·rice" in response.text
    assert "Évaluateur·rice" in response.text


def test_superusers_see_every_programme(client, programme):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert programme.title in client.get(reverse("dashboard")).text
    assert client.get(overview_url(programme)).status_code == 200


@pytest.mark.parametrize(
    ("role", "figures", "finances"),
    [
        (Role.ORGANISER, True, True),
        (Role.FUNDER, True, True),
        (Role.REVIEWER, True, False),
        (Role.FACILITATOR, True, False),
        (Role.CITY_CONTACT, False, False),
    ],
)
def test_what_each_role_sees_on_the_overview(client, programme, role, figures, finances):
    extra = {}
    if role == Role.CITY_CONTACT:
        extra["application"] = factories.CityApplicationFactory(call__programme=programme)
    user = factories.UserFactory()
    factories.MembershipFactory(programme=programme, user=user, role=role, **extra)
    client.force_login(user)
    response = client.get(overview_url(programme))
    assert response.status_code == 200
    assert ('data-figure="participation-rate"' in response.text) is figures
    assert ('data-figure="budget-planned"' in response.text) is finances


def test_another_programmes_overview_answers_404(client, member, programme):
    other = factories.ProgrammeFactory()
    client.force_login(member(other, Role.ORGANISER))
    assert client.get(overview_url(programme)).status_code == 404
    assert client.get("/programmes/does-not-exist/").status_code == 404


def test_inactive_users_cannot_see_their_programmes(client, member, programme):
    user = member(programme, Role.ORGANISER)
    user.is_active = False
    user.save()
    client.force_login(user)
    assert client.get(overview_url(programme)).status_code in (302, 404)


def test_overview_figures_are_computed_from_the_records(client, member, programme):
    call = factories.CallFactory(programme=programme, places=3)
    selected = factories.CityApplicationFactory.create_batch(2, call=call, status="selected")
    factories.CityApplicationFactory(call=call, status="rejected")
    factories.CityApplicationFactory(call=call, status="draft")  # not received yet
    factories.CityContributionFactory(application=selected[0], amount_pledged=700)
    trainees = [
        factories.ParticipantFactory(programme=programme, category=Category.ELECTED_OFFICIAL),
        factories.ParticipantFactory(programme=programme, category=Category.ACTIVIST),
    ]
    factories.ParticipantFactory(programme=programme, category=Category.FACILITATOR)
    slot = factories.SlotFactory(day__programme=programme)
    factories.SlotFactory(day__programme=programme)  # not held yet: no record, not closed
    factories.AttendanceFactory(participant=trainees[0], slot=slot, status="late")
    factories.AttendanceFactory(participant=trainees[1], slot=slot, status="excused")
    factories.FundingFactory(programme=programme, amount_awarded=1000)
    factories.BudgetLineFactory(programme=programme, planned_amount=1500)

    client.force_login(member(programme, Role.ORGANISER))
    response = client.get(overview_url(programme))
    text = response.text
    assert 'data-figure="applications">3<' in text
    assert 'data-figure="selected">2 / 3<' in text
    assert 'data-figure="participants">2<' in text
    assert 'data-figure="participation-rate">50 %<' in text
    assert "1 présences sur 2 attendues ; 1 excusées." in text
    assert 'data-figure="balance">200,00 €<' in text  # 1000 + 700 - 1500


def test_overview_and_dashboard_run_a_fixed_number_of_queries(
    client, member, programme, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = member(programme, Role.ORGANISER)
    client.force_login(user)

    def counts():
        with CaptureQueriesContext(connection) as overview:
            assert client.get(overview_url(programme)).status_code == 200
        with CaptureQueriesContext(connection) as dashboard:
            assert client.get(reverse("dashboard")).status_code == 200
        return len(overview), len(dashboard)

    small = counts()
    call = factories.CallFactory(programme=programme)
    factories.CityApplicationFactory.create_batch(30, call=call)
    trainees = factories.ParticipantFactory.create_batch(40, programme=programme)
    slots = factories.SlotFactory.create_batch(5, day__programme=programme)
    for slot in slots:
        for trainee in trainees:
            factories.AttendanceFactory(slot=slot, participant=trainee)
    factories.FundingFactory.create_batch(4, programme=programme)
    for _ in range(10):
        factories.MembershipFactory(user=user, role=Role.FACILITATOR)
    assert counts() == small
    # The overview: session, user, the programme with its organiser, call and the user's roles,
    # the timetable (the stage), partners, participation (three), applications, people, money
    # (three); the set-up checklist adds one before the training. The dashboard: session,
    # user, memberships, timetables, application counts, today's sheets.
    assert small == (13, 6)


def test_healthz_answers_200_when_the_database_and_broker_are_fine(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["ok"]
    assert body["broker"]["ok"]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_answers_503_quickly_when_redis_is_down(client, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    started = time.monotonic()
    response = client.get(reverse("healthz"))
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert elapsed < 1.0


def test_healthz_reports_a_broken_database(client, monkeypatch):
    from cotraining import health

    monkeypatch.setattr(health, "check_database", lambda: (False, "OperationalError"))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False, "detail": "OperationalError"}


def test_pages_switch_to_english(client, member, programme):
    client.force_login(member(programme, Role.ORGANISER))
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, follow=True)
    assert 'lang="en"' in response.text
    assert "My programmes" in response.text


def test_a_page_that_does_not_exist_says_so_in_french_with_a_way_back(client, member, programme):
    client.force_login(member(programme, Role.FUNDER))
    response = client.get("/programmes/no-such-programme/")
    assert response.status_code == 404
    assert "Page introuvable" in response.text
    assert f'href="{reverse("dashboard")}"' in response.text  # back to the user's programmes


def test_a_refused_page_explains_in_french(client, member, programme):
    client.force_login(member(programme, Role.FUNDER))  # funders do not create programmes
    response = client.get(reverse("programmes:programme_create"))
    assert response.status_code == 403
    assert "Vous ne pouvez pas ouvrir cette page" in response.text


def test_a_server_error_shows_a_french_page_that_does_not_need_the_database(
    client, member, programme, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("cotraining.views.dashboard_get", broken)
    client.force_login(member(programme, Role.ORGANISER))
    client.raise_request_exception = False
    response = client.get(reverse("dashboard"))
    assert response.status_code == 500
    assert "Une erreur s’est produite" in response.text
    assert 'href="/"' in response.text


def test_an_htmx_request_after_the_session_expired_sends_the_whole_page_to_log_in(
    client, programme
):
    """Not the login page swapped into a card, nor a tap that looks saved."""
    sheet = f"/programmes/{programme.slug}/attendance/1/"
    response = client.post(
        f"{sheet}record/2/",
        {"status_2": "absent"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{sheet}?group=city",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={sheet}%3Fgroup%3Dcity"
    assert response.content == b""
    # Without htmx, the usual redirect.
    plain = client.post(f"{sheet}record/2/", {"status_2": "absent"})
    assert plain.status_code == 302
    assert plain["Location"].startswith(reverse("login"))


def test_the_accessibility_statement_is_public_linked_from_every_page_and_names_a_contact(
    client, settings
):
    login_page = client.get(reverse("login"))
    assert reverse("accessibility") in login_page.text

    settings.ACCESSIBILITY_CONTACT_EMAIL = ""
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    assert "Déclaration d’accessibilité" in response.text
    assert "partiellement conforme" in response.text
    assert "1 décembre 2026" in response.text
    assert "organisateurs de votre programme" in response.text

    settings.ACCESSIBILITY_CONTACT_EMAIL = "accessibilite@example.org"
    response = client.get(reverse("accessibility"))
    assert 'href="mailto:accessibilite@example.org"' in response.text


@pytest.mark.parametrize("template", ["500.html", "403_csrf.html"])
def test_the_pages_drawn_without_a_request_link_the_accessibility_statement_too(template):
    html = render_to_string(template)
    assert f'href="{reverse("accessibility")}"' in html
    assert "<footer" in html
