"""Forms for people and peer groups; they validate, the services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.forms.common import DATE, ModelForm, WholeFormMixin, date_fields
from programmes.models import City

from .models import TRIAD_CATEGORIES, Participant, PeerGroup, Question, Questionnaire
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


# --- Evaluation ---------------------------------------------------------------------------------

SCALE_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
TEXT_MAX_LENGTH = 1000


class QuestionnaireForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Questionnaire
        fields = ["title", "anonymous"]


class QuestionForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Question
        fields = ["kind", "text", "choices"]
        widgets = {"choices": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        lines = [line.strip() for line in (cleaned.get("choices") or "").splitlines()]
        lines = [line for line in lines if line]
        if kind == Question.Kind.CHOICE and len(lines) < 2:
            self.add_error("choices", _("Give at least two possible answers, one per line."))
        elif kind != Question.Kind.CHOICE:
            cleaned["choices"] = ""
        else:
            cleaned["choices"] = "\n".join(lines)
        return cleaned


class RoundDateForm(forms.Form):
    date = forms.DateField(label=_("Date"), required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self, "date")


class AnswerForm(forms.Form):
    """The questions of a questionnaire as a form; every answer is optional (a person may skip
    a question). ``answers()`` gives ``{question id: value}``."""

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            name = f"q{question.pk}"
            if question.kind == Question.Kind.SCALE:
                field = forms.ChoiceField(
                    label=question.text,
                    choices=SCALE_CHOICES,
                    widget=forms.RadioSelect,
                    required=False,
                    help_text=_("1 = not at all, 5 = completely"),
                )
            elif question.kind == Question.Kind.CHOICE:
                field = forms.ChoiceField(
                    label=question.text,
                    choices=[(c, c) for c in question.choice_list],
                    widget=forms.RadioSelect,
                    required=False,
                )
            else:
                field = forms.CharField(
                    label=question.text,
                    max_length=TEXT_MAX_LENGTH,
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 3}),
                )
            self.fields[name] = field

    def answers(self) -> dict[int, object]:
        values = {}
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.pk}")
            if question.kind == Question.Kind.SCALE and value:
                value = int(value)
            elif isinstance(value, str):
                value = value.strip()
            values[question.pk] = value
        return values
