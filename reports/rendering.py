"""HTML to PDF with WeasyPrint: a pure function of the HTML, and a fetcher that reads nothing
but the app's own static files.

Reports are built from data people typed (names, titles, notes). The templates escape it, and
the fetcher makes sure that even markup slipping through could not make WeasyPrint read a file
of the server (``file:///etc/passwd``) or call the network (``http://…``): every URL other than
one of our static files is refused, and WeasyPrint renders the document without it.
"""

import base64
import binascii
import io
import mimetypes
import posixpath
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib import request
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
)
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .pdfbytes import CannotCopy, pdf_concatenate, pdf_cut

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

    def __init__(self) -> None:
        # No handlers: this fetcher never opens a URL. URLFetcher's own would load the
        # system's certificates for HTTPS, 0.17 s of CPU each time a document or a stylesheet
        # is made (a third of what a part of ten certificates costs beyond its pages).
        request.OpenerDirector.__init__(self)
        self._timeout, self._http_headers, self._allowed_protocols = 10, {}, ()
        self._fail_on_errors, self._request = False, None

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
    fetcher = StaticFilesFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[CSS(string=css, url_fetcher=fetcher)] if css else None, **PDF_OPTIONS
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


# --- Tagged PDFs cut and merged -----------------------------------------------------------------
# pypdf copies pages, not the structure tree that makes a PDF tagged (PDF/UA): these functions
# carry it over, with the language, the title and the XMP metadata, so that a file cut from a
# part (a person's certificate) or merged from parts (the whole run) stays as accessible as the
# WeasyPrint rendering it comes from. The cuts and the untagged merge first try the copy as
# bytes of reports.pdfbytes (the same result, many times cheaper); the pypdf copy below serves
# the files it cannot read and the tagged merge.


def _as_list(value) -> list:
    value = value.get_object() if isinstance(value, IndirectObject) else value
    return list(value) if isinstance(value, ArrayObject) else [value]


def _pages_of(element, seen: set[int] | None = None) -> set[int]:
    """The ids of the pages a structure element or its descendants sit on."""
    seen = set() if seen is None else seen
    pages = set()
    obj = element.get_object() if isinstance(element, IndirectObject) else element
    if isinstance(element, IndirectObject):
        if element.idnum in seen:
            return pages
        seen.add(element.idnum)
    if isinstance(obj, DictionaryObject):
        page = obj.get("/Pg")
        if isinstance(page, IndirectObject):
            pages.add(page.idnum)
        if "/K" in obj:
            for kid in _as_list(obj["/K"]):
                pages |= _pages_of(kid, seen)
    return pages


def _top_of(ref: IndirectObject) -> IndirectObject:
    """The ancestor of a structure element that sits right under the document element."""
    while True:
        parent = ref.get_object().get("/P")
        if not isinstance(parent, IndirectObject):
            return ref
        parent_object = parent.get_object()
        if parent_object.get("/Type") == "/StructTreeRoot" or parent_object.get("/S") in (
            "/Document",
            None,
        ):
            return ref
        ref = parent


def _structure(reader: PdfReader, tree: DictionaryObject) -> tuple[list, dict]:
    """The kids of the document element with the pages each sits on, and the parent tree by
    key; worked out once per reader (cutting a part into many files reads it many times)."""
    cached = getattr(reader, "_cotraining_structure", None)
    if cached is not None:
        return cached
    kids = []
    for top in _as_list(tree.get("/K", ArrayObject())):
        top_object = top.get_object()
        if top_object.get("/S") == "/Document":
            kids += _as_list(top_object.get("/K", ArrayObject()))
        else:
            kids.append(top)
    parent_tree = tree.get("/ParentTree")
    entries = _as_list(parent_tree.get_object().get("/Nums", [])) if parent_tree else []
    cached = (
        [(kid, _pages_of(kid)) for kid in kids],
        dict(zip(entries[::2], entries[1::2], strict=True)),
    )
    reader._cotraining_structure = cached
    return cached


