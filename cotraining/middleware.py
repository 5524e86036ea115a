"""Project-wide request handling that belongs to no domain app."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url
from django_htmx.http import HttpResponseClientRedirect


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
