"""Documents funders are proud of (issue 11): organisation logos (checked, served to those who
may see the programme), the cover page with the narrative, the funder report per funder, the
blank sheet with arrival and departure columns on one page."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from participants.models import Category
from programmes.models import AuditEntry, Membership, Organisation
from reports.documents import attendance_sheet_html, document_html
from reports.models import ReportRun
from reports.rendering import pdf_from_html
from reports.selectors import headcount_note
from tests import factories
from tests.conftest import normalise, pdf_text

pytestmark = pytest.mark.django_db
Role = Membership.Role
Kind = ReportRun.Kind


def images_url(programme, organisation):
    return reverse("programmes:organisation_images", args=[programme.slug, organisation.pk])


def image_url(programme, organisation, which="logo"):
    return reverse("programmes:organisation_image", args=[programme.slug, organisation.pk, which])


@pytest.fixture
def funded(db):
    programme = factories.ProgrammeFactory(
        organiser=factories.OrganisationFactory(name="Centre de ressources"),
        narrative_fr="Nous avons formé sept villes ensemble.",
        narrative_en="We trained seven cities together.",
    )
    first = factories.FundingFactory(
        programme=programme,
        funder__name="Préfecture",
        amount_awarded=22000,
        amount_received=22000,
        agreement_reference="PREF-118",
    )
    second = factories.FundingFactory(
        programme=programme,
        funder__name="Fonds d'expérimentation",
        amount_awarded=10000,
        amount_received=8000,
        agreement_reference="FES-042",
    )
    return programme, first, second


def upload(name: str, content: bytes, content_type: str = "image/svg+xml"):
    return SimpleUploadedFile(name, content, content_type)


# --- Logos ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\nnot really a png", "This PNG file is damaged"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "contains a script",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "contains a script"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
            b'<use x:href="https://tracker.example/a.svg#b"/></svg>',
            "loads something from outside",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/a.css);'
            b"</style></svg>",
            "loads something from outside",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "declares a document type",
        ),
        (b"GIF89a...", "is not a PNG or SVG image"),
    ],
)
def test_a_bad_image_is_refused_with_a_reason_and_nothing_lost(client, funded, content, message):
    programme, funding, _second = funded
    organiser = factories.MembershipFactory(programme=programme, role=Role.ORGANISER).user
    client.force_login(organiser)
    organisation = funding.funder
    organisation.logo.save("logo.svg", upload("logo.svg", factories.svg_logo()), save=True)
    kept = organisation.logo.name

    response = client.post(
        images_url(programme, organisation),
        {"logo": upload("x.svg", content)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert message in response.text
    organisation.refresh_from_db()
    assert organisation.logo.name == kept  # the earlier logo is still there
    assert organisation.logo.storage.exists(kept)


def test_an_image_over_the_limit_is_refused(client, funded, settings):
    settings.ORGANISATION_IMAGE_MAX_BYTES = 2000
    programme, funding, _second = funded
    client.force_login(factories.MembershipFactory(programme=programme, role=Role.ORGANISER).user)
    big = factories.svg_logo() + b"<!--" + b"x" * 3000 + b"-->"
    response = client.post(images_url(programme, funding.funder), {"logo": upload("big.svg", big)})
    assert response.status_code == 400
    assert "Cette image est plus grande que 2,0" in response.text
    assert not Organisation.objects.get(pk=funding.funder_id).logo


def test_the_organiser_uploads_logos_and_whoever_sees_the_programme_gets_them(client, funded):
    programme, funding, _second = funded
    organiser = factories.MembershipFactory(programme=programme, role=Role.ORGANISER).user
    client.force_login(organiser)
    response = client.post(
        images_url(programme, funding.funder),
        {
            "logo": upload("logo.png", factories.png_logo(), "image/png"),
            "stamp": upload("stamp.svg", factories.svg_logo("OK")),
        },
    )
    assert response.status_code == 302
    funder = Organisation.objects.get(pk=funding.funder_id)
    assert funder.logo.name.endswith("logo.png")
    assert funder.stamp.name.endswith("stamp.svg")
    assert AuditEntry.objects.filter(action="organisation.images_changed").count() == 1
    finances = client.get(reverse("programmes:finances", args=[programme.slug]))
    assert f'<img src="{image_url(programme, funder)}"' in finances.text
    assert f'<a href="{images_url(programme, funder)}">' in finances.text

    logo = client.get(image_url(programme, funder))
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert "default-src 'none'" in logo["Content-Security-Policy"]

    reviewer = factories.MembershipFactory(programme=programme, role=Role.REVIEWER).user
    client.force_login(reviewer)
    assert client.get(image_url(programme, funder)).status_code == 200
    # The signature and stamp signs documents: organisers only.
    assert client.get(image_url(programme, funder, "stamp")).status_code == 404
    assert client.get(images_url(programme, funder)).status_code == 404

    stranger = factories.MembershipFactory(role=Role.ORGANISER).user
    client.force_login(stranger)
    assert client.get(image_url(programme, funder)).status_code == 404
    # An organisation that has nothing to do with the programme is not reachable through it.
    client.force_login(organiser)
    other = factories.OrganisationFactory()
    assert client.get(images_url(programme, other)).status_code == 404


# --- The cover page and the funder report per funder ---------------------------------------


def pages(kind, programme, *, language="fr", funder=None) -> list[str]:
    """The text of each page of the report."""
    with translation.override(language):
        document = document_html(kind=kind, programme=programme, funder=funder)
        return [
            normalise(page) for page in pdf_text(pdf_from_html(document.html).content).split("\f")
        ]


def render(kind, programme, **options) -> str:
    return " ".join(pages(kind, programme, **options))


def test_every_report_opens_on_a_cover_with_the_narrative_in_its_language(funded):
    programme, funding, _second = funded
    funding.funder.logo.save("logo.svg", upload("l.svg", factories.svg_logo("PF")), save=True)
    first_page = pages(Kind.PARTICIPATION, programme)[0]
    assert "Nous avons formé sept villes ensemble." in first_page
    assert "Préfecture" in first_page
    assert "Centre de ressources" in first_page
    assert (
        "We trained seven cities together." in pages(Kind.ATTENDANCE, programme, language="en")[0]
    )
    programme.narrative_en = ""
    assert "Nous avons formé" in pages(Kind.FUNDER, programme, language="en")[0]


def test_a_funder_report_shows_its_own_agreement_and_the_others_as_totals(funded):
    programme, first, second = funded
    cover, *rest = pages(Kind.FUNDER, programme, funder=first.funder)
    mine = " ".join(rest)
    assert "Réalisé pour Préfecture" in cover or "Made for Préfecture" in cover
    assert "PREF-118" in mine
    assert "FES-042" not in mine
    assert "Fonds d'expérimentation" not in mine  # named on the cover only
    assert "10 000,00 €" in mine  # the other funder's award, as a total line
    assert "32 000,00 €" in mine  # the total of every funding, from finance_totals
    theirs = render(Kind.FUNDER, programme, funder=second.funder)
    assert "FES-042" in theirs
    assert "PREF-118" not in theirs
    everyone = render(Kind.FUNDER, programme)
    assert "FES-042" in everyone
    assert "PREF-118" in everyone


def test_the_table_by_category_says_why_it_counts_more_than_the_trainees(funded):
    programme, _first, _second = funded
    for category in [Category.ELECTED_OFFICIAL] * 3 + [Category.FACILITATOR] * 2:
        factories.ParticipantFactory(programme=programme, category=category)
    factories.ParticipantFactory(programme=programme, category=Category.SUPPORT_PERSON)
    with translation.override("en"):
        from participants.selectors import participant_counts_by_category

        note = headcount_note(
            categories=participant_counts_by_category(programme=programme), trainees=3
        )
    assert note == (
        "This table counts 6 people, 3 more than the 3 trainees of the participation figures: "
        "those people run or support the training without being trained (Facilitator: 2; "
        "Support person: 1)."
    )
    assert "6 people, 3 more than the 3 trainees" in render(Kind.FUNDER, programme, language="en")


def test_a_funder_asks_for_the_funder_report_and_gets_its_own(
    client, funded, monkeypatch, django_capture_on_commit_callbacks
):
    from cotraining.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    programme, first, second = funded
    user = factories.MembershipFactory(
        programme=programme, role=Role.FUNDER, organisation=first.funder
    ).user
    other_run = factories.ReportRunFactory(
        programme=programme, kind=Kind.FUNDER, funder=second.funder
    )
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:report_list", args=[programme.slug]),
            {"kind": Kind.FUNDER, "funder": second.funder_id},  # a funder cannot choose another
        )
    assert response.status_code == 302
    run = ReportRun.objects.exclude(pk=other_run.pk).get()
    assert run.funder == first.funder
    assert run.status == ReportRun.Status.DONE
    page = client.get(reverse("reports:report_list", args=[programme.slug]))
    assert [r.pk for r in page.context["runs"]] == [run.pk]  # not the other funder's
    assert (
        client.get(
            reverse("reports:report_run_download", args=[programme.slug, other_run.pk])
        ).status_code
        == 404
    )


def test_an_organiser_chooses_the_funder(client, funded, monkeypatch):
    from cotraining.celery import app as celery_app

    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    programme, _first, second = funded
    client.force_login(factories.MembershipFactory(programme=programme, role=Role.ORGANISER).user)
    url = reverse("reports:report_list", args=[programme.slug])
    assert client.post(url, {"kind": Kind.FUNDER, "funder": second.funder_id}).status_code == 302
    assert ReportRun.objects.get().funder == second.funder
    stranger = factories.OrganisationFactory()
    assert client.post(url, {"kind": Kind.FUNDER, "funder": stranger.pk}).status_code == 400


# --- The blank sheet -----------------------------------------------------------------------


def test_the_blank_sheet_fits_28_people_on_one_page_with_arrival_departure_and_logos(funded):
    programme, funding, _second = funded
    funding.funder.logo.save("logo.png", upload("l.png", factories.png_logo(), "image/png"))
    funding.funder.save()
    slot = factories.SlotFactory(day__programme=programme)
    for index in range(28):
        factories.ParticipantFactory(
            programme=programme,
            category=(Category.ELECTED_OFFICIAL, Category.CITY_PROFESSIONAL)[index % 2],
        )
    with translation.override("fr"):
        with CaptureQueriesContext(connection) as captured:
            html = attendance_sheet_html(slot=slot)
        pdf = pdf_from_html(html)
    assert len(captured) <= 6
    assert pdf.pages == 1
    text = normalise(pdf_text(pdf.content))
    assert "Heure d'arrivée" in text or "Heure d’arrivée" in text
    assert "Heure de départ" in text
    assert html.count('src="data:image/png;base64,') == 1
    catalog = PdfReader(io.BytesIO(pdf.content)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog  # tagged for screen readers (PDF/UA)


# --- Exports -------------------------------------------------------------------------------


def export_url(programme, dataset, file_format, **query):
    url = reverse("reports:export", args=[programme.slug, dataset, file_format])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def read_csv(response) -> list[list[str]]:
    import csv
    import io

    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    separator = ";" if text.split("\n", 1)[0].count(";") else ","
    return list(csv.reader(io.StringIO(text[1:]), delimiter=separator))


def scored_applications(programme, count: int):
    call = getattr(programme, "call", None) or factories.CallFactory(programme=programme)
    criteria = [
        factories.SelectionCriterionFactory(call=call, label=label, position=index)
        for index, label in enumerate(["Motivation", "Triade"])
        if not call.criteria.filter(label=label).exists()
    ] or list(call.criteria.all())
    for index in range(count):
        application = factories.CityApplicationFactory(
            call=call, status=("selected", "waitlisted", "rejected")[index % 3]
        )
        for reviewer_score in (3, 5):
            review = factories.ReviewFactory(application=application, submitted_at=timezone.now())
            for criterion in criteria:
                factories.ReviewScoreFactory(
                    review=review, criterion=criterion, score=reviewer_score
                )
    return call


def test_the_applications_export_has_scores_and_decisions_in_fixed_queries(client, funded):
    programme, _first, _second = funded
    client.force_login(factories.MembershipFactory(programme=programme, role=Role.ORGANISER).user)
    scored_applications(programme, 2)

    def export():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(export_url(programme, "applications", "csv"))
            rows = read_csv(response)
        return rows, len(captured)

    with translation.override("fr"):
        rows, small = export()
    header = rows[0]
    assert header[-2:] == ["Note : Motivation", "Note : Triade"]
    assert {row[3] for row in rows[1:]} == {"Retenue", "Sur liste d’attente"}
    assert [row[9:] for row in rows[1:]] == [["4,0", "4,0", "4,0"]] * 2  # (3 + 5) / 2
    scored_applications(programme, 9)
    rows, large = export()
    assert len(rows) == 12
    assert large == small


def test_money_exports_follow_the_language_and_end_with_the_totals(client, funded):
    programme, first, _second = funded
    client.force_login(factories.MembershipFactory(programme=programme, role=Role.ORGANISER).user)
    factories.BudgetLineFactory(
        programme=programme, funding=first, planned_amount="1000.50", actual_amount="1200.00"
    )
    factories.BudgetLineFactory(programme=programme, planned_amount="500", actual_amount="400")
    application = factories.CityApplicationFactory(call__programme=programme, status="selected")
    factories.CityContributionFactory(application=application, amount_pledged="650.00")

    french = read_csv(client.get(export_url(programme, "budget", "csv"), HTTP_ACCEPT_LANGUAGE="fr"))
    assert french[-1][:6] == ["Total", "", "", "1500,50", "1600,00", "99,50"]
    english = read_csv(client.get(export_url(programme, "budget", "csv", separator="comma")))
    assert english[-1][3:6] == ["1500.50", "1600.00", "99.50"]
    ledger = read_csv(client.get(export_url(programme, "contributions", "csv")))
    assert ledger[1][0] == application.city.name
    assert ledger[-1][2] in ("650,00", "650.00")

    import io

    from openpyxl import load_workbook

    workbook = load_workbook(
        io.BytesIO(client.get(export_url(programme, "contributions", "xlsx")).content)
    )
    sheet = workbook.active
    assert sheet.max_row == 3  # header, one city, the totals
    assert AuditEntry.objects.filter(action="export.contributions").exists()


def test_funders_get_no_export(client, funded):
    programme, first, _second = funded
    client.force_login(
        factories.MembershipFactory(
            programme=programme, role=Role.FUNDER, organisation=first.funder
        ).user
    )
    for dataset in ("applications", "budget", "contributions"):
        assert client.get(export_url(programme, dataset, "csv")).status_code == 404


# --- The demo ------------------------------------------------------------------------------


def test_the_demo_funder_reports_differ_per_funder_and_open_on_the_cover(
    client, demo, django_capture_on_commit_callbacks
):
    """Each demo funder's report, asked for by the organiser and built by the task: the text of
    its first page is the cover (the funder it is made for, the logos' owners, the narrative),
    and each shows its own agreement and not the other's."""
    organiser = demo.memberships.get(role=Role.ORGANISER).user
    funders = {
        funding.funder: funding.agreement_reference
        for funding in demo.fundings.select_related("funder")
    }
    assert len(funders) == 3  # the two grants and the département paying the activists' costs
    assert demo.organiser.logo
    assert all(funder.logo for funder in funders)
    client.force_login(organiser)
    texts = {}
    for funder in funders:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("reports:report_list", args=[demo.slug]),
                {"kind": Kind.FUNDER, "funder": funder.pk},
                HTTP_ACCEPT_LANGUAGE="fr",
            )
        run = ReportRun.objects.get(funder=funder)
        assert run.status == ReportRun.Status.DONE, run.error
        with run.file.open("rb") as handle:
            texts[funder] = [normalise(page) for page in pdf_text(handle.read()).split("\f")]
    for funder, reference in funders.items():
        cover, *rest = texts[funder]
        assert f"Réalisé pour {funder.name}" in cover
        assert "Objectifs : préparer sept villes de Seine-Saint-Denis" in cover
        assert "Avec le soutien de" in cover
        assert demo.organiser.name in cover
        body = "".join(rest).replace(" ", "")  # a reference may wrap in its narrow column
        assert reference in body
        others = [other for other in funders.values() if other != reference]
        assert not any(other in body for other in others)
    assert texts[list(funders)[0]][1:] != texts[list(funders)[1]][1:]


def test_the_service_checks_every_image_before_writing_any(funded):
    from programmes.errors import InvalidInput
    from programmes.services import organisation_images_save

    programme, funding, _second = funded
    organisation = funding.funder
    with pytest.raises(InvalidInput) as refusal:
        organisation_images_save(
            actor=None,
            programme=programme,
            organisation=organisation,
            new={
                "logo": upload("good.svg", factories.svg_logo()),
                "stamp": upload(
                    "bad.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onclick="x()"/>'
                ),
            },
            remove=[],
        )
    assert refusal.value.code == "bad_image"
    organisation.refresh_from_db()
    assert not organisation.logo
    assert not organisation.stamp
