"""The lines of an application's triad table, written in Python: each nominee's line went
through about six hundred template calls (a dozen variables, five ``{% if %}``, a date)."""

from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()

DASH = "—"


@register.simple_tag
def triad_rows(nominees, show_participants: bool) -> SafeString:
    """The ``<tr>`` of each nominee: role, name, position, e-mail, named commitment (and its
    date), and with ``show_participants`` whether they became a participant (an active one)."""
    given, not_given = escape(_("given")), escape(_("not given"))
    yes, inactive = escape(_("yes")), escape(_("inactive"))
    lines = []
    for nominee in nominees:
        if nominee.commitment_given:
            commitment = f'<span class="check check-ok">{given}</span>'
            if nominee.commitment_date:
                commitment += f" {date_format(nominee.commitment_date, 'SHORT_DATE_FORMAT')}"
        else:
            commitment = f'<span class="check check-no">{not_given}</span>'
        participant = ""
        if show_participants:
            # A reverse one-to-one: missing, it raises (an AttributeError), as in a template.
            person = getattr(nominee, "participant", None)
            state = DASH if person is None else (yes if person.is_active else inactive)
            participant = f'\n        <td data-participant="{nominee.pk}">{state}</td>'
        lines.append(
            "<tr>\n"
            f"        <td>{escape(nominee.get_role_display())}</td>\n"
            f'        <th scope="row" class="fw-normal">{escape(nominee.first_name)} '
            f"{escape(nominee.last_name)}</th>\n"
            f"        <td>{escape(nominee.position or DASH)}</td>\n"
            f"        <td>{escape(nominee.email or DASH)}</td>\n"
            f"        <td>{commitment}</td>{participant}\n"
            "      </tr>"
        )
    return mark_safe("\n      ".join(lines))  # noqa: S308 - every value escaped above
