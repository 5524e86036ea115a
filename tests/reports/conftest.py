"""Fixtures of the report tests: an eager Celery outside the worker tests and the demo programme."""

import pytest

from cotraining.celery import app as celery_app
from cotraining.demo import SLUG, demo_build
from programmes.models import Programme
from tests import factories


@pytest.fixture(autouse=True)
def _eager_tasks(request, monkeypatch):
    """Run tasks in-process, even where REDIS_URL is set (CI), except in the worker tests:
    a stray message would otherwise wait in Redis for the next test's worker."""
    if request.node.get_closest_marker("worker") is None:
        monkeypatch.setitem(celery_app.conf, "task_always_eager", True)


@pytest.fixture
def demo(db) -> Programme:
    """The demo programme (Seine-Saint-Denis 2015): 28 trainees, 239 of 252 attendances."""
    demo_build(password=factories.PASSWORD)
    return Programme.objects.get(slug=SLUG)
