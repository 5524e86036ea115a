"""What the service worker keeps for the attendance sheets to open without a connection: the
pages (the list of half-days, the sheets and their signing pages, plus the dashboard, where the
home-screen icon opens) and the files they need. Read by the worker's view
(``cotraining.views``), by the bar of the attendance pages and by the tests."""

import hashlib
import json
import re

from django.templatetags.static import static
from django.urls import reverse

# The files a sheet needs, kept when the worker is installed.
ASSETS = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "vendor/htmx/htmx.min.js",
    "vendor/idb-keyval/umd.js",
    "css/app.css",
    "css/attendance.css",
    "js/app.js",
    "js/attendance.js",
    "js/offline.js",
    "js/offline_queue.js",
    "js/signature.js",
    "vendor/signature_pad/signature_pad.umd.min.js",
    "img/favicon.svg",
)


def asset_urls() -> list[str]:
    return [static(name) for name in ASSETS]


def cache_name() -> str:
    """One name per set of files: a new release (new hashed file names) starts a new cache
    and the worker deletes the old one."""
    digest = hashlib.sha256(json.dumps(asset_urls()).encode()).hexdigest()[:12]
    return f"cotraining-{digest}"


def kept_pages_pattern() -> str:
    """A regular expression (JavaScript's syntax too) for the paths the worker keeps."""
    placeholder = "SLUG"
    attendance = re.escape(reverse("sessions:attendance_list", args=[placeholder]))
    attendance = attendance.replace(placeholder, "[^/]+")
    # A sheet, and its signing pages (kept when the day is prepared: signing offline).
    sheet = r"(?:\d+/(?:sign/[a-z]+/\d+/)?)?"
    return rf"^(?:{re.escape(reverse('dashboard'))}|{attendance}{sheet})$"


def worker_config(*, fallback: str) -> dict:
    return {
        "cache": cache_name(),
        "assets": asset_urls(),
        "pages": kept_pages_pattern(),
        "static": static(""),
        "scripts": {
            "idb": static("vendor/idb-keyval/umd.js"),
            "queue": static("js/offline_queue.js"),
        },
        "fallback": fallback,
    }
