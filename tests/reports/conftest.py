"""Fixtures of the report tests: the demo programme (tasks run eagerly outside the worker tests:
see ``tests/conftest.py``).

Building the demo takes seconds (two programmes, 28 trainees, 252 attendances, signatures,
money, evaluation): ``demo`` builds it once per module in a transaction that stays open
while that module's tests read it, each test's own savepoint (pytest-django's ``db``) rolling
back what the test changed; the transaction is rolled back when the module is done. A test whose
changes are committed (``transaction=True``: the live server, a real worker) cannot run inside
it and asks for ``demo_committed``, a build of its own."""

import shutil

import pytest
from django.conf import settings as project_settings
from django.db import transaction
from django.test import override_settings
from django.utils import translation

from cotraining.demo import SLUG
from programmes.models import Programme
from tests.conftest import _transactional, demo_build_without_seal_pdfs

SHARED = "_demo_shared"


def pytest_collection_modifyitems(items):
    """In each module, the tests that read the shared demo run after the others, so that no
    other test runs inside its open transaction (nor sees its rows). A stable sort: the order
    stays the written one otherwise."""
    position = {}
    for item in items:
        position.setdefault(getattr(item, "module", None), len(position))
    items.sort(
        key=lambda item: (position[getattr(item, "module", None)], SHARED in item.fixturenames)
    )


@pytest.fixture(scope="module")
def _demo_shared(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, built once for the module's tests that use ``demo``; yields the folder of the
    files it wrote (logos, documents), which each test copies into its own ``MEDIA_ROOT``."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with (
                override_settings(MEDIA_ROOT=media),
                translation.override(project_settings.LANGUAGE_CODE),
            ):
                demo_build_without_seal_pdfs()
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield media
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def demo(request, _demo_shared, db, settings) -> Programme:
    """The demo programme (Seine-Saint-Denis 2015): 28 trainees, 239 of 252 attendances."""
    if _transactional(request):
        pytest.fail("a test whose changes are committed asks for demo_committed, not demo")
    shutil.copytree(_demo_shared, settings.MEDIA_ROOT, dirs_exist_ok=True)
    return Programme.objects.get(slug=SLUG)


@pytest.fixture
def demo_committed(transactional_db) -> Programme:
    """The demo programme, built by the test itself, for tests whose changes are committed."""
    demo_build_without_seal_pdfs()
    return Programme.objects.get(slug=SLUG)
