"""Who may see what: every URL of the reports for every role, in one table."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from programmes.models import Membership
from reports.models import ReportRun
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role
Kind = ReportRun.Kind

OK, NOT_FOUND, LOGIN = 200, 404, 302

# role -> expected answer for: list, status and file of a funder-facing run, status and file of
# the certificates, exports
MATRIX = {
    "organiser": (OK, OK, OK, OK, OK, OK),
    "funder": (OK, OK, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "other_funder": (NOT_FOUND,) * 6,
    "facilitator": (NOT_FOUND,) * 6,
    "reviewer": (NOT_FOUND,) * 6,
    "city_contact": (NOT_FOUND,) * 6,
    "superuser": (OK,) * 6,
    "anonymous": (LOGIN,) * 6,
}


def done_run(programme, kind):
    run = factories.ReportRunFactory(
        programme=programme, kind=kind, status=ReportRun.Status.DONE, page_count=1
    )
    run.file.save("report.pdf", ContentFile(b"%PDF-1.7 test"), save=True)
    return run


@pytest.fixture
def world(programme):
    other = factories.ProgrammeFactory()
    application = factories.CityApplicationFactory(call=factories.CallFactory(programme=programme))
    users = {}
    for role in (Role.ORGANISER, Role.FUNDER, Role.FACILITATOR, Role.REVIEWER):
        users[str(role)] = factories.MembershipFactory(programme=programme, role=role).user
    users["city_contact"] = factories.MembershipFactory(
        programme=programme, role=Role.CITY_CONTACT, application=application
    ).user
    users["other_funder"] = factories.MembershipFactory(programme=other, role=Role.FUNDER).user
    users["superuser"] = factories.UserFactory(is_superuser=True, is_staff=True)
    users["anonymous"] = None
    funder_run = done_run(programme, Kind.PARTICIPATION)
    certificates = done_run(programme, Kind.CERTIFICATES)
    return programme, users, funder_run, certificates


def urls(programme, funder_run, certificates):
    slug = programme.slug
    return [
        reverse("reports:report_list", args=[slug]),
        reverse("reports:report_run_status", args=[slug, funder_run.pk]),
        reverse("reports:report_run_download", args=[slug, funder_run.pk]),
        reverse("reports:report_run_status", args=[slug, certificates.pk]),
        reverse("reports:report_run_download", args=[slug, certificates.pk]),
        reverse("reports:export", args=[slug, "participants", "csv"]),
    ]


@pytest.mark.parametrize("who", list(MATRIX))
def test_every_url_for_every_role(client, world, who):
    programme, users, funder_run, certificates = world
    if users[who] is not None:
        client.force_login(users[who])
    answers = tuple(
        client.get(url).status_code for url in urls(programme, funder_run, certificates)
    )
    assert answers == MATRIX[who]


@pytest.mark.parametrize("who", ["facilitator", "reviewer", "city_contact", "other_funder"])
def test_asking_for_a_report_without_the_right_is_404_and_creates_nothing(client, world, who):
    programme, users, *_ = world
    client.force_login(users[who])
    url = reverse("reports:report_list", args=[programme.slug])
    assert client.post(url, {"kind": Kind.FUNDER}).status_code == 404
    assert ReportRun.objects.count() == 2


def test_a_run_of_another_programme_is_404_even_to_its_organiser(client, world, member):
    programme, users, funder_run, _ = world
    elsewhere = factories.ProgrammeFactory()
    foreign = done_run(elsewhere, Kind.PARTICIPATION)
    client.force_login(users["organiser"])
    for name in ("reports:report_run_status", "reports:report_run_download"):
        # Another programme's run through my programme's address, and through its own.
        assert client.get(reverse(name, args=[programme.slug, foreign.pk])).status_code == 404
        assert client.get(reverse(name, args=[elsewhere.slug, foreign.pk])).status_code == 404
        assert client.get(reverse(name, args=[elsewhere.slug, funder_run.pk])).status_code == 404


def test_the_download_checks_the_role_again(client, world):
    programme, users, funder_run, _ = world
    client.force_login(users["funder"])
    url = reverse("reports:report_run_download", args=[programme.slug, funder_run.pk])
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=users["funder"]).delete()
    assert client.get(url).status_code == 404


def test_a_funder_sees_only_the_funder_facing_runs(client, world):
    programme, users, funder_run, certificates = world
    client.force_login(users["funder"])
    page = client.get(reverse("reports:report_list", args=[programme.slug]))
    assert f'id="run-{funder_run.pk}"' in page.text
    assert f'id="run-{certificates.pk}"' not in page.text
    assert "/exports/" not in page.text
