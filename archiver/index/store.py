"""The index's query API: the one door to SQL. Writes are short transactions (a crawl's come in
batches: write_behind.py); reads return plain dicts (ready for `--json`). The same code runs on
SQLite and PostgreSQL."""
from __future__ import annotations

import json
import random
import sqlite3
import threading
import time
import warnings
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from sqlalchemy import (and_, bindparam, create_engine, delete, event, func, insert, inspect, make_url, or_,
                        select, update)
from sqlalchemy import text as sql_text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SAWarning, SQLAlchemyError

from ..errors import IndexError_
from ..model import ArticleMeta, ArticleRefs, CaptureInfo, Embed, Link, PostRef, PostSnapshot
from ..wayback import Copy, copy_of
from ..urls import canonical, sort_key
from . import citations, fts
from .driver import OnDriver, OnDriverIn
from .rows import article_rows, capture_values, fold, post_text, post_values
from .schema import RETIRED_INDEXES, articles, captures, checks, copies, crawls, metadata, posts, refs


# Statements of the calls made once per record (captures, references, posts), built once: building
# a statement costs more than running it.
_CRAWL_ID = OnDriver(select(crawls.c.id).where(crawls.c.crawl_key == bindparam("crawl_key")))
# find_payload, asked once per response a crawl records
_FIRST_PAYLOAD = OnDriver(select(captures.c.record_id, captures.c.url, captures.c.date)
                           .where(captures.c.payload_digest == bindparam("digest"),
                                  captures.c.url_key == bindparam("url_key"),
                                  captures.c.record_type == "response", captures.c.status == 200)
                           .order_by(captures.c.date).limit(1))
# captured_in_crawl, asked once per cited page by a worker joining a shared or resumed crawl
_CAPTURED_IN_CRAWL = OnDriver(select(captures.c.id).where(captures.c.url_key == bindparam("url_key"),
                                                           captures.c.crawl_id == bindparam("crawl_id")).limit(1))
_CAPTURE_BY_RECORD = OnDriver(select(captures.c.id).where(captures.c.record_id == bindparam("record_id")))
_INSERT_REFS = OnDriver(insert(refs))
_REF_IDS = OnDriver(select(refs.c.id, refs.c.kind, refs.c.position)
                    .where(refs.c.article_id == bindparam("article_id")))
_ARTICLE_ID = OnDriver(select(articles.c.id).where(articles.c.url == bindparam("url")))
_UPDATE_ARTICLE = update(articles).where(articles.c.id == bindparam("row_id"))
_POST_ID = OnDriver(select(posts.c.id).where(posts.c.platform == bindparam("platform"),
                                             posts.c.post_id == bindparam("post_id")))
_POST = OnDriver(select(posts).where(posts.c.platform == bindparam("platform"), posts.c.post_id == bindparam("post_id")))
_UPDATE_POST = update(posts).where(posts.c.id == bindparam("row_id"))
_INSERT_POSTS = OnDriver(insert(posts))
_POSTS_BY_ID = OnDriverIn(lambda keys: select(posts.c.id, posts.c.platform, posts.c.post_id)
                          .where(posts.c.post_id.in_(keys)))
_CAPTURE_IDS = OnDriverIn(lambda keys: select(captures.c.record_id, captures.c.id)
                          .where(captures.c.record_id.in_(keys)))
_CHECKS_HELD = OnDriverIn(lambda keys: select(checks.c.record_id).where(checks.c.record_id.in_(keys)))


# Indexes no write reads by (the writes find rows by record id, article, URL of an article, post id
# and short link): Index.bulk_load builds them once, at the end.
LOOKUP_ONLY = ("ix_captures_url_key", "ix_captures_digest", "ix_refs_handle_article", "ix_refs_post_article",
               "ix_refs_post_id_article", "ix_refs_outlet_article", "ix_refs_surface_article",
               "ix_refs_domain_article", "ix_refs_url_article", "ix_refs_url_key")

# PostgreSQL advisory locks of the index (first key: what is locked; second: which one).
_LOCK_SCHEMA, _LOCK_COPY = 0x65610001, 0x65610002


def _insert_if_missing(conn: Connection, table, keys: tuple[str, ...], returning: bool = True):
    """INSERT ... ON CONFLICT (keys) DO NOTHING [RETURNING id], for this connection's engine. When
    another process is inserting the same row at this moment, PostgreSQL waits for its transaction
    to end (and then inserts nothing); on SQLite, writers take turns (see Index._begin_write).
    (Built once per dialect: OnDriver compiles it the first time and keeps the SQL.)"""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(table).on_conflict_do_nothing(index_elements=keys)
    return statement.returning(table.c.id) if returning else statement


# add_captures' executemany: a record indexed already (by another process, or before) keeps its row
_INSERT_NEW_CAPTURES = OnDriver(lambda conn: _insert_if_missing(conn, captures, ("record_id",), returning=False))
# _new_id's, by table and conflict keys
_INSERTS_RETURNING_ID: dict[tuple[str, tuple[str, ...]], OnDriver] = {}


