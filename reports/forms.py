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
        "and city contributions."
    ),
    ReportRun.Kind.CERTIFICATES: _(
        "One attendance certificate per trainee, with the hours attended, ready to sign."
    ),
}


class ReportRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), widget=forms.RadioSelect)

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ReportRun.Kind.choices)
        self.fields["kind"].choices = [
            (kind, f"{labels[kind]} — {DESCRIPTIONS[kind]}") for kind in kinds
        ]
        if kinds:
            self.fields["kind"].initial = kinds[0]
