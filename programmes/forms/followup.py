"""Forms of a selected city's follow-up: a commitment of its action plan, a council milestone."""

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..models import ActionItem, CouncilMilestone
from .application import validate_pdf
from .common import DATE, ModelForm, date_fields, not_in_future


class ActionItemForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = ActionItem
        fields = ["title", "owner", "target_date", "done_on"]
        widgets = {"target_date": DATE, "done_on": DATE}
        help_texts = {
            "title": _("What the city committed to do, in a few words."),
            "done_on": _("Leave empty while it is not done."),
        }

    def __init__(self, *args, nominees, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = nominees
        self.fields["owner"].empty_label = _("— nobody yet —")
        self.fields["done_on"].validators.append(not_in_future)
        date_fields(self, "target_date", "done_on")


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_("Step"), choices=CouncilMilestone.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=DATE, validators=[not_in_future])
    note = forms.CharField(
        label=_("Short note"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What happened, in a sentence or two. No names of residents, please."),
    )
    document = forms.FileField(
        label=_("Document (PDF)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self, "date")
        self.fields["document"].help_text = _(
            "Optional: minutes, an invitation... PDF only, %(limit)s at most."
        ) % {"limit": filesizeformat(settings.COMMITMENT_LETTER_MAX_BYTES)}

    @property
    def upload(self):
        value = self.cleaned_data.get("document")
        return value if hasattr(value, "read") else None
