"""Through a real Celery worker and the Redis broker: the report is built, a killed worker is
replaced without a second file, and a stopped Redis loses nothing."""

import datetime as dt
import os
import signal
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from participants.models import Category, Participant
from reports import services
from reports.models import ReportRun
from sessions.models import Attendance, Slot
from tests import factories
from tests.conftest import normalise, pdf_text, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
Kind = ReportRun.Kind
Status = ReportRun.Status


def the_run() -> ReportRun:
    return ReportRun.objects.earliest("id")


def files_of_reports(settings) -> list:
    root = settings.MEDIA_ROOT / "reports"
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def wait_done(worker, *, timeout: float = 120) -> ReportRun:
    def finished():
        run = the_run()
        return run if run.status in (Status.DONE, Status.FAILED) else None

    try:
        run = wait_for(finished, timeout=timeout, what="the report to be built")
    except pytest.fail.Exception:
        print(worker.log_text()[-4000:])
        raise
    assert run.status == Status.DONE, f"{run.error}\n{worker.log_text()[-3000:]}"
    return run


def test_a_task_sent_through_redis_is_built_by_a_real_worker(
    client, demo_committed, member, celery_worker, settings
):
    """The foundation's proof: a task goes through the Redis broker to a real worker process,
    and its result is in the database (and the PDF holds the right figures)."""
    client.force_login(member(demo_committed, "funder"))
    response = client.post(
        reverse("reports:report_list", args=[demo_committed.slug]), {"kind": Kind.PARTICIPATION}
    )
    assert response.status_code == 302
    run = the_run()
    assert run.queued_at is not None  # handed to the broker, not built in this process

    run = wait_done(celery_worker)
    assert run.attempts == 1
    assert "report_run_build_task[" in celery_worker.log_text()
    download = client.get(
        reverse("reports:report_run_download", args=[demo_committed.slug, run.pk])
    )
    text = normalise(pdf_text(b"".join(download.streaming_content)))
    assert "95 %" in text
    assert "239" in text
    assert "252" in text
    assert len(files_of_reports(settings)) == 1


