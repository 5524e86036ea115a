import pytest
from playwright.sync_api import expect

from programmes.models import Membership
from tests import factories
from tests.conftest import axe_violations, login

pytestmark = pytest.mark.django_db(transaction=True)


def test_organiser_logs_in_and_reaches_the_programme_overview(page, live_server):
    programme = factories.ProgrammeFactory(title="Co-formation test")
    user = factories.UserFactory(username="orga")
    factories.MembershipFactory(programme=programme, user=user, role=Membership.Role.ORGANISER)

    login(page, live_server, "orga", factories.PASSWORD)
    expect(page.get_by_role("heading", name="Mes programmes")).to_be_visible()
    page.get_by_role("link", name="Co-formation test").click()
    expect(page.get_by_role("heading", level=1, name="Co-formation test")).to_be_visible()
    assert page.csp_errors == []


def test_login_and_dashboard_pass_axe_at_phone_width(a11y_page, live_server):
    user = factories.UserFactory(username="someone")
    page = a11y_page
    page.goto(f"{live_server.url}/login/")
    assert axe_violations(page) == []
    login(page, live_server, user.username, factories.PASSWORD)
    assert axe_violations(page) == []
