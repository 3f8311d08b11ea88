"""Tables of the citation index (SQLAlchemy Core; the same schema on SQLite and PostgreSQL).
Every row points at its evidence in a WARC (file, offset, length, record id)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        TypeDecorator, UniqueConstraint, func)
from sqlalchemy.dialects import sqlite

metadata = MetaData()

# Row ids: 64-bit on PostgreSQL (a large archive can pass 2**31 captures); on SQLite an INTEGER
# PRIMARY KEY is the 64-bit rowid already, and must stay spelt INTEGER to be it.
ID = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


class PgText(TypeDecorator):
    """PostgreSQL text, which cannot hold the NUL character SQLite stores (a post's text may have
    one): it is written as U+FFFD, the replacement character, instead of failing the write."""
    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.replace("\x00", "\ufffd") if value and "\x00" in value else value


def Str(length: int | None = None):
    """A string column. SQLite never enforces a VARCHAR length, so PostgreSQL gets unbounded TEXT
    too (a long record id or digest in another tool's WARC must not fail there only), with the "C"
    collation: byte order, as SQLite compares and sorts, and lower() of ASCII letters only, as
    SQLite's lower()."""
    return (String(length) if length else Text()).with_variant(PgText(collation="C"), "postgresql")


# Columns looked up by equality only, with values as long as a URL can be: a hash index on
# PostgreSQL, whose B-tree refuses a key over ~2.7 kB. (SQLite ignores the option.)
EQUALITY_ONLY = {"postgresql_using": "hash"}

crawls = Table(
    "crawls", metadata,
    Column("id", ID, primary_key=True),
    Column("crawl_key", Str(64), nullable=False, unique=True),
    Column("started", Str(32), nullable=False),
    Column("finished", Str(32)),
    Column("seeds", Str()),           # JSON list
    Column("options", Str()),         # JSON object
)

captures = Table(
    "captures", metadata,
    Column("id", ID, primary_key=True),
    Column("crawl_id", ID, ForeignKey("crawls.id")),
    Column("url", Str(), nullable=False),
    Column("url_key", Str(), nullable=False),      # archiver.urls.sort_key(url)
    Column("date", Str(32), nullable=False),       # WARC-Date
    Column("status", Integer),                     # HTTP status; NULL for a failure
    Column("mime", Str()),
    Column("record_type", Str(16), nullable=False),     # response, revisit, metadata (failure)
    Column("record_id", Str(64), nullable=False, unique=True),
    Column("filename", Str(255)),
    Column("offset", BigInteger),
    Column("length", BigInteger),
    Column("payload_digest", Str(80)),
    Column("refers_to", Str(64)),                  # revisit: the record it repeats
    Column("location", Str()),                     # redirect target
    Column("error", Str()),                        # failure reason
)
Index("ix_captures_url_key", captures.c.url_key, **EQUALITY_ONLY)
Index("ix_captures_digest", captures.c.payload_digest)

articles = Table(
    "articles", metadata,
    Column("id", ID, primary_key=True),
    Column("url", Str(), nullable=False, unique=True),
    Column("url_key", Str(), nullable=False),
    Column("canonical_url", Str()),
    Column("site", Str()),
    Column("title", Str()),
    Column("authors", Str()),         # JSON list
    Column("published", Str()),
    Column("modified", Str()),
    Column("language", Str()),
    Column("fetched_at", Str(32)),
    Column("status", Integer),
    Column("capture_id", ID, ForeignKey("captures.id")),
    Column("refs_record_id", Str(64)),     # the metadata record holding the extraction result
)
Index("ix_articles_url_key", articles.c.url_key, **EQUALITY_ONLY)
Index("ix_articles_canonical", articles.c.canonical_url, **EQUALITY_ONLY)  # article(): a page naming it canonical
# The order cited_by answers in, NULLs first (as SQLite sorts them): a much-cited target is answered
# by walking articles in this order until enough cite it. (SQLite cannot spell NULLS FIRST in an
# index, and needs not: its ascending order puts NULL first.)
Index("ix_articles_published", articles.c.published, articles.c.url).ddl_if(dialect="sqlite")
Index("ix_articles_published", articles.c.published.nulls_first(), articles.c.url).ddl_if(dialect="postgresql")

# "references" is an SQL keyword; the table is "refs".
refs = Table(
    "refs", metadata,
    Column("id", ID, primary_key=True),
    Column("article_id", ID, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Str(8), nullable=False),         # embed, link, mention
    Column("position", Integer, nullable=False),
    Column("in_body", Boolean, nullable=False),
    Column("platform", Str()),
    Column("url", Str()),                           # post URL (embed) or link URL
    Column("url_key", Str()),
    Column("post_id", Str()),
    Column("handle", Str()),
    Column("handle_key", Str()),             # lowercased, no "@"
    Column("shape", Str()),
    Column("claim_text", Str()),
    Column("claim_author", Str()),
    Column("claim_date", Str()),
    Column("resolve_url", Str()),
    Column("anchor_text", Str()),
    Column("sentence", Str()),
    Column("link_kind", Str()),
    Column("outlet", Str()),
    Column("outlet_key", Str()),             # lowercased outlet name
    Column("domain", Str()),
    Column("surface", Str()),
    Column("unnamed", Boolean),
)
Index("ix_refs_article", refs.c.article_id)
# Every key a reference is looked up by, then its article and kind: `lookup` and `cited_by` of a
# much-cited target walk the articles in the order of the answer, asking each "do you cite it?"
# (one probe), then count what the first ones cite by kind from the index alone. Partial: most
# references have no handle, post, outlet or surface, and no query asks for a NULL one.
Index("ix_refs_handle_article", refs.c.handle_key, refs.c.article_id, refs.c.kind,
      sqlite_where=refs.c.handle_key.isnot(None), postgresql_where=refs.c.handle_key.isnot(None))
Index("ix_refs_post_article", refs.c.platform, refs.c.post_id, refs.c.article_id, refs.c.kind,
      sqlite_where=refs.c.post_id.isnot(None), postgresql_where=refs.c.post_id.isnot(None))
# a post id asked for without its platform
Index("ix_refs_post_id_article", refs.c.post_id, refs.c.article_id, refs.c.kind,
      sqlite_where=refs.c.post_id.isnot(None), postgresql_where=refs.c.post_id.isnot(None))
# outlets are asked for among mentions only: the kind comes before the article
Index("ix_refs_outlet_article", refs.c.outlet_key, refs.c.kind, refs.c.article_id,
      sqlite_where=refs.c.outlet_key.isnot(None), postgresql_where=refs.c.outlet_key.isnot(None))
# an outlet asked for as written ("the AP"). (SQLite uses this partial index for `lower(surface) = ?`
# only if the condition names the same expression.)
Index("ix_refs_surface_article", func.lower(refs.c.surface), refs.c.kind, refs.c.article_id,
      sqlite_where=func.lower(refs.c.surface).isnot(None), postgresql_where=func.lower(refs.c.surface).isnot(None))
Index("ix_refs_domain_article", refs.c.domain, refs.c.article_id, refs.c.kind)
# URLs: PostgreSQL keeps a hash index (no composite there; its B-tree refuses a long URL)
Index("ix_refs_url_article", refs.c.url_key, refs.c.article_id, refs.c.kind).ddl_if(dialect="sqlite")
Index("ix_refs_url_key", refs.c.url_key, **EQUALITY_ONLY).ddl_if(dialect="postgresql")
# resolve_embed: the few embeds still waiting for their short link to be followed
Index("ix_refs_resolve", refs.c.resolve_url, sqlite_where=refs.c.resolve_url.isnot(None),
      postgresql_where=refs.c.resolve_url.isnot(None), **EQUALITY_ONLY)

# Indexes of earlier versions that those above replace, dropped from an index that has them (with
# the engine they are dropped on; None: every engine).
RETIRED_INDEXES = {"ix_refs_handle": None, "ix_refs_post": None, "ix_refs_post_id": None, "ix_refs_outlet": None,
                   "ix_refs_surface": None, "ix_refs_domain": None, "ix_refs_url_key": "sqlite"}

posts = Table(
    "posts", metadata,
    Column("id", ID, primary_key=True),
    Column("platform", Str(), nullable=False),
    Column("post_id", Str(), nullable=False),
    Column("url", Str(), nullable=False),
    Column("handle", Str()),
    Column("handle_key", Str()),
    Column("author", Str()),
    Column("text", Str()),
    Column("created_at", Str()),
    Column("media", Str()),           # JSON list
    Column("counts", Str()),          # JSON object
    Column("status", Str(16), nullable=False),
    Column("detail", Str()),
    Column("endpoint", Str()),
    Column("captured_at", Str(32)),
    Column("capture_id", ID, ForeignKey("captures.id")),
    Column("snapshot_record_id", Str(64)),          # metadata record holding the snapshot
    UniqueConstraint("platform", "post_id", name="uq_posts_platform_post"),
)
Index("ix_posts_handle", posts.c.handle_key)

checks = Table(
    "checks", metadata,
    Column("id", ID, primary_key=True),
    Column("ref_id", ID, ForeignKey("refs.id", ondelete="CASCADE"), nullable=False),
    Column("post_row_id", ID, ForeignKey("posts.id")),
    Column("checked_at", Str(32), nullable=False),
    Column("verdict", Str(24), nullable=False),
    Column("flags", Str()),           # JSON list: "date_mismatch"
    Column("diff", Str()),
    Column("capture_ids", Str()),     # JSON list of the captures the verdict rests on
    Column("record_id", Str(64)),     # metadata record in the WARC
)

# Archived copies of cited URLs at other services (--wayback lookup/submit, or an article that
# links to a web.archive.org / archive.today copy). One row per (URL, service, copy).
copies = Table(
    "copies", metadata,
    Column("id", ID, primary_key=True),
    Column("url", Str(), nullable=False),             # the original URL
    Column("url_key", Str(), nullable=False),
    Column("service", Str(16), nullable=False),       # wayback, archive.today
    Column("copy_url", Str()),
    Column("timestamp", Str(14)),
    Column("status", Str(16), nullable=False),        # available, missing, submitted, error, cited
    Column("detail", Str()),
    Column("checked_at", Str(32), nullable=False),
    Column("capture_id", ID, ForeignKey("captures.id")),       # the service's answer, as recorded
)
Index("ix_copies_url", copies.c.url_key, **EQUALITY_ONLY)
