"""Fixtures every test folder may use, and the few helpers tests import (from here or from
``tests/factories.py``, never from another test module)."""

import importlib
import io
import re
import shutil
import time
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings as project_settings
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from pypdf import PdfReader

from cotraining.celery import app as celery_app
from cotraining.demo import SLUG, demo_build
from programmes import kept, prepared
from programmes.models import Membership, Programme
from tests import factories

# Every query compiled once (``programmes.prepared.Query``) is compared, at each run, with the
# ORM's own compilation of it: one whose SQL depends on more than its declared values fails.
prepared.CHECK = True
# Every kept figure (``programmes.kept``) read again is compared with the same figures counted
# afresh: a write that leaves a programme's figures version as it was fails the test it is in.
kept.CHECK = True

# The real Celery worker fixtures (reports); pytest only accepts pytest_plugins in this file.
pytest_plugins = ["tests.worker"]


# Fixtures that start a real worker on the machine's Redis (``report_builder`` asks for one only
# under CI, so its tests are not all marked ``worker``).
WORKER_FIXTURES = {"celery_worker", "celery_worker_factory", "report_builder"}


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist's, which reads the groups to name the tests
def pytest_collection_modifyitems(items):
    """Under pytest-xdist (``make test`` runs two processes), the real-worker tests are meant to
    go to one process (``--dist loadgroup``), one at a time. pytest-xdist 3.8 no longer groups
    them under pytest 9.2, so each test process also gives its workers a Redis database of its
    own (``tests.worker.own_redis_database``): no worker consumes another process's messages
    against the wrong database.

    In each module, the tests that read the shared demo (``demo``) run after the others, so that
    no other test runs inside its open transaction nor sees its rows (a stable sort: the written
    order otherwise)."""
    for item in items:
        uses_worker = item.get_closest_marker("worker") is not None or bool(
            WORKER_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
        if uses_worker:
            item.add_marker(pytest.mark.xdist_group("celery-worker"))
    position = {}
    for item in items:
        position.setdefault(getattr(item, "module", None), len(position))
    items.sort(
        key=lambda item: (
            position[getattr(item, "module", None)],
            "_demo_shared" in getattr(item, "fixturenames", ()),
        )
    )


@pytest.fixture(autouse=True)
def _eager_tasks(request, monkeypatch):
    """Run tasks in-process, even where REDIS_URL is set (CI), except in the worker tests: every
    e-mail goes through a task (the outbox), and a stray message would otherwise wait in Redis
    for the next test's worker."""
    if request.node.get_closest_marker("worker") is None:
        monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language (French): a request or an override
    made by the test before it in the same process must not decide the language of what this
    one writes (an erased report's reason was once stored in English)."""
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Files written by a test go to a temporary folder, never to the project's media."""
    settings.MEDIA_ROOT = tmp_path / "media"


def plain_static_storages(storages: dict) -> dict:
    return {
        **storages,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _plain_static(settings):
    """Tests render pages without running collectstatic first."""
    settings.STORAGES = plain_static_storages(settings.STORAGES)


@pytest.fixture
def programme(db):
    return factories.ProgrammeFactory()


@pytest.fixture
def member(db):
    """Make a user with a role in a programme: ``member(programme, "organiser")``."""

    def make(programme, role, **kwargs):
        user = factories.UserFactory(**kwargs.pop("user_kwargs", {}))
        factories.MembershipFactory(programme=programme, user=user, role=role, **kwargs)
        return user

    return make


FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Production hashing is slow on purpose; tests create many users."""
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _content_types_cached(request):
    """Django caches content types per process once used, as a running server has after its
    first requests: fill the cache before each test that uses the database, so that query
    counts (an audit entry names its object by content type) do not depend on the order the
    tests run in."""
    if request.node.get_closest_marker("django_db") is None and not (
        {"db", "transactional_db", "django_db_setup"} & set(request.fixturenames)
    ):
        return
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    transactional = _transactional(request)
    request.getfixturevalue("transactional_db" if transactional else "db")
    ContentType.objects.get_for_models(*apps.get_models())
    if not transactional:
        _figures_versions_at_once()


FIGURES_TRIGGERS = importlib.import_module(
    "sessions.migrations.0009_figures_version_triggers"
).trigger_names()


def _figures_versions_at_once() -> None:
    """On PostgreSQL a programme's figures version changes when the writing transaction
    commits (deferred triggers); a test that is one transaction, rolled back, would never see
    it change and would never read kept figures (``programmes.kept``). Within it the version
    changes at each write instead, as a committed write changes it for the next request."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET CONSTRAINTS {', '.join(FIGURES_TRIGGERS)} IMMEDIATE")


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.args[:1] == (True,))) or (
        "transactional_db" in request.fixturenames
    )


# --- The demo, built once per module -----------------------------------------------------------


@pytest.fixture(scope="module")
def demo_builder():
    """How ``demo`` builds the demo programmes; a module may override it (module scope)."""
    return demo_build_without_seal_pdfs


