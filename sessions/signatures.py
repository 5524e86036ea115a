"""The pure part of attendance signatures: strokes checked and drawn as SVG, and the hash chain.

Strokes arrive from signature_pad as ``{"width": w, "height": h, "strokes": [[[x, y, t], ...],
...]}`` (``t``: milliseconds since the first point). The SVG is drawn here from the numbers
only, so it cannot carry markup someone typed.

The chain: each row of a sheet stores ``previous_hash`` (the ``row_hash`` of the row before it
on the same sheet, or ``GENESIS`` for the first) and ``row_hash`` = SHA-256 of the previous
hash followed by the canonical JSON of the row's content. The evidence itself (strokes, image,
mark, device, address) enters the content through its own SHA-256 (``evidence_hash``), so that
erasing a person's evidence leaves the chain verifiable. The head of the chain is the last
``row_hash``; a sheet without signatures has ``GENESIS`` as head.
"""

import hashlib
import json
import math
from dataclasses import dataclass

from django.utils.translation import gettext as _

from programmes.errors import InvalidInput

GENESIS = "0" * 64
MAX_STROKES = 100
MAX_POINTS = 5000  # over all strokes
MAX_SIDE = 4000


def canonical_json(value) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _number(value, *, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError
    if not low <= value <= high:
        raise ValueError
    return round(float(value), 1)


def clean_strokes(raw: str) -> dict:
    """The drawing posted by the signing page, checked and rounded; ``InvalidInput`` when it is
    not a drawing or is empty."""
    try:
        data = json.loads(raw or "null")
        width = _number(data["width"], low=10, high=MAX_SIDE)
        height = _number(data["height"], low=10, high=MAX_SIDE)
        strokes, count = [], 0
        if not isinstance(data["strokes"], list) or len(data["strokes"]) > MAX_STROKES:
            raise ValueError
        for stroke in data["strokes"]:
            if not isinstance(stroke, list) or not stroke:
                raise ValueError
            count += len(stroke)
            if count > MAX_POINTS:
                raise ValueError
            strokes.append(
                [
                    [
                        _number(point[0], low=-10, high=width + 10),
                        _number(point[1], low=-10, high=height + 10),
                        int(_number(point[2], low=0, high=3_600_000)),
                    ]
                    for point in stroke
                ]
            )
    except (ValueError, TypeError, KeyError, IndexError, json.JSONDecodeError):
        raise InvalidInput(
            _("The signature could not be read: sign again."), code="bad_strokes"
        ) from None
    if not strokes:
        raise InvalidInput(_("The signature is empty: sign in the box."), code="empty_strokes")
    return {"width": width, "height": height, "strokes": strokes}


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def strokes_svg(drawing: dict) -> str:
    """An SVG of the drawing: one path per stroke, a dot for a single point."""
    paths = []
    for stroke in drawing["strokes"]:
        x, y = stroke[0][0], stroke[0][1]
        if len(stroke) == 1:
            paths.append(f"M{_fmt(x)} {_fmt(y)}h0.1")
            continue
        line = " ".join(f"{_fmt(p[0])} {_fmt(p[1])}" for p in stroke[1:])
        paths.append(f"M{_fmt(x)} {_fmt(y)}L{line}")
    width, height = _fmt(drawing["width"]), _fmt(drawing["height"])
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'class="signature-svg" role="img" aria-hidden="true">'
        f'<path d="{" ".join(paths)}" fill="none" stroke="#000" stroke-width="2.5" '
        f'stroke-linecap="round" stroke-linejoin="round"/></svg>'
    )


@dataclass(frozen=True)
class Evidence:
    strokes: dict | list
    svg: str
    mark: str
    user_agent: str
    ip_address: str | None
    reason: str = ""

    @property
    def digest(self) -> str:
        content = {
            "strokes": self.strokes,
            "svg": self.svg,
            "mark": self.mark,
            "user_agent": self.user_agent,
            "ip_address": self.ip_address,
        }
        if self.reason:  # only corrections have one; the rows before them hash as they did
            content["reason"] = self.reason
        return sha256(canonical_json(content))


def row_content(row) -> dict:
    """What the hash of a signature row covers (everything but the hashes themselves)."""

    def when(value):
        return value.isoformat() if value else None

    content = {
        "slot": row.slot_id,
        "sequence": row.sequence,
        "participant": row.participant_id,
        "role": row.role,
        "status": row.status,
        "method": row.method,
        "witness": row.witness_id,
        "captured_by": row.captured_by_id,
        "signed_at": when(row.signed_at),
        "arrived_at": when(row.arrived_at),
        "left_at": when(row.left_at),
        "evidence": row.evidence_hash,
    }
    # Only a signature made offline has a device time; the rows before it hash as they did.
    if getattr(row, "device_signed_at", None) is not None:
        content["device_signed_at"] = when(row.device_signed_at)
    return content


def row_hash(previous_hash: str, row) -> str:
    return sha256(previous_hash.encode() + canonical_json(row_content(row)))


@dataclass(frozen=True)
class ChainCheck:
    intact: bool
    head: str
    count: int


def chain_check(rows) -> ChainCheck:
    """Recompute a sheet's chain from its rows (in sequence order): intact when every row's
    hashes and, where the evidence was not erased, its evidence digest are what they say."""
    previous, intact, count = GENESIS, True, 0
    for index, row in enumerate(rows, start=1):
        count += 1
        if row.sequence != index or row.previous_hash != previous:
            intact = False
        if row.row_hash != row_hash(previous, row):
            intact = False
        if row.evidence_erased_at is None:
            evidence = Evidence(
                row.strokes, row.svg, row.mark, row.user_agent, row.ip_address, row.reason
            )
            if evidence.digest != row.evidence_hash:
                intact = False
        previous = row.row_hash
    return ChainCheck(intact=intact, head=previous, count=count)
