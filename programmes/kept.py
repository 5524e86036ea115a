"""Figures computed from a programme's records, kept in the process while the records stay the
same.

A programme read for a page (``permissions.programme_get_for_user``) carries its
``figures_version``: the value the database sets anew in every transaction that writes one of
the records its figures are computed from (``FiguresVersion``, set by triggers). A function
wrapped with :func:`kept` keeps its result under that value, the language and the time zone:
the next page of the same programme, in the same process, reads it instead of counting again,
and the first page after a write (a tap on a sheet, a trainee's span changed) counts again,
because the write changed the version. Nothing kept can be stale.

A programme without a version (read some other way, as the documents' tasks do, or without a
row yet) is computed every time, and so is everything outside a request that writes nothing
(``reading``, set by ``cotraining.middleware.KeptFiguresMiddleware`` for GET and HEAD): a
request that writes a record changes the version in the database, not the one it read at its
start, and must not be answered with the figures kept under the old one.

What is kept must be a plain value that no caller changes (frozen dataclasses, tuples). The
tests set ``CHECK``: each kept result is then compared with a new computation, so that a write
that does not change the version (a missing trigger) fails the suite.
"""

import contextlib
import contextvars
import functools
import threading
from collections import OrderedDict

from django.utils import timezone, translation

# How many results a process keeps (the oldest read goes first): a programme's few figures in
# two languages, for the programmes running at the same time.
SIZE = 64
CHECK = False

_kept: OrderedDict = OrderedDict()
_lock = threading.Lock()
_reading = contextvars.ContextVar("kept_reading", default=False)


@contextlib.contextmanager
def reading():
    """Within it, kept figures are read and kept: a request that writes nothing."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class StaleFigures(AssertionError):
    """``CHECK``: a kept result differs from the same figures computed again."""


def kept(compute):
    """Keep ``compute(programme=..., **options)``'s results per programme version (see the
    module docstring); the options must be hashable."""

    name = f"{compute.__module__}.{compute.__qualname__}"

    @functools.wraps(compute)
    def read(*, programme, **options):
        version = getattr(programme, "figures_version", None)
        if version is None or not _reading.get():
            return compute(programme=programme, **options)
        key = (
            name,
            programme.pk,
            version,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            tuple(sorted(options.items())),
        )
        with _lock:
            found = _kept.get(key, _kept)
            if found is not _kept:
                _kept.move_to_end(key)
        if found is not _kept:
            if CHECK:
                fresh = compute(programme=programme, **options)
                if fresh != found:
                    message = f"{name} of programme {programme.pk}: {found!r} != {fresh!r}"
                    raise StaleFigures(message)
            return found
        result = compute(programme=programme, **options)
        with _lock:
            _kept[key] = result
            while len(_kept) > SIZE:
                _kept.popitem(last=False)
        return result

    return read