def _new_id(conn: Connection, table, keys: tuple[str, ...], values: dict[str, Any]) -> int | None:
    """The id of the row inserted with `values`; None if a row with the same `keys` was there."""
    insert_row = _INSERTS_RETURNING_ID.get((table.name, keys))
    if insert_row is None:
        insert_row = _INSERTS_RETURNING_ID[(table.name, keys)] = OnDriver(
            lambda conn: _insert_if_missing(conn, table, keys))
    row = insert_row.first(conn, **values)
    return row["id"] if row else None


def _found_id(conn: Connection, find: OnDriver, values: dict[str, Any]) -> int | None:
    row = find.first(conn, **values)
    return row["id"] if row else None


def _row_id(conn: Connection, find: OnDriver, table, values: dict[str, Any],
            keys: tuple[str, ...]) -> tuple[int, bool]:
    """The id of the row `find` finds (by its `keys`), inserted with `values` if missing; and whether
    it was. Looked up first, so a row that exists costs no write; read again if another process
    inserted it meanwhile."""
    found = _found_id(conn, find, values)
    if found is not None:
        return found, False
    new = _new_id(conn, table, keys, values)
    if new is not None:
        return new, True
    return _found_id(conn, find, values), False


def _inserted_or_found(conn: Connection, find: OnDriver, table, values: dict[str, Any],
                       keys: tuple[str, ...]) -> int:
    """_row_id for rows that are usually new (a capture: its key is the record's fresh UUID):
    inserted first, looked up only when the row was there already."""
    new = _new_id(conn, table, keys, values)
    return new if new is not None else _found_id(conn, find, values)


def _add_missing_columns(conn: Connection) -> None:
    """Bring an index made by an earlier version up to the schema: create_all makes missing
    tables, not missing columns or indexes. New columns are always nullable, so adding them
    loses nothing; indexes the new ones replace (schema.RETIRED_INDEXES) are dropped."""
    existing = inspect(conn)
    all_named: set[str] = set()
    for table in metadata.sorted_tables:
        if not existing.has_table(table.name):
            continue
        have = {c["name"] for c in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(dialect=conn.dialect)
                conn.execute(sql_text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))
        if conn.dialect.name == "sqlite":  # (SQLAlchemy does not reflect SQLite's expression indexes)
            named = set(conn.execute(sql_text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t"),
                                     {"t": table.name}).scalars())
        else:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SAWarning)
                named = {i["name"] for i in existing.get_indexes(table.name)}
        all_named |= named
        for table_index in table.indexes:  # create_all makes indexes only with a new table
            if table_index.name in named:
                continue
            try:
                with conn.begin_nested():
                    table_index.create(conn)
            except (OperationalError, ProgrammingError) as exc:
                if "already exists" not in str(exc):
                    raise
    for name, engine in RETIRED_INDEXES.items():  # superseded by indexes just created: disk, and slower writes
        if name in all_named and engine in (None, conn.dialect.name):
            conn.execute(sql_text(f"DROP INDEX IF EXISTS {name}"))


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def open_index(location: str | Path, *, for_queries: bool = False) -> "Index":
    """A path opens (or creates) a SQLite file; anything with '://' is an SQLAlchemy URL. A bare
    postgresql:// URL means the driver we install (psycopg 3), not SQLAlchemy's default (psycopg2).
    `for_queries`: the index of a long-running process that answers many queries (QUERY_CACHE_KIB)."""
    text = str(location)
    url = text if "://" in text else f"sqlite:///{Path(text).resolve()}"
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            url = "postgresql+psycopg://" + url[len(bare):]
    return Index(url, for_queries=for_queries)


def shown_url(url: str) -> str:
    """A database URL fit for a message: without its password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError:  # not a URL SQLAlchemy can read: nothing to hide in it either
        return url


# sqlite3 binds a None through its adaptation protocol, which looks for an adapter the slow way
# (two attribute lookups that fail) for every NULL it binds: a third of binding a row of refs. An
# adapter registered for None is found at once, and gives None back (an empty dict's get: in C).
sqlite3.register_adapter(type(None), {}.get)


# The SQLite page cache of a process that answers many queries (a server, a notebook, the lookup
# benchmark). The default (2 MB) is less than what the answer for a much-cited outlet reads (~3 MB
# of pages from a million references), so every such answer read its pages from the file again:
# 64 MB took ~20% off those answers. Not for the CLI's commands, which answer one query each: the
# cache would not be read twice, and the report after a crawl (a scan of every article) held
# 64 MB more for nothing (peak RSS 139 -> 163 MB in the memory benchmark).
QUERY_CACHE_KIB = 64 * 1024


def _sqlite_pragmas(dbapi_conn, _record, cache_kib: int | None = None) -> None:
    # WAL lets lookups read while a crawl writes; busy_timeout waits instead of failing.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA busy_timeout=30000")
    _enter_wal(cur)
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    if cache_kib:
        cur.execute(f"PRAGMA cache_size=-{int(cache_kib)}")  # (negative: KiB, not pages)
    cur.close()


def _enter_wal(cur, patience: float = 30.0) -> None:
    """Switch a new file to WAL. The switch needs the file to itself, and SQLite answers "locked"
    at once, without busy_timeout's wait, while another process has it open: two workers opening a
    new index at the same moment made one of them fail (exit 1) before it fetched anything. So it
    is tried again, a few ms later each time (a file already in WAL mode passes at once)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.05))


