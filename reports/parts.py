"""Writes for the documents made of independent parts (the certificates): cut the run into
parts, build the parts in parallel on the worker processes, merge them once.

How it holds together when things fail:

- :func:`report_parts_dispatch` (called by ``services.report_run_build`` once it has claimed
  the run) records the parts in the database, each with the people it covers (large parts
  first, smaller ones last so that the processes finish together: :func:`part_sizes`), then
  sends a Celery group of one task per part not yet done, in that order. Asked again (the run
  went quiet and was re-queued), it sends only the parts that are not done: a part lost with
  its worker process is built again alone; the others are kept.
- A part is built under its own PostgreSQL advisory lock (freed with a killed process's
  database session); its file has a fixed name, so a second build replaces the first. The tasks
  acknowledge late and are given back to the queue when their process dies.
- The part that finds every part done merges them into the run's file, copying their objects
  as bytes one part at a time (``rendering.pdf_merge``: half a second for 500 certificates).
  The merge takes the run's row lock and does nothing when the run is no longer running: two
  parts finishing at the same moment, or a merge repeated after a crash, make the file once.
- Each part prints its pages' numbers in the whole run ("Page 51 of 500"), from the place it
  was given (a certificate is one page); the merge checks them against the parts' page counts
  and has the parts that printed wrong ones built again before it merges.
- Each person's file is cut from the part's own rendering, copied as bytes with the structure
  tree (PDF/UA tags), the language, the title and the XMP metadata (``rendering.pdf_pages``);
  the merged file keeps the language, the title, the outline and the named destinations, not
  the tags (``rendering.pdf_merge``).
- Progress is summed over the parts: the run shows 5 % when claimed, up to 95 % as the parts
  are laid out and written, 100 % once merged. Each part's build is a sign of life of its run.
- Status lives in the database; no result backend is needed (the group is a chord counted in
  the database). Without a broker the group runs here, part after part.
"""

import logging
import posixpath

from celery import group
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone, translation

from .documents import document_html
from .locks import advisory_lock
from .models import ReportPart, ReportRun, person_document_path, report_part_path
from .rendering import pdf_in_parts, pdf_merge, pdf_pages

logger = logging.getLogger(__name__)

# Kinds built in parts, and the selector data that lists their parts' people.
PART_KINDS = (ReportRun.Kind.CERTIFICATES,)
PART_LOCK_NAMESPACE = 5_106


def part_css(part: ReportPart) -> str:
    """A part prints the page numbers it has in the whole run ("Page 51 of 500"), as the
    document laid out in one piece does."""
    total = part.page_total if part.page_total is not None else "?"
    return (
        f"@page:first {{ counter-reset: page {part.first_page}; }}\n"
        f'.page-number .total::after {{ content: "{total}" !important; }}'
    )


PROGRESS_CLAIMED, PROGRESS_PARTS = 5, 90


def _signatory(run: ReportRun) -> str:
    requester = run.requested_by
    if requester is None:
        return ""
    return requester.get_full_name() or requester.get_username()


def report_parts_dispatch(*, run: ReportRun) -> int:
    """Cut a claimed run into parts (:func:`part_sizes`; once: the parts of an earlier attempt
    are kept) and send the parts not yet done to the workers as a Celery group; when all
    are done already, merge at once. Returns how many parts were sent."""
    from .tasks import report_part_build_task  # the task module imports this one

    with transaction.atomic():
        if not run.parts.exists():
            data = document_people(run)
            people = data["people"]
            # A certificate is one page: the numbers each part prints, checked at the merge.
            parts, start = [], 0
            for index, size in enumerate(part_sizes(len(people)) or [0]):
                parts.append(
                    ReportPart(
                        run=run,
                        index=index,
                        participant_ids=people[start : start + size],
                        first_page=1 + start,
                        page_total=max(len(people), 1),
                    )
                )
                start += size
            ReportPart.objects.bulk_create(parts)
            run.source = data["source"]
            run.save(update_fields=["source"])
        waiting = list(
            run.parts.exclude(status=ReportPart.Status.DONE).values_list("pk", flat=True)
        )
    if not waiting:
        report_run_merge(report_run_id=run.pk)
        return 0
    group(report_part_build_task.si(part_id) for part_id in waiting).apply_async()
    return len(waiting)


