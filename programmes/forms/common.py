"""What the forms share: date inputs, money fields that refuse negative amounts, past dates."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


MONEY_ATTRS = {"min": "0", "step": "0.01", "inputmode": "decimal"}


def money_fields(form: forms.Form, *names: str) -> None:
    for name in names:
        field = form.fields[name]
        field.widget.attrs.update(MONEY_ATTRS)
        field.min_value = 0
        field.validators.append(not_negative)


def not_negative(value) -> None:
    if value is not None and value < 0:
        raise ValidationError(_("An amount cannot be negative."), code="negative")


def not_in_future(value) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")
