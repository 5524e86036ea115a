"""Forms of the team page, of accepting an invitation, and of one's own account."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Organisation, TeamInvitation
from .common import IdChoiceField


class TeamInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        error_messages={"required": _("Give the e-mail address of the person to invite.")},
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=TeamInvitation.Role.choices,
        error_messages={"required": _("Choose a role for the person invited.")},
    )
    organisation = IdChoiceField(
        label=_("Funding body (for a funder)"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— choose —"),
    )
    new_organisation = forms.CharField(
        label=_("Or a funding body not in the list: its name"), max_length=200, required=False
    )
    language = forms.ChoiceField(
        label=_("Language of the invitation"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        for name in ("role", "organisation", "language"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organisation") and cleaned.get("new_organisation", "").strip():
            raise ValidationError(
                _("Choose the funding body in the list or type a new one, not both."),
                code="both",
            )
        return cleaned


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(
        label=_("New role"),
        choices=TeamInvitation.Role.choices,
        error_messages={"required": _("Choose a role of the team.")},
    )
    organisation = IdChoiceField(
        label=_("Funding body (for a funder)"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("— choose —"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")


class TeamSignUpForm(SetPasswordMixin, forms.Form):
    """The account of someone invited: their name and a password; the e-mail is the invited
    one, and it is also what they log in with."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    password1, password2 = SetPasswordMixin.create_password_fields()

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        self.validate_passwords()
        # The password validators compare the password with the person's name and address.
        self.validate_password_for_user(
            get_user_model()(
                username=self.email,
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
        )
        return cleaned


class AccountForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail address"))
    language = forms.ChoiceField(
        label=_("Language of the e-mails you receive"), choices=settings.LANGUAGES
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].widget.attrs["class"] = "form-select"
