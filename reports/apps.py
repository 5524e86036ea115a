from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from . import audit, receivers  # noqa: F401  (receivers connect the sheets' signals)

        audit.register()
