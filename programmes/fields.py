"""Fields for names and titles: whatever way the text comes in (a form, a service, the admin, the
demo data), it is saved as one line without direction controls (``text.one_line``)."""

from django import forms
from django.db import models

from .text import one_line


class NameFormField(forms.CharField):
    """A form field for a name or a title: cleaned to one line before it is validated, so that
    a name made only of control characters is "required", not saved empty."""

    def to_python(self, value):
        value = super().to_python(value)
        return one_line(value) if isinstance(value, str) else value


class NameField(models.CharField):
    """A name or a title: cleaned to one line when saved and in the forms made from it.

    It is stored as a plain ``CharField`` (it deconstructs as one), so adopting it changes no
    database schema and needs no migration."""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = one_line(value)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": NameFormField, **kwargs})

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