class Index:
    def __init__(self, url: str, *, for_queries: bool = False):
        try:
            self.engine: Engine = create_engine(url)
            if self.engine.dialect.name == "sqlite":
                event.listen(self.engine, "connect", partial(_sqlite_pragmas,
                                                             cache_kib=QUERY_CACHE_KIB if for_queries else None))
            self.has_fts = self._create_schema()
        except (SQLAlchemyError, ImportError) as exc:  # ImportError: the URL's driver is not installed
            first_line = (str(exc).splitlines() or [exc.__class__.__name__])[0]
            raise IndexError_(f"cannot open the index at {shown_url(url)}: {first_line}") from exc
        self.url = url
        self._batch: Connection | None = None
        self._reader = threading.local()  # see _read

    def _create_schema(self) -> bool:
        """Tables, missing columns, full-text search; True when FTS is available. Two processes
        opening a new index at once race to create the same tables: on PostgreSQL they take turns
        (its DDL is transactional, so the second sees the first's tables); on SQLite the loser sees
        them exist, and tries again."""
        for attempt in range(5):
            try:
                with self.engine.begin() as conn:
                    if conn.dialect.name == "postgresql":
                        conn.execute(select(func.pg_advisory_xact_lock(_LOCK_SCHEMA, 0)))
                    metadata.create_all(conn)
                    _add_missing_columns(conn)
                    return fts.create(conn)
            except (OperationalError, ProgrammingError, IntegrityError) as exc:
                if not any(m in str(exc) for m in ("already exists", "duplicate key")) or attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))
        return False

    def close(self) -> None:
        if getattr(self._reader, "conn", None) is not None:
            self._reader.conn.close()
            self._reader.conn = None
        self.engine.dispose()

    @contextmanager
    def batch(self):
        """Many calls in one transaction (`archiver reindex`: one per WARC file): every call made
        inside uses it and sees what the others wrote; committed on leaving, rolled back on an
        exception. Nested batches join the outer one."""
        if self._batch is not None:
            yield self
            return
        with self._begin_write() as conn:
            self._batch = conn
            try:
                yield self
            finally:
                self._batch = None

    @contextmanager
    def bulk_load(self):
        """For filling a new index (`archiver reindex`): the indexes only lookups read (LOOKUP_ONLY)
        are dropped while it is filled, then built once over all rows, which costs far less than
        keeping them up row by row. Were the process killed meanwhile, the next open builds them."""
        with self._begin_write() as conn:
            for name in LOOKUP_ONLY:
                conn.execute(sql_text(f"DROP INDEX IF EXISTS {name}"))
        try:
            yield self
        finally:
            with self._begin_write() as conn:
                _add_missing_columns(conn)

    @contextmanager
    def _begin_write(self):
        """A write transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE): a
        transaction that reads, then writes, would otherwise fail with "database is locked" when
        another process wrote in between; this way writers wait their turn (busy_timeout) and
        every look-up-then-insert sees the latest rows."""
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn

    @contextmanager
    def _tx(self):
        if self._batch is not None:
            yield self._batch
        else:
            with self._begin_write() as conn:
                yield conn

    @contextmanager
    def _read(self):
        """A connection to read on: the batch's inside a batch, else this thread's reader, held
        for the index's lifetime (checking one out of the pool per read cost more than the read).
        Its transaction ends when the outermost read does, so each read sees the latest commits."""
        if self._batch is not None:
            yield self._batch
            return
        reader = self._reader
        if getattr(reader, "conn", None) is None:
            reader.conn, reader.depth = self.engine.connect(), 0
        reader.depth += 1
        try:
            yield reader.conn
        finally:
            reader.depth -= 1
            if reader.depth == 0:
                reader.conn.rollback()

    # -- crawls ---------------------------------------------------------------------------------

    def start_crawl(self, crawl_key: str, seeds: list[str], options: dict[str, Any],
                    started: str | None = None) -> int:
        """The crawl's row id. Idempotent per crawl_key: the workers of one distributed crawl all
        call it, and all get the row the first one made (its seeds, options and start kept)."""
        values = dict(crawl_key=crawl_key, started=started or now_iso(), seeds=json.dumps(seeds),
                      options=json.dumps(options, default=str))
        with self._tx() as conn:
            return _row_id(conn, _CRAWL_ID, crawls, values, ("crawl_key",))[0]

    def finish_crawl(self, crawl_id: int, finished: str | None = None) -> None:
        with self._tx() as conn:
            conn.execute(update(crawls).where(crawls.c.id == crawl_id).values(finished=finished or now_iso()))

    def unfinished_crawl(self) -> dict[str, Any] | None:
        """The newest crawl that never finished (killed, or still running), with its options."""
        with self._read() as conn:
            row = conn.execute(select(crawls).where(crawls.c.finished.is_(None))
                               .order_by(crawls.c.id.desc()).limit(1)).first()
        if row is None:
            return None
        found = dict(row._mapping)
        found["seeds"] = json.loads(found["seeds"] or "[]")
        found["options"] = json.loads(found["options"] or "{}")
        return found

    def crawl_by_key(self, crawl_key: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(select(crawls).where(crawls.c.crawl_key == crawl_key)).first()
        return dict(row._mapping) if row else None

    def captured_in_crawl(self, url: str, crawl_id: int) -> bool:
        """Whether a URL has a capture (any outcome) recorded by this crawl."""
        with self._read() as conn:
            return _CAPTURED_IN_CRAWL.first(conn, url_key=sort_key(url), crawl_id=crawl_id) is not None

    def article_refs_in_crawl(self, url: str, crawl_id: int) -> ArticleRefs | None:
        """An article this crawl already fetched and indexed, with the references to follow (as
        stored: enough to capture them again, not the full extraction result)."""
        with self._read() as conn:
            art = conn.execute(select(articles).select_from(articles.join(captures, captures.c.id == articles.c.capture_id))
                               .where(articles.c.url_key == sort_key(url), captures.c.crawl_id == crawl_id)).first()
            if art is None:
                return None
            rows = [dict(r._mapping) for r in conn.execute(select(refs).where(refs.c.article_id == art.id)
                                                           .order_by(refs.c.position))]
        embeds = tuple(Embed(platform=r["platform"], url=r["url"], post_id=r["post_id"], handle=r["handle"],
                             shape=r["shape"] or "", position=r["position"], in_body=r["in_body"],
                             resolve_url=r["resolve_url"]) for r in rows if r["kind"] == "embed")
        links = tuple(Link(url=r["url"], anchor_text=r["anchor_text"] or "", sentence=r["sentence"] or "",
                           position=r["position"], in_body=r["in_body"], link_kind=r["link_kind"] or "page")
                      for r in rows if r["kind"] == "link")
        return ArticleRefs(url=art.url, metadata=ArticleMeta(url=art.url), embeds=embeds, links=links)

    # -- captures -------------------------------------------------------------------------------

    def add_capture(self, info: CaptureInfo, crawl_id: int | None = None) -> int:
        values = capture_values(info, crawl_id)
        with self._tx() as conn:
            return _inserted_or_found(conn, _CAPTURE_BY_RECORD, captures, values, ("record_id",))

    def add_captures(self, infos: list[CaptureInfo], crawl_id: int | None = None) -> list[int]:
        """add_capture for many captures at once (`archiver reindex`: a run of records of one
        WARC file): their ids, in order. A record already indexed keeps its row."""
        rows = {}  # by record id: a record named twice is one capture
        for info in infos:
            rows.setdefault(info.location.record_id, capture_values(info, crawl_id))
        with self._tx() as conn:
            # one executemany (a record indexed already keeps its row), then the ids by record id:
            # faster than RETURNING row by row
            _INSERT_NEW_CAPTURES.many(conn, list(rows.values()))
            ids = self._capture_ids(conn, list(rows))
        return [ids[info.location.record_id] for info in infos]

    def capture_ids(self, record_ids: list[str]) -> dict[str, int]:
        """The row ids of the captures of these WARC records (those indexed)."""
        with self._read() as conn:
            return self._capture_ids(conn, record_ids)

    def check_record_ids(self, record_ids: list[str]) -> set[str]:
        """Which of these check records (verify's) the index holds."""
        with self._read() as conn:
            return {row[0] for row in _CHECKS_HELD.all(conn, record_ids)}

    @staticmethod
    def _capture_ids(conn: Connection, record_ids: list[str]) -> dict[str, int]:
        return dict(_CAPTURE_IDS.all(conn, record_ids))

    def indexed_record_ids(self, filename: str | None = None) -> set[str]:
        """Record ids of the captures indexed (those in one WARC file, if named)."""
        query = select(captures.c.record_id)
        if filename is not None:
            query = query.where(captures.c.filename == filename)
        with self._read() as conn:
            return {row[0] for row in conn.execute(query)}

    def drop_captures_beyond(self, filename: str, end: int) -> int:
        """Forget captures whose records were cut off a recovered file (a killed crawl)."""
        with self._tx() as conn:
            gone = [r[0] for r in conn.execute(select(captures.c.id).where(
                captures.c.filename == filename, captures.c.offset + captures.c.length > end))]
            if gone:
                for table in (articles, posts, copies):  # every table that points at captures
                    conn.execute(update(table).where(table.c.capture_id.in_(gone)).values(capture_id=None))
                conn.execute(delete(captures).where(captures.c.id.in_(gone)))
        return len(gone)

    def find_payload(self, digest: str, url: str) -> tuple[str, str, str] | None:
        """An earlier 200 response of `url` with this payload digest, for revisit records."""
        with self._read() as conn:
            row = _FIRST_PAYLOAD.first(conn, digest=digest, url_key=sort_key(url))
        return (row["record_id"], row["url"], row["date"]) if row else None

    def captures_of(self, url: str) -> list[dict[str, Any]]:
        """Every capture of a URL, newest first (the URL as fetched, canonical or not)."""
        keys = {sort_key(url), sort_key(canonical(url))}
        with self._read() as conn:
            rows = conn.execute(select(captures).where(captures.c.url_key.in_(keys))
                                .order_by(captures.c.date.desc(), captures.c.id.desc()))
            return [dict(r._mapping) for r in rows]

    def capture(self, capture_id: int) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(select(captures).where(captures.c.id == capture_id)).first()
        return dict(row._mapping) if row else None

    def capture_by_record(self, record_id: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(select(captures).where(captures.c.record_id == record_id)).first()
        return dict(row._mapping) if row else None

    # -- articles and their references -----------------------------------------------------------

    def add_article(self, result: ArticleRefs, *, capture_id: int | None, fetched_at: str,
                    status: int | None, refs_record_id: str | None) -> int:
        """Index an article and its references; a re-crawl replaces the previous references."""
        prepared = article_rows(result)
        values = {**prepared.values, "fetched_at": fetched_at, "status": status, "capture_id": capture_id,
                  "refs_record_id": refs_record_id}
        with self._tx() as conn:
            article_id, created = _row_id(conn, _ARTICLE_ID, articles, values, ("url",))
            resolved: dict[str, Any] = {}
            if not created:
                # (on PostgreSQL this UPDATE also locks the row: two processes indexing the same
                # article take turns replacing its references)
                conn.execute(_UPDATE_ARTICLE, {**values, "row_id": article_id})
                old = conn.execute(select(refs).where(refs.c.article_id == article_id)).all()
                # What the earlier fetch learnt stays: what its short links resolved to.
                resolved = {r.resolve_url: r for r in old if r.resolve_url and r.post_id}
                fts.remove_many(conn, fts.DOC_REF, [r.id for r in old])
                conn.execute(delete(refs).where(refs.c.article_id == article_id))
                fts.remove(conn, fts.DOC_ARTICLE, article_id)
            fts.add(conn, fts.DOC_ARTICLE, article_id, prepared.text)
            rows = prepared.refs  # made for this call: completed in place
            for row in rows:
                row["article_id"] = article_id
                earlier = resolved.get(row["resolve_url"]) if row["kind"] == "embed" and not row["post_id"] else None
                if earlier is not None:
                    row.update(url=earlier.url, url_key=earlier.url_key, post_id=earlier.post_id,
                               handle=earlier.handle, handle_key=earlier.handle_key)
            _INSERT_REFS.many(conn, rows)
            by_place = {(kind, position): ref_id
                        for ref_id, kind, position in _REF_IDS.all(conn, article_id=article_id)}
            fts.add_many(conn, fts.DOC_REF, [(by_place[(row["kind"], row["position"])], " ".join(filter(None, (
                row["claim_text"], row["claim_author"], row["anchor_text"], row["sentence"], row["handle"],
                row["outlet"])))) for row in rows])
        return article_id

    def resolve_embed(self, resolve_url: str, post: PostRef) -> int:
        """Fill in the post of unresolved embeds once their short link was followed."""
        with self._tx() as conn:
            return conn.execute(
                update(refs).where(refs.c.kind == "embed", refs.c.post_id.is_(None),
                                   refs.c.resolve_url == resolve_url)
                .values(url=post.url, url_key=sort_key(post.url), post_id=post.post_id,
                        handle=post.handle, handle_key=fold(post.handle))).rowcount

    # -- posts ----------------------------------------------------------------------------------

    def add_post(self, snap: PostSnapshot, *, capture_id: int | None, captured_at: str,
                 snapshot_record_id: str | None) -> int:
        """Keep the latest snapshot of each platform post."""
        values = post_values(snap, capture_id, captured_at, snapshot_record_id)
        with self._tx() as conn:
            return _put_post(conn, values, post_text(snap))

    def add_posts(self, calls: list[dict[str, Any]]) -> list[int]:
        """add_post for a run of snapshots (`archiver reindex`), each call a dict of add_post's
        arguments: the same rows in the same order, with one INSERT for the posts that are new. A
        post indexed already, or named again in the run, is replaced in its turn, as add_post does."""
        values = [post_values(**call) for call in calls]
        texts = [post_text(call["snap"]) for call in calls]
        keys = [(v["platform"], v["post_id"]) for v in values]
        ids: list[int] = [0] * len(calls)
        with self._tx() as conn:
            known = _post_ids(conn, set(keys))
            new: dict[tuple[str, str], int] = {}  # new posts not inserted yet: key -> position

            def insert_new() -> None:
                positions = list(new.values())
                inserted = _insert_posts(conn, [values[i] for i in positions], [texts[i] for i in positions])
                for i, post_row in zip(positions, inserted):
                    ids[i] = known[keys[i]] = post_row
                new.clear()

            for i, key in enumerate(keys):
                if key in known or key in new:
                    insert_new()  # what comes before it is written first
                    ids[i] = _put_post(conn, values[i], texts[i])
                else:
                    new[key] = i
            insert_new()
        return ids

    def post(self, platform: str, post_id: str) -> dict[str, Any] | None:
        with self._read() as conn:
            return _POST.first(conn, platform=platform, post_id=post_id)

    def add_copy(self, found: Copy, *, capture_id: int | None = None, checked_at: str | None = None) -> int:
        """Record what an archive service holds for a URL (the newest answer per service and copy)."""
        values = dict(url=found.url, url_key=sort_key(found.url), service=found.service, copy_url=found.copy_url,
                      timestamp=found.timestamp, status=found.status, detail=found.detail,
                      checked_at=checked_at or now_iso(),
                      capture_id=capture_id)
        with self._tx() as conn:
            if conn.dialect.name == "postgresql":
                # No unique key says "one row per copy" (copy_url may be NULL): processes recording
                # the same copy take turns on a lock of its own instead. (SQLite: see _begin_write.)
                which = f"{values['url_key']} {found.service} {found.copy_url}"
                conn.execute(select(func.pg_advisory_xact_lock(_LOCK_COPY, func.hashtext(which))))
            same = conn.execute(select(copies.c.id).where(
                copies.c.url_key == values["url_key"], copies.c.service == found.service,
                copies.c.copy_url.is_(None) if found.copy_url is None else copies.c.copy_url == found.copy_url)).first()
            if same:
                conn.execute(update(copies).where(copies.c.id == same[0]).values(**values))
                return same[0]
            return conn.execute(insert(copies).values(**values)).inserted_primary_key[0]

    def copies_of(self, url: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(select(copies).where(copies.c.url_key == sort_key(url))
                                .order_by(copies.c.service, copies.c.timestamp.desc().nulls_last(), copies.c.id))
            return [_clean(dict(r._mapping)) for r in rows]

    def add_check(self, check: dict[str, Any], record_id: str | None) -> int | None:
        """Keep one verification of an embed (the dict written into the WARC as a check record:
        article_url, position, platform, post_id, checked_at, verdict, flags, diff,
        capture_record_ids). None when the article or the embed is not in the index."""
        art = self.article(check["article_url"])
        if art is None:
            return None
        with self._tx() as conn:
            ref = conn.execute(select(refs.c.id).where(refs.c.article_id == art["id"], refs.c.kind == "embed",
                                                       refs.c.position == check["position"])).first()
            if ref is None:
                return None
            post_row = conn.execute(select(posts.c.id).where(
                posts.c.platform == check.get("platform"), posts.c.post_id == check.get("post_id"))).first()
            record_ids = check.get("capture_record_ids") or []
            capture_ids = [r[0] for r in conn.execute(select(captures.c.id).where(
                captures.c.record_id.in_(record_ids)).order_by(captures.c.id))] if record_ids else []
            return conn.execute(insert(checks).values(
                ref_id=ref[0], post_row_id=post_row[0] if post_row else None, checked_at=check["checked_at"],
                verdict=check["verdict"], flags=json.dumps(check.get("flags") or []), diff=check.get("diff"),
                capture_ids=json.dumps(capture_ids), record_id=record_id)).inserted_primary_key[0]

    def checks_of(self, article_url: str, position: int) -> list[dict[str, Any]]:
        """The verification history of one embed, oldest first."""
        art = self.article(article_url)
        if art is None:
            return []
        with self._read() as conn:
            rows = conn.execute(select(checks).select_from(checks.join(refs, refs.c.id == checks.c.ref_id))
                                .where(refs.c.article_id == art["id"], refs.c.position == position)
                                .order_by(checks.c.checked_at, checks.c.id))
            out = []
            for r in rows:
                row = dict(r._mapping)
                row["flags"] = json.loads(row["flags"] or "[]")
                row["capture_ids"] = json.loads(row["capture_ids"] or "[]")
                out.append(row)
            return out

    def crawl_article_urls(self, crawl: str) -> list[str] | None:
        """URLs of the articles whose (latest) fetch belongs to one crawl, in index order. `crawl` is
        the crawl's number, its key, the first characters of its key, or the name its warcinfo gives
        it by default (`crawl-` + 8 characters of the key). None when no single crawl matches."""
        text = crawl.strip()
        prefix = text[len("crawl-"):] if text.startswith("crawl-") else text
        with self._read() as conn:
            found = conn.execute(select(crawls.c.id).where(crawls.c.id == int(text))).all() if text.isdigit() else []
            if not found and prefix:
                found = conn.execute(select(crawls.c.id).where(
                    crawls.c.crawl_key.startswith(prefix, autoescape=True)).limit(2)).all()
            if len(found) != 1:
                return None
            rows = conn.execute(select(articles.c.url)
                                .select_from(articles.join(captures, captures.c.id == articles.c.capture_id))
                                .where(captures.c.crawl_id == found[0][0]).order_by(articles.c.id))
            return [r[0] for r in rows]

    # -- queries --------------------------------------------------------------------------------

    def article(self, url: str) -> dict[str, Any] | None:
        """The article fetched at `url`; failing that, one whose canonical URL it is (an AMP
        page's canonical is the main article, so the URL itself must win)."""
        keys = {sort_key(url), sort_key(canonical(url))}
        with self._read() as conn:
            row = conn.execute(select(articles).where(articles.c.url_key.in_(keys))).first()
            if row is None:
                row = conn.execute(select(articles).where(articles.c.canonical_url == url)
                                   .order_by(articles.c.id)).first()
        return dict(row._mapping) if row else None

    def list_articles(self) -> list[dict[str, Any]]:
        """Every article with its reference counts (by kind and by embed platform)."""
        with self._read() as conn:
            rows = [dict(r._mapping) for r in conn.execute(select(articles).order_by(articles.c.id))]
            counts = conn.execute(select(refs.c.article_id, refs.c.kind, refs.c.platform, func.count())
                                  .group_by(refs.c.article_id, refs.c.kind, refs.c.platform)
                                  .order_by(refs.c.article_id, refs.c.kind, refs.c.platform.nulls_first()))
            by_article: dict[int, dict[str, Any]] = {}
            for article_id, kind, platform, n in counts:
                entry = by_article.setdefault(article_id, {"embed": 0, "link": 0, "mention": 0, "platforms": {}})
                entry[kind] += n
                if kind == "embed":
                    entry["platforms"][platform] = entry["platforms"].get(platform, 0) + n
        for row in rows:
            row["counts"] = by_article.get(row["id"], {"embed": 0, "link": 0, "mention": 0, "platforms": {}})
        return rows

    def sources(self, article_url: str) -> dict[str, Any] | None:
        """What an article cites, each reference with its capture status and WARC location."""
        art = self.article(article_url)
        if art is None:
            return None
        with self._read() as conn:
            result = conn.execute(
                select(refs, posts.c.status.label("post_status"), posts.c.text.label("post_text"),
                       posts.c.capture_id.label("post_capture_id"), posts.c.created_at.label("post_created_at"))
                .select_from(refs.outerjoin(posts, and_(posts.c.platform == refs.c.platform,
                                                        posts.c.post_id == refs.c.post_id)))
                .where(refs.c.article_id == art["id"]).order_by(refs.c.position, refs.c.id))
            keys = list(result.keys())
            rows = [dict(zip(keys, r)) for r in result.all()]
            # Captures and archived copies of all references at once: a query per reference made a
            # large article slow (hundreds of links)
            by_post = {row["post_capture_id"] for row in rows if row.get("post_id") and row["post_capture_id"]}
            post_captures = {c["id"]: c for c in _captures_by_id(conn, by_post)}
            links = [row for row in rows if row["kind"] == "link"]
            copied = {row["url"]: copy_of(row["url"]) for row in links}
            # the key of a link's URL is stored, unless it links to an archived copy (then it is
            # the original's): computing it again is the slow part of a large article
            finals = _final_captures(conn, {row["url"]: sort_key(row["url"]) if copied[row["url"]] else row["url_key"]
                                            for row in links if not (row.get("post_id") and row["post_capture_id"])})
            held = _copies_held(conn, {row["url_key"] for row in links if row["url_key"] is not None})
            items = []
            for row in rows:
                post_capture = row.pop("post_capture_id")
                if row.get("post_id") and post_capture:
                    # a post (embedded, or linked as a post) is captured through its platform
                    cap = post_captures.get(post_capture)
                elif row["kind"] == "link":
                    cap = finals[row["url"]]
                else:
                    cap = None
                row["capture"] = _capture_summary(cap) if cap else None
                row["status"] = _reference_status(row, row["capture"])
                if row["kind"] == "link":
                    found = copied[row["url"]]
                    if found is not None:
                        row["copy_of"] = found.url
                    row["archive_copies"] = [dict(c) for c in held.get(row["url_key"], ())] or None
                items.append(_clean(row))
        return {"article": _clean(art), "references": items}

    def lookup(self, query: str, limit: int = 500) -> list[dict[str, Any]]:
        """Citations matching a post URL, article URL, @handle, outlet, domain, post id or words."""
        query = query.strip()
        if not query:
            return []
        with self._read() as conn:
            art = self.article(query) if query.startswith(("http://", "https://")) else None
            if art is not None:
                target = citations.shaped("article", article_id=art["id"])
            else:
                target = citations.target_of(conn, query, has_fts=self.has_fts)
            return citations.citations(conn, target, limit) if target else []

    def cited_by(self, target: str, limit: int = 500) -> list[dict[str, Any]]:
        """Articles citing a post, handle, outlet (name or domain) or page: one row per article."""
        with self._read() as conn:
            found = citations.target_of(conn, target.strip(), text_search=False)
            return citations.citing_articles(conn, found, limit) if found else []

    def summary(self) -> dict[str, int]:
        with self._read() as conn:
            def count(table, *where):
                return conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
            return {
                "articles": count(articles),
                "embeds": count(refs, refs.c.kind == "embed"),
                "links": count(refs, refs.c.kind == "link"),
                "mentions": count(refs, refs.c.kind == "mention"),
                "posts": count(posts),
                "posts_ok": count(posts, posts.c.status == "ok"),
                "captures": count(captures),
                "captures_failed": count(captures, or_(captures.c.status.is_(None), captures.c.status >= 400)),
            }

def _put_post(conn: Connection, values: dict[str, Any], text: str) -> int:
    """One post's row, inserted or replaced (add_post)."""
    post_row, created = _row_id(conn, _POST_ID, posts, values, ("platform", "post_id"))
    if not created:
        conn.execute(_UPDATE_POST, {**values, "row_id": post_row})
        fts.remove(conn, fts.DOC_POST, post_row)
    fts.add(conn, fts.DOC_POST, post_row, text)
    return post_row


def _insert_posts(conn: Connection, rows: list[dict[str, Any]], texts: list[str]) -> list[int]:
    """New posts, distinct, in one executemany: their ids, in order; then their text, in the same order."""
    if not rows:
        return []
    _INSERT_POSTS.many(conn, rows)
    found = _post_ids(conn, {(r["platform"], r["post_id"]) for r in rows})
    ids = [found[(r["platform"], r["post_id"])] for r in rows]
    fts.add_many(conn, fts.DOC_POST, list(zip(ids, texts)))
    return ids


def _post_ids(conn: Connection, keys: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """The ids of the posts (platform, post id) indexed already."""
    rows = _POSTS_BY_ID.all(conn, sorted({post_id for _, post_id in keys}))
    return {(platform, post_id): row_id for row_id, platform, post_id in rows if (platform, post_id) in keys}


def _captures_by_id(conn: Connection, ids: set[int]) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(select(captures).where(captures.c.id.in_(ids)))] if ids else []


def _copies_held(conn: Connection, url_keys: set[str]) -> dict[str, list[dict[str, Any]]]:
    """The archived copies other services hold of these URLs (not those merely cited), by URL key,
    in the order they were recorded."""
    held: dict[str, list[dict[str, Any]]] = {}
    if url_keys:
        for r in conn.execute(select(copies.c.url_key, copies.c.service, copies.c.copy_url, copies.c.timestamp,
                                     copies.c.status)
                              .where(copies.c.url_key.in_(url_keys), copies.c.status != "cited")
                              .order_by(copies.c.id)):
            found = dict(r._mapping)
            held.setdefault(found.pop("url_key"), []).append(found)
    return held


def _newest_captures(conn: Connection, url_keys: set[str]) -> dict[str, dict[str, Any]]:
    """The newest capture of each of these URL keys (those captured)."""
    if not url_keys:
        return {}
    newest = (select(captures.c.id, func.row_number().over(
                  partition_by=captures.c.url_key, order_by=(captures.c.date.desc(), captures.c.id.desc())).label("n"))
              .where(captures.c.url_key.in_(url_keys)).subquery())
    rows = conn.execute(select(captures).join(newest, newest.c.id == captures.c.id).where(newest.c.n == 1))
    return {r.url_key: dict(r._mapping) for r in rows}


def _final_captures(conn: Connection, urls: dict[str, str], max_hops: int = 10) -> dict[str, dict[str, Any] | None]:
    """The newest capture of each URL (given with its sort_key), following recorded redirects to
    where they led (in this crawl or an earlier one): the status of a cited page is that of the
    page it leads to. One query per hop for all the URLs."""
    final: dict[str, dict[str, Any] | None] = {}
    # per URL still followed: the key of where it has led, its last capture, the URLs its redirects named
    chains: dict[str, tuple[str, dict[str, Any] | None, set[str]]] = {
        url: (key, None, set()) for url, key in urls.items()}
    for _ in range(max_hops + 1):
        if not chains:
            break
        newest = _newest_captures(conn, {key for key, _, _ in chains.values()})
        for url, (key, last, seen) in list(chains.items()):
            row = newest.get(key)
            done = row is None or not (row["status"] and 300 <= row["status"] < 400 and row["location"])
            if row is not None:
                last = row
                if not done:
                    at = urljoin(row["url"], row["location"])
                    done = at in seen  # a redirect loop
                    seen.add(at)
                    key = sort_key(at)
            if done:
                final[url] = last
                del chains[url]
            else:
                chains[url] = (key, last, seen)
    final.update({url: last for url, (_, last, _) in chains.items()})  # too many hops
    return final


def _capture_summary(cap: dict[str, Any]) -> dict[str, Any]:
    return {k: cap[k] for k in ("url", "date", "status", "mime", "record_type", "record_id", "filename",
                                "offset", "length", "payload_digest", "error", "location")}


def _reference_status(row: dict[str, Any], capture: dict[str, Any] | None) -> str:
    if row["kind"] == "mention":
        return "unnamed source" if row.get("unnamed") else "credited"
    if row["kind"] == "embed" and row.get("post_id") is None:
        return "unresolved"
    if row.get("post_status"):
        return row["post_status"]
    if capture is None:
        return "not captured"
    status = capture.get("status")
    if status is None:
        return f"failed: {capture.get('error') or 'no response'}"
    if 300 <= status < 400:
        return f"redirect without end (HTTP {status})"  # too many hops, or a loop
    return "ok" if status < 400 else f"HTTP {status}"


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    """Drop internal keys from a row for display and JSON."""
    return {k: v for k, v in row.items() if v is not None and not k.endswith("_key")}