def big_programme(size: int = 500, slots: int = 10):
    """A programme of ``size`` trainees and ``slots`` half-days, every one of them recorded."""
    programme = factories.ProgrammeFactory()
    city = factories.CityFactory()
    people = Participant.objects.bulk_create(
        Participant(
            programme=programme,
            category=Category.CITY_PROFESSIONAL,
            first_name=f"Prénom{index}",
            last_name=f"Nom{index:04d}",
            city=city,
        )
        for index in range(size)
    )
    halfdays = []
    for _day in range(slots // 2):
        training_day = factories.TrainingDayFactory(programme=programme)
        halfdays += [
            factories.SlotFactory(day=training_day, part=Slot.Part.MORNING),
            factories.SlotFactory(day=training_day, part=Slot.Part.AFTERNOON),
        ]
    Attendance.objects.bulk_create(
        Attendance(participant=person, slot=slot, status=Attendance.Status.PRESENT)
        for slot in halfdays
        for person in people
    )
    return programme


def test_a_worker_killed_in_the_middle_of_a_build_is_replaced_and_builds_it_once(
    client, member, celery_worker, settings
):
    programme = big_programme()
    client.force_login(member(programme, "organiser"))
    client.post(reverse("reports:report_list", args=[programme.slug]), {"kind": Kind.ATTENDANCE})

    # Wait until the build is inside WeasyPrint (progress 30 is set once the HTML is ready).
    wait_for(
        lambda: the_run().status == Status.RUNNING and the_run().progress >= 30,
        timeout=60,
        interval=0.05,
        what="the build to start",
    )
    (pool_process,) = celery_worker.pool_pids()
    os.kill(pool_process, signal.SIGKILL)

    run = wait_done(celery_worker, timeout=180)
    assert run.attempts == 2  # the killed attempt, then the one that finished
    assert pool_process not in celery_worker.pool_pids()  # a new pool process built it
    files = files_of_reports(settings)
    assert len(files) == 1
    assert files[0].read_bytes().startswith(b"%PDF-")
    assert run.file_size == files[0].stat().st_size
    assert run.page_count >= 10


def test_with_redis_stopped_asking_answers_fast_and_the_report_is_built_when_it_is_back(
    client, demo_committed, member, redis_server, celery_worker_factory, publish_to, settings
):
    publish_to(redis_server.url)
    worker = celery_worker_factory(broker_url=redis_server.url, beat=True)
    client.force_login(member(demo_committed, "organiser"))

    redis_server.stop()
    started = time.monotonic()
    response = client.post(
        reverse("reports:report_list", args=[demo_committed.slug]),
        {"kind": Kind.FUNDER},
        follow=True,
    )
    elapsed = time.monotonic() - started
    assert elapsed < 2, f"asking took {elapsed:.2f} s with Redis stopped"
    assert response.status_code == 200
    assert "cannot be reached right now" in response.text or "injoignable" in response.text
    run = the_run()
    assert run.status == Status.QUEUED
    assert run.queued_at is None

    time.sleep(3)  # Redis stays down for a while; nothing is lost meanwhile
    assert the_run().status == Status.QUEUED

    redis_server.start()  # back on the same port; nobody asks again
    run = wait_done(worker, timeout=120)
    assert run.attempts == 1
    assert "report_runs_requeue_task" in worker.log_text()
    assert len(files_of_reports(settings)) == 1


def test_a_worker_outlives_redis_going_away_during_a_build_and_builds_later_reports(
    client, member, redis_server, celery_worker_factory, publish_to, settings
):
    """With a free pool process the worker is waiting on Redis when it goes away; kombu's
    clean-up then used to reach the closed connection's settings (``None.hostname``) and the
    worker exited, so that every later report waited for a manual restart."""
    publish_to(redis_server.url)
    worker = celery_worker_factory(broker_url=redis_server.url, beat=True, concurrency=2)
    programme = big_programme(size=200)
    client.force_login(member(programme, "organiser"))
    client.post(reverse("reports:report_list", args=[programme.slug]), {"kind": Kind.ATTENDANCE})
    wait_for(
        lambda: the_run().status == Status.RUNNING and the_run().progress >= 30,
        timeout=60,
        interval=0.05,
        what="the build to start",
    )

    redis_server.stop()
    time.sleep(2)
    assert worker.process.poll() is None, worker.log_text()[-3000:]
    redis_server.start()  # the same port, empty: the build's message is gone with it
    first = wait_done(worker, timeout=120)
    assert first.attempts == 1

    small = factories.ProgrammeFactory()
    client.force_login(member(small, "organiser"))
    client.post(reverse("reports:report_list", args=[small.slug]), {"kind": Kind.ATTENDANCE})
    second = ReportRun.objects.get(programme=small)
    wait_for(
        lambda: ReportRun.objects.filter(pk=second.pk, status=Status.DONE).exists(),
        timeout=120,
        what="the report asked after Redis came back",
    )
    assert worker.process.poll() is None
    assert "Unrecoverable error" not in worker.log_text()
    assert len(files_of_reports(settings)) == 2


def test_a_killed_main_worker_process_leaves_a_run_the_next_worker_builds_once(
    client, member, celery_worker_factory, settings
):
    """``kill -9`` of the worker's main process: nobody gives its message back. The run stops
    showing signs of life; the periodic re-queue (called here as beat would) sends it to the
    worker started in its place, which builds it once, into one file."""
    settings.REPORT_HEARTBEAT_TIMEOUT = dt.timedelta(seconds=6)
    quick_heartbeat = {"REPORT_HEARTBEAT_TIMEOUT_SECONDS": "6"}
    first = celery_worker_factory(env=quick_heartbeat)
    programme = big_programme(size=200)
    client.force_login(member(programme, "organiser"))
    client.post(reverse("reports:report_list", args=[programme.slug]), {"kind": Kind.ATTENDANCE})
    wait_for(
        lambda: the_run().status == Status.RUNNING and the_run().progress >= 30,
        timeout=60,
        interval=0.05,
        what="the build to start",
    )
    killed_at = time.monotonic()
    os.kill(first.process.pid, signal.SIGKILL)  # the main process: no clean-up, no message back
    first.process.wait(timeout=10)
    assert the_run().status == Status.RUNNING

    # Asking again meanwhile is not refused once the build has gone quiet.
    wait_for(
        lambda: the_run().is_abandoned(now=timezone.now()),
        timeout=30,
        what="the heartbeat to go stale",
    )
    second = celery_worker_factory(env=quick_heartbeat)
    assert services.report_runs_requeue() == 1

    run = wait_done(second, timeout=120)
    assert time.monotonic() - killed_at < 180
    assert run.attempts == 2
    files = files_of_reports(settings)
    assert len(files) == 1
    assert run.file_size == files[0].stat().st_size


def test_certificates_built_in_parts_on_two_processes_rebuild_only_the_parts_killed(
    client, member, redis_server, celery_worker_factory, publish_to, settings
):
    """Two pool processes build the certificates in parts; both are killed (``kill -9``) in
    the middle: the parts they held come back to the queue and are built again alone, the parts
    done before are kept, and the merged file is made once, with every certificate in it."""
    publish_to(redis_server.url)
    worker = celery_worker_factory(
        broker_url=redis_server.url,
        concurrency=2,
        env={"REPORT_PART_SIZE": "10", "REPORT_PART_WORKERS": "1"},
    )
    programme = big_programme(size=100, slots=2)
    client.force_login(member(programme, "organiser"))
    client.post(reverse("reports:report_list", args=[programme.slug]), {"kind": Kind.CERTIFICATES})
    run = wait_for(the_run, timeout=30, what="the run")
    for _attempt in range(5):
        wait_for(
            lambda: (
                run.parts.filter(status="done").exists()
                and run.parts.filter(status="running").exists()
            ),
            timeout=120,
            interval=0.05,
            what="a part done and another being built",
        )
        pool = worker.pool_pids()
        assert len(pool) == 2
        for pid in pool:
            os.kill(pid, signal.SIGKILL)
        # A part still marked running after kill -9 was killed while being built. A part can
        # end between the check above and the kill (parts of ten take well under a second):
        # then the kill hit only messages waiting in the processes, and the main process's new
        # pool is killed again at its next part.
        if run.parts.filter(status="running").exists():
            break
    done_before = set(run.parts.filter(status="done").values_list("index", flat=True))

    run = wait_done(worker, timeout=300)
    assert worker.process.poll() is None  # the main process replaced its pool processes
    assert run.page_count == 100
    assert run.attempts == 1  # the run itself was not started again: only parts
    attempts = dict(run.parts.values_list("index", "attempts"))
    assert len(attempts) == 10
    assert all(attempts[index] == 1 for index in done_before)
    assert max(attempts.values()) == 2  # a killed part, built again
    files = files_of_reports(settings)
    assert sorted(path.parent.name for path in files).count("people") == 100
    merged = [path for path in files if path.parent.name not in ("people", "parts")]
    assert len(merged) == 1
    assert not [path for path in files if path.parent.name == "parts"]  # removed once merged
    text = normalise(pdf_text(merged[0].read_bytes()))
    assert "Prénom0 Nom0000" in text
    assert "Prénom99 Nom0099" in text
