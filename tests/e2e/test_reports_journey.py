"""The reports, in a real browser as a new user would: a funder asks for the participation
report of the demo programme, watches it finish and downloads a PDF that says 95 %; an
organiser downloads the attendance certificates.

With Redis and PostgreSQL (CI) a real Celery worker builds the reports and the page follows
them through htmx polling; without them the build runs in the web process."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from cotraining.celery import app as celery_app
from cotraining.demo import SLUG
from programmes.models import Programme
from sessions.selectors import programme_participation
from tests import factories
from tests.conftest import (
    axe_violations,
    login,
    normalise,
    pdf_text,
)

pytestmark = pytest.mark.django_db(transaction=True)
BUILD_TIMEOUT = 120_000  # ms: a report built by a worker on a busy machine


@pytest.fixture
def report_builder(request, monkeypatch):
    """A real worker where Redis and PostgreSQL are available, otherwise in-process builds."""
    postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if os.environ.get("REDIS_URL") and postgres:
        # Tasks start eager in tests not marked ``worker``: this one's go to the worker.
        monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
        return request.getfixturevalue("celery_worker")
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    return None


def open_reports(page, live_server, username, programme):
    login(page, live_server, username, factories.PASSWORD)
    page.get_by_role("link", name=programme.title).first.click()
    page.get_by_role("link", name="Rapports", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Rapports")).to_be_visible()


def ask_and_download(page, report: str) -> tuple[str, bytes]:
    page.get_by_label(re.compile(report)).check()
    page.get_by_role("button", name="Demander ce rapport").click()
    # "prêt" when built during the request (no broker), "en préparation" with a worker.
    expect(page.get_by_role("status")).to_contain_text(
        re.compile("Votre rapport est (en préparation|prêt)")
    )
    link = page.get_by_role("link", name=f"Télécharger {report}")
    expect(link).to_be_visible(timeout=BUILD_TIMEOUT)  # the row turns "Terminé" by itself
    expect(page.locator("tr[data-status]").first).to_contain_text("Terminé")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def test_a_funder_asks_for_the_participation_report_watches_it_finish_and_downloads_it(
    page, live_server, demo_committed, report_builder
):
    open_reports(page, live_server, "funder", demo_committed)
    # A funder may not ask for the certificates, which name everyone.
    expect(page.get_by_label(re.compile("Attestations de présence"))).to_have_count(0)

    name, content = ask_and_download(page, "Rapport de participation")

    assert name.startswith(f"rapport-de-participation-{SLUG}-")
    assert name.endswith(".pdf")
    text = normalise(pdf_text(content))
    assert "95 %" in text
    figures = programme_participation(programme=demo_committed)
    for heading in ("Par catégorie", "Par ville", "Par jour", "Par demi-journée"):
        assert heading in text
    for row in figures.by_category:
        assert f"{row.label} {row.expected} {row.attended}" in text
    assert page.csp_errors == []


def test_an_organiser_downloads_the_attendance_certificates(
    page, live_server, demo_committed, report_builder
):
    open_reports(page, live_server, "organiser", demo_committed)
    name, content = ask_and_download(page, "Attestations de présence")

    assert name.startswith(f"attestations-de-presence-{SLUG}-")
    pages = [normalise(text) for text in pdf_text(content).split("\f")]
    attended = [
        p
        for p in programme_participation(programme=demo_committed).participants
        if p.halfdays_attended
    ]
    assert len(pages) == len(attended) == 28
    assert all("Certificat de réalisation" in text for text in pages)
    assert all("action de formation" in text for text in pages)
    assert attended[0].name in pages[0]
    assert "Claire Moreau" in pages[0]  # the organiser who asked signs
    assert page.csp_errors == []


def test_the_reports_page_passes_axe_and_fits_a_phone(a11y_page, live_server, demo_committed):
    page = a11y_page
    organiser = Programme.objects.get(slug=SLUG).memberships.get(user__username="organiser").user
    factories.ReportRunFactory(
        programme=demo_committed,
        requested_by=organiser,
        status="failed",
        error="Le rapport n’a pas pu être produit après 3 tentatives : la base de données était "
        "injoignable.",
    )
    factories.ReportRunFactory(
        programme=demo_committed,
        requested_by=organiser,
        kind="funder",
        status="running",
        progress=40,
    )
    done = factories.ReportRunFactory(
        programme=demo_committed,
        requested_by=organiser,
        kind="certificates",
        status="done",
        page_count=28,
    )
    done.file.save("attestations.pdf", ContentFile(b"%PDF-1.7"), save=True)
    open_reports(page, live_server, "organiser", demo_committed)
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The list of runs fits too: no sideways scrolling to reach the download buttons.
    assert page.evaluate(
        "(t => t.scrollWidth <= t.clientWidth)(document.querySelector('.table-responsive'))"
    )
