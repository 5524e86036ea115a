"""How a person wants to hear about a programme, and the filter of the messages page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import NotificationPreference, OutboxMessage


class NotificationChoiceForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("E-mails about this programme"),
        choices=NotificationPreference.Choice.choices,
        widget=forms.RadioSelect,
        help_text=_("Decisions and invitations are always sent."),
    )


class MessageFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All"))] + OutboxMessage.Status.choices,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
