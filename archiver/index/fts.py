"""Full-text search over article titles, claims, anchors and post text.

SQLite: an FTS5 table (unicode61 tokenizer, diacritics removed). PostgreSQL: a plain table of the
same documents with a generated tsvector column and a GIN index, queried with websearch_to_tsquery
and ranked with ts_rank. So that both find the same documents, PostgreSQL is given the words as
FTS5 sees them (letters and digits, lowercased, accents removed, space-separated) and the 'simple'
configuration (no stemming, no stop words): its own parser would read "theguardian.com" or "3.5"
as one token where FTS5 reads two. Every query term must match, each as a phrase of its words."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import text
from sqlalchemy.engine import Connection

from .driver import OnDriver, OnDriverIn

DOC_ARTICLE, DOC_REF, DOC_POST = "article", "ref", "post"
ENGINES = ("sqlite", "postgresql")


def create(conn: Connection) -> bool:
    """Create the FTS table; False when the engine has no full-text search here (search falls back)."""
    if conn.dialect.name == "sqlite":
        conn.execute(text(
            "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(doc_type UNINDEXED, doc_id UNINDEXED, body,"
            " tokenize='unicode61 remove_diacritics 2')"))
        return True
    if conn.dialect.name == "postgresql":
        conn.execute(text(
            "CREATE TABLE IF NOT EXISTS fts (doc_type TEXT NOT NULL, doc_id BIGINT NOT NULL, body TEXT NOT NULL,"
            " tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, body)) STORED)"))
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_fts_tsv ON fts USING gin (tsv)"))
        # what FTS5 does by scanning, when a document is replaced
        conn.execute(text("CREATE INDEX IF NOT EXISTS ix_fts_doc ON fts (doc_id, doc_type)"))
        return True
    return False


def tokens(body: str) -> list[str]:
    """The words FTS5's unicode61 tokenizer (remove_diacritics 2) makes of a text."""
    if not body.isascii():
        body = "".join(c for c in unicodedata.normalize("NFD", body) if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", body.lower())


def _body(conn: Connection, body: str | None) -> str | None:
    """What the FTS table holds for a document: the text (FTS5 tokenizes it), or its words (PostgreSQL)."""
    if not body or not body.strip():
        return None
    if conn.dialect.name == "postgresql":
        return " ".join(tokens(body)) or None
    return body


_ADD = OnDriver(text("INSERT INTO fts(doc_type, doc_id, body) VALUES (:t, :i, :b)"))
# FTS5 keeps doc_id unindexed: a delete by it reads the whole table, so a document's rows go in one
_REMOVE = OnDriverIn(lambda ids: text(f"DELETE FROM fts WHERE doc_type = :t AND doc_id IN "
                                      f"({', '.join(':' + p.key for p in ids)})"))


def add(conn: Connection, doc_type: str, doc_id: int, body: str | None) -> None:
    add_many(conn, doc_type, [(doc_id, body)])


def add_many(conn: Connection, doc_type: str, docs: list[tuple[int, str | None]]) -> None:
    if conn.dialect.name not in ENGINES:
        return
    _ADD.many(conn, [{"t": doc_type, "i": doc_id, "b": b} for doc_id, body in docs if (b := _body(conn, body))])


def remove(conn: Connection, doc_type: str, doc_id: int) -> None:
    remove_many(conn, doc_type, [doc_id])


def remove_many(conn: Connection, doc_type: str, doc_ids: list[int]) -> None:
    """The documents of these rows (one statement for up to IN_LIST_SIZE of them)."""
    if conn.dialect.name in ENGINES:
        _REMOVE.run(conn, doc_ids, t=doc_type)


def _fts_query(words: str) -> str:
    """Quote every term so user input can never be FTS syntax; all terms must match."""
    terms = re.findall(r"\w+", words, flags=re.UNICODE)
    return " ".join('"%s"' % t for t in terms)


def _websearch_query(words: str) -> str:
    """The same for websearch_to_tsquery: each term a quoted phrase of its words. A term with no
    words (FTS5 tokenizes "_" to nothing) is left out, as FTS5 ignores it beside other terms."""
    phrases = (" ".join(tokens(t)) for t in re.findall(r"\w+", words))
    return " ".join('"%s"' % p for p in phrases if p)


_SEARCH = {
    "sqlite": text("SELECT doc_type, doc_id FROM fts WHERE fts MATCH :q ORDER BY rank LIMIT :n"),
    # ties in rank broken by document, so that LIMIT keeps the same documents every time
    "postgresql": text("SELECT doc_type, doc_id FROM fts, websearch_to_tsquery('simple'::regconfig, :q) AS q"
                       " WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC, doc_type, doc_id LIMIT :n"),
}


def search(conn: Connection, words: str, limit: int = 200) -> list[tuple[str, int]]:
    dialect = conn.dialect.name
    query = _websearch_query(words) if dialect == "postgresql" else _fts_query(words)
    if not query:
        return []
    rows = conn.execute(_SEARCH[dialect], {"q": query, "n": limit})
    return [(r[0], int(r[1])) for r in rows]
