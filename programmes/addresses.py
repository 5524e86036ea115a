"""Addresses of the rows of a list, made by one ``reverse()``.

Resolving a URL pattern costs about as much as rendering a row; a list reverses its pattern
once with ``ROW_ID`` in place of the row's id and puts each row's id in its place.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# An id no row has (the id converter accepts up to 19 digits).
ROW_ID = 918273645546372819


def row_pattern(viewname: str, *args, after: tuple = ()) -> str:
    """The address of ``viewname`` for ``args`` followed by ``ROW_ID`` (and by ``after``)."""
    return reverse(viewname, args=[*args, ROW_ID, *after])


def row_url(pattern: str, pk: int) -> str:
    """``pattern`` (from :func:`row_pattern`) for the row ``pk``."""
    head, tail = pattern.rsplit(str(ROW_ID), 1)
    return f"{head}{pk}{tail}"


@functools.cache
def _fixed_address(name: str, prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


def fixed_address(name: str) -> str:
    """The address of the page ``name``, which takes no argument, reversed once per process.

    It depends only on the URL configuration and the script prefix, both fixed for the life of
    the process (and part of the key, for a test that changes them)."""
    return _fixed_address(name, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
