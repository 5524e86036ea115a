"""What the probes of issue 9 found in review, set-up and application forms, kept fixed: a
reviewer's list leaks no score (item 5), the reviewers form refuses a post without its fields
(item 6), ids out of range are form errors (item 7), names and titles hold no control characters
and no direction controls (items 1, 12), dates are plausible (item 12)."""

import re

import pytest
from django import forms as django_forms
from django.urls import reverse
from django.utils import timezone

from participants import forms as participant_forms
from programmes import forms as programme_forms
from programmes.forms import ProgrammeForm
from programmes.forms.common import IdChoiceField, IdMultipleChoiceField
from programmes.models import CityApplication, Organisation, Programme, ReviewAssignment
from sessions import forms as session_forms
from tests import factories

pytestmark = pytest.mark.django_db
Status = CityApplication.Status
HUGE = "99999999999999999999"


def url(name, *args):
    return reverse(f"programmes:{name}", args=args)


# Item 5: sorting, filtering and counts never use what the user may not see -----------------


def reviewed_by_other(application, reviewer, score):
    review = factories.ReviewFactory(
        application=application, reviewer=reviewer, submitted_at=timezone.now()
    )
    for criterion in application.call.criteria.all():
        factories.ReviewScoreFactory(review=review, criterion=criterion, score=score)


def listed(client, slug, sort="score"):
    page = client.get(url("application_list", slug) + f"?sort={sort}")
    assert page.status_code == 200
    return [int(pk) for pk in re.findall(r'data-application="(\d+)"', page.text)], page.text


@pytest.mark.parametrize("scores", [(1, 5), (5, 1)])
def test_a_reviewer_cannot_infer_the_others_scores_from_the_list(
    client, open_call, people, complete_application, scores
):
    """Whatever the others scored, a reviewer who has not reviewed sees the same list: in the
    order of the names, with no count of reviews."""
    first = complete_application(open_call, city=factories.CityFactory(name="Aubervilliers"))
    second = complete_application(open_call, city=factories.CityFactory(name="Bobigny"))
    for application, score in zip((first, second), scores, strict=True):
        for reviewer in (people.reviewer, people.other_reviewer):
            ReviewAssignment.objects.create(application=application, reviewer=reviewer)
        reviewed_by_other(application, people.other_reviewer, score)

    client.force_login(people.reviewer)
    order, text = listed(client, open_call.programme.slug)
    assert order == [first.pk, second.pk]
    assert '<td class="text-end">1</td>' not in text  # the others' review count

    # The organiser sees (and sorts by) every score.
    client.force_login(people.organiser)
    order, _text = listed(client, open_call.programme.slug)
    best_first = [first.pk, second.pk] if scores[0] > scores[1] else [second.pk, first.pk]
    assert order == best_first


def test_a_reviewer_sees_the_figures_of_what_they_reviewed(
    client, open_call, people, complete_application
):
    low = complete_application(open_call, city=factories.CityFactory(name="Aubervilliers"))
    high = complete_application(open_call, city=factories.CityFactory(name="Bobigny"))
    for application, score in ((low, 1), (high, 5)):
        ReviewAssignment.objects.create(application=application, reviewer=people.reviewer)
        reviewed_by_other(application, people.other_reviewer, score)
    reviewed_by_other(high, people.reviewer, 5)  # reviewed: its figures are visible

    client.force_login(people.reviewer)
    order, text = listed(client, open_call.programme.slug)
    assert order == [high.pk, low.pk]
    assert '<td class="text-end">2</td>' in text
    assert "5,0" in text


# Item 6: the reviewers form ------------------------------------------------------------------


