"""Fixtures of the report tests: the demo programme and reading a PDF's text (tasks run eagerly
outside the worker tests: see ``tests/conftest.py``)."""

import io

import pytest
from pypdf import PdfReader

from cotraining.demo import SLUG, demo_build
from programmes.models import Programme
from tests import factories


@pytest.fixture
def demo(db) -> Programme:
    """The demo programme (Seine-Saint-Denis 2015): 28 trainees, 239 of 252 attendances."""
    demo_build(password=factories.PASSWORD)
    return Programme.objects.get(slug=SLUG)


def pdf_text(content: bytes) -> str:
    """The text of every page of a PDF, pages separated by form feeds."""
    reader = PdfReader(io.BytesIO(content))
    return "\f".join(page.extract_text() or "" for page in reader.pages)


def normalise(text: str) -> str:
    """Collapse the spaces a PDF puts anywhere (narrow no-break spaces, line breaks)."""
    return " ".join(text.replace("\u202f", " ").replace("\xa0", " ").split())
