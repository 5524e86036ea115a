"""The attendance sheet's lines, written in Python.

A 500-line sheet rendered line by line through template partials spent most of its time
resolving variables (about 60 nodes a line) and sent 2.5 KB a line. Here each line is one
string built from texts translated once per language, and it carries only what the form needs
without JavaScript: the person, a ``<select>`` of the statuses, the note, the versions the save
checks and the signing link. attendance.js turns each line into the big status buttons, adds
the htmx attributes, the ids and the "saving / offline / failed" messages (sent once, in a
``<template>``): the page with the script looks and works as before.

Every text and attribute value goes through ``_esc`` (``&``, ``<``, ``>`` and ``"``): enough
for text and for double-quoted attributes, and lighter than ``escape``, which also writes
every apostrophe of a city's name as ``&#x27;``. It chains ``str.replace``: ``str.translate``
with a table looks up every character in a dict, some 25 µs a value against 1 µs, and a
500-line sheet escapes about 1,900 values.
"""

from dataclasses import dataclass, field

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import get_current_timezone, localtime
from django.utils.translation import gettext as _

from participants.models import Category
from programmes.translated import per_language

from ..models import AttendanceSignature, AttendanceStatus

register = template.Library()


def _esc(value) -> str:
    return (
        str(value)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
    )


def _time(value, zone=None) -> str:
    """A moment or a time of day as ``H:i`` (the ``time:"H:i"`` filter, in local time);
    ``zone``: the current time zone, when the caller read it once for many lines."""
    if not value:
        return ""
    if hasattr(value, "tzinfo") and hasattr(value, "date"):
        value = value.astimezone(zone) if zone is not None else localtime(value)
    return value.strftime("%H:%M")


@dataclass
class SheetTexts:
    """What the lines say, translated once per language (gettext per line and per text was a
    good part of a long sheet's time; per page, still a tenth of a short one's)."""

    statuses: list[tuple[str, str]]
    labels: dict[str, str]
    categories: dict[str, str]
    not_marked: str = field(default_factory=lambda: _esc(_("Not marked")))
    status: str = field(default_factory=lambda: _esc(_("Status")))
    placeholder: str = field(default_factory=lambda: _esc(_("Note (optional)")))
    sign: str = field(default_factory=lambda: _esc(_("Sign")))
    signed: str = field(default_factory=lambda: _esc(_("Signed")))
    correct: str = field(default_factory=lambda: _esc(_("Correct")))
    note_about: str = field(default_factory=lambda: _("Note about %(name)s"))
    # Sentences with a name or a time in them (formatted, then escaped, per line).
    mark: str = field(default_factory=lambda: _("Mark “%(mark)s”"))
    witnessed: str = field(default_factory=lambda: _("witnessed by %(who)s at %(time)s"))
    signed_on_phone: str = field(default_factory=lambda: _("signed on their phone at %(time)s"))
    signed_at: str = field(default_factory=lambda: _("signed at %(time)s"))
    signed_offline: str = field(
        default_factory=lambda: _("signed offline at %(device)s, received %(received)s")
    )
    arrived: str = field(default_factory=lambda: _("arrived %(time)s"))
    left: str = field(default_factory=lambda: _("left %(time)s"))
    corrected: str = field(default_factory=lambda: _("Corrected: %(status)s (%(reason)s)"))
    saved_at: str = field(default_factory=lambda: _("Saved at %(time)s"))
    marked_by: str = field(default_factory=lambda: _("Marked by %(who)s at %(time)s"))
    _options: dict[str, str] = field(default_factory=dict)

    def options(self, status: str) -> str:
        """The ``<option>``s of a line's status select with ``status`` selected, written once
        per status shown (their end tags left out, as HTML allows: 45 bytes a line)."""
        html = self._options.get(status)
        if html is None:
            html = "" if status in self.labels else f'<option value="">{self.not_marked}'
            html += "".join(
                f'<option value="{value}"{" selected" if value == status else ""}>{label}'
                for value, label in self.statuses
            )
            self._options[status] = html
        return html

    @classmethod
    def now(cls) -> "SheetTexts":
        statuses = [(value, _esc(label)) for value, label in AttendanceStatus.choices]
        return cls(
            statuses=statuses,
            labels=dict(statuses),
            categories={value: _esc(label) for value, label in Category.choices},
        )


