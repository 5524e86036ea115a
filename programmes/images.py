"""Organisation images (a logo, a signature-and-stamp): what is accepted, and how a stored image
is handed to a page or a PDF.

An image is accepted when it is small (``ORGANISATION_IMAGE_MAX_BYTES``) and either a PNG that
Pillow can read, of sensible dimensions, or an SVG that can run nothing and fetch nothing: no
script, no event attribute, no ``foreignObject``, no link or style pointing outside the file,
no DOCTYPE (and so no entity). The check reads the bytes, never the name the file came with.
"""

import base64
import io
import re
import secrets
import xml.etree.ElementTree as ET  # noqa: S405 - DOCTYPEs (and so entities) are refused first
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_PIXELS_PER_SIDE = 4096
# Elements that run code, embed another document or load a file.
SVG_FORBIDDEN_ELEMENTS = frozenset(
    {"script", "foreignobject", "iframe", "embed", "object", "audio", "video", "image", "feimage"}
)
# In a style: anything that loads from elsewhere or runs an expression.
STYLE_OUTSIDE = re.compile(r"@import|expression\s*\(|url\s*\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
CONTENT_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@dataclass(frozen=True)
class CheckedImage:
    kind: str  # "png" or "svg"
    content: bytes

    @property
    def extension(self) -> str:
        return self.kind


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].lower()


def _svg_problem(content: bytes) -> str | None:
    """Why this SVG is refused, or None."""
    head = content[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in content.lower() or b"<?xml-stylesheet" in head:
        return _(
            "This SVG file declares a document type or a style sheet: save it again as plain SVG."
        )
    try:
        root = ET.fromstring(content)  # noqa: S314 - no DOCTYPE, so no entity expansion
    except ET.ParseError:
        return _("This file is not a valid SVG image.")
    if root.tag != f"{{{SVG_NAMESPACE}}}svg":
        return _("This file is not a valid SVG image.")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if _local(element.tag) in SVG_FORBIDDEN_ELEMENTS:
            return _("This SVG file contains a script, an embedded document or a linked image.")
        if _local(element.tag) == "style" and STYLE_OUTSIDE.search(element.text or ""):
            return _("This SVG file loads something from outside the file.")
        for name, value in element.attrib.items():
            local = _local(name)
            if local.startswith("on"):
                return _("This SVG file contains a script, an embedded document or a linked image.")
            if local == "href" and not value.strip().startswith("#"):
                return _("This SVG file loads something from outside the file.")
            if "javascript:" in value.lower() or STYLE_OUTSIDE.search(value):
                return _("This SVG file loads something from outside the file.")
    return None


def _png_problem(content: bytes) -> str | None:
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format != "PNG":
                return _("This file is not a PNG or SVG image.")
            width, height = image.size
            if max(width, height) > MAX_PIXELS_PER_SIDE:
                return _("This image is larger than %(pixels)d pixels on a side.") % {
                    "pixels": MAX_PIXELS_PER_SIDE
                }
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return _("This PNG file is damaged or is not an image.")
    return None


def image_check(upload) -> CheckedImage:
    """The uploaded file's bytes and kind, or ``ValidationError`` with a sentence saying what to
    do. Reads at most one byte more than the limit."""
    limit = settings.ORGANISATION_IMAGE_MAX_BYTES
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    if len(content) > limit:
        raise ValidationError(
            _("This image is larger than %(limit)s: make it smaller and try again.")
            % {"limit": filesizeformat(limit)},
            code="too_big",
        )
    if content.startswith(PNG_SIGNATURE):
        kind, problem = "png", _png_problem(content)
    elif b"<svg" in content[:4096]:
        kind, problem = "svg", _svg_problem(content)
    else:
        kind, problem = "", _("This file is not a PNG or SVG image.")
    if problem:
        raise ValidationError(problem, code="bad_image")
    return CheckedImage(kind=kind, content=content)


def organisation_image_path(organisation, filename: str) -> str:
    """One folder per upload with a random part: the media folder is served without a check
    under ``make demo``, so the name must not be guessable."""
    return f"organisations/{organisation.pk}-{secrets.token_urlsafe(12)}/{filename}"


def content_type(name: str) -> str:
    return CONTENT_TYPES["svg" if name.lower().endswith(".svg") else "png"]


def data_uri(field) -> str:
    """A stored image as a ``data:`` URI, for the PDFs (their fetcher reads nothing else);
    empty when there is no file or it is gone."""
    if not field:
        return ""
    try:
        with field.open("rb") as handle:
            content = handle.read(settings.ORGANISATION_IMAGE_MAX_BYTES + 1)
    except OSError:
        return ""
    encoded = base64.b64encode(content).decode("ascii")
    return f"data:{content_type(field.name)};base64,{encoded}"