@pytest.fixture(scope="module")
def _demo_shared(demo_builder, django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once for the module's tests that use ``demo`` (a build takes seconds:
    two programmes, 28 trainees, signatures, money, evaluation), in a transaction left open
    while they run and rolled back at the end of the module. Built as in a test: in the default
    language, tasks eager, the tests' settings (hashers, static files, a cache of its own), files
    in a folder of its own. Yields that folder and the e-mails the build sent, which each test
    gets back (``demo``)."""
    media = tmp_path_factory.mktemp("demo-media")
    eager = celery_app.conf.task_always_eager
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            celery_app.conf.task_always_eager = True
            mail.outbox.clear()
            with (
                override_settings(
                    MEDIA_ROOT=media,
                    PASSWORD_HASHERS=FAST_PASSWORD_HASHERS,
                    STORAGES=plain_static_storages(project_settings.STORAGES),
                    CACHES=own_cache(f"demo-{media.name}"),
                ),
                translation.override(project_settings.LANGUAGE_CODE),
            ):
                demo_builder()
            sent = list(mail.outbox)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
        finally:
            celery_app.conf.task_always_eager = eager
    yield media, sent
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def demo(request, _demo_shared, db, settings) -> Programme:
    """The demo programme (Seine-Saint-Denis 2015): 28 trainees, 239 of 252 attendances.

    Shared by the module's tests that use it (``_demo_shared``); each test's own savepoint
    (pytest-django's ``db``) rolls back what it changes. A test whose changes are committed
    (``transaction=True``: the live server, a real worker) cannot run inside that transaction
    and asks for ``demo_committed``."""
    if _transactional(request):
        pytest.fail("a test whose changes are committed asks for demo_committed, not demo")
    media, sent = _demo_shared
    shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
    mail.outbox.extend(sent)
    return Programme.objects.get(slug=SLUG)


@pytest.fixture
def demo_committed(transactional_db) -> Programme:
    """The demo programme, built by the test itself, for tests whose changes are committed."""
    demo_build_without_seal_pdfs()
    return Programme.objects.get(slug=SLUG)


# --- Programme data --------------------------------------------------------------------------


@pytest.fixture
def training(programme):
    """Two days, three half-days, two cities with full triads, activists, a facilitator and
    peer groups (``factories.build_training``)."""
    return factories.build_training(programme)


@pytest.fixture
def organiser(programme, member):
    return member(programme, Membership.Role.ORGANISER)


@pytest.fixture
def facilitator_user(programme, member):
    return member(programme, Membership.Role.FACILITATOR)


# --- Helpers -----------------------------------------------------------------------------------


def demo_build_without_seal_pdfs() -> None:
    """The demo programmes, built as ``demo_data`` does, except that the nine sealed sheets are
    recorded with their PDFs left waiting for a worker (built when someone opens one, as when
    the broker is down). Where the build commits (live server, worker tests) those PDFs would
    otherwise be nine WeasyPrint renderings in the test's set-up, and the tests that use the
    demo never open a sealed sheet (tests/reports/test_seals.py covers them)."""
    from reports import services

    with mock.patch.object(services, "_seal_enqueue", return_value=None):
        demo_build(password=factories.PASSWORD)


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, pages separated by form feeds."""
    reader = PdfReader(io.BytesIO(content))
    return "\f".join(page.extract_text() or "" for page in reader.pages)


def normalise(text: str) -> str:
    """Collapse the spaces a PDF puts anywhere (narrow no-break spaces, line breaks)."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())


def wait_for(predicate, *, timeout: float, interval: float = 0.2, what: str = "a condition"):
    """Poll until ``predicate()`` returns something truthy; return it, or fail after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


# Browser tests (tests/e2e): a phone's viewport, axe-core from the npm registry, logging in.
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}


def login(page, live_server, username, password):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Nom d’utilisateur").or_(page.get_by_label("Nom d'utilisateur")).fill(
        username
    )
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").or_(
        page.get_by_role("button", name="Se connecter")
    ).first.click()
    page.wait_for_load_state("networkidle")


def draw(page, canvas) -> None:
    """A short scribble with the finger (the mouse) in the signing box."""
    # The signing pad listens once the page's scripts have run: a scribble before that is lost
    # and the form is sent without a signature (seen in CI under load).
    page.wait_for_load_state("load")
    box = canvas.bounding_box()
    x, y = box["x"] + 20, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 15, y + (18 if step % 2 else -18), steps=3)
    page.mouse.up()


def log_out(page):
    """Log out from the header, opening its menu first where a phone folds it."""
    # Only once the page's styles apply does the toggle show its real state: before, a desktop
    # page shows it unstyled for an instant and hides it as the click comes.
    page.wait_for_load_state("load")
    toggle = page.locator("[data-menu-toggle]")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false":
        toggle.click()
    page.get_by_role("button", name="Se déconnecter").click()
    # The page's script first sends or forgets what the phone kept offline, then submits the
    # form: wait for the login page the logout leads to, not merely for the network to rest.
    page.wait_for_url(re.compile(r"/login/"))


def axe_violations(page, *, impacts=("serious", "critical"), best_practices=False) -> list[dict]:
    """Run axe-core (WCAG 2.1 A and AA rules) on the page; return the violations found.
    ``best_practices``: also axe's best-practice rules (unique landmarks, one main, headings
    in order...), and every violation whatever its impact."""
    # After a click on a link the next page may be committed but not parsed yet (no <head> to
    # add the script to: seen once in CI): check the page once it has loaded.
    page.wait_for_load_state("load")
    page.add_script_tag(path=str(AXE))
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
    if best_practices:
        tags.append("best-practice")
        impacts = ("minor", "moderate", "serious", "critical")
    result = page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})""",
        tags,
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in impacts
    ]


@pytest.fixture(autouse=True)
def _own_cache(settings, request):
    """Each test counts its throttled attempts in a cache of its own (never Redis: clearing it
    would empty the broker's queues of the worker tests)."""
    settings.CACHES = own_cache(request.node.nodeid)


def own_cache(name: str) -> dict:
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name}
    }
