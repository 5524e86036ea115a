"""``{% offline_bar %}`` and ``{% offline_logout %}``: the sentences offline.js shows about the
changes kept on the phone, translated here and carried by data attributes."""

from django import template
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .. import offline

register = template.Library()

# Sentences that count changes: offline.js picks the form for one or for several (never zero:
# other sentences say so), which is the rule of both French and English for 1 and 2 or more.
COUNTED = {
    "offline": lambda n: ngettext(
        "Offline — %(count)s change waiting", "Offline — %(count)s changes waiting", n
    ),
    "sending": lambda n: ngettext(
        "%(count)s change waiting to be sent…", "%(count)s changes waiting to be sent…", n
    ),
    "conflict": lambda n: ngettext(
        "%(count)s change was not saved: someone else changed the same line (shown below).",
        "%(count)s changes were not saved: someone else changed the same lines (shown below).",
        n,
    ),
    "prepared": lambda n: ngettext(
        "Ready without a connection: %(count)s sheet of this day.",
        "Ready without a connection: %(count)s sheets of this day.",
        n,
    ),
}


def _counted(name: str) -> dict[str, str]:
    return {f"{name}-one": COUNTED[name](1), f"{name}-other": COUNTED[name](2)}


@register.inclusion_tag("sessions/offline_bar.html")
def offline_bar():
    texts = {
        "offline-none": _("Offline — the changes you make are kept on this phone."),
        "synced": _("Synchronised at %(time)s"),
        "prepare-failed": _("The day could not be prepared: connect and try again."),
        "no-storage": _(
            "This phone could not keep the change: keep the page open until the connection "
            "returns, or note it on paper."
        ),
        "kept": _("Your taps are kept on this phone and sent when the connection returns."),
        "needs-connection": _("This needs a connection: try again when you are back online."),
        "reload": _("The waiting changes could not be sent: reload the page, signed in."),
        "signature-waiting": _("Signature waiting to be sent"),
        "signature-saved": _("Signature received"),
        "sign-not-prepared": _(
            "Signing without a connection needs the day prepared beforehand (on the list of "
            "half-days, online). Sign on paper or wait for the connection."
        ),
    }
    for name in COUNTED:
        texts |= _counted(name)
    # The worker's address names the page's language (``cotraining.views.service_worker``).
    worker = f"{reverse('service_worker')}?lang={get_language()}"
    return {"texts": texts, "cache": offline.cache_name(), "worker": worker}


@register.inclusion_tag("sessions/offline_logout.html")
def offline_logout():
    """What offline.js asks before logging out while changes made offline still wait."""

    def warning(n: int) -> str:
        return ngettext(
            "%(count)s attendance change made without a connection has not been sent yet: "
            "logging out now deletes it from this phone. Log out anyway?",
            "%(count)s attendance changes made without a connection have not been sent yet: "
            "logging out now deletes them from this phone. Log out anyway?",
            n,
        )

    return {"logout_url": reverse("logout"), "warning_one": warning(1), "warning_other": warning(2)}
