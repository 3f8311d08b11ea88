"""Full-text search over article titles, claims, anchors and post text: FTS5 on SQLite.
(PostgreSQL gets its own full-text search in the scale-out work; until then LIKE is the fallback.)"""
from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

DOC_ARTICLE, DOC_REF, DOC_POST = "article", "ref", "post"


def create(conn: Connection) -> bool:
    """Create the FTS table if the engine has FTS5; False when it has not (search falls back)."""
    if conn.dialect.name != "sqlite":
        return False
    conn.execute(text(
        "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(doc_type UNINDEXED, doc_id UNINDEXED, body,"
        " tokenize='unicode61 remove_diacritics 2')"))
    return True


_ADD = text("INSERT INTO fts(doc_type, doc_id, body) VALUES (:t, :i, :b)")
_REMOVE = text("DELETE FROM fts WHERE doc_type = :t AND doc_id = :i")


def add(conn: Connection, doc_type: str, doc_id: int, body: str | None) -> None:
    if conn.dialect.name == "sqlite" and body and body.strip():
        conn.execute(_ADD, {"t": doc_type, "i": doc_id, "b": body})


def add_many(conn: Connection, doc_type: str, docs: list[tuple[int, str | None]]) -> None:
    rows = [{"t": doc_type, "i": doc_id, "b": body} for doc_id, body in docs if body and body.strip()]
    if conn.dialect.name == "sqlite" and rows:
        conn.execute(_ADD, rows)


def remove(conn: Connection, doc_type: str, doc_id: int) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(_REMOVE, {"t": doc_type, "i": doc_id})


def _fts_query(words: str) -> str:
    """Quote every term so user input can never be FTS syntax; all terms must match."""
    terms = re.findall(r"\w+", words, flags=re.UNICODE)
    return " ".join('"%s"' % t for t in terms)


def search(conn: Connection, words: str, limit: int = 200) -> list[tuple[str, int]]:
    query = _fts_query(words)
    if not query:
        return []
    rows = conn.execute(text("SELECT doc_type, doc_id FROM fts WHERE fts MATCH :q ORDER BY rank LIMIT :n"),
                        {"q": query, "n": limit})
    return [(r[0], int(r[1])) for r in rows]
