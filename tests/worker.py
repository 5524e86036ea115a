"""pytest fixtures that run a REAL Celery worker and, when a test needs one, its own Redis.

The worker is the production command, ``celery -A cotraining worker --pool=prefork`` (one
pool process unless a test asks for more), started as a subprocess against the test database
(pytest-django's ``test_`` database, so the tests using it are ``django_db(transaction=True)``:
the worker only sees committed rows) and the Redis broker of ``REDIS_URL``. It writes report
files into the test's ``MEDIA_ROOT``.

These tests run when ``REDIS_URL`` and a PostgreSQL ``DATABASE_URL`` are set. When they are
missing the tests skip, except under CI (the ``CI`` variable), where they fail: CI must run
them. Mark them ``@pytest.mark.worker``.

Loaded for the whole suite by ``pytest_plugins`` in ``tests/conftest.py``.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from cotraining.celery import app as celery_app
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[1]
CELERY = Path(sys.executable).with_name("celery")
READY_TIMEOUT = 60
STOP_TIMEOUT = 15


def require_worker_services() -> str:
    """The Redis URL of the tests; skip (fail under CI) when Redis or PostgreSQL is missing."""
    missing = []
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        missing.append("REDIS_URL")
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        missing.append("a PostgreSQL DATABASE_URL")
    if missing:
        message = f"a real Celery worker needs {' and '.join(missing)}"
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must run the worker tests (see .ci/run)")
        pytest.skip(message)
    return own_redis_database(redis_url)


# The first Redis database the worker tests use; each test process (pytest-xdist) has its own.
WORKER_REDIS_DB = 10


def own_redis_database(redis_url: str) -> str:
    """``redis_url`` with a database of this test process's own, so that two processes' workers
    never take each other's messages (each would build a report against the other's test
    database). pytest-xdist's ``loadgroup`` is meant to run these tests in one process, but
    with pytest 9.2 it no longer groups them: a test's address became ``Node._id``, and
    xdist 3.8 still renames ``Node._nodeid`` to carry the group."""
    process = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    database = WORKER_REDIS_DB + (int(process) if process.isdigit() else 0)
    parts = urlsplit(redis_url)
    return urlunsplit(parts._replace(path=f"/{database}"))


def test_database_url() -> str:
    """A DATABASE_URL for the database the tests are using (``test_…``)."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def purge(broker_url: str) -> None:
    """Empty the default queue, so that no message of an earlier test run reaches this worker."""
    with celery_app.connection_for_write(broker_url) as conn:
        conn.default_channel.queue_purge(celery_app.conf.task_default_queue)


@dataclass
class Worker:
    process: subprocess.Popen
    log: Path
    broker_url: str

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def pool_pids(self) -> list[int]:
        """The pids of the worker's pool processes (the children that run the tasks)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if not children.exists():
            return []
        return [int(child) for child in children.read_text().split()]

    def stop(self) -> None:
        """Warm shutdown, then kill the whole process group if it does not stop in time."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_TIMEOUT)
        # Pool processes left behind by a killed parent.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)


@dataclass
class RedisServer:
    """A throwaway redis-server on a free port, which a test may stop and start again."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed")
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, timeout=10, what=f"redis-server on port {self.port}")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def celery_worker_factory(transactional_db, settings, tmp_path, publish_to):
    """Start real workers: ``start(broker_url=None, beat=False, concurrency=1, env=None)``.

    This test process then sends its tasks to the worker's broker, whatever an earlier test of
    the same process left in Celery's connection pools (under pytest-xdist, a test of a
    throwaway Redis could run just before and leave the pools pointing at its stopped port).

    ``beat=True`` runs Celery beat inside the worker (``--beat``), with the re-queue of stuck
    report runs every ``REPORT_REQUEUE_EVERY_SECONDS`` (2 s unless ``env`` says otherwise).
    Every worker started is stopped at the end of the test.
    """
    redis_url = require_worker_services()
    started: list[Worker] = []

    def start(
        *, broker_url: str | None = None, beat: bool = False, concurrency: int = 1, env=None
    ) -> Worker:
        broker_url = broker_url or redis_url
        publish_to(broker_url)
        purge(broker_url)
        name = f"reports-test-{uuid.uuid4().hex[:8]}"
        log = tmp_path / f"{name}.log"
        environment = {
            **os.environ,
            "DATABASE_URL": test_database_url(),
            "DJANGO_CONN_MAX_AGE": "0",
            "REDIS_URL": broker_url,
            "CELERY_BROKER_URL": broker_url,
            "DJANGO_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DJANGO_DEBUG": "0",
            "DJANGO_PLAIN_STATIC": "1",
            "REPORT_REQUEUE_EVERY_SECONDS": "2",
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        command = [
            str(CELERY),
            "-A",
            "cotraining",
            "worker",
            "--pool=prefork",
            f"--concurrency={concurrency}",
            "--loglevel=INFO",
            f"--hostname={name}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            command += ["--beat", f"--schedule={tmp_path / (name + '-beat')}"]
        with log.open("wb") as output:
            process = subprocess.Popen(  # noqa: S603 - our own command line
                command,
                cwd=ROOT,
                env=environment,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        worker = Worker(process=process, log=log, broker_url=broker_url)
        started.append(worker)

        def ready():
            if process.poll() is not None:
                pytest.fail(f"the worker stopped at start:\n{worker.log_text()[-3000:]}")
            return " ready." in worker.log_text()

        wait_for(ready, timeout=READY_TIMEOUT, what="the Celery worker to be ready")
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def celery_worker(celery_worker_factory) -> Worker:
    """One real worker on the tests' Redis broker."""
    return celery_worker_factory()


@pytest.fixture
def redis_server(tmp_path):
    """A throwaway Redis (never the machine's own, which others use), stopped at the end."""
    require_worker_services()
    server = RedisServer(directory=tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def publish_to(monkeypatch):
    """Make this test process send its tasks to another broker: ``publish_to(url)``."""

    def switch(url: str) -> None:
        monkeypatch.setitem(celery_app.conf, "broker_url", url)
        monkeypatch.setitem(celery_app.conf, "broker_write_url", url)
        # The connection and producer pools were made for the old URL: start new ones.
        monkeypatch.setattr(celery_app, "_pool", None)
        monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)

    return switch
