"""Statements run on the driver's own cursor, compiled once per dialect (and set of columns).

For the statements run once per response, post, reference or cited page: SQLAlchemy's work around
each execution (~180 us for a read in a crawl; ~15 us per row of an executemany) cost more than
SQLite's. The SQL is still SQLAlchemy's, compiled for the connection's dialect, so both back-ends
run it, and the values still go through the columns' types (on PostgreSQL, text with a NUL in it;
on SQLite, booleans). Rows come back as the driver gives them: for text and integer columns."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

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

    @staticmethod
    def _cursor(conn: Connection):
        if not conn.in_transaction():
            conn.begin()  # so that the transaction's end (a rollback after a read) ends the driver's too
        return conn.connection.cursor()

    def first(self, conn: Connection, **values: Any) -> dict[str, Any] | None:
        """The first row, as a dict; None if there is none. `values`: those the statement names
        (an INSERT's columns; a SELECT's parameters: any others are left out)."""
        compiled = self._compile(conn, tuple(values))
        params = compiled.parameters(values)
        cursor = self._cursor(conn)
        try:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
            return dict(zip((column[0] for column in cursor.description), row)) if row else None
        except conn.dialect.loaded_dbapi.Error as exc:
            raise _as_sqlalchemy_error(conn, compiled.sql, params, exc) from exc
        finally:
            cursor.close()

    def many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """The statement once per row (executemany); every row names the same columns."""
        if not rows:
            return
        compiled = self._compile(conn, tuple(rows[0]))
        params = [compiled.parameters(row) for row in rows]
        cursor = self._cursor(conn)
        try:
            cursor.executemany(compiled.sql, params)
        except conn.dialect.loaded_dbapi.Error as exc:
            raise _as_sqlalchemy_error(conn, compiled.sql, params, exc) from exc
        finally:
            cursor.close()


def _as_sqlalchemy_error(conn: Connection, sql: str, params, exc: Exception) -> DBAPIError:
    """The driver's error as SQLAlchemy raises it (IntegrityError, OperationalError, ...): what the
    index's callers catch."""
    return DBAPIError.instance(sql, params, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect)


class _Compiled:
    """A statement compiled for one dialect: its SQL, and how to turn values into its parameters."""

    def __init__(self, done, names: tuple[str, ...]):
        self.sql = str(done)
        self.defaults = done.construct_params(dict.fromkeys(names))  # every parameter: None, or the SQL's value
        self.order = done.positiontup               # names in order, for a driver of positional parameters
        # the columns' types, as SQLAlchemy applies them (its compiled form keeps them by parameter)
        self.processors = dict(done._bind_processors)

    def parameters(self, values: dict[str, Any]) -> tuple | dict[str, Any]:
        params = {name: values.get(name, default) for name, default in self.defaults.items()}
        for name, process in self.processors.items():
            if params.get(name) is not None:
                params[name] = process(params[name])
        return tuple(params[name] for name in self.order) if self.order else params
