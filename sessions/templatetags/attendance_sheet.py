"""The attendance sheet's lines, written in Python: a sheet of 500 people rendered line by line
through the template engine spent most of its time resolving variables (about 60 nodes a line)
and sent 2.5 KB a line, mostly indentation and the same three JavaScript-only messages.

The markup is the one the sheet's CSS, JavaScript and tests know; the texts are translated once
per page (``context.render_context``), not once per line.
"""

from django import template
from django.utils import formats
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _

register = template.Library()


def _time(value) -> str:
    return formats.time_format(template_localtime(value), "H:i") if value else ""


def _texts() -> dict[str, str]:
    return {
        "not_marked": escape(_("Not marked")),
        "placeholder": escape(_("Note (optional)")),
        "sign": escape(_("Sign")),
        "signed": escape(_("Signed")),
    }


def _texts_of(context) -> dict[str, str]:
    texts = context.render_context.get(__name__)
    if texts is None:
        texts = context.render_context[__name__] = _texts()
    return texts


@register.simple_tag
def signature_html(sig) -> str:
    """A trainee's or trainer's signature as the sheet shows it: the drawing, or the mark, and
    when and before whom."""
    if sig.svg:
        shown = mark_safe(  # noqa: S308 - the SVG is rebuilt from strokes by sessions.signatures
            f'{sig.svg}<span class="visually-hidden">{escape(_("Signed"))}</span>'
        )
    elif sig.mark:
        shown = format_html("<span>{}</span>", _("Mark “%(mark)s”") % {"mark": sig.mark})
    else:
        shown = format_html("<span>{}</span>", _("Signed"))
    if sig.witness:
        witness = sig.witness.get_full_name() or sig.witness.username
        when = _("witnessed by %(who)s at %(time)s") % {
            "who": witness,
            "time": _time(sig.signed_at),
        }
    else:
        when = _("signed at %(time)s") % {"time": _time(sig.signed_at)}
    return format_html(
        '<span class="att-signed">{} <span class="small text-body-secondary">{}</span></span>',
        shown,
        when,
    )


def row_state_html(view) -> str:
    """What the line says about its last save (the JavaScript adds its own messages)."""
    row = view.row
    if view.error:
        return format_html('<span class="att-state__error">{}</span>', view.error)
    if view.saved:
        return format_html(
            '<span class="att-state__saved">✓ {}</span>',
            _("Saved at %(time)s") % {"time": _time(row.recorded_at)},
        )
    if row.recorded_by:
        return format_html(
            '<span class="att-state__by">{}</span>',
            _("Marked by %(who)s at %(time)s")
            % {"who": row.recorded_by, "time": _time(row.recorded_at)},
        )
    return ""


@register.simple_tag(takes_context=True)
def sheet_row(context, view) -> str:
    """One line of the sheet: the person, the status buttons (radios of the one form), the
    note, the versions the save checks, the signature and the state of the last save."""
    texts = _texts_of(context)
    slot = context["slot"]
    closed = slot.is_closed
    person = view.row.participant
    pid = str(person.pk)
    name = escape(person.full_name)
    meta = escape(person.get_category_display())
    if person.city_id:
        meta += " · " + escape(str(person.city))
    parts = [
        f'<fieldset class="att-row{" att-row--error" if view.error else ""}" id="row-{pid}" '
        f'data-participant="{pid}"{' hx-swap-oob="true"' if context.get("oob") else ""}'
    ]
    if not closed:
        parts.append(
            f' hx-post="{escape(context["record_url"])}{pid}/" hx-trigger="change" '
            f'hx-params="status_{pid},note_{pid},version_{pid}" hx-swap="none" '
            f'hx-sync="this:queue last"'
        )
    parts.append(
        f'>\n<legend class="att-name">{name} <span class="att-meta">{meta}</span></legend>\n'
    )
    status = view.status
    if closed:
        label = escape(view.row.status_label) or texts["not_marked"]
        note = f" · {escape(view.note)}" if view.note else ""
        parts.append(
            f'<p class="mb-1"><span class="att-status-label att-status-label--'
            f'{status or "unrecorded"}">{label}</span>{note}</p>\n'
        )
    else:
        parts.append('<div class="att-statuses">\n')
        for value, label in context["statuses"]:
            checked = " checked" if status == value else ""
            parts.append(
                f'<input type="radio" class="btn-check" name="status_{pid}" '
                f'id="status-{pid}-{value}" value="{value}"{checked}>'
                f'<label class="btn att-btn att-btn--{value}" for="status-{pid}-{value}">'
                f"{escape(label)}</label>\n"
            )
        about = escape(_("Note about %(name)s") % {"name": person.full_name})
        parts.append(
            f'</div>\n<div class="att-note"><label class="visually-hidden" for="note-{pid}">'
            f'{about}</label><input type="text" class="form-control form-control-sm" '
            f'id="note-{pid}" name="note_{pid}" value="{escape(view.note)}" maxlength="500" '
            f'placeholder="{texts["placeholder"]}"></div>\n'
            f'<input type="hidden" name="version_{pid}" id="version-{pid}" value="{view.version}">'
            f'<input type="hidden" name="seen_status_{pid}" id="seen-status-{pid}" '
            f'value="{view.row.status}"><input type="hidden" name="seen_note_{pid}" '
            f'id="seen-note-{pid}" value="{escape(view.row.note)}">\n'
        )
    if view.signature:
        signature = signature_html(view.signature)
    elif not closed:
        signature = (
            f'<a class="btn btn-outline-primary att-sign" href="'
            f'{escape(context.get("sign_url", ""))}trainee/{pid}/">{texts["sign"]}'
            f'<span class="visually-hidden"> · {name}</span></a>'
        )
    else:
        signature = ""
    parts.append(
        f'<div class="att-signature">{signature}</div>\n'
        f'<p class="att-state mb-0" id="state-{pid}" role="status">{row_state_html(view)}</p>\n'
        "</fieldset>\n"
    )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
