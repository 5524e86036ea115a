"""The life of a report run: asked for, queued, built once, retried, failed, expired."""

import datetime as dt
import hashlib
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from programmes.errors import DomainError
from programmes.models import AuditEntry
from reports import services
from reports.models import ReportRun
from tests import factories

pytestmark = pytest.mark.django_db
Kind = ReportRun.Kind
Status = ReportRun.Status


@pytest.fixture
def organiser(demo, member):
    return member(demo, "organiser", user_kwargs={"first_name": "Claire", "last_name": "Moreau"})


def ask(programme, user, kind=Kind.PARTICIPATION, language="fr"):
    return services.report_run_request(programme=programme, kind=kind, language=language, user=user)


def stored_files(settings):
    root = settings.MEDIA_ROOT / "reports"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_asking_creates_a_queued_run_audits_it_and_builds_it_after_commit(
    demo, organiser, django_capture_on_commit_callbacks, settings
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = ask(demo, organiser)
    assert result.created
    assert len(callbacks) == 1
    run = ReportRun.objects.get()
    assert (run.kind, run.language, run.requested_by) == (Kind.PARTICIPATION, "fr", organiser)
    assert run.status == Status.DONE  # eager in the tests: built by the callback
    assert run.queued_at is not None
    assert run.attempts == 1
    assert run.progress == 100
    assert AuditEntry.objects.about(run).filter(action="report.requested").exists()
    content = run.file.read()
    assert content.startswith(b"%PDF-")
    assert run.file_size == len(content)
    assert run.sha256 == hashlib.sha256(content).hexdigest()
    assert run.page_count >= 1
    assert run.source == {"trainees": 28, "halfdays_held": 9, "attendance_records": 252}
    assert run.expires_at == run.finished_at + settings.REPORT_FILE_LIFETIME
    expected_name = f"rapport-de-participation-{demo.slug}-{timezone.localdate()}.pdf"
    assert run.file.name.endswith(expected_name)
    assert len(stored_files(settings)) == 1


def test_asking_twice_while_a_build_waits_does_not_start_a_second_one(demo, organiser, member):
    first = ask(demo, organiser)  # callbacks do not run: the run stays queued
    again = ask(demo, member(demo, "funder"))
    assert again.created is False
    assert again.run == first.run
    assert ReportRun.objects.count() == 1
    # Another kind, or the same report in another language, is another build.
    assert ask(demo, organiser, kind=Kind.FUNDER).created
    assert ask(demo, organiser, language="en").created
    assert ReportRun.objects.count() == 3


def test_once_the_build_is_over_the_same_report_can_be_asked_again(demo, organiser):
    first = ask(demo, organiser).run
    ReportRun.objects.filter(pk=first.pk).update(status=Status.DONE)
    assert ask(demo, organiser).created


def test_the_database_refuses_two_active_builds_of_the_same_report(demo, organiser):
    from django.db import IntegrityError, transaction

    factories.ReportRunFactory(programme=demo, kind=Kind.FUNDER, status=Status.RUNNING)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ReportRunFactory(programme=demo, kind=Kind.FUNDER, status=Status.QUEUED)


@pytest.mark.parametrize(
    ("kind", "language", "code"),
    [("budget", "fr", "unknown_kind"), (Kind.FUNDER, "de", "unknown_language")],
)
def test_bad_requests_are_refused_with_a_readable_error(demo, organiser, kind, language, code):
    with pytest.raises(DomainError) as error:
        ask(demo, organiser, kind=kind, language=language)
    assert error.value.code == code
    assert ReportRun.objects.count() == 0


def test_broker_down_leaves_the_run_queued_without_queued_at(
    demo, organiser, django_capture_on_commit_callbacks
):
    failure = BrokerError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")
    with (
        mock.patch("reports.tasks.report_run_build_task.apply_async", side_effect=failure),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = ask(demo, organiser)
    assert result.created
    assert not result.handed_to_workers
    run = ReportRun.objects.get()
    assert run.status == Status.QUEUED
    assert run.queued_at is None


def test_requeue_sends_the_runs_the_broker_never_got_or_lost(demo, organiser):
    now = timezone.now()
    never_sent = factories.ReportRunFactory(programme=demo, kind=Kind.ATTENDANCE)
    lost = factories.ReportRunFactory(
        programme=demo, kind=Kind.FUNDER, queued_at=now - dt.timedelta(minutes=11)
    )
    waiting = factories.ReportRunFactory(
        programme=demo, kind=Kind.PARTICIPATION, queued_at=now - dt.timedelta(minutes=1)
    )
    abandoned = factories.ReportRunFactory(
        programme=demo,
        kind=Kind.CERTIFICATES,
        status=Status.RUNNING,
        attempts=1,
        started_at=now - dt.timedelta(hours=1),
    )
    with mock.patch("reports.tasks.report_run_build_task.apply_async") as send:
        assert services.report_runs_requeue() == 3
    sent = sorted(call.kwargs["args"][0] for call in send.call_args_list)
    assert sent == sorted([never_sent.pk, lost.pk, abandoned.pk])
    waiting.refresh_from_db()
    never_sent.refresh_from_db()
    assert never_sent.queued_at is not None


def test_requeue_sends_a_running_run_once_its_heartbeat_is_stale(demo, settings):
    """A killed main worker process gives its message back to nobody: what tells the re-queue
    that a build stopped is its heartbeat, a minute old, not the ten-minute time limit."""
    settings.REPORT_HEARTBEAT_TIMEOUT = dt.timedelta(seconds=60)
    now = timezone.now()
    alive = factories.ReportRunFactory(
        programme=demo,
        kind=Kind.ATTENDANCE,
        status=Status.RUNNING,
        started_at=now - dt.timedelta(minutes=5),  # a long build, still beating
        heartbeat_at=now - dt.timedelta(seconds=20),
    )
    killed = factories.ReportRunFactory(
        programme=demo,
        kind=Kind.FUNDER,
        status=Status.RUNNING,
        started_at=now - dt.timedelta(minutes=2),
        heartbeat_at=now - dt.timedelta(seconds=90),
    )
    with mock.patch("reports.tasks.report_run_build_task.apply_async") as send:
        assert services.report_runs_requeue() == 1
    assert send.call_args.kwargs["args"] == [killed.pk]
    alive.refresh_from_db()
    assert alive.status == Status.RUNNING


def test_asking_again_for_a_run_whose_build_stopped_sends_it_again(
    demo, organiser, django_capture_on_commit_callbacks, settings
):
    settings.REPORT_HEARTBEAT_TIMEOUT = dt.timedelta(seconds=60)
    stopped = factories.ReportRunFactory(
        programme=demo,
        kind=Kind.PARTICIPATION,
        requested_by=organiser,
        status=Status.RUNNING,
        attempts=1,
        progress=30,
        started_at=timezone.now() - dt.timedelta(minutes=3),
        heartbeat_at=timezone.now() - dt.timedelta(minutes=2),
    )
    with django_capture_on_commit_callbacks(execute=True):
        result = ask(demo, organiser)
    assert (result.created, result.resent, result.run) == (False, True, stopped)
    stopped.refresh_from_db()
    assert stopped.status == Status.DONE  # eager in the tests: built again by the callback
    assert stopped.attempts == 2
    assert ReportRun.objects.count() == 1
    assert len(stored_files(settings)) == 1


def test_asking_again_while_the_build_shows_signs_of_life_sends_nothing(
    demo, organiser, django_capture_on_commit_callbacks
):
    factories.ReportRunFactory(
        programme=demo,
        kind=Kind.PARTICIPATION,
        status=Status.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=5),
        heartbeat_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = ask(demo, organiser)
    assert (result.created, result.resent) == (False, False)
    assert callbacks == []


def test_a_build_shows_signs_of_life_while_it_works(demo, organiser, settings):
    settings.REPORT_HEARTBEAT_TIMEOUT = dt.timedelta(seconds=60)
    run = factories.ReportRunFactory(programme=demo, requested_by=organiser)
    seen = []

    def progress(run, percent):
        seen.append(ReportRun.objects.values_list("progress", "heartbeat_at").get(pk=run.pk))
        real_progress(run, percent)

    real_progress = services._progress
    with mock.patch("reports.services._progress", side_effect=progress):
        services.report_run_build(report_run_id=run.pk)
    run.refresh_from_db()
    assert [percent for percent, _ in seen] == [5, 30]  # the states before each step
    assert all(beat is not None for _, beat in seen)
    assert run.heartbeat_at >= run.started_at


def test_requeue_stops_at_the_first_broker_failure(demo):
    factories.ReportRunFactory(programme=demo, kind=Kind.ATTENDANCE)
    factories.ReportRunFactory(programme=demo, kind=Kind.FUNDER)
    with mock.patch(
        "reports.tasks.report_run_build_task.apply_async", side_effect=BrokerError("down")
    ) as send:
        assert services.report_runs_requeue() == 0
    assert send.call_count == 1
    assert ReportRun.objects.filter(queued_at__isnull=True).count() == 2


def test_building_twice_builds_once(demo, organiser, settings):
    run = factories.ReportRunFactory(programme=demo, requested_by=organiser)
    assert services.report_run_build(report_run_id=run.pk).state == "done"
    assert services.report_run_build(report_run_id=run.pk).state == "skipped"
    run.refresh_from_db()
    assert run.attempts == 1
    assert len(stored_files(settings)) == 1


def test_a_run_whose_worker_died_is_built_again_into_the_same_single_file(
    demo, organiser, settings
):
    run = factories.ReportRunFactory(programme=demo, requested_by=organiser)
    services.report_run_build(report_run_id=run.pk)
    run.refresh_from_db()
    first_name = run.file.name
    # As if a worker had died after writing the file but before recording it.
    an_hour_ago = timezone.now() - dt.timedelta(hours=1)
    ReportRun.objects.filter(pk=run.pk).update(
        status=Status.RUNNING, started_at=an_hour_ago, heartbeat_at=an_hour_ago, file=""
    )
    assert services.report_run_build(report_run_id=run.pk).state == "done"
    run.refresh_from_db()
    assert run.status == Status.DONE
    assert run.attempts == 2
    assert run.file.name == first_name
    assert len(stored_files(settings)) == 1


def test_a_run_interrupted_three_times_fails_with_a_readable_error(demo):
    run = factories.ReportRunFactory(
        programme=demo,
        status=Status.RUNNING,
        attempts=3,
        started_at=timezone.now() - dt.timedelta(hours=1),
        language="en",
    )
    assert services.report_run_build(report_run_id=run.pk).state == "skipped"
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert "interrupted 3 times" in run.error


def test_a_transient_error_is_retried_with_a_growing_delay_then_fails(demo, settings):
    run = factories.ReportRunFactory(programme=demo, language="en")
    with mock.patch(
        "reports.services.pdf_from_html", side_effect=OperationalError("server closed")
    ):
        first = services.report_run_build(report_run_id=run.pk)
        run.refresh_from_db()
        assert (first.state, first.retry_in, run.status) == ("retry", 10, Status.QUEUED)
        assert "tried again in 10 seconds" in run.error
        second = services.report_run_build(report_run_id=run.pk)
        assert (second.state, second.retry_in) == ("retry", 20)
        third = services.report_run_build(report_run_id=run.pk)
    run.refresh_from_db()
    assert third.state == "failed"
    assert run.status == Status.FAILED
    assert run.attempts == 3
    assert "could not be built after 3 attempts: the database could not be reached" in run.error
    assert stored_files(settings) == []


def test_an_unexpected_error_fails_at_once_without_showing_internals(demo):
    run = factories.ReportRunFactory(programme=demo, language="en")
    with mock.patch("reports.services.pdf_from_html", side_effect=KeyError("secret_column")):
        assert services.report_run_build(report_run_id=run.pk).state == "failed"
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.attempts == 1
    assert "unexpected error" in run.error
    assert "secret_column" not in run.error


def test_the_time_limit_fails_the_run_with_a_readable_error(demo):
    from celery.exceptions import SoftTimeLimitExceeded

    run = factories.ReportRunFactory(programme=demo, language="en")
    with mock.patch("reports.services.pdf_from_html", side_effect=SoftTimeLimitExceeded()):
        assert services.report_run_build(report_run_id=run.pk).state == "failed"
    run.refresh_from_db()
    assert "took longer than 9 minutes" in run.error


def test_a_missing_run_is_skipped():
    assert services.report_run_build(report_run_id=987654).state == "skipped"


def test_the_task_retries_through_celery_and_ends_failed(demo):
    """Eager Celery runs the retries at once: three attempts, then the readable failure."""
    from reports.tasks import report_run_build_task

    run = factories.ReportRunFactory(programme=demo, language="en")
    with mock.patch("reports.services.pdf_from_html", side_effect=OSError("disk full")):
        report_run_build_task.apply_async(args=[run.pk])
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.attempts == 3
    assert "the file storage could not be written" in run.error


def test_expired_files_are_deleted_and_their_runs_kept_as_expired(demo, organiser, settings):
    run = factories.ReportRunFactory(programme=demo, requested_by=organiser)
    services.report_run_build(report_run_id=run.pk)
    fresh = factories.ReportRunFactory(programme=demo, kind=Kind.FUNDER, requested_by=organiser)
    services.report_run_build(report_run_id=fresh.pk)
    assert len(stored_files(settings)) == 2
    ReportRun.objects.filter(pk=run.pk).update(expires_at=timezone.now() - dt.timedelta(1))

    assert services.report_files_expire() == 1
    run.refresh_from_db()
    fresh.refresh_from_db()
    assert run.status == Status.EXPIRED
    assert not run.file
    assert fresh.status == Status.DONE
    assert fresh.file
    assert len(stored_files(settings)) == 1


def test_two_installations_sharing_key_and_media_never_write_into_each_others_folders(
    demo, organiser, settings
):
    run = factories.ReportRunFactory(programme=demo, requested_by=organiser)
    services.report_run_build(report_run_id=run.pk)
    run.refresh_from_db()
    first = run.file.name
    # A second installation with the same secret key and media folder numbers its runs from 1
    # too: its run has the same id as one of ours.
    ReportRun.objects.filter(pk=run.pk).delete()
    other = factories.ReportRunFactory(pk=run.pk, programme=demo, requested_by=organiser)
    services.report_run_build(report_run_id=other.pk)
    other.refresh_from_db()
    assert other.file.name.rsplit("/", 1)[0] != first.rsplit("/", 1)[0]
    assert len(stored_files(settings)) == 2
    assert other.folder_token != run.folder_token
    assert len(other.folder_token) >= 24
