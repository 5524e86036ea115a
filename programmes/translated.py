"""Texts of the page frame and of rows written in Python, translated once per language.

A ``{% translate %}`` or a lazy label costs a catalogue look-up on every request; the menu that
every programme page draws and the lines that tags write in Python say the same few texts
again and again. ``@per_language`` keeps what a function returns for each language, and forgets
it whenever a setting changes (a test that changes the languages or the catalogues).
"""

import functools
from collections.abc import Callable

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.translation import get_language

_caches: list[dict] = []


def forgotten_with_settings[K, V](cache: dict[K, V]) -> dict[K, V]:
    """``cache``, emptied whenever a setting changes, as :func:`per_language`'s are."""
    _caches.append(cache)
    return cache


def per_language[T](build: Callable[[], T]) -> Callable[[], T]:
    """``build()`` called once per active language; its result must not depend on anything else."""
    cache: dict[str | None, T] = forgotten_with_settings({})

    @functools.wraps(build)
    def wrapper() -> T:
        language = get_language()
        try:
            return cache[language]
        except KeyError:
            value = cache[language] = build()
            return value

    return wrapper


@receiver(setting_changed)
def _forget(**kwargs) -> None:
    for cache in _caches:
        cache.clear()
