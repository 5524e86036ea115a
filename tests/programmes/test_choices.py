"""``{{ row|choice_label:"field" }}`` shows what ``row.get_field_display`` shows, for every field
with choices of every model, in both languages."""

from django.apps import apps
from django.template import Context, Template
from django.utils import translation

from programmes.templatetags.choices import choice_label

CHOICE_FIELDS = [
    (model, field)
    for app in ("programmes", "participants", "training", "reports")
    for model in apps.get_app_config(app).get_models()
    for field in model._meta.concrete_fields
    if field.choices
]


def test_there_are_fields_to_check():
    assert len(CHOICE_FIELDS) > 10


def test_choice_label_is_get_display():
    for language in ("fr", "en", "fr"):  # the labels kept for one language serve only it
        _check_every_choice(language)


def _check_every_choice(language):
    with translation.override(language):
        for model, field in CHOICE_FIELDS:
            instance = model()
            for value in [value for value, _label in field.flatchoices] + ["unknown", None]:
                setattr(instance, field.attname, value)
                expected = getattr(instance, f"get_{field.name}_display")()
                assert choice_label(instance, field.name) == expected, (model, field, value)


def test_choice_label_in_a_template_follows_the_language():
    model, field = next((m, f) for m, f in CHOICE_FIELDS if m.__name__ == "BudgetLine")
    instance = model(**{field.attname: field.choices[0][0]})
    template = Template('{% load choices %}{{ line|choice_label:"' + field.name + '" }}')
    for language in ("fr", "en"):
        with translation.override(language):
            rendered = template.render(Context({"line": instance}))
            assert rendered == str(instance.get_category_display())
