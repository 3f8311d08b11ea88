"""Statements run on the driver's own cursor, compiled once per dialect (and set of columns).

For the statements run once per response, post, reference or cited page, on text, integer and
boolean columns only (no type of SQLAlchemy's to apply): SQLAlchemy's work around each execution
(~180 us for a read in a crawl; ~15 us per row of an executemany) cost more than SQLite's. The
SQL is still SQLAlchemy's, compiled for the connection's dialect, so both back-ends run it."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Connection


class OnDriver:
    """`statement`: a SQLAlchemy statement, or a function of the connection that builds one (for
    statements written differently per dialect)."""

    def __init__(self, statement: Any | Callable[[Connection], Any]):
        self.statement = statement
        self._compiled: dict[tuple[str, tuple[str, ...]], tuple[str, dict[str, Any], list[str] | None]] = {}

    def _compile(self, conn: Connection, names: tuple[str, ...]) -> tuple[str, dict[str, Any], list[str] | None]:
        key = (conn.dialect.name, names)
        compiled = self._compiled.get(key)
        if compiled is None:
            statement = self.statement(conn) if callable(self.statement) else self.statement
            done = statement.compile(dialect=conn.dialect, column_keys=list(names))
            compiled = self._compiled[key] = (str(done), done.construct_params(dict.fromkeys(names)),
                                              done.positiontup)
        return compiled

    def _cursor(self, conn: Connection):
        if not conn.in_transaction():
            conn.begin()  # so that the transaction's end (a rollback after a read) ends the driver's too
        return conn.connection.cursor()

    def first(self, conn: Connection, **values: Any) -> dict[str, Any] | None:
        """The first row, as a dict; None if there is none."""
        sql, defaults, order = self._compile(conn, tuple(values))
        params = {**defaults, **values}
        cursor = self._cursor(conn)
        try:
            cursor.execute(sql, tuple(params[name] for name in order) if order else params)
            row = cursor.fetchone()
            return dict(zip((column[0] for column in cursor.description), row)) if row else None
        finally:
            cursor.close()

    def many(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        """The statement once per row (executemany); every row names the same columns."""
        if not rows:
            return
        sql, _, order = self._compile(conn, tuple(rows[0]))
        cursor = self._cursor(conn)
        try:
            cursor.executemany(sql, [tuple(row[name] for name in order) for row in rows] if order else rows)
        finally:
            cursor.close()
