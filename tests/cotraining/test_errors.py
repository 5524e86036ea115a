"""One error family: each class says what a refusal means over HTTP, forms show it as it is,
and a refusal no page shows is answered in one place, never as a 500."""

import datetime as dt
from unittest import mock

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from programmes.errors import Conflict, DomainError, InvalidInput, NotFound
from programmes.models import CityApplication, Membership
from tests import factories

pytestmark = pytest.mark.django_db
Role = Membership.Role


def test_each_class_carries_its_http_meaning_and_its_codes():
    assert (InvalidInput("x").status, Conflict("x").status, NotFound("x").status) == (
        400,
        409,
        404,
    )
    several = InvalidInput(["Il manque l’élu.", "Il manque le délégué."], code="incomplete")
    assert several.messages == ["Il manque l’élu.", "Il manque le délégué."]
    assert {item.code for item in several.error_list} == {"incomplete"}
    assert several.code == "incomplete"
    assert Conflict("Déjà fait.").code == "conflict"
    assert "Déjà fait." in str(Conflict("Déjà fait."))

    form = forms.Form(data={})
    form.is_valid()
    form.add_error(None, several)  # a page shows a refusal on its form as it is
    assert form.non_field_errors() == ["Il manque l’élu.", "Il manque le délégué."]
    assert form.has_error(forms.forms.NON_FIELD_ERRORS, "incomplete")


@pytest.fixture
def withdrawal(db):
    """A city's contact on their withdrawal page, whose service will refuse (someone else
    withdrew the file meanwhile, say): the page itself does not catch the refusal."""
    later = timezone.localdate() + dt.timedelta(days=60)
    programme = factories.ProgrammeFactory(
        status="selection", start_date=later, end_date=later + dt.timedelta(days=4)
    )
    application = factories.CityApplicationFactory(
        call__programme=programme, status=CityApplication.Status.SUBMITTED
    )
    contact = factories.UserFactory()
    factories.MembershipFactory(
        programme=programme, user=contact, role=Role.CITY_CONTACT, application=application
    )
    url = reverse("programmes:city_application_withdraw", args=[programme.slug, application.pk])
    return contact, url


def post_refused(client, url, error, **headers):
    with (
        mock.patch("programmes.services.application_withdraw", side_effect=error),
        translation.override("fr"),
    ):
        return client.post(url, {"note": "", "confirm": "on"}, **headers)


def test_a_refusal_goes_back_to_the_page_the_person_came_from(client, withdrawal):
    contact, url = withdrawal
    client.force_login(contact)
    came_from = "http://testserver/apply/somewhere/?tab=2"
    response = post_refused(client, url, Conflict("Retirée entre-temps."), HTTP_REFERER=came_from)
    assert (response.status_code, response.url) == (302, came_from)
    messages = [str(message) for message in response.wsgi_request._messages]
    assert messages == ["Retirée entre-temps."]


def test_without_a_page_to_go_back_to_the_refusal_is_its_own_status(client, withdrawal):
    contact, url = withdrawal
    client.force_login(contact)
    elsewhere = "https://evil.example.org/"
    response = post_refused(client, url, Conflict("Retirée entre-temps."), HTTP_REFERER=elsewhere)
    assert response.status_code == 409
    assert "Retirée entre-temps." in response.text
    assert "Rien n’a été modifié" in response.text
    response = post_refused(client, url, InvalidInput("Note illisible."))
    assert response.status_code == 400


def test_htmx_goes_back_as_a_whole_page_and_not_found_is_a_404(client, withdrawal):
    contact, url = withdrawal
    client.force_login(contact)
    response = post_refused(
        client,
        url,
        Conflict("Retirée entre-temps."),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/apply/x/",
    )
    assert (response.status_code, response["HX-Redirect"]) == (200, "http://testserver/apply/x/")
    assert post_refused(client, url, NotFound("Partie.")).status_code == 404


def test_other_errors_are_not_taken_for_refusals(client, withdrawal):
    contact, url = withdrawal
    client.raise_request_exception = False
    client.force_login(contact)
    assert post_refused(client, url, RuntimeError("bug")).status_code == 500
    assert issubclass(Conflict, DomainError)
