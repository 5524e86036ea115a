"""The applications list's lines and its filters' options, written in Python.

Each line went through about a thousand template calls (three eligibility marks of four
``{% if %}`` each, the figures, the date); here a line is one string built from the texts
translated once per page. Every text and attribute value is escaped (``escape``).
"""

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from programmes.numbers import decimal_text
from programmes.text import escaped as escape

register = template.Library()

DASH = "—"


def _check(key: str, ok: bool, label: str, yes: str, no: str) -> str:
    state = "ok" if ok else "no"
    return (
        f'<span class="check check-{state}" data-check="{key}" '
        f'data-ok="{"true" if ok else "false"}"><span class="visually-hidden">'
        f"{yes if ok else no}: </span>{label}</span>"
    )


@register.simple_tag
def application_rows(rows, is_organiser: bool) -> SafeString:
    """The ``<tr>`` of each ``ApplicationListRow``: the city (a link to its file), the status,
    the three eligibility conditions, the number of reviews, the average score (to organisers,
    and to a reviewer once they reviewed it) and the date submitted."""
    yes, no = escape(_("yes")), escape(_("no"))
    checks = [
        ("triad", escape(_("triad"))),
        ("commitments", escape(_("commitments"))),
        ("contribution", escape(_("contribution"))),
    ]
    after_review = escape(_("after your review"))
    lines = []
    for row in rows:
        marks = "\n          ".join(
            _check(key, getattr(row, field), label, yes, no)
            for (key, label), field in zip(
                checks, ("triad_complete", "commitments_given", "contribution_ok"), strict=True
            )
        )
        if is_organiser or row.reviewed_by_me:
            score = decimal_text(row.average_score, 1) or DASH
        else:
            score = f'<span class="small text-body-secondary">{after_review}</span>'
        count = DASH if row.review_count is None else row.review_count
        submitted = (
            date_format(localtime(row.submitted_at), "SHORT_DATE_FORMAT")
            if row.submitted_at
            else DASH
        )
        lines.append(
            f'<tr data-application="{row.pk}">\n'
            f'        <th scope="row"><a href="{escape(row.detail_url)}">'
            f"{escape(row.city_name)}</a></th>\n"
            f'        <td><span class="status status-{escape(row.status)}">'
            f"{escape(row.status_label)}</span></td>\n"
            f'        <td class="text-nowrap">\n          {marks}\n        </td>\n'
            f'        <td class="text-end">{count}</td>\n'
            f'        <td class="text-end" data-score>{score}</td>\n'
            f"        <td>{submitted}</td>\n"
            f"      </tr>"
        )
    return mark_safe("\n      ".join(lines))  # noqa: S308 - every value escaped above


@register.simple_tag
def select_options(options) -> SafeString:
    """The ``<option>`` of a filter's ``<select>``, from ``(value, label, selected)``
    (``ApplicationFilterForm.options``)."""
    return mark_safe(  # noqa: S308 - values and labels escaped
        "".join(
            f'<option value="{escape(value)}"{" selected" if selected else ""}>'
            f"{escape(label)}</option>"
            for value, label, selected in options
        )
    )
