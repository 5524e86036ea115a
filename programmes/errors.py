"""The one family of errors that services raise: a code, a message a person can read, and what
it means over HTTP.

It lives in ``programmes``, the lowest app, so that every app's services can raise it (an app
imports only the apps below it, and ``cotraining``, which turns these errors into responses,
sits on top of them all).

A ``DomainError`` is a Django ``ValidationError``: a page that shows a refusal on its form hands
it to ``form.add_error(None, error)`` as it is, with every message and its code. A view catches
it only to show it inside the page it renders, and answers ``error.status``. Every other refusal
gets ``refusal_response``, the one answer: the message, and back to a page (a view names its
page with ``@back_on_refusal``; otherwise ``cotraining.middleware.DomainErrorMiddleware`` sends
the person back where they came from). Forms keep raising plain ``ValidationError`` in their
``clean`` methods; services raise only this family.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import HttpResponseClientRedirect


class DomainError(ValidationError):
    """A change a service refuses. ``status`` is the HTTP meaning: 400 for bad input, unless a
    subclass says otherwise."""

    status = 400
    default_code = "invalid"

    def __init__(self, message, *, code: str | None = None, params=None):
        code = code or self.default_code
        if isinstance(message, list | tuple):
            # One error per problem, each carrying the code (a plain list would drop it).
            message = [
                item if isinstance(item, ValidationError) else ValidationError(item, code=code)
                for item in message
            ]
            super().__init__(message)
        else:
            super().__init__(message, code=code, params=params)
        self.code = code

    def __str__(self) -> str:
        return " ".join(self.messages)


class InvalidInput(DomainError):
    """What was given cannot be used (an unknown status, a missing score): 400."""

    status = 400


class Conflict(DomainError):
    """The object's current state forbids the change (closed, already done, changed meanwhile,
    a status the transitions table does not allow): 409."""

    status = 409
    default_code = "conflict"


class TooManyRequests(DomainError):
    """The person asked for too much at once (report builds waiting): 429."""

    status = 429
    default_code = "too_many"


class NotFound(DomainError):
    """The object named in the address is not there, or not for this user: 404, so that ids of
    other programmes do not leak."""

    status = 404
    default_code = "not_found"


def refusal_response(request: HttpRequest, error: DomainError, *, back_to: str | None):
    """The answer to a refusal no page showed: a 404 for ``NotFound``; otherwise the message,
    and a redirect to ``back_to`` (htmx: the whole page goes there); without a page to go back
    to, a page with the message and the error's status."""
    if error.status == 404:
        raise Http404(str(error)) from error
    for message in error.messages:
        messages.error(request, message)
    if back_to is None:
        return render(request, "refused.html", status=error.status)
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(back_to)
    return redirect(back_to)


def back_on_refusal(back_to: Callable[..., str]):
    """Decorate a view whose service may refuse: the person goes back to
    ``back_to(request, **view_kwargs)`` with the refusal's message."""

    def decorate(view):
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except DomainError as error:
                return refusal_response(request, error, back_to=back_to(request, *args, **kwargs))

        return wrapped

    return decorate
