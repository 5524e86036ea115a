"""The PDFs: their figures are those of the selectors, people are named as they agreed, and
the rendering is safe (escaped text, no file or network access)."""

import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from participants.models import TRIAD_CATEGORIES, Category
from participants.selectors import participant_counts_by_category
from programmes.selectors import programme_finance_figures
from reports import selectors
from reports.documents import document_html
from reports.models import ReportRun
from reports.rendering import ResourceRefused, StaticFilesFetcher, pdf_from_html
from sessions.selectors import programme_participation
from tests import factories
from tests.conftest import normalise, pdf_text
from tests.factories import build_varied_programme

pytestmark = pytest.mark.django_db
Kind = ReportRun.Kind


def build(kind, programme, language="fr", signatory="Claire Moreau"):
    with translation.override(language):
        document = document_html(kind=kind, programme=programme, signatory=signatory)
        pdf = pdf_from_html(document.html)
    return pdf, normalise(pdf_text(pdf.content))


def rate(value, language="fr"):
    with translation.override(language):
        return f"{floatformat(value, -1)} %"


def test_participation_report_of_the_demo_says_95_percent_and_shows_the_breakdowns(demo):
    figures = programme_participation(programme=demo)
    pdf, text = build(Kind.PARTICIPATION, demo)

    assert "95 %" in text
    assert "239 attendances of 252 expected (94,8 %)" in text or (
        "239 présences sur 252 attendues (94,8 %)" in text
    )
    for row in (*figures.by_category, *figures.by_city, *figures.by_day):
        assert f"{row.label} {row.expected} {row.attended} {row.excused} {row.absent}" in text
        assert rate(row.rate) in text
    for row in figures.by_slot:
        assert f"{row.expected} {row.attended} {row.excused} {row.absent} {row.unrecorded}" in text
    assert rate(figures.triad_rate) in text
    assert f"{figures.triad_halfdays_complete}" in text
    assert pdf.pages == len(PdfReader(io.BytesIO(pdf.content)).pages)


def test_attendance_report_gives_each_status_the_totals_and_hours(demo):
    figures = programme_participation(programme=demo)
    pdf, text = build(Kind.ATTENDANCE, demo)
    summary = figures.summary

    assert pdf.pages >= 1
    # Totals line of each status: one number per half-day, then the programme's total.
    attended = " ".join(str(row.attended) for row in figures.by_slot)
    assert f"{attended} {summary.attended}" in text
    excused = " ".join(str(row.excused) for row in figures.by_slot)
    assert f"{excused} {summary.excused}" in text
    for person in figures.participants:
        if person.category != Category.ACTIVIST or person.named:
            hours = floatformat(person.hours_attended, -2)
            assert f"{person.halfdays_attended} / {person.halfdays_held} {hours} h" in text


def test_reports_for_funders_hide_activists_who_did_not_consent(programme):
    slot = factories.SlotFactory(day=factories.TrainingDayFactory(programme=programme))
    named = factories.ParticipantFactory(
        programme=programme,
        category=Category.ACTIVIST,
        first_name="Josiane",
        last_name="Visible",
        consent_name_in_reports=True,
    )
    hidden = [
        factories.ParticipantFactory(
            programme=programme,
            category=Category.ACTIVIST,
            first_name=first,
            last_name="Secret",
            consent_name_in_reports=False,
        )
        for first in ("Aimé", "Bernadette")
    ]
    elected = factories.ParticipantFactory(
        programme=programme,
        category=Category.ELECTED_OFFICIAL,
        first_name="Paul",  # a fixed name: a random one could be a hidden person's first name
        last_name="Maire",
    )
    for person in (named, *hidden, elected):
        factories.AttendanceFactory(participant=person, slot=slot)

    for kind in (Kind.ATTENDANCE, Kind.PARTICIPATION, Kind.FUNDER):
        _pdf, text = build(kind, programme, language="en")
        assert "Secret" not in text
        assert "Aimé" not in text
        assert "Bernadette" not in text
    _pdf, text = build(Kind.ATTENDANCE, programme, language="en")
    assert "Josiane Visible" in text
    assert "Activist 1" in text
    assert "Activist 2" in text
    assert "Maire" in text

    # The certificates are the person's own document: everyone is named.
    _pdf, text = build(Kind.CERTIFICATES, programme, language="en")
    assert "Aimé Secret" in text
    assert "Bernadette Secret" in text


def test_funder_report_shows_the_money_of_the_selectors(demo):
    finances = programme_finance_figures(programme=demo)
    _pdf, text = build(Kind.FUNDER, demo)

    def euros(value):
        return f"{floatformat(value, '2g')} €".replace("\xa0", " ")

    for value in (
        finances.funding_awarded,
        finances.funding_received,
        finances.budget_planned,
        finances.budget_actual,
        finances.contributions_pledged,
        finances.income_expected,
    ):
        assert euros(value) in text
    assert "32 000,00 €" in text
    assert "36 000,00 €" in text
    assert "Préfecture de la Seine-Saint-Denis" in text.replace("- ", "-")  # wrapped cell
    assert "95 %" in text


