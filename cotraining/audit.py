"""The sentences of the wiring layer's own actions in the audit trail (see ``programmes.audit``)."""

from django.utils.translation import gettext_lazy

from programmes.audit import describe


def register() -> None:
    describe(
        {
            "login.locked_out": gettext_lazy(
                "Logging in paused for {target} after repeated wrong passwords (address {ip})."
            ),
        }
    )