class _TaggedWriter:
    """Copies pages of tagged PDFs into one, with the parts of their structure trees."""

    def __init__(self) -> None:
        self.writer = PdfWriter()
        self.tree = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        self.tree_ref = self.writer._add_object(self.tree)
        self.document = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject("/Document"),
                NameObject("/P"): self.tree_ref,
            }
        )
        self.document_ref = self.writer._add_object(self.document)
        self.kids = ArrayObject()
        self.nums = ArrayObject()
        self.first: PdfReader | None = None

    def add(self, reader: PdfReader, numbers: list[int] | None = None) -> None:
        """Add the pages ``numbers`` (all when None) of a PDF, with their tagged content."""
        whole = numbers is None
        numbers = list(range(len(reader.pages))) if numbers is None else numbers
        start = len(self.writer.pages)
        self.writer.append(reader, pages=numbers)
        if self.first is None:
            self.first = reader
        pages = {
            reader.pages[number].indirect_reference.idnum: self.writer.pages[start + offset]
            for offset, number in enumerate(numbers)
        }
        tree = reader.trailer["/Root"].get("/StructTreeRoot")
        if tree is None:
            return
        kids, by_key = _structure(reader, tree.get_object())
        elements: dict[int, IndirectObject] = {}
        for kid, touched in kids:
            if touched & pages.keys() or (not touched and whole):
                self.kids.append(self._copy(kid, self.document_ref, pages, elements))
        for idnum, page in pages.items():
            key = reader.get_object(idnum).get("/StructParents")
            if key is None or key not in by_key:
                continue
            for ref in _as_list(by_key[key]):
                if isinstance(ref, IndirectObject) and ref.idnum not in elements:
                    # WeasyPrint leaves the running headers and footers out of the document's
                    # kids (found only from their page): copied the same way.
                    self._copy(_top_of(ref), self.document_ref, pages, elements)
            new_key = NumberObject(len(self.nums) // 2)
            page[NameObject("/StructParents")] = new_key
            self.nums.append(new_key)
            self.nums.append(
                ArrayObject(
                    elements.get(ref.idnum, NullObject())
                    if isinstance(ref, IndirectObject)
                    else NullObject()
                    for ref in _as_list(by_key[key])
                )
            )

    def _copy(self, value, parent, pages: dict, elements: dict):
        """A copy of a structure element (its parent set to ``parent``) or of a kid of one."""
        if isinstance(value, IndirectObject):
            if value.idnum in elements:
                return elements[value.idnum]
            obj = value.get_object()
            if not isinstance(obj, DictionaryObject):
                return obj.clone(self.writer)
            copy = DictionaryObject()
            ref = self.writer._add_object(copy)
            elements[value.idnum] = ref
            self._fill(copy, obj, ref, parent, pages, elements)
            return ref
        if isinstance(value, DictionaryObject):  # a marked-content or object reference
            copy = DictionaryObject()
            self._fill(copy, value, parent, parent, pages, elements)
            return copy
        if isinstance(value, ArrayObject):
            return ArrayObject(self._copy(kid, parent, pages, elements) for kid in value)
        return value.clone(self.writer)

    def _fill(self, copy, obj, ref, parent, pages: dict, elements: dict) -> None:
        for key, item in obj.items():
            if key == "/P":
                copy[NameObject(key)] = parent
            elif key == "/Pg":
                page = pages.get(item.idnum) if isinstance(item, IndirectObject) else None
                if page is not None:
                    copy[NameObject(key)] = page.indirect_reference
            elif key == "/K":
                copy[NameObject(key)] = self._copy(item, ref, pages, elements)
            elif key == "/Obj":
                continue  # an annotation: pypdf leaves them out of copied pages
            else:
                copy[NameObject(key)] = item.clone(self.writer)

    def output(self) -> bytes:
        writer, first = self.writer, self.first
        self.document[NameObject("/K")] = self.kids
        self.tree[NameObject("/K")] = ArrayObject([self.document_ref])
        self.tree[NameObject("/ParentTree")] = DictionaryObject({NameObject("/Nums"): self.nums})
        self.tree[NameObject("/ParentTreeNextKey")] = NumberObject(len(self.nums) // 2)
        catalog = writer._root_object
        catalog[NameObject("/StructTreeRoot")] = self.tree_ref
        if first is not None:
            source = first.trailer["/Root"]
            for key in ("/Lang", "/MarkInfo", "/ViewerPreferences", "/Metadata"):
                if key in source:
                    catalog[NameObject(key)] = source[key].clone(writer)
            if "/RoleMap" in source.get("/StructTreeRoot", {}):
                role_map = source["/StructTreeRoot"].get_object()["/RoleMap"]
                self.tree[NameObject("/RoleMap")] = role_map.clone(writer)
            writer.add_metadata(
                {key: value for key, value in (first.metadata or {}).items() if key != "/Producer"}
            )
        output = io.BytesIO()
        writer.write(output)
        return output.getvalue()


def pdf_merge(contents: Iterable[bytes], *, tagged: bool = False) -> bytes:
    """The PDFs one after the other in one file, with the first one's language, title and
    metadata; ``tagged``: with their structure trees under one document too. No side effects.

    Untagged by default, copied as bytes one file at a time (``pdfbytes.pdf_concatenate``:
    0.5 s of CPU and a few MB for 500 certificates, where pypdf took 7 s and 220 MB); pypdf
    merges what that cannot read when ``contents`` can be read again (not an iterator).
    ``tagged`` goes through pypdf: for 500 certificates the structure trees cost 289 MB and
    made the file four times larger (pypdf writes no object streams)."""
    if tagged:
        merged = _TaggedWriter()
        for content in contents:
            merged.add(PdfReader(io.BytesIO(content)))
        return merged.output()
    try:
        return pdf_concatenate(contents)
    except CannotCopy:
        if isinstance(contents, Iterator):  # read once already: cannot start over
            raise
    writer, first = PdfWriter(), None
    for content in contents:
        reader = PdfReader(io.BytesIO(content))
        first = first or reader
        writer.append(reader)
    if first is not None:
        source = first.trailer["/Root"]
        for key in ("/Lang", "/ViewerPreferences"):
            if key in source:
                writer._root_object[NameObject(key)] = source[key].clone(writer)
        writer.add_metadata(
            {key: value for key, value in (first.metadata or {}).items() if key != "/Producer"}
        )
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def pdf_pages(content: bytes, ranges: list[tuple[int, int]]) -> list[bytes]:
    """For each range (``first``, ``last``), the pages ``first`` to ``last - 1`` of a PDF as a
    file of their own, tagged as they were (the structure elements on those pages), with its
    language, title and metadata. No side effects.

    Copied as bytes (``pdfbytes.pdf_cut``: 8 ms a certificate, where pypdf took 30 ms, most of
    it reading the whole part again); cut with pypdf when that cannot read the file."""
    files = pdf_cut(content, ranges)
    if files is not None:
        return files
    reader = PdfReader(io.BytesIO(content))
    files = []
    for first, last in ranges:
        cut = _TaggedWriter()
        cut.add(reader, list(range(first, last)))
        files.append(cut.output())
    return files