def test_funder_report_prints_the_one_definition_of_each_figure_on_varied_data(programme):
    """The funder report reads the participation overview and the money totals of the rows it
    lists: the figures of ``factories.build_varied_programme`` and of the money below."""
    build_varied_programme(programme)
    call = factories.CallFactory(programme=programme)
    for status, pledged in (("selected", "650.25"), ("selected", "1200.10"), ("rejected", "999")):
        factories.CityContributionFactory(
            application=factories.CityApplicationFactory(call=call, status=status),
            amount_pledged=Decimal(pledged),
            amount_invoiced=Decimal("300.33"),
            amount_received=Decimal("120.07"),
        )
    for awarded, received in (("22000.00", "11000.50"), ("4500.75", "0.00")):
        funding = factories.FundingFactory(
            programme=programme,
            amount_requested=Decimal("30000.00"),
            amount_awarded=Decimal(awarded),
            amount_received=Decimal(received),
        )
        factories.BudgetLineFactory(
            programme=programme,
            funding=funding,
            planned_amount=Decimal("1333.33"),
            actual_amount=Decimal("1400.00"),
        )
    factories.FundingFactory(programme=factories.ProgrammeFactory())  # another programme's

    full = programme_participation(programme=programme)
    with translation.override("en"):
        report = selectors.funder_report_data(programme=programme)
        no_city = gettext("No city (activists)")
        categories = participant_counts_by_category(programme=programme)
    summary = report.participation.summary
    assert (summary.trainees, summary.slots_held, summary.slots_total) == (9, 4, 5)
    assert (summary.expected, summary.attended, summary.excused, summary.absent) == (36, 8, 2, 3)
    assert report.participation.hours_delivered == Decimal("12.08")
    assert report.participation.hours_planned == Decimal("15.58")
    per_city = Counter((person.city or no_city, person.category) for person in full.participants)
    cities = sorted({city for city, _category in per_city}, key=str.casefold)
    columns = [*TRIAD_CATEGORIES, Category.ACTIVIST]
    expected_lines = [(city, [per_city[city, column] for column in columns]) for city in cities]
    assert [(line.city, line.counts) for line in report.cities] == expected_lines
    assert [line.city for line in report.cities] == ["aubervilliers", "Bondy", no_city]
    assert report.categories == categories
    money = report.finances
    assert (money.funding_requested, money.funding_awarded, money.funding_received) == (
        Decimal("60000.00"),
        Decimal("26500.75"),
        Decimal("11000.50"),
    )
    assert money.funding_to_receive == Decimal("15500.25")
    # Only the selected cities' contributions count; the rejected city owes nothing.
    assert (
        money.contributions_pledged,
        money.contributions_invoiced,
        money.contributions_received,
    ) == (Decimal("1850.35"), Decimal("600.66"), Decimal("240.14"))
    assert (money.budget_planned, money.budget_actual) == (Decimal("2666.66"), Decimal("2800.00"))
    assert money.budget_gap == Decimal("133.34")
    assert money == programme_finance_figures(programme=programme)
    assert report.source["attendance_records"] == 13

    _pdf, text = build(Kind.FUNDER, programme, language="en")
    assert "12.08 h hours delivered, of 15.58 h in the timetable" in text
    assert "4 / 5 half-days held" in text
    assert "(8 attendances of 36 expected)" in text
    for city, counts in expected_lines:
        assert f"{city} {' '.join(map(str, counts))} {sum(counts)}" in text
    assert "Total 9" in text
    assert "15,500.25 €" in text
    assert "133.34 €" in text


def test_certificates_one_page_each_with_hours_and_signature(demo):
    figures = programme_participation(programme=demo)
    pdf, _text = build(Kind.CERTIFICATES, demo, language="en")
    attended = [p for p in figures.participants if p.halfdays_attended]
    assert pdf.pages == len(attended)
    pages = [normalise(page) for page in pdf_text(pdf.content).split("\f")]
    for page, person in zip(pages, attended, strict=True):
        assert person.name in page
        assert f"for a duration of {floatformat(person.hours_attended, -2)} hours attended" in page
        assert "Claire Moreau" in page
        assert "Certificate of completion" in page
        assert "training action" in page
        assert "Stamp and signature" in page


def test_every_page_carries_the_programme_name_and_its_number(demo):
    pdf, _text = build(Kind.PARTICIPATION, demo, language="en")
    pages = [normalise(page) for page in pdf_text(pdf.content).split("\f")]
    assert len(pages) == pdf.pages > 1
    for number, page in enumerate(pages, start=1):
        assert demo.title in page
        assert f"Page {number} of {pdf.pages}" in page


def test_the_pdf_is_tagged_for_screen_readers_in_the_asked_language(demo):
    for language in ("fr", "en"):
        pdf, text = build(Kind.PARTICIPATION, demo, language=language)
        reader = PdfReader(io.BytesIO(pdf.content))
        catalog = reader.trailer["/Root"]
        assert "/StructTreeRoot" in catalog
        assert catalog["/Lang"] == language
        assert catalog["/MarkInfo"]["/Marked"]
        assert ("By category" in text) == (language == "en")
        assert ("Par catégorie" in text) == (language == "fr")