def part_sizes(count: int) -> list[int]:
    """How many people each part covers, in order: ``REPORT_PART_SIZE`` while there is much
    left, then each the remainder's share of one of the ``REPORT_PART_WORKERS`` processes (at
    least a quarter of a full part). The parts are sent in order, the processes take the next
    one as they finish: large parts first keep the cost each part carries (its layout set up,
    its fonts embedded: about 0.4 s) rare, small ones last let the processes finish together,
    the last of them within a small part of the others, where equal parts could leave one
    process idle for a whole part."""
    largest = max(settings.REPORT_PART_SIZE, 1)
    smallest = max(largest // 4, 1)
    workers = max(settings.REPORT_PART_WORKERS, 1)
    sizes, left = [], count
    while left > 0:
        size = min(largest, max(smallest, -(-left // workers)), left)
        sizes.append(size)
        left -= size
    return sizes


def document_people(run: ReportRun) -> dict:
    """The participant ids of the run's document, in their order, and the counts it is built
    from (four queries)."""
    from . import selectors

    with translation.override(run.language):
        report = selectors.certificates_data(programme=run.programme, signatory="")
    return {
        "people": [line.person.participant_id for line in report.people],
        "source": report.source,
    }


def _run_progress(run_id: int) -> None:
    """The run's progress is the sum of its parts'; each update is a sign of life."""
    parts = ReportPart.objects.filter(run_id=run_id)
    count = parts.count() or 1
    done = parts.aggregate(total=Sum("progress"))["total"] or 0
    ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).update(
        progress=PROGRESS_CLAIMED + PROGRESS_PARTS * done // (100 * count),
        heartbeat_at=timezone.now(),
    )


def _part_progress(part: ReportPart, percent: int, **fields) -> None:
    part.progress = percent
    part.heartbeat_at = timezone.now()
    for name, value in fields.items():
        setattr(part, name, value)
    part.save(update_fields=["progress", "heartbeat_at", *fields])
    _run_progress(part.run_id)


def report_part_build(*, part_id: int) -> str:
    """Build one part: its people's pages in one PDF (the part's file) and each person's own
    file, then merge the run when this was its last part. Idempotent: a part that is done, or
    whose run is no longer running, is left alone; ``busy`` when another process holds it.
    Errors propagate to the caller (the task), which fails the run."""
    with advisory_lock(PART_LOCK_NAMESPACE, part_id) as locked:
        if not locked:
            return "busy"
        part = (
            ReportPart.objects.select_related("run__programme__organiser", "run__requested_by")
            .filter(pk=part_id)
            .first()
        )
        if part is None or part.status == ReportPart.Status.DONE:
            return "skipped"
        run = part.run
        if run.status != ReportRun.Status.RUNNING:
            return "skipped"
        part.attempts += 1
        _part_progress(part, 10, status=ReportPart.Status.RUNNING, attempts=part.attempts)
        with translation.override(run.language):
            document = document_html(
                kind=run.kind,
                programme=run.programme,
                signatory=_signatory(run),
                people=part.participant_ids,
            )
            pdf = pdf_in_parts(
                document.html,
                anchors=[f"person-{pk}" for pk in part.participant_ids],
                css=part_css(part),
                on_layout=lambda pages: _part_progress(part, 60),
            )
        _store_people(run, part.participant_ids, pdf)
        storage = part.file.storage
        if part.file and storage.exists(part.file.name):
            storage.delete(part.file.name)
        part.file.save("part.pdf", ContentFile(pdf.content), save=False)
        _part_progress(
            part, 100, status=ReportPart.Status.DONE, file=part.file, page_count=pdf.pages
        )
    if not run.parts.exclude(status=ReportPart.Status.DONE).exists():
        report_run_merge(report_run_id=run.pk)
    return "done"


def _store_people(run: ReportRun, participant_ids: list[int], pdf) -> None:
    """Each person's pages as their own file (their certificate), cut from the part's PDF."""
    storage = run.file.storage
    files = pdf_pages(pdf.content, pdf.ranges)
    for participant_id, content in zip(participant_ids, files, strict=True):
        name = person_document_path(run, participant_id)
        if storage.exists(name):
            storage.delete(name)
        storage.save(name, ContentFile(content))


def report_run_merge(*, report_run_id: int) -> bool:
    """Merge the parts of a running run, in order, into the run's file and mark it done; then
    delete the parts' files (each person's file stays). Made once: a run that is no longer
    running (merged already) or with a part not done is left alone. Returns whether it merged."""
    from .services import _store  # the services module imports this one

    with transaction.atomic():
        run = (
            ReportRun.objects.select_for_update(of=("self",))
            .select_related("programme")
            .filter(pk=report_run_id, status=ReportRun.Status.RUNNING)
            .first()
        )
        if run is None:
            return False
        parts = list(run.parts.order_by("index"))
        if not parts or any(part.status != ReportPart.Status.DONE for part in parts):
            return False
        misnumbered = _renumber(parts)
        if misnumbered:
            # A certificate ran over one page: the parts after it printed wrong numbers. They
            # are built again with the right ones (their page counts stay), then merged.
            from .tasks import report_part_build_task  # the task module imports this one

            ids = [part.pk for part in misnumbered]
            transaction.on_commit(
                lambda: group(report_part_build_task.si(pk) for pk in ids).apply_async()
            )
            return False
        pages = sum(part.page_count or 0 for part in parts)
        with translation.override(run.language):
            _store(run, pdf_merge(_PartFiles(parts)), pages, run.source)
        storage = parts[0].file.storage
        folder = posixpath.dirname(report_part_path(parts[0], ""))
        run.parts.update(file="")

    def delete_parts() -> None:
        # Every file of the parts' folder, not only the names the parts record: a process
        # killed between writing a part's file and recording it leaves a file no part names
        # (built again, the part is saved under another name).
        if not storage.exists(folder):
            return
        for name in storage.listdir(folder)[1]:
            storage.delete(posixpath.join(folder, name))

    transaction.on_commit(delete_parts)
    return True


class _PartFiles:
    """The parts' files, read one at a time as the merge comes to them (and again, should the
    merge have to start over with pypdf)."""

    def __init__(self, parts: list[ReportPart]) -> None:
        self.parts = parts

    def __iter__(self):
        for part in self.parts:
            with part.file.open("rb") as handle:
                yield handle.read()


def _renumber(parts: list[ReportPart]) -> list[ReportPart]:
    """The parts whose printed page numbers do not follow from the parts' page counts, given
    the right numbers and set to be built again."""
    total = sum(part.page_count or 0 for part in parts)
    first, wrong = 1, []
    for part in parts:
        if (part.first_page, part.page_total) != (first, total):
            part.first_page, part.page_total = first, total
            part.status, part.progress = ReportPart.Status.PENDING, 0
            part.save(update_fields=["first_page", "page_total", "status", "progress"])
            wrong.append(part)
        first += part.page_count or 0
    return wrong


def run_people_files(run: ReportRun) -> list[str]:
    """The names of the people's own files of a run (which may not all exist yet)."""
    return [
        person_document_path(run, participant_id)
        for part in run.parts.all()
        for participant_id in part.participant_ids
    ]


def report_part_failed(*, part_id: int, transient: bool) -> None:
    """A part could not be built: fail its run, with a message a person can read."""
    from django.utils.translation import gettext as _

    from .services import _fail

    part = ReportPart.objects.select_related("run").filter(pk=part_id).first()
    if part is None or part.run.status != ReportRun.Status.RUNNING:
        return
    with translation.override(part.run.language):
        _fail(
            part.run,
            _(
                "The report could not be built: the database or the file storage could not be "
                "reached. Ask for it again later; if it fails again, tell the organisers."
            )
            if transient
            else _(
                "An unexpected error stopped the build. It has been logged for the team; ask "
                "for the report again later."
            ),
        )
