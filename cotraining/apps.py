from django.apps import AppConfig
from django.urls import register_converter


class CotrainingConfig(AppConfig):
    name = "cotraining"
    verbose_name = "cotraining"

    def ready(self) -> None:
        from .converters import IdConverter

        # Before any URLconf is read: the apps' urls.py write their ids as ``<id:...>``.
        register_converter(IdConverter, "id")
        from . import audit, signals  # noqa: F401 - signals connects the receivers

        audit.register()
