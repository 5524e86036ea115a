"""The programme's sub-navigation, showing each user only the pages their rights open.

Each link asks the predicate its page's view checks, so the menu and the pages follow one rule.
"""

import functools

from django import template
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from participants import permissions as participants
from programmes import permissions as programmes
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


@register.inclusion_tag("components/programme_nav.html", takes_context=True)
def programme_nav(context, programme, active: str = ""):
    user = context["request"].user
    links = []
    patterns = _address_patterns(get_script_prefix())
    for (name, label, allowed), (_name, pattern) in zip(PAGES, patterns, strict=True):
        if pattern is None or not allowed(user, programme):
            continue
        url = pattern.replace(_SLUG, programme.slug)
        links.append({"url": url, "label": label, "active": name == active})
    return {"links": links, "programme": programme}
