"""Statements run on the driver's own cursor, compiled once per dialect (and set of columns).

For the statements run once per response, post, reference or cited page: SQLAlchemy's work around
each execution (~180 us for a read in a crawl; ~15 us per row of an executemany) cost more than
SQLite's. The SQL is still SQLAlchemy's, compiled for the connection's dialect, so both back-ends
run it, and the values still go through the columns' types (on PostgreSQL, text with a NUL in it;
on SQLite, booleans). Rows come back as the driver gives them: for text and integer columns."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from operator import itemgetter
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError


class OnDriver:
    """`statement`: a SQLAlchemy statement, or a function of the connection that builds one (for
    statements written differently per dialect)."""

    def __init__(self, statement: Any | Callable[[Connection], Any]):
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], _Compiled] = {}

    def _compile(self, conn: Connection, names: tuple[str, ...]) -> "_Compiled":
        key = (conn.dialect.name, names)
        compiled = self._compiled.get(key)
        if compiled is None:
            statement = self.statement(conn) if callable(self.statement) else self.statement
            compiled = self._compiled[key] = _Compiled(statement.compile(dialect=conn.dialect,
                                                                         column_keys=list(names)), names)
        return compiled

    def first(self, conn: Connection, **values: Any) -> dict[str, Any] | None:
        """The first row, as a dict; None if there is none. `values`: those the statement names
        (an INSERT's columns; a SELECT's parameters: any others are left out)."""
        return self.read(conn, _first_as_dict, **values)

    def all(self, conn: Connection, **values: Any) -> list[tuple]:
        """Every row, as the driver gives it (a tuple)."""
        return self.read(conn, _all_rows, **values)

    def read(self, conn: Connection, read: Callable[[Any], Any], **values: Any) -> Any:
        """What `read(cursor)` makes of the rows, read as it goes (it may stop early)."""
        compiled = self._compile(conn, tuple(values))
        return self._run(conn, compiled.sql, compiled.parameters(values), fetch=read)

    def run(self, conn: Connection, **values: Any) -> None:
        """The statement, no rows wanted."""
        compiled = self._compile(conn, tuple(values))
        self._run(conn, compiled.sql, compiled.parameters(values))

    def many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """The statement once per row (executemany); every row names the same columns."""
        if rows:
            compiled = self._compile(conn, tuple(rows[0]))
            self._run(conn, compiled.sql, [compiled.parameters(row) for row in rows], many=True)

    def _run(self, conn: Connection, sql: str, params, *, many: bool = False, fetch: Callable | None = None):
        if not conn.in_transaction():
            conn.begin()  # so that the transaction's end (a rollback after a read) ends the driver's too
        cursor = conn.connection.cursor()
        try:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
            return fetch(cursor) if fetch else None
        except conn.dialect.loaded_dbapi.Error as exc:
            raise _as_sqlalchemy_error(conn, sql, params, exc) from exc
        finally:
            cursor.close()


IN_LIST_SIZE = 512  # values per IN (...) at most: under SQLite's old limit of 999 bound parameters


class OnDriverIn:
    """A statement with one `column IN (...)`, for a list of any length: `build(params)` makes it
    with `params` in the IN. A list is cut at IN_LIST_SIZE and padded (with its last value) to a
    power of two, so that a dialect compiles ten statements at most."""

    def __init__(self, build: Callable[[list], Any]):
        self.build = build
        self._by_size: dict[int, tuple[OnDriver, tuple[str, ...]]] = {}

    def all(self, conn: Connection, keys: list, **values: Any) -> list[tuple]:
        """Every row, for every key of `keys`; `values`: the statement's other parameters."""
        rows = []
        for statement, params in self._pieces(keys, values):
            rows += statement.all(conn, **params)
        return rows

    def run(self, conn: Connection, keys: list, **values: Any) -> None:
        """The statement for every key of `keys`, no rows wanted (a DELETE)."""
        for statement, params in self._pieces(keys, values):
            statement.run(conn, **params)

    def _pieces(self, keys: list, values: dict[str, Any]) -> Iterator[tuple[OnDriver, dict[str, Any]]]:
        for start in range(0, len(keys), IN_LIST_SIZE):
            piece = keys[start:start + IN_LIST_SIZE]
            size = 1 << (len(piece) - 1).bit_length()
            if size not in self._by_size:
                names = tuple(f"in_{i}" for i in range(size))
                self._by_size[size] = (OnDriver(self.build([bindparam(name) for name in names])), names)
            statement, names = self._by_size[size]
            piece += [piece[-1]] * (size - len(piece))
            yield statement, {**values, **dict(zip(names, piece))}


def _all_rows(cursor) -> list[tuple]:
    return cursor.fetchall()


def _first_as_dict(cursor) -> dict[str, Any] | None:
    row = cursor.fetchone()
    return dict(zip((column[0] for column in cursor.description), row)) if row else None


def _as_sqlalchemy_error(conn: Connection, sql: str, params, exc: Exception) -> DBAPIError:
    """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError, ...): what the
    index's callers catch."""
    return DBAPIError.instance(sql, params, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect)


class _Compiled:
    """A statement compiled for one dialect: its SQL, and how to turn values into its parameters."""

    def __init__(self, done, names: tuple[str, ...]):
        self.sql = str(done)
        defaults = done.construct_params(dict.fromkeys(names))  # every parameter: None, or the SQL's value
        self.positional = bool(done.positiontup)
        self.names = tuple(done.positiontup or defaults)  # in order, for a driver of positional parameters
        self.slots = [(name, defaults[name]) for name in self.names]
        # a row naming every parameter (the usual case) is picked in one C call
        self._pick = (itemgetter(*self.names) if len(self.names) > 1
                      else lambda row: tuple(row[name] for name in self.names))  # (itemgetter of one: no tuple)
        # the columns' types, as SQLAlchemy applies them (its compiled form keeps them by parameter)
        self.processed = [(i, done._bind_processors[name]) for i, name in enumerate(self.names)
                          if name in done._bind_processors]

    def parameters(self, values: dict[str, Any]) -> tuple | dict[str, Any]:
        try:
            params = self._pick(values)
        except KeyError:
            params = tuple(values.get(name, default) for name, default in self.slots)
        if self.processed:
            params = list(params)
            for i, process in self.processed:
                if params[i] is not None:
                    params[i] = process(params[i])
        return tuple(params) if self.positional else dict(zip(self.names, params))
