"""PostgreSQL advisory locks held by a build for as long as it works on a run or one of its parts.

The lock belongs to the worker's database session, so it disappears with a worker that is
killed; another worker then finds the work unlocked and does it again. Without PostgreSQL
(SQLite in development) every lock is granted: one process builds at a time there.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import InterfaceError, OperationalError, connection


def locks_available() -> bool:
    return connection.vendor == "postgresql"


@contextmanager
def advisory_lock(namespace: int, object_id: int) -> Iterator[bool]:
    """Hold the session-level lock (namespace, id) while the block runs; True if it was free."""
    if not locks_available():
        yield True
        return
    key = (namespace, object_id % 2_147_483_647)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        locked = cursor.fetchone()[0]
    try:
        yield locked
    finally:
        if locked:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except (OperationalError, InterfaceError):
                pass  # the session is gone, and its locks with it
