"""Fixtures of the report tests: the demo programme (tasks run eagerly outside the worker tests:
see ``tests/conftest.py``)."""

import pytest

from cotraining.demo import SLUG, demo_build
from programmes.models import Programme
from tests import factories


@pytest.fixture
def demo(db) -> Programme:
    """The demo programme (Seine-Saint-Denis 2015): 28 trainees, 239 of 252 attendances."""
    demo_build(password=factories.PASSWORD)
    return Programme.objects.get(slug=SLUG)
