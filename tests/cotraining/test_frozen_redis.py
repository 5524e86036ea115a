"""A frozen Redis (SIGSTOP: the port still accepts connections, nothing answers) must not make
people wait: asking for a report answers within 2 s and the run waits in the database for beat
to send it again; /healthz answers within 1 s; the public sign-up is not held up by its
throttle's cache. A real redis-server of the test's own, never the machine's."""

import datetime as dt
import os
import shutil
import signal
import time

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone

from cotraining.celery import app as celery_app
from reports import services
from reports.models import ReportRun
from tests import factories
from tests.worker import RedisServer

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen_redis(tmp_path, settings, publish_to, monkeypatch):
    """A redis-server stopped with SIGSTOP, used by this process as broker and cache."""
    if shutil.which("redis-server") is None and not os.environ.get("CI"):
        pytest.skip("redis-server is not installed")
    server = RedisServer(directory=tmp_path)
    server.start()
    pid = server.process.pid
    settings.CELERY_BROKER_URL = server.url
    settings.CACHES = {
        "default": {**settings.CACHES["default"], **production_cache(server.url)},
    }
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    publish_to(server.url)
    # The first request of a process imports every URLconf and view: on a busy machine that
    # alone took over a second, which is not what these tests time.
    get_resolver().resolve("/healthz")
    os.kill(pid, signal.SIGSTOP)
    try:
        yield server
    finally:
        os.kill(pid, signal.SIGCONT)
        server.stop()


def production_cache(url: str) -> dict:
    """The cache settings.py configures when REDIS_URL is set, pointed at ``url``."""
    from cotraining import settings as project_settings

    assert project_settings.REDIS_CACHE_OPTIONS["socket_timeout"] <= 0.5
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "OPTIONS": project_settings.REDIS_CACHE_OPTIONS,
    }


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_asking_for_a_report_answers_within_two_seconds_and_the_run_waits(
    frozen_redis, django_capture_on_commit_callbacks
):
    programme = factories.ProgrammeFactory()
    user = factories.UserFactory()

    def ask():
        with django_capture_on_commit_callbacks(execute=True):
            return services.report_run_request(
                programme=programme, kind=ReportRun.Kind.ATTENDANCE, language="fr", user=user
            )

    result, elapsed = timed(ask)
    assert elapsed < 2, f"{elapsed:.2f} s"
    run = ReportRun.objects.get(pk=result.run.pk)
    assert run.status == ReportRun.Status.QUEUED
    assert run.queued_at is None  # beat sends it again once Redis answers


def test_the_reports_page_answers_within_two_seconds(frozen_redis, client, member):
    programme = factories.ProgrammeFactory()
    client.force_login(member(programme, "organiser"))
    url = reverse("reports:report_list", args=[programme.slug])
    response, elapsed = timed(
        lambda: client.post(url, {"kind": ReportRun.Kind.ATTENDANCE}, follow=True)
    )
    assert elapsed < 2, f"{elapsed:.2f} s"
    assert response.status_code == 200
    assert ReportRun.objects.get().queued_at is None


def test_healthz_says_the_broker_is_down_within_a_second(frozen_redis, client):
    response, elapsed = timed(lambda: client.get(reverse("healthz")))
    assert elapsed < 1, f"{elapsed:.2f} s"
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def test_the_sign_up_throttle_lets_people_through_quickly(frozen_redis, client):
    today = timezone.localdate()
    call = factories.CallFactory(
        published_at=timezone.now(),
        opens_on=today - dt.timedelta(days=1),
        closes_on=today + dt.timedelta(days=10),
    )
    url = reverse("programmes:apply_sign_up", args=[call.programme.slug])
    response, elapsed = timed(lambda: client.post(url, {}))
    assert elapsed < 1.5, f"{elapsed:.2f} s"
    assert response.status_code == 400  # the form's own errors: the throttle let it through
