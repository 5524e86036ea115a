"""Forms for people and peer groups; they validate, the services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.forms.common import ModelForm, WholeFormMixin
from programmes.models import City

from .models import TRIAD_CATEGORIES, Participant, PeerGroup
from .selectors import facilitators


class ParticipantForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Participant
        fields = [
            "category",
            "first_name",
            "last_name",
            "city",
            "organisation",
            "position",
            "email",
            "phone",
            "peer_group",
            "commitment_given",
            "consent_name_in_reports",
            "consent_photos",
            "is_active",
        ]
        help_texts = {
            "email": _("Optional: an activist may have no e-mail or phone here."),
            "last_name": _("Optional: a first name is enough for an activist who prefers it."),
            "city": _("Required for triad members (elected official, professional, delegate)."),
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["peer_group"].queryset = PeerGroup.objects.filter(programme=programme)
        self.fields["city"].queryset = City.objects.order_by("name")
        self.fields["organisation"].queryset = self.fields["organisation"].queryset.order_by("name")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("category") in TRIAD_CATEGORIES and not cleaned.get("city"):
            self.add_error("city", _("A triad member belongs to a city: choose it."))
        return cleaned


class PeerGroupForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = PeerGroup
        fields = ["name", "knowledge", "referent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = facilitators(programme=self.instance.programme)
        self.fields["referent"].help_text = _("A facilitator of the programme.")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        # Compared in Python: SQLite folds the case of ASCII letters only ("élus" vs "Élus").
        others = PeerGroup.objects.filter(programme=self.instance.programme).exclude(
            pk=self.instance.pk
        )
        if name.casefold() in {other.casefold() for other in others.values_list("name", flat=True)}:
            raise forms.ValidationError(_("Another peer group of this programme has this name."))
        return name


class CompositionForm(WholeFormMixin, forms.Form):
    """One choice of group per person (fields ``group_<id>``); only this programme's groups. A
    person whose field is missing is not "in no group": the form is refused."""

    def __init__(self, *args, people, groups, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("No group")), *((str(group.pk), group.name) for group in groups)]
        self.groups = {str(group.pk): group for group in groups}
        self.people = people
        for person in people:
            self.fields[f"group_{person.pk}"] = forms.ChoiceField(
                label=person.full_name,
                choices=choices,
                required=False,
                initial=str(person.peer_group_id or ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )

    def rows(self):
        """(person, bound field) pairs, for a table of the composition."""
        return [(person, self[f"group_{person.pk}"]) for person in self.people]

    def assignments(self) -> dict:
        return {
            person.pk: self.groups.get(self.cleaned_data[f"group_{person.pk}"])
            for person in self.people
        }


class EraseForm(forms.Form):
    """The organiser confirms, knowing it cannot be undone."""

    confirm = forms.BooleanField(
        label=_("I understand that this person's personal data will be erased for good."),
        error_messages={
            "required": _(
                "Nothing was erased: tick the box to confirm that this person's data "
                "should be erased."
            )
        },
    )
