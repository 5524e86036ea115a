"""Rows read on every page by statements put together once per process.

A few reads come before any page's own work: the signed-in user, the programme of the address
and the user's roles in it. Building their ORM queries cost several times what the database
takes to answer them; these statements read the same rows with the models' own table and
column names (quoted; the values always go as parameters), and the rows become objects the way
the ORM makes them: each column through the converters its compiler would apply
(``SQLCompiler.get_converters``), then ``Model.from_db``.
"""

import functools
from dataclasses import dataclass

from django.db import connections


@dataclass(frozen=True)
class Columns:
    """A model's concrete columns under a table alias, and how to turn them into an object."""

    model: type
    select: str  # the quoted columns, for a SELECT
    attnames: tuple[str, ...]
    converters: tuple  # (column index, converter functions, the column expression)

    def __len__(self) -> int:
        return len(self.attnames)

    def instance(self, using: str, values):
        """The object these values (a row's slice, in this order) make; ``None`` when the
        primary key is null (the missing side of an outer join)."""
        values = list(values)
        if values[self.attnames.index(self.model._meta.pk.attname)] is None:
            return None
        connection = connections[using]
        for index, functions, expression in self.converters:
            for convert in functions:
                values[index] = convert(values[index], expression, connection)
        return self.model.from_db(using, self.attnames, values)


@functools.cache
def columns(model, alias: str, using: str) -> Columns:
    connection = connections[using]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(alias)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, tuple(functions), column))
    return Columns(
        model=model,
        select=", ".join(f"{quote(alias)}.{quote(field.column)}" for field in fields),
        attnames=tuple(field.attname for field in fields),
        converters=tuple(converters),
    )


def table(model, alias: str, using: str) -> str:
    """``"table" "alias"``, for a FROM or a JOIN."""
    quote = connections[using].ops.quote_name
    return f"{quote(model._meta.db_table)} {quote(alias)}"


def column(model, field_name: str, alias: str, using: str) -> str:
    quote = connections[using].ops.quote_name
    return f"{quote(alias)}.{quote(model._meta.get_field(field_name).column)}"
