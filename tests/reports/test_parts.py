"""Documents built in parts (the certificates): cut into parts, each person's own file, merged
once, and a part lost with its worker built again alone. Tasks run eagerly here (part after
part); ``test_worker.py`` runs the parts on two real worker processes."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from programmes.models import AuditEntry
from reports import parts, services
from reports.models import ReportPart, ReportRun, person_document_path
from reports.rendering import pdf_merge
from sessions.selectors import programme_participation
from tests import factories
from tests.conftest import normalise, pdf_text

pytestmark = pytest.mark.django_db
Kind = ReportRun.Kind


def attended(programme):
    return [
        p for p in programme_participation(programme=programme).participants if p.halfdays_attended
    ]


def ask(programme, user) -> ReportRun:
    return ReportRun.objects.create(
        programme=programme, kind=Kind.CERTIFICATES, requested_by=user, language="en"
    )


def test_certificates_are_built_in_parts_merged_in_order_and_each_person_has_a_file(
    demo, member, settings, client
):
    settings.REPORT_PART_SIZE = 10
    settings.REPORT_PART_WORKERS = 1  # parts of 10 to the end (see part_sizes)
    run = ask(demo, member(demo, "organiser"))
    people = attended(demo)
    absent = factories.ParticipantFactory(programme=demo)  # attended nothing: no certificate

    assert services.report_run_build(report_run_id=run.pk).state == "dispatched"

    run.refresh_from_db()
    assert (run.status, run.progress, run.page_count) == ("done", 100, len(people))
    chunks = list(run.parts.order_by("index"))
    assert [len(part.participant_ids) for part in chunks] == [10, 10, len(people) - 20]
    assert {(part.status, part.attempts, part.progress) for part in chunks} == {("done", 1, 100)}
    assert all(not part.file for part in chunks)  # merged, then removed
    merged = run.file.read()
    pages = [normalise(page) for page in pdf_text(merged).split("\f")]
    for number, (page, person) in enumerate(zip(pages, people, strict=True), start=1):
        assert person.name in page
        # Numbered across the parts, as the document laid out in one piece is.
        assert f"Page {number} of {len(people)}" in page
    # The merged file keeps the language and title (not the tags: see rendering.pdf_merge).
    catalog = PdfReader(io.BytesIO(merged)).trailer["/Root"]
    assert catalog["/Lang"] == "en"
    assert "Attendance certificates" in PdfReader(io.BytesIO(merged)).metadata.title
    first, second = people[0], people[11]
    with default_storage.open(person_document_path(run, second.participant_id)) as handle:
        own = handle.read()
    assert len(PdfReader(io.BytesIO(own)).pages) == 1
    assert second.name in normalise(pdf_text(own))
    assert first.name not in normalise(pdf_text(own))
    assert_tagged(own, pages=1, language="en")
    # The merge can keep the tags too (off by default: memory and time).
    with default_storage.open(person_document_path(run, first.participant_id)) as handle:
        assert_tagged(pdf_merge([handle.read(), own], tagged=True), pages=2, language="en")

    # The organiser finds each person's file from the run's page and downloads it alone.
    client.force_login(run.requested_by)
    page = client.get(reverse("reports:report_run_people", args=[demo.slug, run.pk]))
    assert page.status_code == 200
    url = reverse(
        "reports:report_run_person_download", args=[demo.slug, run.pk, second.participant_id]
    )
    assert f'href="{url}"' in page.content.decode()
    assert page.content.decode().count('/download/" download>') == len(people)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == own
    assert "certificat-" in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="report.person_downloaded").count() == 1
    elsewhere = factories.ParticipantFactory()  # another programme's trainee
    for participant_id in (elsewhere.pk, absent.pk):
        url = reverse(
            "reports:report_run_person_download", args=[demo.slug, run.pk, participant_id]
        )
        assert client.get(url).status_code == 404


def assert_tagged(content: bytes, *, pages: int, language: str) -> None:
    """What a screen reader needs of the file: tagged (a structure tree whose parent tree
    names the elements of every page), its language and its title."""
    reader = PdfReader(io.BytesIO(content))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == language
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert "Attendance certificates" in reader.metadata.title
    assert b"pdfuaid" in catalog["/Metadata"].get_object().get_data()
    tree = catalog["/StructTreeRoot"].get_object()
    (document,) = tree["/K"]
    assert document.get_object()["/S"] == "/Document"
    nums = tree["/ParentTree"].get_object()["/Nums"]
    assert sorted(page["/StructParents"] for page in reader.pages) == list(nums[::2])
    assert len(nums) == 2 * pages
    for elements in nums[1::2]:
        assert elements
        assert all(element.get_object()["/S"] for element in elements)
        assert {element.get_object().raw_get("/Pg").idnum for element in elements} <= {
            page.indirect_reference.idnum for page in reader.pages
        }
    # One section per certificate, each opening on its heading, in the document's kids.
    sections = [kid.get_object() for kid in document.get_object()["/K"]]
    assert [section["/S"] for section in sections] == ["/Sect"] * pages
    assert all("/H1" in [kid.get_object()["/S"] for kid in section["/K"]] for section in sections)


def test_a_part_lost_with_its_worker_is_built_again_alone_and_the_file_is_made_once(
    demo, member, settings, monkeypatch
):
    settings.REPORT_PART_SIZE = 10
    settings.REPORT_PART_WORKERS = 1  # parts of 10 to the end (see part_sizes)
    run = ask(demo, member(demo, "organiser"))
    build = parts.report_part_build

    def dies_on_the_second_part(*, part_id):
        part = ReportPart.objects.get(pk=part_id)
        if part.index == 1:  # its process is killed mid-build: marked running, never done
            ReportPart.objects.filter(pk=part_id).update(status="running", attempts=1)
            return "lost"
        return build(part_id=part_id)

    monkeypatch.setattr(parts, "report_part_build", dies_on_the_second_part)
    services.report_run_build(report_run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "running"
    assert not run.file
    assert 5 < run.progress < 95  # two parts of three counted
    monkeypatch.setattr(parts, "report_part_build", build)

    # The run goes quiet; the periodic re-queue sends it again: only the lost part is built.
    ReportRun.objects.filter(pk=run.pk).update(
        heartbeat_at=timezone.now() - settings.REPORT_HEARTBEAT_TIMEOUT - dt.timedelta(seconds=1)
    )
    assert services.report_runs_requeue() == 1

    run.refresh_from_db()
    assert (run.status, run.attempts, run.page_count) == ("done", 2, len(attended(demo)))
    assert list(run.parts.order_by("index").values_list("attempts", flat=True)) == [1, 2, 1]
    sha = run.sha256
    assert parts.report_run_merge(report_run_id=run.pk) is False  # made once
    run.refresh_from_db()
    assert run.sha256 == sha


def test_parts_that_printed_wrong_page_numbers_are_built_again_before_the_merge(
    demo, member, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """A certificate running over one page shifts the numbers of the parts after it: the merge
    finds it from the parts' page counts and has those parts built again with the right ones."""
    settings.REPORT_PART_SIZE = 10
    settings.REPORT_PART_WORKERS = 1  # parts of 10 to the end (see part_sizes)
    run = ask(demo, member(demo, "organiser"))
    build = parts.report_part_build

    def guessed_wrong(*, part_id):
        part = ReportPart.objects.get(pk=part_id)
        if part.index == 1 and part.attempts == 0:  # as if the first part had one more page
            ReportPart.objects.filter(pk=part_id).update(first_page=12, page_total=29)
        return build(part_id=part_id)

    monkeypatch.setattr(parts, "report_part_build", guessed_wrong)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_run_build(report_run_id=run.pk)

    run.refresh_from_db()
    people = attended(demo)
    assert (run.status, run.page_count) == ("done", len(people))
    assert list(run.parts.order_by("index").values_list("attempts", "first_page")) == [
        (1, 1),
        (2, 11),
        (1, 21),
    ]
    pages = [normalise(page) for page in pdf_text(run.file.read()).split("\f")]
    assert [f"Page {n} of {len(people)}" in page for n, page in enumerate(pages, 1)] == [
        True
    ] * len(people)
