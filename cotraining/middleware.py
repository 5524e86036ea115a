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


class NoStoreMiddleware:
    """Nothing the app answers is kept by a browser's or a proxy's cache.

    Pages, exports, letters and PDFs hold personal data: a shared computer's back button or a
    caching proxy must not show them to the next person. Every answer to a signed-in user is
    ``no-store, private`` whatever the view said; an anonymous answer gets the same unless its
    view chose its own caching. Static files never reach this middleware (WhiteNoise answers
    them first, with their long caching).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        chosen = response.get("Cache-Control", "")
        if (signed_in or not chosen) and not {"no-store", "private"} <= _directives(chosen):
            response["Cache-Control"] = "no-store, private"
            response.headers.pop("Expires", None)
        return response


def _directives(cache_control: str) -> set[str]:
    return {part.split("=", 1)[0].strip().lower() for part in cache_control.split(",")}
