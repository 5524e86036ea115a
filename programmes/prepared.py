"""Rows read on every page by statements put together once per process.

A few reads come before any page's own work: the signed-in user, the programme of the address
and the user's roles in it. Building their ORM queries cost several times what the database
takes to answer them; these statements read the same rows with the models' own table and
column names (quoted; the values always go as parameters), and the rows become objects the way
the ORM makes them: each column through the converters its compiler would apply
(``SQLCompiler.get_converters``), then ``Model.from_db``.
"""

import datetime as dt
import functools
import threading
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import prefetch_related_objects
from django.utils import timezone, translation


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


# --- ORM queries compiled once ------------------------------------------------------------------

# Values that stand for a query's parameters while it is compiled, each to be found again among
# the compiled parameters: none is a name, date or time of the data, and the integers, near the
# top of a 32-bit column's range (Django compiles a value outside a column's range to "no
# row"), are ids no table reaches.
_STAND_INS = {
    int: lambda index: 2_146_483_647 - 7919 * index,
    str: lambda index: f"\x1fprepared-{index}\x1f",
    dt.date: lambda index: dt.date(1111, 1, 1) + dt.timedelta(days=index),
    dt.datetime: lambda index: dt.datetime(1111, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=index),
    dt.time: lambda index: dt.time(23, 59, 59, 999_999 - index),
}
_ADAPTERS = {
    int: lambda ops, value: int(value),
    str: lambda ops, value: str(value),
    dt.date: lambda ops, value: ops.adapt_datefield_value(value),
    dt.datetime: lambda ops, value: ops.adapt_datetimefield_value(value),
    dt.time: lambda ops, value: ops.adapt_timefield_value(value),
}
# The tests compare every run with the ORM's own compilation of the same query
# (tests/conftest.py turns it on): a query whose SQL depends on more than its declared values
# fails there.
CHECK = False
_KEPT = 2000  # compilations kept per thread and connection, a few KB each
_kept = threading.local()


class PreparedQueryError(Exception):
    """A query given to :class:`Query` that cannot be compiled once: a declared value does not
    reach the SQL as a parameter, or its SQL depends on more than its values."""


@dataclass
class _Compiled:
    queryset: object
    compiler: object
    sql: str | None  # None: the query can return no row (Django's EmptyResultSet)
    params: tuple
    # (name, element index of a list or None, adapter, ((parameter position, wrapper), ...))
    slots: tuple


class Query:
    """An ORM query compiled to SQL once per process, then run again with new values.

    ``build`` returns the queryset (models, ``values()`` or ``values_list()``); the keyword
    arguments declare the values that change from one run to the next and their types (``int``,
    ``str``, ``date``, ``datetime``, ``time``): they reach the SQL as parameters, so one
    compilation serves them all. ``list`` declares a list of ids (``pk__in=ids``): one
    compilation per length of the list, its repeated ids dropped as Django drops them. Any other
    keyword argument given when running is part of the query's shape: ``build`` receives it as
    it is, and each shape is compiled once. ``build`` must depend on nothing else (no clock, no
    settings): the time zone and the language are part of the shape all the same.

    Building and compiling a query with Django's ORM costs several times what the database
    takes to answer the small queries of a page; running it this way costs the database's part
    and the making of the rows (``QuerySet`` iterables, converters, ``Model.from_db``).
    Compilations are kept per thread and database connection: a run hands its statement to the
    kept compiler, which no other thread may use meanwhile (the test server's threads share
    one in-memory SQLite connection)."""

    def __init__(self, build, **kinds: type) -> None:
        unknown = set(kinds.values()) - set(_STAND_INS) - {list}
        if unknown:
            raise PreparedQueryError(f"values of type {unknown} cannot be parameters")
        self.build = build
        self.kinds = kinds

    def __call__(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        lengths = {}
        for name, kind in self.kinds.items():
            if kind is list:
                values[name] = list(dict.fromkeys(values[name]))
                lengths[name] = len(values[name])
        shape = tuple(sorted((k, v) for k, v in values.items() if k not in self.kinds))
        key = (
            self,
            shape,
            tuple(lengths.items()),
            timezone.get_current_timezone_name(),
            translation.get_language(),
        )
        connection = connections[using]
        by_connection = _kept.__dict__.setdefault("queries", {})
        compiled_queries = by_connection.setdefault(connection, {})
        compiled = compiled_queries.get(key)
        if compiled is None:
            if len(compiled_queries) >= _KEPT:  # shapes made of data (a timetable's lengths)
                compiled_queries.clear()
            compiled = compiled_queries[key] = self._compile(
                connection, using, dict(shape), lengths
            )
        if compiled.sql is None:
            return []
        params = list(compiled.params)
        for name, element, adapt, positions in compiled.slots:
            value = values[name] if element is None else values[name][element]
            value = adapt(connection.ops, value)
            for position, wrapper in positions:
                params[position] = value if wrapper is None else wrapper(value)
        params = tuple(params)
        if CHECK:
            self._check(compiled, values, params)
        statement = (compiled.sql, params)
        compiler, queryset = compiled.compiler, compiled.queryset
        compiler.as_sql = lambda *args, **kwargs: statement
        rows = list(queryset._iterable_class(queryset))
        if queryset._prefetch_related_lookups:
            prefetch_related_objects(rows, *queryset._prefetch_related_lookups)
        return rows

    def _compile(self, connection, using: str, shape: dict, lengths: dict) -> _Compiled:
        stand_ins, elements = {}, []  # elements: (name, index in a list or None, type, stand-in)
        for index, (name, kind) in enumerate(self.kinds.items()):
            if kind is list:  # ids: stand-ins numbered apart from the single values'
                ids = [_STAND_INS[int](100 + 1000 * index + j) for j in range(lengths[name])]
                stand_ins[name] = ids
                elements += [(name, j, int, stand_in) for j, stand_in in enumerate(ids)]
            else:
                stand_ins[name] = _STAND_INS[kind](index)
                elements.append((name, None, kind, stand_ins[name]))
        queryset = self.build(**stand_ins, **shape).using(using)
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = None, ()
        params = tuple(params)
        slots = []
        for name, element, kind, value in elements:
            adapt = _ADAPTERS[kind]
            stand_in = adapt(connection.ops, value)
            # A parameter may come wrapped in a subclass that tells the driver its type
            # (psycopg's Int8 for a big integer column): the values are wrapped alike.
            positions = tuple(
                (index, None if type(param) is type(stand_in) else type(param))
                for index, param in enumerate(params)
                if isinstance(param, type(stand_in)) and param == stand_in
            )
            if sql is not None and not positions:
                raise PreparedQueryError(f"{name} does not reach the SQL as a parameter")
            slots.append((name, element, adapt, positions))
        # The kept queryset hands out its compiled statement instead of compiling again.
        queryset.query.get_compiler = lambda *args, **kwargs: compiler
        return _Compiled(queryset, compiler, sql, params, tuple(slots))

    def _check(self, compiled: _Compiled, values: dict, params: tuple) -> None:
        fresh = self.build(**values).using(compiled.queryset.db)
        try:
            sql, fresh_params = fresh.query.get_compiler(using=fresh.db).as_sql()
        except EmptyResultSet:
            sql, fresh_params = None, ()
        if sql != compiled.sql or tuple(fresh_params) != (params if sql else ()):
            raise PreparedQueryError(
                f"{self.build.__qualname__} compiles to other SQL than its prepared form "
                f"for {values}: its SQL depends on more than its declared values"
            )