def test_a_post_without_the_reviewers_form_takes_nobody_off(
    client, open_call, people, complete_application
):
    application = complete_application(open_call, status=Status.UNDER_REVIEW)
    ReviewAssignment.objects.create(application=application, reviewer=people.reviewer)
    client.force_login(people.organiser)
    assign = url("application_assign", open_call.programme.slug, application.pk)

    response = client.post(assign, {})
    assert response.status_code == 400
    assert "incomplet" in response.text
    assert list(application.assignments.values_list("reviewer", flat=True)) == [people.reviewer.pk]
    # Shown again with the reviewers on record ticked, not all unticked.
    assert response.context["assign_form"]["reviewers"].value() == [str(people.reviewer.pk)]
    # The form itself, with every box unticked, does take them all off.
    assert client.post(assign, {"whole": "1"}).status_code == 302
    assert not application.assignments.exists()


# Item 7: ids out of range are form errors -----------------------------------------------------


def test_a_huge_reviewer_id_is_a_form_error(client, open_call, people, complete_application):
    application = complete_application(open_call)
    client.force_login(people.organiser)
    response = client.post(
        url("application_assign", open_call.programme.slug, application.pk),
        {"whole": "1", "reviewers": [str(people.reviewer.pk), HUGE]},
    )
    assert response.status_code == 400
    assert not application.assignments.exists()


def programme_post(**overrides):
    return {
        "title": "Co-formation",
        "slug": "",
        "summary": "",
        "objectives": "",
        "venue": "Pierrelaye",
        "start_date": "2015-01-22",
        "end_date": "2015-01-26",
        "planned_days": "4.5",
        "planned_hours": "27",
        "capacity": "7",
        "status": Programme.Status.DRAFT,
        "organiser": "",
        "partners": [],
        "new_partners": "",
        **overrides,
    }


@pytest.mark.parametrize("value", [HUGE, "-1", "9223372036854775808"])
def test_a_huge_partner_or_organiser_id_is_a_form_error(client, programme, member, value):
    partner = factories.OrganisationFactory()
    client.force_login(member(programme, "organiser"))
    edit = url("programme_edit", programme.slug)
    response = client.post(edit, programme_post(partners=[str(partner.pk), value]))
    assert response.status_code == 400
    assert "partners" in response.context["form"].errors
    response = client.post(edit, programme_post(organiser=value))
    assert response.status_code == 400
    assert "organiser" in response.context["form"].errors


def test_every_choice_of_objects_in_our_forms_refuses_ids_out_of_range():
    """Kept fixed: a new form with a plain ModelChoiceField would bring the 500 back."""
    plain = []
    for module in (programme_forms, participant_forms, session_forms):
        for name in dir(module):
            form = getattr(module, name)
            if not (isinstance(form, type) and issubclass(form, django_forms.BaseForm)):
                continue
            for field_name, field in form.base_fields.items():
                if isinstance(field, django_forms.ModelChoiceField) and not isinstance(
                    field, IdChoiceField | IdMultipleChoiceField
                ):
                    plain.append(f"{name}.{field_name}")
    assert plain == []


# Items 1 and 12: names and titles -------------------------------------------------------------


def test_a_programme_title_is_saved_on_one_line_without_direction_controls():
    form = ProgrammeForm(
        programme_post(
            title="Co-formation\r\n\u202eBcc: x",
            venue="Pierre\u2066laye\u2069",
            new_partners="ATD\u202e Quart Monde\nProfession\tBanlieue\n\u200f\n",
        )
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Co-formation Bcc: x"
    assert form.cleaned_data["venue"] == "Pierrelaye"
    assert form.new_partner_names == ["ATD Quart Monde", "Profession Banlieue"]


def test_a_name_made_only_of_controls_is_required_not_saved_empty():
    form = ProgrammeForm(programme_post(title="\u202e\r\n\u2066"))
    assert not form.is_valid()
    assert "title" in form.errors


def test_an_organisation_created_by_a_service_is_cleaned_by_its_model():
    organisation = Organisation.objects.create(name="Préfecture\r\n\u202e93")
    assert organisation.name == "Préfecture 93"


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_programme_dates_with_impossible_years_are_refused(value):
    form = ProgrammeForm(programme_post(start_date=value, end_date="2015-01-26"))
    assert not form.is_valid()
    assert "start_date" in form.errors
