"""``{% offline_bar %}`` and ``{% offline_logout %}``: the sentences offline.js shows about the
changes kept on the phone, translated here and carried by data attributes."""

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from programmes.addresses import fixed_address
from programmes.translated import per_language

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


@per_language
def _bar_attributes() -> str:
    """The bar's sentences as its ``data-`` attributes."""
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
    return "".join(f' data-{name}="{escape(text)}"' for name, text in texts.items())


@register.simple_tag
def offline_bar() -> SafeString:
    """The bar offline.js fills, carrying its sentences, the cache's name and the worker's
    address. Written here, texts translated once per language, rather than by a template
    looping over eighteen sentences on every attendance page."""
    # The worker's address names the page's language (``cotraining.views.service_worker``).
    worker = f"{fixed_address('service_worker')}?lang={get_language()}"
    return SafeString(
        '<div id="offline-bar" class="offline-bar alert mb-3" role="status" aria-live="polite" '
        f'hidden data-cache="{escape(offline.cache_name())}" data-worker="{escape(worker)}"'
        f"{_bar_attributes()}>\n  <span data-offline-text></span>\n</div>\n"
    )


@per_language
def _logout_warnings() -> str:
    def warning(n: int) -> str:
        return ngettext(
            "%(count)s attendance change made without a connection has not been sent yet: "
            "logging out now deletes it from this phone. Log out anyway?",
            "%(count)s attendance changes made without a connection have not been sent yet: "
            "logging out now deletes them from this phone. Log out anyway?",
            n,
        )

    return f'data-warning-one="{escape(warning(1))}" data-warning-other="{escape(warning(2))}"'


@register.simple_tag
def offline_logout() -> SafeString:
    """What offline.js asks before logging out while changes made offline still wait (in the
    frame of every signed-in page: its texts are translated once per language)."""
    return SafeString(
        f'<div id="offline-logout" hidden data-logout-url="{escape(fixed_address("logout"))}" '
        f"{_logout_warnings()}></div>\n"
    )
