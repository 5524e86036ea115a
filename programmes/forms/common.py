"""What the forms share: date inputs, money fields that refuse negative amounts, past and
plausible dates, choices of objects that refuse ids out of range, forms that must arrive whole."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


MONEY_ATTRS = {"min": "0", "step": "0.01", "inputmode": "decimal"}


def money_fields(form: forms.Form, *names: str) -> None:
    for name in names:
        field = form.fields[name]
        field.widget.attrs.update(MONEY_ATTRS)
        field.min_value = 0
        field.validators.append(not_negative)


def not_negative(value) -> None:
    if value is not None and value < 0:
        raise ValidationError(_("An amount cannot be negative."), code="negative")


def not_in_future(value) -> None:
    if value is not None and value > timezone.localdate():
        raise ValidationError(_("This date is in the future."), code="future")


FIRST_YEAR = 1990  # before any programme this tool could hold
YEARS_AHEAD = 10


def plausible_date(value) -> None:
    """Refuse a date no programme can have (year 0001 or 9999: a slip of the keyboard)."""
    if value is None:
        return
    last_year = timezone.localdate().year + YEARS_AHEAD
    if not FIRST_YEAR <= value.year <= last_year:
        raise ValidationError(
            _("Give a date between %(first)s and %(last)s."),
            params={"first": FIRST_YEAR, "last": last_year},
            code="implausible_date",
        )


def date_fields(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].validators.append(plausible_date)


class IdKeyMixin:
    """A choice of objects that refuses a key the database cannot hold (an id of 20 digits, a
    negative one) as an invalid choice, before any query: SQLite cannot even compare such a
    number, and PostgreSQL would refuse it. The range is the key column's own."""

    def usable_key(self, value) -> bool:
        model = self.queryset.model
        key = self.to_field_name
        field = model._meta.get_field(key) if key else model._meta.pk
        try:
            field.run_validators(field.to_python(value))
        except ValidationError:
            return False
        return True


class IdChoiceField(IdKeyMixin, forms.ModelChoiceField):
    def to_python(self, value):
        if (
            value not in self.empty_values
            and not isinstance(value, self.queryset.model)
            and not self.usable_key(value)
        ):
            raise ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return super().to_python(value)


class IdMultipleChoiceField(IdKeyMixin, forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        for pk in value:
            if not isinstance(pk, self.queryset.model) and not self.usable_key(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


def relation_formfield(db_field, **kwargs):
    """The form field of a model field; relations become choices that refuse ids out of range."""
    if isinstance(db_field, models.ManyToManyField):
        kwargs.setdefault("form_class", IdMultipleChoiceField)
    elif isinstance(db_field, models.ForeignKey):
        kwargs.setdefault("form_class", IdChoiceField)
    return db_field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """The base of our model forms. Their ``Meta`` inherits this one
    (``class Meta(ModelForm.Meta)``) so that relations use ``IdChoiceField`` and
    ``IdMultipleChoiceField``."""

    class Meta:
        formfield_callback = relation_formfield


class WholeFormMixin:
    """A form that sets many things at once (everyone's peer group, an application's reviewers)
    refuses data that lack some of its fields, instead of reading a missing field as "empty": a
    post without the group fields would otherwise take everyone out of their group.

    A field is missing when its widget says so. A checkbox cannot tell "unticked" from "not
    sent", so a form made of checkboxes carries the hidden ``whole`` marker, which can. The form
    is then shown again with the values on record in place of the missing ones."""

    missing_message = _(
        "This form arrived incomplete (the page may be out of date): nothing was saved. "
        "Check the values below and save again."
    )

    def full_clean(self):
        # Here rather than in __init__: forms that make their fields after ``super().__init__``
        # (one per person) have them all by now.
        self.missing_fields = self._missing_fields() if self.is_bound else []
        if self.missing_fields:
            self._fill_from_record(self.missing_fields)
        super().full_clean()
        if self.missing_fields:
            self.add_error(None, ValidationError(self.missing_message, code="incomplete"))

    def _missing_fields(self) -> list[str]:
        return [
            name
            for name, field in self.fields.items()
            if field.widget.value_omitted_from_data(self.data, self.files, self.add_prefix(name))
        ]

    def _fill_from_record(self, names: list[str]) -> None:
        # Checkboxes absent from an incomplete post are filled too: there, absent says nothing.
        names = [
            name for name in self.fields if name in names or self.add_prefix(name) not in self.data
        ]
        data = self.data.copy()
        for name in names:
            initial = self.get_initial_for_field(self.fields[name], name)
            values = initial if isinstance(initial, list | tuple) else [initial]
            values = [str(value) for value in values if value is not None]
            if hasattr(data, "setlist"):
                data.setlist(self.add_prefix(name), values)
            else:
                data[self.add_prefix(name)] = values[0] if values else ""
        self.data = data


def whole_form_marker() -> forms.CharField:
    """The hidden field that tells a form made of checkboxes was sent whole."""
    return forms.CharField(widget=forms.HiddenInput, initial="1", required=False)
