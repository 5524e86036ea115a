"""Django's database sessions, read with one prepared statement.

Every signed-in request reads its session first. Django's store asks the ORM for the row, and
building that query costs several times what the database takes to answer it; the statement
below is the same read (the session's data if its key is known and it has not expired), put
together once per process from the model's own table and column names. Writes, expiry and
clearing stay Django's.
"""

import functools

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        using = router.db_for_read(self.model)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(
                _select_sql(self.model, using),
                [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])


@functools.cache
def _select_sql(model, using: str) -> str:
    quote = connections[using].ops.quote_name
    column = {field.name: quote(field.column) for field in model._meta.concrete_fields}
    # Names from the model's metadata, quoted; the values go as parameters.
    table = quote(model._meta.db_table)
    return (
        f"SELECT {column['session_data']} FROM {table} "  # noqa: S608
        f"WHERE {column['session_key']} = %s AND {column['expire_date']} > %s"
    )
