"""What the pages share: the organiser's programme, a service's refusal shown on a form."""

from django.http import HttpRequest

from .. import permissions
from ..errors import DomainError
from ..models import CityApplication, Programme

Status = CityApplication.Status


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def organiser_programme(
    request: HttpRequest, slug: str, *, related: tuple[str, ...] = ()
) -> Programme:
    """The programme if the user organises it, else 404; ``related``: more relations to read
    with it (``permissions.programme_get_for_user``)."""
    programme = permissions.programme_get_for_user(request.user, slug, related=related)
    permissions.require(permissions.can_manage_programme(request.user, programme))
    return programme


def add_errors(form, error: DomainError) -> None:
    for message in error.messages:
        form.add_error(None, message)


def submit(form, run) -> int | None:
    """Validate the form and hand its data to ``run`` (a service call). None when both went
    through; otherwise the status to answer, the service's refusal shown on the form with the
    status its class gives (``programmes.errors``)."""
    if not form.is_valid():
        return 400
    try:
        run(form.cleaned_data)
    except DomainError as error:
        add_errors(form, error)
        return error.status
    return None
