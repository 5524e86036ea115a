from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants")

    def ready(self) -> None:
        from . import selection  # noqa: F401  (connects the receivers of programmes' signals)
