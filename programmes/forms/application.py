"""Forms of the city's application: the city, the account, the file, the triad, withdrawal."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ..fields import NameFormField
from ..models import (
    CityApplication,
    TriadNominee,
)
from ..selectors import TRIAD_SLOTS
from ..services import triad_duplicates
from .common import DATE, IdChoiceField, ModelForm, date_fields, money_fields, not_in_future

INSEE_CODE = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$",
    _("An INSEE code has five characters, e.g. 93066 (or 2A004 in Corsica)."),
)


class CityChoiceForm(forms.Form):
    """The city an application is for: one already known, or a new one."""

    city = IdChoiceField(
        label=_("Your city"), queryset=None, required=False, empty_label=_("— choose —")
    )
    new_city_name = NameFormField(
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


class CityContactSignUpForm(forms.Form):
    """Who signs up for a city: a name and an e-mail address, which becomes the login name.

    Whether an account already uses the address is never said here: the answer is an e-mail to
    that address (a link to choose a password, or a reminder to log in), so that the sign-up
    does not tell strangers who has an account.
    """

    first_name = NameFormField(label=_("First name"), max_length=150)
    last_name = NameFormField(label=_("Last name"), max_length=150)
    # A login name is at most 150 characters, and the address is the login name.
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=150,
        help_text=_("You will log in with this address; a link to go on is sent to it."),
    )

    @property
    def account(self) -> dict:
        email = self.cleaned_data["email"].strip()
        return {
            "username": email.lower(),
            "email": email,
            "first_name": self.cleaned_data["first_name"].strip(),
            "last_name": self.cleaned_data["last_name"].strip(),
        }


class SignUpPasswordForm(SetPasswordForm):
    """The password of the account the confirmation link creates (checked against the
    person's name and address like any other password)."""


# The first bytes of each kind of file an upload may be (checked on the content, not the name).
FILE_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def upload_kind(upload, *, kinds=("application/pdf",)) -> str:
    """The type of an uploaded file among ``kinds``, read from its first bytes, after checking
    its size against ``COMMITMENT_LETTER_MAX_BYTES`` (a letter and a scanned sheet share the
    rule); ``ValidationError`` otherwise."""
    limit = settings.COMMITMENT_LETTER_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("This file is too large (%(size)s): the limit is %(limit)s."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    for kind in kinds:
        if head.startswith(FILE_SIGNATURES[kind]):
            return kind
    if kinds == ("application/pdf",):
        message = _(
            "This file is not a PDF. Scan or export the signed letter as a PDF and try again."
        )
    else:
        message = _("This file is not a PDF, a PNG or a JPEG image. Scan it again as one.")
    raise ValidationError(message, code="not_pdf")


def validate_pdf(upload) -> None:
    """A commitment letter must be a PDF (checked on its first bytes, not its name) and small."""
    upload_kind(upload)


def validate_scan(upload) -> None:
    """A scanned sheet: a PDF, PNG or JPEG, as small as a letter."""
    upload_kind(upload, kinds=tuple(FILE_SIGNATURES))


class ApplicationForm(ModelForm):
    commitment_letter = forms.FileField(
        label=_("Signed commitment letter (PDF)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    class Meta(ModelForm.Meta):
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
        money_fields(self, "contribution_pledged")
        if required_contribution is not None:
            self.fields["contribution_pledged"].help_text = _(
                "At least %(amount)s € are required."
            ) % {"amount": number_format(required_contribution, 2)}
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


class TriadMemberForm(ModelForm):
    """One place of the triad; a place left entirely empty means nobody is named yet."""

    class Meta(ModelForm.Meta):
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
        self.fields["commitment_date"].validators.append(not_in_future)
        date_fields(self, "commitment_date")

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


class ThreadMessageForm(forms.Form):
    """A message of the "more information" thread, with a document if need be: a PDF checked as
    the commitment letter is (a council's resolution, a signed letter)."""

    body = forms.CharField(
        label=_("Your message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachment = forms.FileField(
        label=_("Attached document (PDF)"),
        required=False,
        validators=[validate_pdf],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachment"].help_text = _("Optional. PDF only, %(limit)s at most.") % {
            "limit": filesizeformat(settings.COMMITMENT_LETTER_MAX_BYTES)
        }
