"""The lines of the participants list, written in Python.

Rendered through the template, a line was about twenty nodes (each variable resolved, escaped
and filtered) and the lines were half of the page's time; here each is one string, from texts
translated once per language. Every value goes through ``escape``, as the template's autoescape
did, so the page's HTML is the same.
"""

from dataclasses import dataclass, field

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from programmes.text import escaped as escape
from programmes.translated import per_language

from ..models import full_name

register = template.Library()


@dataclass(frozen=True)
class ListTexts:
    """What the lines say, translated once per language."""

    named: str = field(default_factory=lambda: escape(_("named in reports")))
    not_named: str = field(default_factory=lambda: escape(_("not named in reports")))
    photos: str = field(default_factory=lambda: escape(_("photos allowed")))
    no_photos: str = field(default_factory=lambda: escape(_("no photos")))
    inactive: str = field(default_factory=lambda: escape(_("inactive")))
    edit: str = field(default_factory=lambda: escape(_("Edit")))


@per_language
def _language_texts() -> ListTexts:
    return ListTexts()


def _texts(context) -> ListTexts:
    return _language_texts()


def _row(person: dict, texts: ListTexts, *, show_contacts: bool, can_manage: bool) -> str:
    """One person's line (a row of ``participants.selectors.participant_list``)."""
    name = escape(full_name(person["first_name"], person["last_name"]))
    inactive = ""
    if not person["is_active"]:
        inactive = f' <span class="badge text-bg-secondary">{texts.inactive}</span>'
    organisation = escape(person["organisation_name"] or "")
    position = escape(person["position"])
    if organisation and position:
        organisation += ", "
    named = texts.named if person["consent_name_in_reports"] else texts.not_named
    photos = texts.photos if person["consent_photos"] else texts.no_photos
    cells = [
        f'<th scope="row" class="fw-normal">{name}{inactive}</th>',
        f"<td>{escape(person['city_name'] or '—')}</td>",
        f"<td>{organisation}{position}</td>",
        f"<td>{escape(person['peer_group_name'] or '—')}</td>",
        f'<td class="small">{named}<br>{photos}</td>',
    ]
    if show_contacts:
        email, phone = escape(person["email"]), escape(person["phone"])
        contact = f'<a href="mailto:{email}">{email}</a>' if email else ""
        if email and phone:
            contact += "<br>"
        contact += phone or ("" if email else "—")
        cells.append(f'<td class="small">{contact}</td>')
    if can_manage:
        cells.append(
            f'<td><a class="btn btn-sm btn-outline-dark" href="{escape(person["edit_url"])}">'
            f'{texts.edit}<span class="visually-hidden"> {name}</span></a></td>'
        )
    return f'<tr id="p-{int(person["pk"])}">{"".join(cells)}</tr>'


@register.simple_tag(takes_context=True)
def participant_rows(context, people, *, show_contacts: bool, can_manage: bool) -> SafeString:
    """The lines of a section of the list: the name (and "inactive"), city, organisation and
    position, peer group, consents, the contact details when ``show_contacts``, the edit link
    when ``can_manage``."""
    texts = _texts(context)
    rows = "".join(
        _row(person, texts, show_contacts=show_contacts, can_manage=can_manage) for person in people
    )
    return mark_safe(rows)  # noqa: S308 - every value is escaped in _row
