"""``{% offline_bar %}``: the bar of the attendance pages that says whether the phone is
offline and how many changes wait, with its sentences translated here for offline.js."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import offline

register = template.Library()


def _forms(singular: str, plural: str) -> tuple[str, str]:
    # offline.js picks the form for one or for several (never zero: another sentence says so),
    # which is the rule of both French and English for 1 and 2 or more.
    return ngettext(singular, plural, 1), ngettext(singular, plural, 2)


@register.inclusion_tag("sessions/offline_bar.html")
def offline_bar():
    offline_one, offline_other = _forms(
        "Offline — %(count)s change waiting", "Offline — %(count)s changes waiting"
    )
    sending_one, sending_other = _forms(
        "%(count)s change waiting to be sent…", "%(count)s changes waiting to be sent…"
    )
    conflict_one, conflict_other = _forms(
        "%(count)s change was not saved: someone else changed the same line (shown below).",
        "%(count)s changes were not saved: someone else changed the same lines (shown below).",
    )
    prepared_one, prepared_other = _forms(
        "Ready without a connection: %(count)s sheet of this day.",
        "Ready without a connection: %(count)s sheets of this day.",
    )
    return {
        "texts": {
            "offline-one": offline_one,
            "offline-other": offline_other,
            "offline-none": _("Offline — the changes you make are kept on this phone."),
            "sending-one": sending_one,
            "sending-other": sending_other,
            "synced": _("Synchronised at %(time)s"),
            "conflict-one": conflict_one,
            "conflict-other": conflict_other,
            "prepared-one": prepared_one,
            "prepared-other": prepared_other,
            "prepare-failed": _("The day could not be prepared: connect and try again."),
            "no-storage": _(
                "This phone could not keep the change: keep the page open until the connection "
                "returns, or note it on paper."
            ),
            "kept": _("Your taps are kept on this phone and sent when the connection returns."),
            "needs-connection": _("This needs a connection: try again when you are back online."),
            "reload": _("The waiting changes could not be sent: reload the page, signed in."),
        },
        "cache": offline.cache_name(),
        "worker": reverse("service_worker"),
    }


@register.inclusion_tag("sessions/offline_logout.html")
def offline_logout():
    """What offline.js asks before logging out while changes made offline still wait."""
    one, other = _forms(
        "%(count)s attendance change made without a connection has not been sent yet: logging "
        "out now deletes it from this phone. Log out anyway?",
        "%(count)s attendance changes made without a connection have not been sent yet: "
        "logging out now deletes them from this phone. Log out anyway?",
    )
    return {"logout_url": reverse("logout"), "warning_one": one, "warning_other": other}
