"""The reports page, its live status rows, downloads and exports, seen by the people who use
them; query budgets that do not grow with the data."""

import csv
import datetime as dt
import io
import time
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from openpyxl import load_workbook

from participants.models import Category
from programmes.models import AuditEntry
from reports.models import ReportRun
from tests import factories
from tests.conftest import normalise, pdf_text

pytestmark = pytest.mark.django_db
Kind = ReportRun.Kind
Status = ReportRun.Status


def list_url(programme):
    return reverse("reports:report_list", args=[programme.slug])


def ask(client, programme, kind, **extra):
    return client.post(list_url(programme), {"kind": kind}, **extra)


@pytest.mark.django_db(transaction=True)
def test_a_funder_asks_for_the_participation_report_and_downloads_it(
    client, demo_committed, member
):
    """Committed for real, as in production: the report is queued (built here, eagerly) when
    the request's transaction commits, before the page answers."""
    funder = member(demo_committed, "funder", organisation=demo_committed.fundings.first().funder)
    client.force_login(funder)

    page = client.get(list_url(demo_committed))
    assert page.status_code == 200
    kinds = [choice[0] for choice in page.context["form"].fields["kind"].choices]
    assert kinds == [Kind.ATTENDANCE, Kind.PARTICIPATION, Kind.FUNDER]  # no certificates
    assert "funder" not in page.context["form"].fields  # a funder gets its own report

    response = ask(client, demo_committed, Kind.PARTICIPATION, follow=True)
    assert response.redirect_chain[-1] == (list_url(demo_committed), 302)
    # Built during the request (no broker): the page says so as soon as it is drawn.
    assert "Votre rapport est prêt" in response.text
    assert "en préparation" not in response.text
    run = ReportRun.objects.get()
    assert run.status == Status.DONE
    assert f'id="run-{run.pk}" data-status="done"' in response.text
    assert "hx-trigger" not in response.text  # nothing left to poll
    download_url = reverse("reports:report_run_download", args=[demo_committed.slug, run.pk])
    assert download_url in response.text

    pdf = client.get(download_url)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    disposition = pdf["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"rapport-de-participation-{demo_committed.slug}-" in disposition
    content = b"".join(pdf.streaming_content)
    assert "95 %" in normalise(pdf_text(content))


def test_a_funder_cannot_ask_for_certificates(client, demo, member):
    client.force_login(member(demo, "funder"))
    response = ask(client, demo, Kind.CERTIFICATES)
    assert response.status_code == 400
    assert ReportRun.objects.count() == 0
    assert response.context["form"].errors["kind"]


def test_an_unknown_kind_keeps_the_form_with_an_error(client, demo, member):
    client.force_login(member(demo, "organiser"))
    response = ask(client, demo, "everything")
    assert response.status_code == 400
    assert response.context["form"].errors["kind"]


def test_asking_twice_says_the_report_is_already_being_prepared(client, demo, member):
    client.force_login(member(demo, "organiser"))
    ask(client, demo, Kind.FUNDER)  # on_commit does not run: the run stays queued
    response = ask(client, demo, Kind.FUNDER, follow=True)
    assert ReportRun.objects.count() == 1
    assert "already being prepared" in response.text or "déjà en préparation" in response.text


def test_a_person_with_too_many_reports_in_preparation_is_refused_politely(
    client, demo, member, settings
):
    """Ten requests in eight seconds from one funder made ten files kept thirty days: a person
    has at most a few reports waiting or being built; the next one is refused with a 429."""
    settings.REPORT_MAX_ACTIVE_RUNS_PER_USER = 3
    organiser = member(demo, "organiser")
    client.force_login(organiser)
    for kind in (Kind.ATTENDANCE, Kind.PARTICIPATION, Kind.FUNDER):
        assert ask(client, demo, kind).status_code == 302  # on_commit does not run: queued
    response = ask(client, demo, Kind.CERTIFICATES)
    assert response.status_code == 429
    assert ReportRun.objects.count() == 3
    assert "Vous avez déjà 3 rapports en préparation" in response.text
    assert 'class="alert alert-block alert-danger"' in response.text  # in the form, as errors are
    # Asking again for one of the three is no new run: it is not refused.
    assert ask(client, demo, Kind.FUNDER).status_code == 302
    # Someone else, or the same person once a report is ready, may ask.
    client.force_login(member(demo, "organiser"))
    assert ask(client, demo, Kind.CERTIFICATES).status_code == 302
    ReportRun.objects.filter(kind=Kind.ATTENDANCE).update(status=Status.DONE)
    client.force_login(organiser)
    assert ask(client, demo, Kind.ATTENDANCE).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_broker_down_answers_fast_with_a_clear_message(client, demo_committed, member):
    client.force_login(member(demo_committed, "organiser"))
    failure = BrokerError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
    started = time.monotonic()
    with (
        mock.patch("reports.tasks.report_run_build_task.apply_async", side_effect=failure),
    ):
        response = ask(client, demo_committed, Kind.ATTENDANCE, follow=True)
    assert time.monotonic() - started < 2
    assert response.status_code == 200
    run = ReportRun.objects.get()
    assert run.status == Status.QUEUED
    assert run.queued_at is None
    text = response.text
    assert "cannot be reached right now" in text or "injoignable" in text
    assert 'hx-trigger="every 2s"' in text


def test_the_status_row_polls_while_active_and_stops_when_done(client, demo, member):
    organiser = member(demo, "organiser")
    client.force_login(organiser)
    heartbeat = timezone.make_aware(dt.datetime(2026, 3, 2, 14, 5, 9))
    run = factories.ReportRunFactory(
        programme=demo, status=Status.RUNNING, progress=30, heartbeat_at=heartbeat
    )
    url = reverse("reports:report_run_status", args=[demo.slug, run.pk])

    row = client.get(url, headers={"HX-Request": "true"})
    assert row.status_code == 200
    assert row.text.lstrip().startswith(f'<tr id="run-{run.pk}"')
    assert 'hx-trigger="every 2s"' in row.text
    assert 'value="30"' in row.text
    assert "toujours en cours à 14:05" in row.text  # the build's last sign of life

    from reports import services

    ReportRun.objects.filter(pk=run.pk).update(status=Status.QUEUED)
    services.report_run_build(report_run_id=run.pk)
    row = client.get(url, headers={"HX-Request": "true"})
    assert "hx-trigger" not in row.text
    assert reverse("reports:report_run_download", args=[demo.slug, run.pk]) in row.text


def test_a_failed_run_shows_its_error(client, demo, member):
    client.force_login(member(demo, "organiser"))
    factories.ReportRunFactory(
        programme=demo, status=Status.FAILED, error="The report could not be built: boom."
    )
    response = client.get(list_url(demo))
    assert "The report could not be built: boom." in response.text


@pytest.mark.parametrize(
    ("status", "code"), [(Status.QUEUED, 409), (Status.FAILED, 409), (Status.EXPIRED, 410)]
)
def test_downloading_a_run_without_file_explains_why(client, demo, member, status, code):
    client.force_login(member(demo, "organiser"))
    run = factories.ReportRunFactory(programme=demo, status=status)
    response = client.get(reverse("reports:report_run_download", args=[demo.slug, run.pk]))
    assert response.status_code == code
    assert response.context["run"] == run


def test_a_file_gone_from_storage_answers_410(client, demo, member):
    client.force_login(member(demo, "organiser"))
    run = factories.ReportRunFactory(
        programme=demo, status=Status.DONE, file="reports/1-gone/nothing.pdf"
    )
    response = client.get(reverse("reports:report_run_download", args=[demo.slug, run.pk]))
    assert response.status_code == 410


def add_runs(programme, user, count):
    factories.ReportRunFactory.create_batch(
        count, programme=programme, requested_by=user, status=Status.DONE, kind=Kind.FUNDER
    )


def test_the_page_runs_the_same_queries_with_few_or_many_runs(client, demo, member):
    organiser = member(demo, "organiser")
    client.force_login(organiser)
    add_runs(demo, organiser, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(list_url(demo)).status_code == 200
    add_runs(demo, organiser, 40)
    with CaptureQueriesContext(connection) as many:
        response = client.get(list_url(demo))
    assert len(few) == len(many) <= 10
    assert response.text.count('id="run-') == 30  # the most recent runs only


def make_people(programme, count):
    city = factories.CityFactory()
    people = [
        factories.ParticipantFactory(
            programme=programme, category=Category.CITY_PROFESSIONAL, city=city
        )
        for _ in range(count)
    ]
    slot = factories.SlotFactory(day=factories.TrainingDayFactory(programme=programme))
    for person in people:
        factories.AttendanceFactory(participant=person, slot=slot)
    return people


@pytest.mark.parametrize(
    ("dataset", "file_format"),
    [("participants", "csv"), ("participants", "xlsx"), ("attendance", "csv")],
)
def test_exports_run_the_same_queries_whatever_the_size(
    client, programme, member, dataset, file_format
):
    client.force_login(member(programme, "organiser"))
    url = reverse("reports:export", args=[programme.slug, dataset, file_format])

    def fetch():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        return len(queries), body

    make_people(programme, 2)
    few, _ = fetch()
    make_people(programme, 30)
    many, body = fetch()
    assert few == many
    assert body


def test_participants_csv_lists_everyone_and_defuses_formulas(client, programme, member):
    client.force_login(member(programme, "organiser"))
    factories.ParticipantFactory(
        programme=programme,
        category=Category.ACTIVIST,
        first_name='=HYPERLINK("http://x")',
        last_name="Dupont",
        email="",
    )
    factories.ParticipantFactory(programme=factories.ProgrammeFactory(), last_name="Ailleurs")
    response = client.get(reverse("reports:export", args=[programme.slug, "participants", "csv"]))
    assert response["Content-Disposition"].startswith('attachment; filename="participants-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))  # French: semicolons
    assert len(rows) == 2
    assert rows[1][1] == "Dupont"
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
    assert "Ailleurs" not in text


def test_attendance_xlsx_has_one_line_per_record(client, programme, member):
    client.force_login(member(programme, "organiser"))
    people = make_people(programme, 3)
    response = client.get(reverse("reports:export", args=[programme.slug, "attendance", "xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 1 + len(people)
    assert {row[5] for row in rows[1:]} == {person.last_name for person in people}


def test_an_unknown_export_is_404(client, programme, member):
    client.force_login(member(programme, "organiser"))
    for args in (("payroll", "csv"), ("participants", "pdf")):
        url = reverse("reports:export", args=[programme.slug, *args])
        assert client.get(url).status_code == 404


# --- The blank attendance sheet ---------------------------------------------------------------


def sheet_url(training, slot=None) -> str:
    return reverse(
        "reports:attendance_sheet_pdf", args=[training.programme.slug, (slot or training.slot).pk]
    )


def test_the_blank_sheet_is_a_pdf_with_one_line_per_person(client, training, facilitator_user):
    client.force_login(facilitator_user)
    response = client.get(sheet_url(training))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('inline; filename="emargement-')
    text = pdf_text(response.content)
    assert training.programme.title in text
    assert "Claire Anim" in text  # the facilitator of the half-day
    assert "Pierrelaye" in text
    for person in training.trainees:
        assert person.full_name in text


def test_the_blank_sheet_keeps_its_address_and_its_link(client, training, facilitator_user):
    slug, slot = training.programme.slug, training.slot
    assert sheet_url(training) == f"/programmes/{slug}/attendance/{slot.pk}/sheet.pdf"
    client.force_login(facilitator_user)
    page = client.get(reverse("sessions:attendance_sheet", args=[slug, slot.pk]))
    assert f'href="{sheet_url(training)}"' in page.text


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("organiser", 200),
        ("facilitator", 200),
        ("reviewer", 404),
        ("funder", 404),
        ("city_contact", 404),
        (None, 404),  # an organiser of another programme
    ],
)
def test_only_those_who_take_attendance_print_the_blank_sheet(client, training, role, status):
    client.force_login(factories.user_with(role, training.programme))
    assert client.get(sheet_url(training)).status_code == status


def test_a_half_day_of_another_programme_has_no_sheet_here(client, training, facilitator_user):
    client.force_login(facilitator_user)
    assert client.get(sheet_url(training, slot=factories.SlotFactory())).status_code == 404


@pytest.mark.parametrize(
    ("dataset", "file_format"),
    [("participants", "csv"), ("participants", "xlsx"), ("attendance", "csv")],
)
def test_a_bulk_export_is_audited_with_who_which_and_the_programme(
    client, programme, member, dataset, file_format
):
    """Bulk exports hold many people's contact details: each download leaves an audit entry,
    as per-person exports and report downloads do."""
    organiser = member(programme, "organiser")
    client.force_login(organiser)
    make_people(programme, 2)
    response = client.get(reverse("reports:export", args=[programme.slug, dataset, file_format]))
    assert response.status_code == 200
    [entry] = AuditEntry.objects.filter(action__startswith="export.")
    assert entry.actor == organiser
    assert entry.programme == programme
    assert entry.action == f"export.{dataset}"
    assert (entry.target_type.model, entry.target_id) == ("programme", programme.pk)


def test_an_export_refused_leaves_no_audit_entry(client, programme, member):
    client.force_login(member(programme, "funder"))
    response = client.get(reverse("reports:export", args=[programme.slug, "participants", "csv"]))
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action__startswith="export.").exists()
