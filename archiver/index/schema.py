"""Tables of the citation index (SQLAlchemy Core; the same schema on SQLite and PostgreSQL).
Every row points at its evidence in a WARC (file, offset, length, record id)."""
from __future__ import annotations

from sqlalchemy import (Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text,
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
    Column("mime", String(255)),
    Column("record_type", String(16), nullable=False),  # response, revisit, metadata (failure)
    Column("record_id", String(64), nullable=False, unique=True),
    Column("filename", String(255)),
    Column("offset", Integer),
    Column("length", Integer),
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
    Column("site", String(255)),
    Column("title", Text),
    Column("authors", Text),          # JSON list
    Column("published", String(40)),
    Column("modified", String(40)),
    Column("language", String(35)),
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
    Column("platform", String(32)),
    Column("url", Text),                            # post URL (embed) or link URL
    Column("url_key", Text),
    Column("post_id", String(255)),
    Column("handle", String(255)),
    Column("handle_key", String(255)),              # lowercased, no "@"
    Column("shape", String(16)),
    Column("claim_text", Text),
    Column("claim_author", Text),
    Column("claim_date", String(64)),
    Column("resolve_url", Text),
    Column("anchor_text", Text),
    Column("sentence", Text),
    Column("link_kind", String(16)),
    Column("outlet", String(255)),
    Column("outlet_key", String(255)),              # lowercased outlet name
    Column("domain", String(255)),
    Column("surface", Text),
    Column("unnamed", Boolean),
    Column("capture_id", Integer, ForeignKey("captures.id")),  # link: capture of the cited page
)
Index("ix_refs_article", refs.c.article_id)
Index("ix_refs_post", refs.c.platform, refs.c.post_id)
Index("ix_refs_handle", refs.c.handle_key)
Index("ix_refs_outlet", refs.c.outlet_key)
Index("ix_refs_domain", refs.c.domain)
Index("ix_refs_url_key", refs.c.url_key)

posts = Table(
    "posts", metadata,
    Column("id", Integer, primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("post_id", String(255), nullable=False),
    Column("url", Text, nullable=False),
    Column("handle", String(255)),
    Column("handle_key", String(255)),
    Column("author", Text),
    Column("text", Text),
    Column("created_at", String(40)),
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
    Column("diff", Text),
    Column("capture_ids", Text),      # JSON list of the captures the verdict rests on
    Column("record_id", String(64)),  # metadata record in the WARC
)
