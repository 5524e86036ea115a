from django.apps import AppConfig


class CotrainingConfig(AppConfig):
    name = "cotraining"
    verbose_name = "cotraining"
