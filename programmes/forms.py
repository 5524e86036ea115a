"""Forms of programme set-up, the call, city applications, reviews and decisions.

Forms validate what a person typed and say plainly what is wrong; services do the writing.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    BudgetLine,
    Call,
    CityApplication,
    CityContribution,
    Funding,
    Organisation,
    Programme,
    Review,
    SelectionCriterion,
    TriadNominee,
)
from .selectors import TRIAD_SLOTS
from .services import RESERVED_SLUGS, triad_duplicates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY_ATTRS = {"min": "0", "step": "0.01", "inputmode": "decimal"}


def _money(form: forms.Form, *names: str) -> None:
    for name in names:
        field = form.fields[name]
        field.widget.attrs.update(MONEY_ATTRS)
        field.min_value = 0
        field.validators.append(_not_negative)


def _not_negative(value) -> None:
    if value is not None and value < 0:
        raise ValidationError(_("An amount cannot be negative."), code="negative")


def _not_in_future(value) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")


def _names(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


# Programme set-up ---------------------------------------------------------------------------


class ProgrammeForm(forms.ModelForm):
    new_partners = forms.CharField(
        label=_("Other partners"),
        help_text=_("Partners not in the list above, one per line."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta:
        model = Programme
        fields = [
            "title",
            "slug",
            "summary",
            "objectives",
            "venue",
            "start_date",
            "end_date",
            "planned_days",
            "planned_hours",
            "capacity",
            "status",
            "organiser",
            "partners",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "partners": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "slug": _(
                "Used in the addresses of the programme's pages, e.g. seine-saint-denis-2015. "
                "Left empty, it is made from the title."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["partners"].required = False
        self.fields["organiser"].queryset = Organisation.objects.order_by("name")
        self.fields["partners"].queryset = Organisation.objects.order_by("name")

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(
                _("“%(slug)s” is reserved: choose another short name."),
                params={"slug": slug},
                code="reserved",
            )
        return slug

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The programme cannot end before it starts."))
        for name in ("planned_days", "planned_hours"):
            value = cleaned.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("This cannot be negative."))
        return cleaned

    @property
    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields if name != "partners"}

    @property
    def new_partner_names(self) -> list[str]:
        return _names(self.cleaned_data.get("new_partners", ""))


class FundingForm(forms.ModelForm):
    new_funder = forms.CharField(
        label=_("Or a new funder"),
        help_text=_("If the funder is not in the list, type its name."),
        required=False,
        max_length=200,
    )

    class Meta:
        model = Funding
        fields = [
            "funder",
            "kind",
            "amount_requested",
            "amount_awarded",
            "amount_received",
            "agreement_reference",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funder"].required = False
        self.fields["funder"].queryset = Organisation.objects.order_by("name")
        _money(self, "amount_requested", "amount_awarded", "amount_received")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("funder") and not cleaned.get("new_funder", "").strip():
            self.add_error("funder", _("Choose the funder, or type the name of a new one."))
        awarded, received = cleaned.get("amount_awarded"), cleaned.get("amount_received")
        if awarded is not None and received is not None and received > awarded:
            self.add_error(
                "amount_received", _("The amount received cannot exceed the amount awarded.")
            )
        return cleaned

    def validate_unique(self):
        # The service checks "one line per funder" with a message that names the funder.
        pass

    @property
    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class BudgetLineForm(forms.ModelForm):
    class Meta:
        model = BudgetLine
        fields = [
            "category",
            "label",
            "planned_amount",
            "actual_amount",
            "funding",
            "gap_explanation",
        ]
        widgets = {"gap_explanation": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["funding"].queryset = programme.fundings.select_related("funder")
        _money(self, "planned_amount", "actual_amount")

    @property
    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ContributionForm(forms.ModelForm):
    class Meta:
        model = CityContribution
        fields = [
            "amount_pledged",
            "amount_invoiced",
            "amount_received",
            "invoiced_on",
            "received_on",
            "agreement_reference",
        ]
        widgets = {"invoiced_on": DATE, "received_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _money(self, "amount_pledged", "amount_invoiced", "amount_received")
        for name in ("invoiced_on", "received_on"):
            self.fields[name].validators.append(_not_in_future)

    @property
    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


# The call -----------------------------------------------------------------------------------


class CallForm(forms.ModelForm):
    class Meta:
        model = Call
        fields = [
            "title",
            "opens_on",
            "closes_on",
            "eligibility_terms",
            "required_contribution",
            "places",
        ]
        widgets = {
            "opens_on": DATE,
            "closes_on": DATE,
            "eligibility_terms": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _money(self, "required_contribution")
        self.fields["places"].widget.attrs["min"] = "1"
        self.fields["places"].validators.append(
            MinValueValidator(1, message=_("There must be at least one place."))
        )

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The call cannot close before it opens."))
        return cleaned

    @property
    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CriterionForm(forms.ModelForm):
    class Meta:
        model = SelectionCriterion
        fields = ["label", "description"]
        widgets = {"description": forms.TextInput}


CriterionFormSet = forms.inlineformset_factory(
    Call,
    SelectionCriterion,
    form=CriterionForm,
    extra=1,
    can_delete=True,
    min_num=1,
    validate_min=True,
)

SUGGESTED_CRITERIA = [
    _("Commitment of the triad"),
    _("Motivation"),
    _("Needs of the priority neighbourhoods"),
    _("Capacity to set up the citizens' councils"),
]


def criteria_rows(formset) -> list[dict]:
    """The grid's rows as the service takes them, in the order shown."""
    rows = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        rows.append(
            {
                "instance": form.instance if form.instance.pk else None,
                "label": form.cleaned_data.get("label", ""),
                "description": form.cleaned_data.get("description", ""),
                "delete": form in formset.deleted_forms,
            }
        )
    return rows


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person to invite"))
    city_name = forms.CharField(label=_("City"), max_length=120, required=False)
    message = forms.CharField(
        label=_("Personal message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


# The city's application ---------------------------------------------------------------------

INSEE_CODE = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$",
    _("An INSEE code has five characters, e.g. 93066 (or 2A004 in Corsica)."),
)


class CityChoiceForm(forms.Form):
    """The city an application is for: one already known, or a new one."""

    city = forms.ModelChoiceField(
        label=_("Your city"), queryset=None, required=False, empty_label=_("— choose —")
    )
    new_city_name = forms.CharField(
        label=_("Or, if your city is not in the list: its name"), max_length=120, required=False
    )
    new_city_insee_code = forms.CharField(
        label=_("its INSEE code"), max_length=5, required=False, validators=[INSEE_CODE]
    )
    new_city_departement = forms.CharField(
        label=_("its département (number)"), max_length=3, required=False
    )

    def __init__(self, *args, cities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["city"].queryset = cities

    def clean(self):
        cleaned = super().clean()
        new = [cleaned.get(f"new_city_{part}") for part in ("name", "insee_code", "departement")]
        if cleaned.get("city") and any(new):
            raise ValidationError(
                _("Choose your city in the list or type a new one, not both."), code="both"
            )
        if not cleaned.get("city") and not all(new):
            if "new_city_insee_code" in self.errors:
                return cleaned
            raise ValidationError(
                _("Choose your city in the list, or give its name, INSEE code and département."),
                code="no_city",
            )
        return cleaned

    @property
    def new_city(self) -> dict | None:
        if self.cleaned_data.get("city"):
            return None
        return {
            part: self.cleaned_data[f"new_city_{part}"]
            for part in ("name", "insee_code", "departement")
        }


class CityContactSignUpForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ["username", "first_name", "last_name", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account already uses this e-mail address: log in with it instead."),
                code="email_taken",
            )
        return email

    @property
    def account(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


def validate_pdf(upload) -> None:
    """A commitment letter must be a PDF (checked on its first bytes, not its name) and small."""
    limit = settings.COMMITMENT_LETTER_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("This file is too large (%(size)s): the limit is %(limit)s."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError(
            _("This file is not a PDF. Scan or export the signed letter as a PDF and try again."),
            code="not_pdf",
        )


class ApplicationForm(forms.ModelForm):
    commitment_letter = forms.FileField(
        label=_("Signed commitment letter (PDF)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta:
        model = CityApplication
        fields = [
            "contact_name",
            "contact_email",
            "contact_phone",
            "priority_neighbourhoods",
            "motivation",
            "contribution_pledged",
        ]
        widgets = {
            "priority_neighbourhoods": forms.Textarea(attrs={"rows": 3}),
            "motivation": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "priority_neighbourhoods": _("One neighbourhood per line."),
            "motivation": _(
                "Why the city wants to take part, and what it expects for its citizens' councils."
            ),
        }

    def __init__(self, *args, required_contribution=None, **kwargs):
        super().__init__(*args, **kwargs)
        _money(self, "contribution_pledged")
        if required_contribution is not None:
            self.fields["contribution_pledged"].help_text = _(
                "At least %(amount)s € are required."
            ) % {"amount": required_contribution}
        self.fields["commitment_letter"].help_text = _("Optional. PDF only, %(limit)s at most.") % {
            "limit": filesizeformat(settings.COMMITMENT_LETTER_MAX_BYTES)
        }

    @property
    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    @property
    def letter(self):
        value = self.cleaned_data.get("commitment_letter")
        return value if hasattr(value, "read") else None

    @property
    def remove_letter(self) -> bool:
        return self.cleaned_data.get("commitment_letter") is False


TRIAD_FIELDS = [
    "first_name",
    "last_name",
    "position",
    "email",
    "phone",
    "commitment_given",
    "commitment_date",
]
TRIAD_LEGENDS = {
    "elected": _("Elected official"),
    "professional1": _("City professional"),
    "professional2": _("Second city professional (optional)"),
    "delegate": _("Prefect's delegate"),
}


class TriadMemberForm(forms.ModelForm):
    """One place of the triad; a place left entirely empty means nobody is named yet."""

    class Meta:
        model = TriadNominee
        fields = TRIAD_FIELDS
        widgets = {"commitment_date": DATE}
        labels = {
            "commitment_given": _("Has committed by name to attend every day of the training"),
            "commitment_date": _("Date of the commitment"),
        }

    def __init__(self, *args, legend: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.legend = legend
        for name in TRIAD_FIELDS:
            self.fields[name].required = False
        self.fields["commitment_date"].validators.append(_not_in_future)

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in TRIAD_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if self.is_blank:
            return cleaned
        for name in ("first_name", "last_name"):
            if not (cleaned.get(name) or "").strip():
                self.add_error(name, _("Give this person's first and last name."))
        return cleaned

    def _post_clean(self):
        # The nominee is written by the service; model validation of a blank place is moot.
        pass

    @property
    def row(self) -> dict | None:
        if self.is_blank:
            return None
        return {name: self.cleaned_data.get(name) for name in TRIAD_FIELDS} | {
            "first_name": self.cleaned_data["first_name"].strip(),
            "last_name": self.cleaned_data["last_name"].strip(),
            "position": self.cleaned_data.get("position", "").strip(),
            "email": self.cleaned_data.get("email", "").strip(),
            "phone": self.cleaned_data.get("phone", "").strip(),
            "commitment_given": bool(self.cleaned_data.get("commitment_given")),
        }


class TriadForms:
    """The four places of the triad as one unit: valid when each place is, and nobody twice."""

    def __init__(self, data=None, *, slots: dict):
        self.forms = {
            slot: TriadMemberForm(
                data,
                prefix=slot,
                instance=slots.get(slot) or TriadNominee(role=role),
                legend=TRIAD_LEGENDS[slot],
            )
            for slot, role, _index in TRIAD_SLOTS
        }
        self.errors: list[str] = []

    def __iter__(self):
        return iter(self.forms.values())

    def is_valid(self) -> bool:
        valid = all(form.is_valid() for form in self.forms.values())
        if valid:
            self.errors = triad_duplicates([row for row in self.rows.values() if row])
        return valid and not self.errors

    @property
    def rows(self) -> dict[str, dict | None]:
        return {slot: form.row for slot, form in self.forms.items()}


class WithdrawForm(forms.Form):
    note = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
    confirm = forms.BooleanField(
        label=_("I confirm that the city withdraws its application"),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )


# Review and selection -----------------------------------------------------------------------

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


class AssignReviewersForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
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
        choices=[("", _("All statuses")), *CityApplication.Status.choices],
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

    def values(self) -> dict:
        self.is_valid()  # a field with a bad value is left out of cleaned_data
        data = self.cleaned_data
        return {
            "status": data.get("status", ""),
            "eligibility": data.get("eligibility", ""),
            "search": data.get("q", ""),
            "sort": data.get("sort") or "score",
        }
