"""Bad input on every form: each case answers with a message a person understands."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from programmes import forms
from programmes.models import City
from tests import factories
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db
TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def errors(form) -> str:
    form.is_valid()
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def test_letter_must_start_with_the_pdf_magic_bytes_whatever_its_name(settings):
    settings.COMMITMENT_LETTER_MAX_BYTES = 10_000
    fake = SimpleUploadedFile("lettre.pdf", b"MZ\x90\x00 an executable", "application/pdf")
    form = forms.ApplicationForm({"contribution_pledged": "500"}, {"commitment_letter": fake})
    assert "n’est pas un PDF" in errors(form)
    real = SimpleUploadedFile("scan.bin", PDF_BYTES, "application/octet-stream")
    form = forms.ApplicationForm({"contribution_pledged": "500"}, {"commitment_letter": real})
    assert form.is_valid(), form.errors
    assert form.letter is not None


def test_letter_over_the_limit_is_refused_with_both_sizes(settings):
    settings.COMMITMENT_LETTER_MAX_BYTES = 1024
    big = SimpleUploadedFile("lettre.pdf", PDF_BYTES + b" " * 2000)
    message = errors(
        forms.ApplicationForm({"contribution_pledged": "1"}, {"commitment_letter": big})
    )
    assert "trop volumineux" in message
    assert "1,0" in message  # the limit, in words a person reads


@pytest.mark.parametrize("amount", ["-1", "abc"])
def test_contribution_must_be_a_positive_amount(amount):
    assert errors(forms.ApplicationForm({"contribution_pledged": amount}))


def test_triad_member_needs_both_names_once_anything_is_typed():
    form = forms.TriadMemberForm({"x-position": "Adjointe", "x-commitment_given": "on"}, prefix="x")
    assert "prénom et le nom" in errors(form)
    assert forms.TriadMemberForm({}, prefix="x").is_valid()
    future = forms.TriadMemberForm(
        {"x-first_name": "A", "x-last_name": "B", "x-commitment_date": TOMORROW}, prefix="x"
    )
    assert "futur" in errors(future)


def test_city_choice_is_one_known_city_or_one_new_city(open_call):
    known = factories.CityFactory()
    cities = City.objects.all()
    both = forms.CityChoiceForm(
        {
            "city": known.pk,
            "new_city_name": "X",
            "new_city_insee_code": "93001",
            "new_city_departement": "93",
        },
        cities=cities,
    )
    assert "pas les deux" in errors(both)
    assert "Choisissez votre ville" in errors(forms.CityChoiceForm({}, cities=cities))
    bad_code = forms.CityChoiceForm(
        {"new_city_name": "X", "new_city_insee_code": "ABCDE", "new_city_departement": "93"},
        cities=cities,
    )
    assert "code INSEE" in errors(bad_code)
    corsica = forms.CityChoiceForm(
        {"new_city_name": "Ajaccio", "new_city_insee_code": "2A004", "new_city_departement": "2A"},
        cities=cities,
    )
    assert corsica.is_valid()


def test_call_dates_and_places():
    form = forms.CallForm(
        {
            "title": "Appel",
            "opens_on": "2015-02-01",
            "closes_on": "2015-01-01",
            "required_contribution": "-1",
            "places": "0",
        }
    )
    message = errors(form)
    assert "clore avant de s’ouvrir" in message
    assert "négatif" in message
    assert "au moins une place" in message


def test_funding_needs_a_funder_and_cannot_receive_more_than_awarded():
    form = forms.FundingForm(
        {
            "kind": "state_grant",
            "amount_requested": "10",
            "amount_awarded": "10",
            "amount_received": "20",
        }
    )
    message = errors(form)
    assert "Choisissez le financeur" in message
    assert "ne peut pas dépasser" in message


def test_contribution_dates_cannot_be_in_the_future():
    form = forms.ContributionForm(
        {
            "amount_pledged": "650",
            "amount_invoiced": "650",
            "amount_received": "0",
            "invoiced_on": TOMORROW,
        }
    )
    assert "futur" in errors(form)


def test_programme_cannot_end_before_it_starts():
    form = forms.ProgrammeForm(
        {
            "title": "X",
            "status": "draft",
            "planned_days": "-1",
            "planned_hours": "1",
            "capacity": "1",
            "start_date": "2015-01-26",
            "end_date": "2015-01-22",
        }
    )
    message = errors(form)
    assert "finir avant de commencer" in message
    assert "négati" in message
