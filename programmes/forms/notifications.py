"""How a person wants to hear about a programme, and the filters of the messages page and of
the journal."""

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


class JournalFilterForm(forms.Form):
    """The journal's filters; the choices are what the programme's journal holds."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    person = forms.ChoiceField(
        label=_("Person"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, families, actors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All"))] + list(families)
        self.fields["person"].choices = [("", _("Everyone"))] + list(actors)
