"""Nothing that may hold personal data is kept by a browser's or a proxy's cache."""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import ReportRun
from tests import factories

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_every_page_and_download_of_a_signed_in_user_is_no_store(client, programme, member):
    organiser = member(programme, "organiser")
    client.force_login(organiser)
    application = factories.CityApplicationFactory(call__programme=programme)
    application.commitment_letter.save("letter.pdf", ContentFile(b"%PDF-1.4 letter"))
    run = factories.ReportRunFactory(programme=programme, requested_by=organiser)
    run.file.save("report.pdf", ContentFile(b"%PDF-1.4 report"), save=False)
    run.status, run.page_count, run.file_size = ReportRun.Status.DONE, 1, 15
    run.save()
    participant = factories.ParticipantFactory(programme=programme)
    slug = programme.slug
    gets = [
        reverse("dashboard"),
        reverse("programme_overview", args=[slug]),
        reverse("participants:participant_list", args=[slug]),
        reverse("reports:report_list", args=[slug]),
        reverse("reports:export", args=[slug, "participants", "csv"]),
        reverse("reports:export", args=[slug, "attendance", "xlsx"]),
        reverse("reports:report_run_download", args=[slug, run.pk]),
        reverse("programmes:commitment_letter", args=[slug, application.pk]),
    ]
    for url in gets:
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), (url, response.get("Cache-Control"))
    export = client.post(reverse("person_export", args=[slug, participant.pk]))
    assert export.status_code == 200
    assert no_store(export)
    # An error page of a signed-in user too.
    assert no_store(client.get(reverse("participants:participant_list", args=["nope"])))


def test_anonymous_pages_are_no_store_too(client, programme):
    factories.CallFactory(programme=programme, published_at=timezone.now())
    for url in (reverse("login"), reverse("programmes:call_public", args=[programme.slug])):
        response = client.get(url)
        assert response.status_code == 200, url
        assert no_store(response), url


def test_static_files_keep_their_long_caching(settings):
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_MAX_AGE = 3600
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert "max-age=3600" in response["Cache-Control"]
    assert "no-store" not in response["Cache-Control"]
