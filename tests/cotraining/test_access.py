import pytest
from django.urls import reverse

from programmes.models import Membership
from tests import factories

pytestmark = pytest.mark.django_db


def test_login_page_is_french_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="fr"' in response.text


def test_overview_answers_404_to_a_member_of_another_programme(client, member):
    mine = factories.ProgrammeFactory()
    other = factories.ProgrammeFactory()
    user = member(mine, Membership.Role.ORGANISER)
    client.force_login(user)
    assert client.get(reverse("programme_overview", args=[mine.slug])).status_code == 200
    assert client.get(reverse("programme_overview", args=[other.slug])).status_code == 404
