from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ReportRun

DESCRIPTIONS = {
    ReportRun.Kind.ATTENDANCE: _(
        "Every trainee's status on every half-day, totals per half-day, hours attended."
    ),
    ReportRun.Kind.PARTICIPATION: _(
        "Participation rate overall and by category, city, day and half-day; triads; "
        "named commitments; charts."
    ),
    ReportRun.Kind.FUNDER: _(
        "The programme, its participants, hours delivered, participation, funding, budget "
        "and city contributions; the evaluation's results."
    ),
    ReportRun.Kind.CERTIFICATES: _(
        "One attendance certificate per trainee, with the hours attended, ready to sign."
    ),
    ReportRun.Kind.RESEARCH: _(
        "For a partner laboratory: CSV files of participation and evaluation answers with "
        "pseudonymous ids, a data dictionary and the programme's description. Nobody is named."
    ),
}


class ReportRequestForm(forms.Form):
    """The kind of report, and for the organisers which funder a funder report is made for
    (``funders``: the programme's funders; None: the field is left out, a funder gets its own)."""

    kind = forms.ChoiceField(label=_("Report"), widget=forms.RadioSelect)

    def __init__(self, *args, kinds: list[str], funders=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ReportRun.Kind.choices)
        self.fields["kind"].choices = [
            (kind, f"{labels[kind]} — {DESCRIPTIONS[kind]}") for kind in kinds
        ]
        if kinds:
            self.fields["kind"].initial = kinds[0]
        self.funders = {str(funder.pk): funder for funder in funders or []}
        if funders is not None and ReportRun.Kind.FUNDER in kinds:
            self.fields["funder"] = forms.ChoiceField(
                label=_("Funder report made for"),
                required=False,
                choices=[
                    ("", _("Every funder, each agreement in detail (for the organisers)")),
                    *((pk, funder.name) for pk, funder in self.funders.items()),
                ],
                help_text=_(
                    "A funder's report shows its own agreement in detail and the other "
                    "funders' as totals. Only for the funder report."
                ),
            )

    @property
    def chosen_funder(self):
        return self.funders.get(self.cleaned_data.get("funder") or "")


# A sealed sheet of 28 signatures weighs well under 1 MB; anything much bigger is not one.
VERIFY_MAX_BYTES = 10 * 1024 * 1024


class VerifyForm(forms.Form):
    """/verify/: a verification code typed, or a sealed sheet's PDF uploaded."""

    code = forms.CharField(
        label=_("Verification code"),
        max_length=40,
        required=False,
        help_text=_("Printed at the foot of every page of the sheet, for example ABCDE-FGHJK."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    file = forms.FileField(
        label=_("Or the sheet’s PDF file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload and upload.size > VERIFY_MAX_BYTES:
            raise forms.ValidationError(
                _("This file is larger than %(size)d MB: it is not a sealed sheet.")
                % {"size": VERIFY_MAX_BYTES // (1024 * 1024)}
            )
        return upload

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("code", "").strip() and not data.get("file"):
            raise forms.ValidationError(_("Type the code or choose the PDF file."))
        return data
