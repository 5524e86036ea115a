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
    pages = [normalise(page) for page in pdf_text(run.file.read()).split("\f")]
    for page, person in zip(pages, people, strict=True):
        assert person.name in page
        assert "Page 1 of" not in page  # a stack of certificates is not numbered
    first, second = people[0], people[1]
    with default_storage.open(person_document_path(run, first.participant_id)) as handle:
        own = handle.read()
    assert len(PdfReader(io.BytesIO(own)).pages) == 1
    assert first.name in normalise(pdf_text(own))
    assert second.name not in normalise(pdf_text(own))


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
