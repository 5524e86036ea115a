"""Documents built in parts (the certificates): cut into parts, each person's own file, merged
once, and a part lost with its worker built again alone. Tasks run eagerly here (part after
part); ``test_worker.py`` runs the parts on two real worker processes."""

import datetime as dt
import io

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from pypdf import PdfReader

from reports import parts, services
from reports.models import ReportPart, ReportRun, person_document_path
from sessions.selectors import programme_participation
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
    demo, member, settings
):
    settings.REPORT_PART_SIZE = 10
    run = ask(demo, member(demo, "organiser"))
    people = attended(demo)

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
    assert_tagged(merged, pages=len(people), language="en")
    first, second = people[0], people[11]
    with default_storage.open(person_document_path(run, second.participant_id)) as handle:
        own = handle.read()
    assert len(PdfReader(io.BytesIO(own)).pages) == 1
    assert second.name in normalise(pdf_text(own))
    assert first.name not in normalise(pdf_text(own))
    assert_tagged(own, pages=1, language="en")


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
        assert elements and all(element.get_object()["/S"] for element in elements)
        assert {element.get_object().raw_get("/Pg").idnum for element in elements} <= {
            page.indirect_reference.idnum for page in reader.pages
        }
    # One section per certificate, each opening on its heading, in the document's kids.
    sections = [kid.get_object() for kid in document.get_object()["/K"]]
    assert [section["/S"] for section in sections] == ["/Sect"] * pages
    assert all(
        "/H1" in [kid.get_object()["/S"] for kid in section["/K"]] for section in sections
    )


def test_a_part_lost_with_its_worker_is_built_again_alone_and_the_file_is_made_once(
    demo, member, settings, monkeypatch
):
    settings.REPORT_PART_SIZE = 10
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
