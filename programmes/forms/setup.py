"""Forms of programme set-up: the programme, funding, budget lines, contributions, the call."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from ..fields import NameFormField
from ..images import image_check
from ..models import (
    BudgetLine,
    Call,
    CityContribution,
    Funding,
    Organisation,
    Programme,
    SelectionCriterion,
)
from ..services import RESERVED_SLUGS
from ..text import one_line
from .common import DATE, ModelForm, date_fields, money_fields, not_in_future


def _names(text: str) -> list[str]:
    return [name for name in (one_line(line) for line in text.splitlines()) if name]


class ProgrammeForm(ModelForm):
    new_partners = forms.CharField(
        label=_("Other partners"),
        help_text=_("Partners not in the list above, one per line."),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    class Meta(ModelForm.Meta):
        model = Programme
        fields = [
            "title",
            "slug",
            "summary",
            "objectives",
            "narrative_fr",
            "narrative_en",
            "venue",
            "start_date",
            "end_date",
            "planned_days",
            "planned_hours",
            "capacity",
            "organiser",
            "partners",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "narrative_fr": forms.Textarea(attrs={"rows": 5, "lang": "fr"}),
            "narrative_en": forms.Textarea(attrs={"rows": 5, "lang": "en"}),
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
        date_fields(self, "start_date", "end_date")
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


class FundingForm(ModelForm):
    new_funder = NameFormField(
        label=_("Or a new funder"),
        help_text=_("If the funder is not in the list, type its name."),
        required=False,
        max_length=200,
    )

    class Meta(ModelForm.Meta):
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
        money_fields(self, "amount_requested", "amount_awarded", "amount_received")

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


class BudgetLineForm(ModelForm):
    class Meta(ModelForm.Meta):
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
        money_fields(self, "planned_amount", "actual_amount")

    @property
    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class ContributionForm(ModelForm):
    class Meta(ModelForm.Meta):
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
        money_fields(self, "amount_pledged", "amount_invoiced", "amount_received")
        date_fields(self, "invoiced_on", "received_on")
        for name in ("invoiced_on", "received_on"):
            self.fields[name].validators.append(not_in_future)

    @property
    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


DEPARTEMENT = re.compile(r"\d{2}|2[AB]|97\d")


class CallForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Call
        fields = [
            "title",
            "opens_on",
            "closes_on",
            "eligibility_terms",
            "required_contribution",
            "places",
            "departements",
        ]
        widgets = {
            "opens_on": DATE,
            "closes_on": DATE,
            "eligibility_terms": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        money_fields(self, "required_contribution")
        date_fields(self, "opens_on", "closes_on")
        self.fields["places"].widget.attrs["min"] = "1"
        self.fields["places"].validators.append(
            MinValueValidator(1, message=_("There must be at least one place."))
        )

    def clean_departements(self) -> str:
        parts = [part.strip().upper() for part in self.cleaned_data["departements"].split(",")]
        parts = [part for part in parts if part]
        wrong = [part for part in parts if not DEPARTEMENT.fullmatch(part)]
        if wrong:
            raise ValidationError(
                _("“%(value)s” is not a département number (e.g. 93, 2A or 971).")
                % {"value": wrong[0]},
                code="departement",
            )
        return ", ".join(dict.fromkeys(parts))

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            self.add_error("closes_on", _("The call cannot close before it opens."))
        return cleaned

    @property
    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CriterionForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = SelectionCriterion
        fields = ["label", "description"]
        widgets = {"description": forms.TextInput}


# A call scores on a handful of criteria; the cap also bounds the work a forged form count asks
# for (Django would otherwise build, validate and render up to 1,000 forms more than max_num).
MAX_CRITERIA = 20

CriterionFormSet = forms.inlineformset_factory(
    Call,
    SelectionCriterion,
    form=CriterionForm,
    extra=1,
    can_delete=True,
    min_num=1,
    validate_min=True,
    max_num=MAX_CRITERIA,
    validate_max=True,
    absolute_max=MAX_CRITERIA,
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
    city_name = NameFormField(label=_("City"), max_length=120, required=False)
    message = forms.CharField(
        label=_("Personal message"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class OrganisationImagesForm(forms.Form):
    """A new logo or signature-and-stamp image (checked by ``image_check``), or removing one."""

    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/svg+xml,.png,.svg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    stamp = forms.FileField(
        label=_("Signature and stamp"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/svg+xml,.png,.svg"}),
    )
    remove_stamp = forms.BooleanField(label=_("Remove the signature and stamp"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = filesizeformat(settings.ORGANISATION_IMAGE_MAX_BYTES)
        for name in ("logo", "stamp"):
            self.fields[name].validators.append(image_check)
            self.fields[name].help_text = _("PNG or SVG, %(limit)s at most.") % {"limit": limit}

    @property
    def new_images(self) -> dict:
        return {
            name: self.cleaned_data[name]
            for name in ("logo", "stamp")
            if self.cleaned_data.get(name)
        }

    @property
    def removed_images(self) -> list[str]:
        return [name for name in ("logo", "stamp") if self.cleaned_data.get(f"remove_{name}")]
