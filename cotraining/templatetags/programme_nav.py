"""The programme's sub-navigation, showing each user only the pages their rights open.

Each link asks the predicate its page's view checks, so the menu and the pages follow one rule.
"""

import functools

from django import template
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from participants import permissions as participants
from programmes import permissions as programmes
from programmes.text import escaped
from programmes.translated import per_language
from reports import permissions as reports
from sessions import permissions as sessions

register = template.Library()

# (url name, label, the predicate of the page's view)
PAGES = [
    ("programme_overview", _("Overview"), programmes.can_view_programme),
    ("programmes:call_edit", _("Call"), programmes.can_manage_programme),
    ("programmes:application_list", _("Applications"), programmes.can_view_applications),
    ("programmes:selection_board", _("Selection"), programmes.can_manage_programme),
    ("programmes:finances", _("Budget and funding"), programmes.can_manage_programme),
    ("sessions:timetable", _("Timetable"), sessions.can_view_timetable),
    ("participants:participant_list", _("Participants"), participants.can_view_participants),
    ("sessions:attendance_list", _("Attendance"), sessions.can_record_attendance),
    ("sessions:participation", _("Participation"), sessions.can_view_participation),
    ("participants:evaluation", _("Evaluation"), participants.can_open_evaluation),
    ("sessions:expenses", _("Expenses"), sessions.can_manage_expenses),
    ("programmes:followup_board", _("Follow-up"), programmes.can_view_followup_board),
    ("reports:report_list", _("Reports"), reports.can_view_reports),
    ("programmes:team", _("Team"), programmes.can_manage_programme),
    ("programmes:message_list", _("E-mails"), programmes.can_view_messages),
    ("programmes:journal", _("Journal"), programmes.can_view_journal),
    (
        "programmes:notification_preferences",
        _("Notifications"),
        programmes.can_choose_notifications,
    ),
]


# A slug never holds this text: each page's address is reversed once with it in the slug's
# place, then the programme's slug replaces it (``reverse`` costs more than the rest of the
# menu). The addresses depend only on the URL configuration and the script prefix, both fixed
# for the life of the process.
_SLUG = "--slug--"


@functools.cache
def _address_patterns(prefix: str) -> tuple[tuple[str, str | None], ...]:
    patterns = []
    for name, _label, _allowed in PAGES:
        try:
            patterns.append((name, reverse(name, args=[_SLUG])))
        except NoReverseMatch:
            patterns.append((name, None))  # the page is not built yet
    return tuple(patterns)


@per_language
def _labels() -> tuple[str, tuple[str, ...]]:
    """The menu's name and each page's label, translated and escaped."""
    # escaped() makes each lazy label a text in the active language (escape would keep it lazy).
    labels = tuple(escaped(label) for _name, label, _allowed in PAGES)
    return escaped(_("Programme sections")), labels


@register.simple_tag(takes_context=True)
def programme_nav(context, programme, active: str = "") -> SafeString:
    """The links of the pages ``request.user`` may open; nothing when only one would show.

    Written here rather than by a template (its markup, spaces included, was
    ``components/programme_nav.html``'s): the menu is on every programme page, and a template's
    loop resolved four variables and two conditions per link."""
    user = context["request"].user
    patterns = _address_patterns(get_script_prefix())
    nav_label, labels = _labels()
    slug = programme.slug
    links = []
    for (name, _label, allowed), (_name, pattern), label in zip(
        PAGES, patterns, labels, strict=True
    ):
        if pattern is None or not allowed(user, programme):
            continue
        url = escape(pattern.replace(_SLUG, slug))
        if name == active:
            link = f'<a class="nav-link active" href="{url}" aria-current="page">{label}</a>'
        else:
            link = f'<a class="nav-link" href="{url}">{label}</a>'
        links.append(f'\n    <li class="nav-item">{link}</li>\n    ')
    if len(links) <= 1:
        return SafeString("\n\n")
    # One line on a phone, scrolled sideways (the current page is brought into view by app.js);
    # wrapped on wider screens.
    return SafeString(
        f'\n\n\n\n<nav aria-label="{nav_label}" class="programme-nav">\n'
        '  <ul class="nav nav-pills gap-1 programme-nav__list">\n    '
        f"{''.join(links)}\n  </ul>\n</nav>\n\n"
    )