def test_user_text_is_escaped_and_nothing_outside_static_files_is_fetched(programme):
    programme.title = '<img src="file:///etc/passwd"> <link rel="stylesheet" href="http://x.test/">'
    programme.objectives = "<script>alert(1)</script> & co"
    programme.save()

    with translation.override("en"):
        html = document_html(kind=Kind.FUNDER, programme=programme).html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html
    assert "<script>" not in html
    _pdf, text = build(Kind.FUNDER, programme, language="en")
    assert '<img src="file:///etc/passwd">' in text  # shown as text, not fetched


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/style.css",
        "https://reports.cotraining.invalid/static/../../settings.py",
        "https://reports.cotraining.invalid/static/%2e%2e/%2e%2e/cotraining/settings.py",
        "https://reports.cotraining.invalid/media/reports/secret.pdf",
        "https://other.invalid/static/css/print.css",
        "data:text/css,body{}",
    ],
)
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(ResourceRefused):
        StaticFilesFetcher().fetch(url)


def test_the_fetcher_serves_the_print_stylesheet():
    response = StaticFilesFetcher().fetch("https://reports.cotraining.invalid/static/css/print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


def test_a_document_that_links_outside_renders_without_it(monkeypatch):
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the renderer tried to open a network connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    html = (
        '<html lang="en"><head><title>t</title>'
        '<link rel="stylesheet" href="http://example.org/x.css"></head>'
        '<body><p>hello</p><img src="file:///etc/hostname" alt="x"></body></html>'
    )
    pdf = pdf_from_html(html)
    assert pdf.pages == 1
    assert re.search(r"hello", pdf_text(pdf.content))


def grow(programme, *, trainees: int, slots: int, money_lines: int):
    """Add trainees in two cities, held half-days with every trainee recorded, and money."""
    cities = [factories.CityFactory(), factories.CityFactory()]
    people = [
        factories.ParticipantFactory(
            programme=programme,
            category=(Category.ELECTED_OFFICIAL, Category.ACTIVIST)[index % 2],
            city=cities[index % 2] if index % 2 == 0 else None,
        )
        for index in range(trainees)
    ]
    for _ in range(slots):
        slot = factories.SlotFactory(day=factories.TrainingDayFactory(programme=programme))
        for person in people:
            factories.AttendanceFactory(participant=person, slot=slot)
    call = getattr(programme, "call", None) or factories.CallFactory(programme=programme)
    for _ in range(money_lines):
        factories.FundingFactory(programme=programme)
        factories.BudgetLineFactory(programme=programme)
        application = factories.CityApplicationFactory(call=call, status="selected")
        factories.CityContributionFactory(application=application)
    programme.partners.add(factories.OrganisationFactory())


# The funder report reads the headline figures alone (three queries) and adds up its money
# from the lines it lists; the others read the full participation figures (four queries). The
# attendance and funder reports add one for how each half-day was proven (signatures). Every
# report but the certificates adds one for its cover (the funders and their logos). The research
# export is no document: its ZIP is tested in ``test_evaluation``.
DOCUMENT_QUERIES = {
    Kind.ATTENDANCE: 7,
    Kind.PARTICIPATION: 5,
    Kind.FUNDER: 19,  # the evaluation's results: four more; the follow-up three, expenses two
    # One more (the organiser, its name and stamp) when the programme names its organiser.
    Kind.CERTIFICATES: 4,
}


@pytest.mark.parametrize("kind", list(DOCUMENT_QUERIES))
def test_each_document_runs_the_same_queries_whatever_the_data_size(programme, kind):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            document_html(kind=kind, programme=programme, signatory="Claire Moreau")
        return len(captured)

    grow(programme, trainees=2, slots=1, money_lines=1)
    small = queries()
    grow(programme, trainees=30, slots=4, money_lines=5)
    assert queries() == small == DOCUMENT_QUERIES[kind]


def test_the_funder_report_tells_the_suites_without_names(programme):
    application = factories.CityApplicationFactory(
        call__programme=programme, status="selected", city__name="Bondy"
    )
    owner = factories.TriadNomineeFactory(application=application, last_name="Duvalier")
    factories.ActionItemFactory(application=application, owner=owner, done_on=None)
    factories.CouncilMilestoneFactory(
        application=application, kind="first_meeting", date="2015-05-12", note="Chez Mme Martin"
    )
    activist = factories.ParticipantFactory(
        programme=programme, category=Category.ACTIVIST, first_name="Aimé", last_name="Secret"
    )
    factories.ExpenseFactory(participant=activist, amount=Decimal("14.20"))
    _pdf, text = build(Kind.FUNDER, programme, language="en")
    assert "After the training: the cities' follow-up" in text
    assert "Bondy" in text
    assert "05/12/2015" in text
    assert "Activist 1 14.20 € 14.20 €" in text
    for private in ("Duvalier", "Martin", "Aimé", "Secret"):
        assert private not in text
