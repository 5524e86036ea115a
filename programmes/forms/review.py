"""Forms of review and selection: scores, reviewers, questions to the city, decisions, filters."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ..models import (
    CityApplication,
    Review,
)
from .common import IdChoiceField, IdMultipleChoiceField, WholeFormMixin, whole_form_marker

SCORES = [(n, str(n)) for n in range(1, 6)]


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    recommendation = forms.ChoiceField(
        label=_("Recommendation"),
        choices=Review.Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a recommendation.")},
    )

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        scored = {}
        for criterion in self.criteria:
            name = f"score_{criterion.pk}"
            scored[name] = forms.TypedChoiceField(
                label=criterion.label,
                help_text=criterion.description,
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
                error_messages={
                    "required": _("Give a score from 1 to 5."),
                    "invalid_choice": _("Scores go from 1 to 5."),
                },
            )
        # The grid first, then the comment and the recommendation.
        self.fields = scored | dict(self.fields)

    @property
    def scores(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"score_{c.pk}"] for c in self.criteria}


class AssignReviewersForm(WholeFormMixin, forms.Form):
    """The application's reviewers: no box ticked takes them all off, a post without the form's
    marker (not this form) is refused."""

    whole = whole_form_marker()
    reviewers = IdMultipleChoiceField(
        label=_("Who reviews this application"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["reviewers"]
        field.queryset = get_user_model().objects.filter(pk__in=[user.pk for user in choices])
        # Render the labels from the users already loaded, without another query.
        field.choices = [(user.pk, user.get_full_name() or user.get_username()) for user in choices]


class RequestInformationForm(forms.Form):
    message = forms.CharField(
        label=_("What the city should add or explain"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={"required": _("Write the question the city should answer.")},
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (value, label)
            for value, label in CityApplication.Status.choices
            if value in CityApplication.DECISIONS
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose selected, waitlisted or rejected.")},
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    override_reason = forms.CharField(
        label=_("Reason for going beyond the number of places"),
        help_text=_("Needed only to select a city when every place is taken."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=4000,
    )
    expected_status = forms.CharField(widget=forms.HiddenInput, required=False)


class CloseSelectionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Decisions are final and the cities are told by e-mail"),
        error_messages={"required": _("Tick the box to confirm.")},
    )


class ApplicationFilterForm(forms.Form):
    """The list's filters; an unknown value is ignored rather than refused."""

    q = forms.CharField(label=_("City"), required=False, max_length=120)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All statuses")),
            *[
                (value, label)
                for value, label in CityApplication.Status.choices
                if value != "draft"
            ],
        ],
    )
    eligibility = forms.ChoiceField(
        label=_("Eligibility"),
        required=False,
        choices=[
            ("", _("All")),
            ("eligible", _("Eligible")),
            ("ineligible", _("Not eligible")),
            ("triad", _("Triad incomplete")),
            ("commitments", _("Commitments missing")),
            ("contribution", _("Contribution too low")),
        ],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("score", _("Average score")),
            ("name", _("City name")),
            ("date", _("Date submitted")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("status", "eligibility", "sort"):
            self.fields[name].widget.attrs["class"] = "form-select"

    @property
    def options(self) -> dict[str, list[tuple[str, str, bool]]]:
        """Each select's options as (value, label, selected), selected as Django's ``Select``
        marks them, for a page that writes the ``<select>`` itself (a widget rendered through
        its templates costs more than the whole list)."""
        lists = {}
        for name in ("status", "eligibility", "sort"):
            current = self[name].value()
            current = "" if current is None else str(current)
            lists[name] = [
                (str(value), label, str(value) == current)
                for value, label in self.fields[name].choices
            ]
        return lists

    def values(self) -> dict:
        self.is_valid()  # a field with a bad value is left out of cleaned_data
        data = self.cleaned_data
        return {
            "status": data.get("status", ""),
            "eligibility": data.get("eligibility", ""),
            "search": data.get("q", ""),
            "sort": data.get("sort") or "score",
        }


class AccessRequestAnswerForm(forms.Form):
    """An organiser's answer to one request to apply for a city."""

    request = IdChoiceField(queryset=None)
    answer = forms.ChoiceField(choices=[("confirm", _("Confirm")), ("refuse", _("Refuse"))])

    def __init__(self, *args, requests, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = requests.select_related(
            "call__programme", "city", "requester"
        )
