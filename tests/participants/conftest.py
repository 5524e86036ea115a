"""The attendance tests' data (a programme with triads, activists, a facilitator and peer
groups) and users, shared with the participants' tests; the browser fixtures for the GDPR
journey (``test_browser.py``)."""

from tests.e2e.conftest import _cookies_over_http, a11y_page, browser, phone_page
from tests.sessions.conftest import facilitator_user, organiser, training

__all__ = [
    "_cookies_over_http",
    "a11y_page",
    "browser",
    "facilitator_user",
    "organiser",
    "phone_page",
    "training",
]
