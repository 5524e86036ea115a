"""HTML to PDF with WeasyPrint: a pure function of the HTML, and a fetcher that reads nothing
but the app's own static files.

Reports are built from data people typed (names, titles, notes). The templates escape it, and
the fetcher makes sure that even markup slipping through could not make WeasyPrint read a file
of the server (``file:///etc/passwd``) or call the network (``http://…``): every URL other than
one of our static files is refused, and WeasyPrint renders the document without it.
"""

import base64
import binascii
import mimetypes
import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Templates link the print stylesheet with {% static %}; a relative URL such as
# "/static/css/print.css" is resolved against this origin, which no network can answer.
ORIGIN = "https://reports.cotraining.invalid"
BASE_URL = f"{ORIGIN}/"
# PDF/UA-1: tagged for screen readers (it costs about 6 % more time than an untagged PDF).
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}


class ResourceRefused(ValueError):
    """A URL the report fetcher does not serve; WeasyPrint logs it and leaves the resource out."""


def static_file_path(name: str) -> Path | None:
    """The file behind a static name, from the collected files or the finders, else None."""
    name = posixpath.normpath(unquote(name)).lstrip("/")
    if name.startswith("..") or "\\" in name or "\x00" in name:
        return None
    try:
        if staticfiles_storage.exists(name):
            return Path(staticfiles_storage.path(name))
    except (NotImplementedError, OSError, ValueError):
        pass  # a remote storage, or a name it refuses: try the app's own folders
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


# Organisation logos and stamps come inline, checked when they were uploaded (programmes.images).
DATA_IMAGE_TYPES = ("image/png", "image/svg+xml")


def _data_image(url: str) -> URLFetcherResponse:
    """A base64 ``data:`` URI of a PNG or an SVG; anything else is refused."""
    header, _comma, payload = url.partition(",")
    content_type = header.removeprefix("data:").removesuffix(";base64")
    if content_type not in DATA_IMAGE_TYPES or not header.endswith(";base64"):
        raise ResourceRefused("Reports take only PNG or SVG images inline")
    try:
        body = base64.b64decode(payload, validate=True)
    except binascii.Error as error:
        raise ResourceRefused("A damaged inline image") from error
    return URLFetcherResponse("data:", body, {"Content-Type": content_type})


class StaticFilesFetcher(URLFetcher):
    """Serves ``<ORIGIN><STATIC_URL>…`` from the app's static files and inline PNG or SVG
    images (``data:`` URIs), and refuses everything else."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return _data_image(url)
        parts = urlsplit(url)
        static_prefix = "/" + settings.STATIC_URL.strip("/") + "/"
        if (
            f"{parts.scheme}://{parts.netloc}" != ORIGIN
            or not parts.path.startswith(static_prefix)
            or parts.query
        ):
            raise ResourceRefused(f"Reports may only use the app's static files, not {url!r}")
        path = static_file_path(parts.path.removeprefix(static_prefix))
        if path is None or not path.is_file():
            raise ResourceRefused(f"No static file at {url!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


@dataclass(frozen=True)
class Pdf:
    content: bytes
    pages: int


def pdf_from_html(html: str, *, on_layout: Callable[[int], None] | None = None) -> Pdf:
    """Lay out the HTML on A4 pages and write a tagged PDF (PDF/UA-1); no side effects.

    ``on_layout`` is called with the page count between the layout and the writing of the PDF,
    the two long steps, so that a caller can report progress.
    """
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render(
        **PDF_OPTIONS
    )
    pages = len(document.pages)
    if on_layout is not None:
        on_layout(pages)
    return Pdf(content=document.write_pdf(**PDF_OPTIONS), pages=pages)


@dataclass(frozen=True)
class PdfInParts(Pdf):
    # For each anchor asked for, in order, the pages (from, to) of its part; a part runs from
    # the page holding its anchor to the page before the next part's.
    ranges: list[tuple[int, int]]


def pdf_in_parts(
    html: str,
    *,
    anchors: list[str],
    css: str = "",
    on_layout: Callable[[int], None] | None = None,
) -> PdfInParts:
    """Like :func:`pdf_from_html`, for a document made of independent parts (one person's
    certificate each), each starting at the element whose id is in ``anchors``: returns the
    pages of each part too, so that a caller can cut one file per part. ``css`` is added to the
    document's own stylesheets. No side effects."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesFetcher()).render(
        stylesheets=[CSS(string=css)] if css else None, **PDF_OPTIONS
    )
    pages = len(document.pages)
    starts = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            starts.setdefault(anchor, number)
    firsts = [starts.get(anchor) for anchor in anchors]
    if None in firsts:
        raise ValueError("A part of the document has no page: its anchor is missing")
    ranges = [
        (first, firsts[index + 1] if index + 1 < len(firsts) else pages)
        for index, first in enumerate(firsts)
    ]
    if on_layout is not None:
        on_layout(pages)
    return PdfInParts(content=document.write_pdf(**PDF_OPTIONS), pages=pages, ranges=ranges)
