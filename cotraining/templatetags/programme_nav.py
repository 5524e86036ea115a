"""The programme's sub-navigation, showing each user only the pages their roles open."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from programmes.models import Membership
from programmes.permissions import programme_roles

register = template.Library()
Role = Membership.Role

# (url name, label, roles that may open it)
PAGES = [
    ("programme_overview", _("Overview"), set(Role.values)),
    ("programmes:application_list", _("Applications"), {Role.ORGANISER, Role.REVIEWER}),
    ("programmes:selection_board", _("Selection"), {Role.ORGANISER}),
    ("programmes:finances", _("Budget and funding"), {Role.ORGANISER}),
    ("sessions:timetable", _("Timetable"), {Role.ORGANISER, Role.FACILITATOR, Role.REVIEWER}),
    ("participants:participant_list", _("Participants"), {Role.ORGANISER, Role.FACILITATOR}),
    ("sessions:attendance_list", _("Attendance"), {Role.ORGANISER, Role.FACILITATOR}),
    ("sessions:participation", _("Participation"), {Role.ORGANISER, Role.FACILITATOR, Role.FUNDER}),
    ("reports:report_list", _("Reports"), {Role.ORGANISER, Role.FUNDER}),
    ("programmes:team", _("Team"), {Role.ORGANISER}),
]


@register.inclusion_tag("components/programme_nav.html", takes_context=True)
def programme_nav(context, programme, active: str = ""):
    roles = programme_roles(context["request"].user, programme)
    links = []
    for name, label, allowed in PAGES:
        if not roles & allowed:
            continue
        try:
            url = reverse(name, args=[programme.slug])
        except NoReverseMatch:
            continue  # the page is not built yet
        links.append({"url": url, "label": label, "active": name == active})
    return {"links": links, "programme": programme}
