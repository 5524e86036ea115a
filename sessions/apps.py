from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    """Training days, half-day slots, activities and attendance.

    The label is ``training`` because ``django.contrib.sessions`` owns ``sessions``.
    """

    name = "sessions"
    label = "training"
    verbose_name = _("Training days and attendance")

    def ready(self) -> None:
        from programmes.selectors import finance_section_register

        # ``changes`` connects signal receivers, after ``participants``' (INSTALLED_APPS order).
        from . import audit, changes, selectors  # noqa: F401

        audit.register()
        finance_section_register(
            template="sessions/_finance_expenses.html", build=selectors.programme_expense_costs
        )
