"""Forms of the timetable and the attendance sheets; they validate, the services write."""

import re

from django import forms
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from participants.models import TRIAD_CATEGORIES, Category, Participant, PeerGroup
from programmes.forms.application import validate_scan
from programmes.forms.common import IdChoiceField, ModelForm, date_fields
from programmes.models import BudgetLine, Funding, Organisation

from .models import Activity, AttendanceSignature, AttendanceStatus, Expense, Slot, TrainingDay


class TrainingDayForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = TrainingDay
        fields = ["date", "title", "place"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        date_fields(self, "date")

    def clean_date(self):
        date = self.cleaned_data["date"]
        programme = self.instance.programme
        start, end = programme.start_date, programme.end_date
        if (start and date < start) or (end and date > end):
            if start and end:
                message = _(
                    "A training day falls within the programme's dates: %(start)s to %(end)s."
                )
            elif start:
                message = _("A training day cannot come before the programme starts (%(start)s).")
            else:
                message = _("A training day cannot come after the programme ends (%(end)s).")
            raise forms.ValidationError(
                message,
                params={
                    "start": start and date_format(start, "DATE_FORMAT"),
                    "end": end and date_format(end, "DATE_FORMAT"),
                },
                code="outside_programme",
            )
        taken = TrainingDay.objects.filter(programme=self.instance.programme, date=date)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("This programme already has a training day on this date.")
            )
        return date


class SlotForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Slot
        fields = ["part", "starts_at", "ends_at"]
        widgets = {
            "starts_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "ends_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean_part(self):
        part = self.cleaned_data["part"]
        taken = Slot.objects.filter(day=self.instance.day, part=part)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This day already has this half-day."))
        return part

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and starts >= ends:
            self.add_error("ends_at", _("The half-day must end after it starts."))
        return cleaned


class ActivityForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Activity
        fields = ["kind", "title", "description", "peer_group", "facilitators", "position"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "facilitators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["peer_group"].queryset = PeerGroup.objects.filter(programme=programme)
        self.fields["facilitators"].queryset = Participant.objects.filter(
            programme=programme, category=Category.FACILITATOR, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["facilitators"].help_text = _(
            "Facilitators are added on the participants page."
        )


class RecordForm(forms.Form):
    """One participant's line of a sheet. Its fields are named ``status_<id>``, ``note_<id>`` and
    ``version_<id>`` so that the same names serve a tap (htmx) and the whole-sheet form."""

    status = forms.ChoiceField(
        label=_("Status"),
        choices=AttendanceStatus.choices,
        error_messages={
            "invalid_choice": _("“%(value)s” is not an attendance status."),
            "required": _("Choose a status."),
        },
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    # What the line showed at that version (whole-sheet form only): a line sent back unchanged
    # is not the user's change, so it cannot conflict with someone else's.
    seen_status = forms.CharField(max_length=20, required=False, widget=forms.HiddenInput)
    seen_note = forms.CharField(max_length=500, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, participant_id: int, status_required: bool = True, **kwargs):
        self.participant_id = participant_id
        super().__init__(*args, **kwargs)
        self.fields["status"].required = status_required

    def add_prefix(self, field_name: str) -> str:
        return f"{field_name}_{self.participant_id}"


FIELD_NAME = re.compile(r"^(status|note|version)_(\d+)$")


class SheetForm:
    """The whole sheet as one form: one ``RecordForm`` per line posted (each line carries its
    ``version_<id>``). Unmarked lines are skipped. Whether each person is expected on the sheet
    is checked by the service, which saves nothing when one is not."""

    def __init__(self, data):
        self.data = data
        ids = sorted({int(match.group(2)) for name in data if (match := FIELD_NAME.match(name))})
        self.forms = {
            pid: RecordForm(data, participant_id=pid, status_required=False) for pid in ids
        }
        self.non_field_errors: list[str] = []

    def is_valid(self) -> bool:
        if not self.forms:
            # A sheet always posts a line per person: an empty post is a broken form, not a
            # sheet where nothing changed.
            self.non_field_errors.append(
                str(_("The sheet arrived without any line: nothing was saved. Reload the page."))
            )
            return False
        return all([form.is_valid() for form in self.forms.values()])

    def entries(self) -> list[dict]:
        return [
            {"participant_id": pid, **form.cleaned_data}
            for pid, form in self.forms.items()
            if form.cleaned_data.get("status")
        ]


def time_field(label) -> forms.TimeField:
    """An optional time of day, typed with the phone's time picker."""
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen this sheet?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit trail."),
    )


class SignForm(forms.Form):
    """A signature on the facilitator's device: the drawing (filled in by the signing page's
    script) or a mark witnessed by the facilitator, and the times of a late arrival or an
    early departure."""

    strokes = forms.CharField(required=False, max_length=200_000, widget=forms.HiddenInput)
    as_mark = forms.BooleanField(label=_("Mark instead of signature"), required=False)
    mark = forms.CharField(
        label=_("Initials or a cross"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    arrived_at = time_field(_("Arrived at"))
    left_at = time_field(_("Left at"))


class CheckinForm(forms.Form):
    """A signature on the participant's own phone (self check-in): the drawing only."""

    strokes = forms.CharField(required=False, max_length=200_000, widget=forms.HiddenInput)


class CorrectionForm(forms.Form):
    """A signed line corrected: its status, the arrival or departure time, and why."""

    status = forms.ChoiceField(label=_("Status"), choices=AttendanceStatus.choices)
    arrived_at = time_field(_("Arrived at"))
    left_at = time_field(_("Left at"))
    reason = forms.CharField(label=_("Why this correction?"), max_length=500)


class PaperScanForm(forms.Form):
    scan = forms.FileField(
        label=_("Scan of the sheet signed on paper (PDF or image)"),
        validators=[validate_scan],
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )


class OfflineChangeForm(forms.Form):
    """One change a phone kept while it had no connection (``attendance_sync``)."""

    id = forms.UUIDField()
    participant = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(
        choices=[("tap", "tap"), ("mark_present", "mark_present"), ("signature", "signature")]
    )
    status = forms.ChoiceField(choices=AttendanceStatus.choices, required=False)
    note = forms.CharField(max_length=500, required=False, strip=False)
    version = forms.IntegerField(min_value=0)
    device_time = forms.DateTimeField()
    # A signature: who signs, the drawing (checked by the service) or the mark, and the times.
    role = forms.ChoiceField(choices=AttendanceSignature.Role.choices, required=False)
    strokes = forms.CharField(required=False, max_length=200_000)
    mark = forms.CharField(required=False, max_length=100)
    as_mark = forms.BooleanField(required=False)
    arrived_at = forms.TimeField(required=False)
    left_at = forms.TimeField(required=False)

    def clean(self):
        data = super().clean()
        if data.get("kind") == "tap" and not data.get("status"):
            raise forms.ValidationError(_("Choose a status."), code="required")
        if data.get("kind") == "signature" and not data.get("role"):
            raise forms.ValidationError(_("Unknown signer."), code="required")
        return data


# A phone offline for a whole day of 60 people taps a few hundred times at most.
OFFLINE_CHANGES_MAX = 2000


class ExpenseForm(ModelForm):
    """One expense of a person's training day; the choices are the programme's own."""

    class Meta(ModelForm.Meta):
        model = Expense
        fields = [
            "participant",
            "day",
            "kind",
            "amount",
            "mode",
            "status",
            "payer",
            "budget_line",
            "funding",
            "paid_on",
            "note",
        ]
        widgets = {
            "paid_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.TextInput(),
        }
        help_texts = {
            "mode": _("Book and pay it yourselves whenever you can: nobody should advance money."),
            "funding": _("The funding that pays for it, if one is earmarked (e.g. a grant)."),
        }

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(
            programme=programme, erased_at__isnull=True
        ).order_by(
            # The activists first: the expenses are mostly theirs.
            models.Case(models.When(category=Category.ACTIVIST, then=0), default=1),
            "last_name",
            "first_name",
        )
        self.fields["day"].queryset = TrainingDay.objects.filter(programme=programme)
        self.fields["budget_line"].queryset = BudgetLine.objects.filter(programme=programme)
        self.fields["funding"].queryset = Funding.objects.filter(
            programme=programme
        ).select_related("funder")
        self.fields["payer"].queryset = Organisation.objects.order_by("name")
        self.fields["amount"].widget.attrs.update({"min": "0", "step": "0.01"})
        self.fields["amount"].min_value = 0
        date_fields(self, "paid_on")


class ReplaceForm(ModelForm):
    """Who leaves a triad, who joins it (a participant's own fields, checked as on the
    participant's form), and from which half-day (one whose sheet is still open)."""

    participant = IdChoiceField(
        label=_("Who leaves"), queryset=Participant.objects.none(), empty_label=""
    )
    slot = IdChoiceField(
        label=_("The newcomer is expected from"), queryset=Slot.objects.none(), empty_label=""
    )

    class Meta(ModelForm.Meta):
        model = Participant
        fields = ["first_name", "last_name", "position", "email", "phone"]
        labels = {"first_name": _("First name of the newcomer")}

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, instance=Participant(programme=programme), **kwargs)
        self.order_fields(["participant", "slot"])
        people = (
            Participant.objects.for_programme(programme)
            .filter(category__in=TRIAD_CATEGORIES, is_active=True, erased_at__isnull=True)
            .select_related("city")
            .order_by("city__name", "category", "last_name", "first_name")
        )
        self.fields["participant"].queryset = people
        self.fields["participant"].label_from_instance = lambda person: (
            f"{person.full_name} · {person.get_category_display()} · {person.city}"
        )
        self.fields["slot"].queryset = (
            Slot.objects.filter(day__programme=programme, closed_at__isnull=True)
            .select_related("day")
            .order_by("day__date", "starts_at")
        )

    @property
    def newcomer(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
