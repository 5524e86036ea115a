"""Browser tests: Playwright for Python driving Debian's Chromium against Django's live server."""

import os
import threading
from pathlib import Path

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test.testcases import LiveServerThread
from django.utils import translation

from tests.conftest import PHONE, demo_build_without_seal_pdfs

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by a test
# (creating data, checking results) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class OneRequestAtATimeServer(ThreadedWSGIServer):
    """Django's live server, answering one request at a time when its threads share the test
    database's connection (SQLite in memory: ``connections_override``). A browser asks for
    several things at once (the page, the service worker's copies, a sync) and two threads on
    one SQLite connection fail ("bad parameter or other API misuse"). Each request, not each
    kept-alive connection, holds the lock, so a browser's other connections wait their turn
    instead of waiting for this one to close. On PostgreSQL each thread has its own connection
    and nothing changes."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, connections_override=connections_override, **kwargs)
        self.one_at_a_time = threading.Lock() if connections_override else None

    def set_app(self, application):
        if self.one_at_a_time is None:
            return super().set_app(application)
        lock = self.one_at_a_time

        def one_at_a_time(environ, start_response):
            with lock:
                result = application(environ, start_response)
                try:
                    body = b"".join(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
            return [body]

        return super().set_app(one_at_a_time)


LiveServerThread.server_class = OneRequestAtATimeServer

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}: .ci/run installs it")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _cookies_over_http(settings):
    """The live server speaks plain HTTP: secure cookies would never be sent back."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


def _new_page(browser, viewport, *, bypass_csp=False, locale="fr-FR"):
    context = browser.new_context(viewport=viewport, locale=locale, bypass_csp=bypass_csp)
    page = context.new_page()
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: (
            page.csp_errors.append(msg.text)
            if msg.type == "error" and "Content Security Policy" in msg.text
            else None
        ),
    )
    page.set_default_timeout(20_000)  # two test processes share two cores
    return context, page


@pytest.fixture
def page(browser):
    """A desktop-sized page under the app's real Content Security Policy."""
    context, page = _new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A phone-sized page (390 x 844), under the app's real Content Security Policy."""
    context, page = _new_page(browser, PHONE)
    yield page
    context.close()


@pytest.fixture
def a11y_page(browser):
    """A page whose context lets Playwright inject axe-core (inline script that CSP would block)."""
    context, page = _new_page(browser, PHONE, bypass_csp=True)
    yield page
    context.close()


@pytest.fixture
def demo_pages(live_server):
    """The demo programmes, in French, for tests that read their pages (their sealed sheets'
    PDFs left waiting: ``demo_build_without_seal_pdfs``)."""
    with translation.override("fr"):
        demo_build_without_seal_pdfs()
