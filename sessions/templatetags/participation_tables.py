"""The participation page's table lines, written in Python.

Rendered through the template, a line of figures resolved a dozen variables and a
``floatformat`` or two: the breakdowns, the triads' half-days and the hundred lines of people
of a large programme took half the page's time. Here each line is one string, from texts
translated once per page and numbers formatted once per value; the markup is the template's.
Every value goes through ``escape`` (:func:`programmes.text.escaped`), as the template's
autoescaping did.
"""

from dataclasses import dataclass, field

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from programmes.numbers import decimal_text
from programmes.text import escaped as escape

register = template.Library()


class _Numbers(dict):
    """Each (value, places) met on the page, written as ``floatformat`` would, once."""

    def __missing__(self, key):
        text = self[key] = decimal_text(*key)
        return text


@dataclass
class _Texts:
    """What the lines say, translated once per page."""

    numbers: _Numbers = field(default_factory=_Numbers)
    nothing: str = field(default_factory=lambda: escape(_("Nothing to show yet.")))
    yes: str = field(default_factory=lambda: escape(_("yes")))
    no: str = field(default_factory=lambda: escape(_("no")))

    def rate(self, rate) -> str:
        """A rate as the tables print it: "95,2 %", "100 %" or a dash when there is none."""
        return "—" if rate is None else f"{self.numbers[rate, -1]} %"


def _texts(context) -> _Texts:
    texts = context.render_context.get(__name__)
    if texts is None:
        texts = context.render_context[__name__] = _Texts()
    return texts


@register.simple_tag(takes_context=True)
def breakdown_lines(context, rows) -> SafeString:
    """The lines of a breakdown (:class:`sessions.selectors.ParticipationRow`): expected,
    attended, excused, absent and the rate."""
    texts = _texts(context)
    if not rows:
        return mark_safe(f'<tr><td colspan="6">{texts.nothing}</td></tr>')  # noqa: S308
    return mark_safe(  # noqa: S308 - every value is escaped or a number
        "".join(
            f'<tr data-key="{escape(row.key)}"><th scope="row" class="fw-normal">'
            f"{escape(row.label)}</th>"
            f'<td class="text-end">{row.expected}</td>'
            f'<td class="text-end">{row.attended}</td>'
            f'<td class="text-end">{row.excused}</td>'
            f'<td class="text-end">{row.absent}</td>'
            f'<td class="text-end" data-rate>{texts.rate(row.rate)}</td></tr>'
            for row in rows
        )
    )


def _triad_cell(cell) -> str:
    complete = cell.complete
    if complete is None:
        return '<td class="text-center triad-cell--none">—</td>'
    if complete:
        return '<td class="text-center triad-cell--complete">✓ 3/3</td>'
    return f'<td class="text-center triad-cell--incomplete">{cell.roles_present}/3</td>'


@register.simple_tag
def triad_lines(rows) -> SafeString:
    """A line per city (:class:`sessions.selectors.TriadCityRow`): its name, a cell per
    half-day (complete, how many roles came, or a dash when not held) and the total."""
    lines = []
    for row in rows:
        city = escape(row.city)
        fielded = ""
        if row.roles_fielded < 3:
            fielded = _("only %(n)s of 3 roles fielded") % {"n": row.roles_fielded}
            fielded = f'<span class="d-block small text-danger-emphasis">{fielded}</span>'
        cells = "".join(_triad_cell(cell) for cell in row.cells)
        lines.append(
            f'<tr data-city="{city}"><th scope="row" class="fw-normal">{city}{fielded}</th>'
            f'{cells}<td class="text-end">{row.halfdays_complete} / {row.halfdays_held}</td>'
            "</tr>"
        )
    return mark_safe("".join(lines))  # noqa: S308 - every value is escaped or a number


def _name(row, show_names: bool) -> str:
    return escape(row.name if show_names else row.public_name)


@register.simple_tag(takes_context=True)
def commitment_lines(context, rows, show_names: bool) -> SafeString:
    """A line per triad member (:class:`sessions.selectors.ParticipantHours`): the named
    commitment given and whether it was kept. A funder reads ``public_name``."""
    texts = _texts(context)
    lines = []
    for row in rows:
        if not row.halfdays_held:
            kept = "—"
        elif row.kept:
            kept = texts.yes
        else:
            missed = row.missed
            kept = ngettext(
                "no, %(counter)s half-day missed", "no, %(counter)s half-days missed", missed
            ) % {"counter": missed}
        lines.append(
            f'<tr><th scope="row" class="fw-normal">{_name(row, show_names)}</th>'
            f"<td>{escape(row.city)}</td><td>{escape(row.category_label)}</td>"
            f"<td>{texts.yes if row.commitment_given else texts.no}</td>"
            f'<td class="text-end">{row.halfdays_attended} / {row.halfdays_held}</td>'
            f"<td>{kept}</td></tr>"
        )
    return mark_safe("".join(lines))  # noqa: S308 - every value is escaped or a number


@register.simple_tag(takes_context=True)
def hours_lines(context, rows, show_names: bool) -> SafeString:
    """A line per trainee (:class:`sessions.selectors.ParticipantHours`): half-days attended
    and excused, hours attended against those held. A funder reads ``public_name``."""
    numbers = _texts(context).numbers
    return mark_safe(  # noqa: S308 - every value is escaped or a number
        "".join(
            f'<tr><th scope="row" class="fw-normal">{_name(row, show_names)}</th>'
            f"<td>{escape(row.category_label)}</td><td>{escape(row.city)}</td>"
            f'<td class="text-end">{row.halfdays_attended} / {row.halfdays_held}</td>'
            f'<td class="text-end">{row.halfdays_excused}</td>'
            f'<td class="text-end">{numbers[row.hours_attended, -2]} / '
            f"{numbers[row.hours_held, -2]}</td></tr>"
            for row in rows
        )
    )
