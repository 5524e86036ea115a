"""Project-wide request handling that belongs to no domain app."""

import hashlib
import logging
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.middleware import locale
from django.shortcuts import render, resolve_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from programmes import kept
from programmes.errors import DomainError, refusal_response
from programmes.network import client_ip

logger = logging.getLogger(__name__)

# When the session was last renewed (seconds since the epoch), kept in the session itself.
SESSION_RENEWED_KEY = "_renewed_at"


def throttle_allows(*, scope: str, key: str, limit: int, window: int) -> bool:
    """Count one attempt of ``key`` in ``scope``; False once more than ``limit`` were made in the
    current window of ``window`` seconds.

    The counts live in Django's cache (Redis when configured, shared by every web process). If
    the cache is unreachable the attempt is allowed: a Redis outage must not close the sign-up.
    """
    name = f"throttle:{scope}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
    try:
        cache.add(name, 0, timeout=window)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add() and incr()
            cache.set(name, 1, timeout=window)
            count = 1
    except Exception:  # noqa: BLE001 - any cache failure: let the person through, and say so
        logger.warning("Throttle cache unreachable; %s not limited", scope, exc_info=True)
        return True
    return count <= limit


class PublicFormThrottleMiddleware:
    """Limits the posts one address makes to the public forms that create accounts.

    The login form is limited by django-axes (per username and address); the city sign-up, open
    to anyone, is limited here per address, so that nobody scripts accounts or probes addresses.
    """

    THROTTLED_URL_NAMES = {
        "programmes:apply_sign_up",
        "programmes:apply_invitation",
        "programmes:apply_confirm",
        # Asking for a password reset e-mails any address typed: a script would flood mailboxes.
        "password_reset",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method != "POST" or match is None:
            return None
        if match.view_name not in self.THROTTLED_URL_NAMES:
            return None
        window = 3600
        if throttle_allows(
            scope="signup",
            key=client_ip(request),
            limit=settings.SIGNUP_ATTEMPTS_PER_HOUR,
            window=window,
        ):
            return None
        response = render(request, "throttled.html", status=429)
        response["Retry-After"] = str(window)
        return response


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, with ``request.user`` the user itself rather than a lazy proxy of it.

    Every answer reads the user anyway (``NoStoreMiddleware`` asks whether they are signed in),
    so reading it when the request comes costs nothing more, and the proxy cost something at
    each use: a page's permission checks and template read the user a few hundred times, each
    through the proxy's attribute lookup (about a tenth of a light page's time). Reading it
    from the session, and dropping a session whose password changed, stay Django's.
    """

    def process_request(self, request):
        super().process_request(request)
        request.user = auth_middleware.get_user(request)


class KeptFiguresMiddleware:
    """A GET or HEAD request may read the figures kept per programme version
    (``programmes.kept``); any other request computes them afresh, since what it writes
    changes the version after the programme was read with the old one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        with kept.reading():
            return self.get_response(request)


class SessionRenewalMiddleware:
    """A session lasts ``DJANGO_SESSION_HOURS`` from its last use, not from the login.

    Saving the session on every request would add a database write to every page; it is
    renewed (saved with a new expiry) once ``SESSION_RENEW_AFTER`` seconds have passed since
    the login or the last renewal.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and "_auth_user_id" in session:
            now = int(time.time())
            if now - session.get(SESSION_RENEWED_KEY, 0) >= settings.SESSION_RENEW_AFTER:
                session[SESSION_RENEWED_KEY] = now
        return self.get_response(request)


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's ``LocaleMiddleware`` (the language from the cookie, then Accept-Language; the
    same Vary and Content-Language headers), without looking for a language at the start of
    the address when no URL pattern carries one (``i18n_patterns``, which the site does not
    use): Django looks twice a request, and a first segment that names no language
    (``programmes``) is an error its cache does not keep, looked up again each time, about a
    third of the middleware's cost. With ``i18n_patterns``, Django's own steps run.
    """

    def process_request(self, request):
        if self._language_in_address(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        return None

    def process_response(self, request, response):
        if self._language_in_address(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response

    @staticmethod
    def _language_in_address(request) -> bool:
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        return is_language_prefix_patterns_used(urlconf)[0]


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
