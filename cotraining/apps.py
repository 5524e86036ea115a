from django.apps import AppConfig


class CotrainingConfig(AppConfig):
    name = "cotraining"
    verbose_name = "cotraining"

    def ready(self):
        from . import signals  # noqa: F401 - connects the receivers
