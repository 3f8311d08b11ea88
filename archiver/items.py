"""What the spider hands the pipeline: each item is one fact for the index, whose evidence is
already in the WARC when the item is yielded."""
from __future__ import annotations

from dataclasses import dataclass

from .model import ArticleRefs, PostRef, PostSnapshot


@dataclass
class ArticleItem:
    refs: ArticleRefs
    capture_record_id: str | None    # the WARC record of the article's capture (response or failure)
    status: int | None
    fetched_at: str
    refs_record_id: str | None


@dataclass
class PostItem:
    snapshot: PostSnapshot
    capture_record_id: str | None    # the WARC record of the answer the snapshot was read from
    captured_at: str
    snapshot_record_id: str | None


@dataclass
class ResolvedEmbedItem:
    resolve_url: str     # the short link the article showed (t.co, pic.twitter.com)
    post: PostRef
