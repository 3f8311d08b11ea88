"""Tables of the citation index (SQLAlchemy Core; the same schema on SQLite and PostgreSQL).
Every row points at its evidence in a WARC (file, offset, length, record id)."""
from __future__ import annotations

from sqlalchemy import (BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text, func,
                        UniqueConstraint)

metadata = MetaData()

crawls = Table(
    "crawls", metadata,
    Column("id", Integer, primary_key=True),
    Column("crawl_key", String(64), nullable=False, unique=True),
    Column("started", String(32), nullable=False),
    Column("finished", String(32)),
    Column("seeds", Text),            # JSON list
    Column("options", Text),          # JSON object
)

captures = Table(
    "captures", metadata,
    Column("id", Integer, primary_key=True),
    Column("crawl_id", Integer, ForeignKey("crawls.id")),
    Column("url", Text, nullable=False),
    Column("url_key", Text, nullable=False),       # archiver.urls.sort_key(url)
    Column("date", String(32), nullable=False),    # WARC-Date
    Column("status", Integer),                     # HTTP status; NULL for a failure
    Column("mime", Text),
    Column("record_type", String(16), nullable=False),  # response, revisit, metadata (failure)
    Column("record_id", String(64), nullable=False, unique=True),
    Column("filename", String(255)),
    Column("offset", BigInteger),
    Column("length", BigInteger),
    Column("payload_digest", String(80)),
    Column("refers_to", String(64)),               # revisit: the record it repeats
    Column("location", Text),                      # redirect target
    Column("error", Text),                         # failure reason
)
Index("ix_captures_url_key", captures.c.url_key)
Index("ix_captures_digest", captures.c.payload_digest)

articles = Table(
    "articles", metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False, unique=True),
    Column("url_key", Text, nullable=False),
    Column("canonical_url", Text),
    Column("site", Text),
    Column("title", Text),
    Column("authors", Text),          # JSON list
    Column("published", Text),
    Column("modified", Text),
    Column("language", Text),
    Column("fetched_at", String(32)),
    Column("status", Integer),
    Column("capture_id", Integer, ForeignKey("captures.id")),
    Column("refs_record_id", String(64)),  # the metadata record holding the extraction result
)
Index("ix_articles_url_key", articles.c.url_key)

# "references" is an SQL keyword; the table is "refs".
refs = Table(
    "refs", metadata,
    Column("id", Integer, primary_key=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),      # embed, link, mention
    Column("position", Integer, nullable=False),
    Column("in_body", Boolean, nullable=False),
    Column("platform", Text),
    Column("url", Text),                            # post URL (embed) or link URL
    Column("url_key", Text),
    Column("post_id", Text),
    Column("handle", Text),
    Column("handle_key", Text),              # lowercased, no "@"
    Column("shape", Text),
    Column("claim_text", Text),
    Column("claim_author", Text),
    Column("claim_date", Text),
    Column("resolve_url", Text),
    Column("anchor_text", Text),
    Column("sentence", Text),
    Column("link_kind", Text),
    Column("outlet", Text),
    Column("outlet_key", Text),              # lowercased outlet name
    Column("domain", Text),
    Column("surface", Text),
    Column("unnamed", Boolean),
)
Index("ix_refs_article", refs.c.article_id)
Index("ix_refs_post", refs.c.platform, refs.c.post_id)
Index("ix_refs_post_id", refs.c.post_id)  # a post id asked for without its platform
Index("ix_refs_handle", refs.c.handle_key)
Index("ix_refs_outlet", refs.c.outlet_key)
Index("ix_refs_domain", refs.c.domain)
Index("ix_refs_url_key", refs.c.url_key)
Index("ix_refs_surface", func.lower(refs.c.surface))  # an outlet asked for as written ("the AP")

posts = Table(
    "posts", metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", Text, nullable=False),
    Column("post_id", Text, nullable=False),
    Column("url", Text, nullable=False),
    Column("handle", Text),
    Column("handle_key", Text),
    Column("author", Text),
    Column("text", Text),
    Column("created_at", Text),
    Column("media", Text),            # JSON list
    Column("counts", Text),           # JSON object
    Column("status", String(16), nullable=False),
    Column("detail", Text),
    Column("endpoint", Text),
    Column("captured_at", String(32)),
    Column("capture_id", Integer, ForeignKey("captures.id")),
    Column("snapshot_record_id", String(64)),       # metadata record holding the snapshot
    UniqueConstraint("platform", "post_id", name="uq_posts_platform_post"),
)
Index("ix_posts_handle", posts.c.handle_key)

checks = Table(
    "checks", metadata,
    Column("id", Integer, primary_key=True),
    Column("ref_id", Integer, ForeignKey("refs.id", ondelete="CASCADE"), nullable=False),
    Column("post_row_id", Integer, ForeignKey("posts.id")),
    Column("checked_at", String(32), nullable=False),
    Column("verdict", String(24), nullable=False),
    Column("flags", Text),            # JSON list: "date_mismatch"
    Column("diff", Text),
    Column("capture_ids", Text),      # JSON list of the captures the verdict rests on
    Column("record_id", String(64)),  # metadata record in the WARC
)

# Archived copies of cited URLs at other services (--wayback lookup/submit, or an article that
# links to a web.archive.org / archive.today copy). One row per (URL, service, copy).
copies = Table(
    "copies", metadata,
    Column("id", Integer, primary_key=True),
    Column("url", Text, nullable=False),              # the original URL
    Column("url_key", Text, nullable=False),
    Column("service", String(16), nullable=False),    # wayback, archive.today
    Column("copy_url", Text),
    Column("timestamp", String(14)),
    Column("status", String(16), nullable=False),     # available, missing, submitted, error, cited
    Column("detail", Text),
    Column("checked_at", String(32), nullable=False),
    Column("capture_id", Integer, ForeignKey("captures.id")),  # the service's answer, as recorded
)
Index("ix_copies_url", copies.c.url_key)
