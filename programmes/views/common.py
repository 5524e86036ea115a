"""What the pages share: the organiser's programme, errors shown on forms, status codes."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from .. import permissions
from ..models import CityApplication, Programme

Status = CityApplication.Status


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def organiser_programme(request: HttpRequest, slug: str) -> Programme:
    programme = permissions.programme_get_for_user(request.user, slug)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    return programme


def add_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def status_for(error: ValidationError) -> int:
    """Bad input is 400; a change the current state forbids is 409."""
    conflicts = {"stale", "closed", "not_editable", "submitted", "wrong_status", "pending"}
    conflicts |= {"last_organiser", "not_pending", "already_member"}
    codes = {item.code for item in error.error_list}
    return 409 if codes & conflicts else 400


def submit(form, run) -> int | None:
    """Validate the form and hand its data to ``run`` (a service call). None when both went
    through; otherwise the status to answer, the service's refusal shown on the form."""
    if not form.is_valid():
        return 400
    try:
        run(form.cleaned_data)
    except ValidationError as error:
        add_errors(form, error)
        return status_for(error)
    return None
