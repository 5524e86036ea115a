"""Project-wide request handling that belongs to no domain app."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from programmes.errors import DomainError, refusal_response


class HtmxLoginRedirectMiddleware:
    """An htmx request made after the session expired gets the login page as a whole page.

    The browser follows a redirect inside the request htmx sent: the login page was swapped
    into a card of the selection board, and a tap on an attendance line (which swaps nothing)
    looked saved when it was not. After logging in, the person comes back to the page they
    were on, not to the address htmx posted to.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            getattr(request, "htmx", False)
            and response.status_code == 302
            and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
        ):
            back_to = request.htmx.current_url_abs_path or request.get_full_path()
            return HttpResponseClientRedirect(redirect_to_login(back_to)["Location"])
        return response


class DomainErrorMiddleware:
    """A service's refusal (``programmes.errors.DomainError``) that neither the page nor its
    ``@back_on_refusal`` answered becomes ``refusal_response``: back to the page the person
    acted from (the Referer, or htmx's current page) with the message, else a page with the
    message and the error's status; ``NotFound`` answers 404. Never a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        return refusal_response(request, exception, back_to=self._back_to(request))

    @staticmethod
    def _back_to(request) -> str | None:
        htmx = getattr(request, "htmx", False)
        url = (htmx and htmx.current_url) or request.headers.get("referer", "")
        safe = url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return url if url and safe else None