@per_language
def _language_texts() -> SheetTexts:
    return SheetTexts.now()


def _texts(context) -> SheetTexts:
    return _language_texts()


def _signature(sig, texts: SheetTexts) -> str:
    if sig.svg:
        # The SVG is rebuilt from the strokes by sessions.signatures, never taken as sent.
        shown = f'{sig.svg}<span class="visually-hidden">{texts.signed}</span>'
    elif sig.mark:
        shown = f"<span>{_esc(texts.mark % {'mark': sig.mark})}</span>"
    else:
        shown = f"<span>{texts.signed}</span>"
    at = _time(sig.signed_at)
    if sig.witness:
        who = sig.witness.get_full_name() or sig.witness.username
        when = texts.witnessed % {"who": who, "time": at}
    elif sig.method == AttendanceSignature.Method.SELF_CHECKIN:
        when = texts.signed_on_phone % {"time": at}
    else:
        when = texts.signed_at % {"time": at}
    offline = ""
    if sig.device_signed_at:
        offline = texts.signed_offline % {
            "device": _time(sig.device_signed_at),
            "received": at,
        }
        offline = f" · <span data-signed-offline>{_esc(offline)}</span>"
    return (
        f'<span class="att-signed">{shown} <span class="small text-body-secondary">'
        f"{_esc(when)}{offline}</span></span>"
    )


@register.simple_tag(takes_context=True)
def signature_html(context, sig) -> SafeString:
    """A trainee's or trainer's signature as the sheet shows it: the drawing or the mark, when
    and before whom, and when it was made offline."""
    return mark_safe(_signature(sig, _texts(context)))  # noqa: S308 - escaped in _signature


def _line_after(view, name: str, texts: SheetTexts, correct_url: str) -> str:
    """After a signature: the arrival or departure time, the corrections, the "Correct" link."""
    line = view.line
    latest = line.latest
    parts = []
    if latest.arrived_at:
        parts.append(texts.arrived % {"time": _time(latest.arrived_at)})
    elif latest.left_at:
        parts.append(texts.left % {"time": _time(latest.left_at)})
    html = "".join(f' <span class="small">{_esc(part)}</span>' for part in parts)
    for row in line.corrections:
        corrected = texts.corrected % {
            "status": row.get_status_display(),
            "reason": row.reason,
        }
        html += f'<br><span class="small">{_esc(corrected)}</span>'
    if correct_url:
        html += (
            f' <a class="btn btn-sm btn-outline-secondary" href="{correct_url}'
            f'{view.row.participant.pk}/">{texts.correct}'
            f'<span class="visually-hidden"> · {name}</span></a>'
        )
    return html


def row_state(view, texts: SheetTexts | None = None, zone=None) -> str:
    """What the line says about its last save, or ``""`` (the script adds its own messages).
    ``texts`` and ``zone``: the language's texts and the time zone, when the caller has them
    (a sheet's 500 lines look them up once)."""
    row = view.row
    if view.error:
        return f'<span class="att-state__error">{_esc(view.error)}</span>'
    texts = texts or _language_texts()
    if view.saved:
        saved = texts.saved_at % {"time": _time(row.recorded_at, zone)}
        return f'<span class="att-state__saved">✓ {_esc(saved)}</span>'
    if row.recorded_by:
        by = texts.marked_by % {
            "who": row.recorded_by,
            "time": _time(row.recorded_at, zone),
        }
        return f'<span class="att-state__by">{_esc(by)}</span>'
    return ""


@register.simple_tag
def sheet_row_state(view) -> SafeString:
    return mark_safe(row_state(view))  # noqa: S308 - escaped in row_state


def _row(
    view, texts: SheetTexts, *, closed: bool, sign_url: str, correct_url: str, oob: bool, zone
):
    row = view.row
    person = row.participant
    pid = person.pk
    full_name = person.full_name
    name = _esc(full_name)
    meta = texts.categories.get(person.category, "")
    if person.city:
        meta += f" · {_esc(person.city)}"
    parts = [
        f'<fieldset class="att-row{" att-row--error" if view.error else ""}" id="row-{pid}"'
        f"{' hx-swap-oob="true"' if oob else ''}><legend>{name} "
        f"<small>{meta}</small></legend>"
    ]
    status = view.status
    if closed:
        label = texts.labels.get(status) or texts.not_marked
        note = f" · {_esc(view.note)}" if view.note else ""
        parts.append(
            f'<p class="mb-1"><span class="att-status-label att-status-label--'
            f'{status or "unrecorded"}">{label}</span>{note}</p>'
        )
    else:
        about = _esc(texts.note_about % {"name": full_name})
        parts.append(
            f'<select name="status_{pid}" aria-label="{texts.status}">{texts.options(status)}'
            f'</select><input name="note_{pid}" value="{_esc(view.note)}" maxlength="500" '
            f'placeholder="{texts.placeholder}" aria-label="{about}">'
            f'<input type="hidden" name="version_{pid}" value="{view.version}">'
        )
        # What the line showed: absent means empty (the form's default), which most lines are.
        if row.status:
            parts.append(f'<input type="hidden" name="seen_status_{pid}" value="{row.status}">')
        if row.note:
            parts.append(f'<input type="hidden" name="seen_note_{pid}" value="{_esc(row.note)}">')
    if view.signature:
        after = _line_after(view, name, texts, "" if closed else correct_url)
        parts.append(f'<div class="att-signature">{_signature(view.signature, texts)}{after}</div>')
    elif not closed:
        parts.append(
            f'<a class="att-sign" href="{sign_url}trainee/{pid}/">{texts.sign}'
            f'<span class="visually-hidden"> · {name}</span></a>'
        )
    state = row_state(view, texts, zone)
    if state:  # the script makes it the line's live region (or adds one, empty until a tap)
        parts.append(f'<p class="att-state">{state}</p>')
    parts.append("</fieldset>\n")
    return "".join(parts)


def _row_options(context) -> dict:
    slot = context["slot"]
    closed = slot.is_closed
    return {
        "closed": closed,
        "sign_url": context.get("sign_url", ""),
        "correct_url": context.get("correct_url", "") if context.get("can_correct") else "",
        "oob": bool(context.get("oob")),
        "zone": get_current_timezone(),
    }


@register.simple_tag(takes_context=True)
def sheet_row(context, view) -> SafeString:
    """One line of the sheet (an htmx answer swaps it in place of the one shown)."""
    row = _row(view, _texts(context), **_row_options(context))
    return mark_safe(row)  # noqa: S308 - every value is escaped in _row


@register.simple_tag(takes_context=True)
def sheet_groups(context, rows) -> SafeString:
    """The sheet's lines under their group's heading (the rows come sorted by group)."""
    texts = _texts(context)
    options = _row_options(context)
    groups: list[tuple[str, list]] = []
    for view in rows:
        if not groups or groups[-1][0] != view.row.group:
            groups.append((view.row.group, []))
        groups[-1][1].append(view)
    html = []
    for number, (group, views) in enumerate(groups, start=1):
        html.append(
            f'<section class="sheet-group mb-3" aria-labelledby="group-{number}">\n'
            f'<h2 class="h6 sheet-group__title" id="group-{number}">{_esc(group)} '
            f'<span class="fw-normal">({len(views)})</span></h2>\n'
        )
        html.extend(_row(view, texts, **options) for view in views)
        html.append("</section>\n")
    return mark_safe("".join(html))  # noqa: S308 - every value is escaped in _row
