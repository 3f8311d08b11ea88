"""Items -> citation index. The spider wrote the evidence into the WARC before yielding."""
from __future__ import annotations

from .items import ArticleItem, PostItem, ResolvedEmbedItem
from .session import ArchiveSession


class IndexPipeline:
    def __init__(self, session: ArchiveSession):
        self.index = session.index

    @classmethod
    def from_crawler(cls, crawler):
        return cls(ArchiveSession.for_crawler(crawler))

    def process_item(self, item, spider=None):
        if isinstance(item, ArticleItem):
            self.index.add_article(item.refs, capture_id=item.capture_id, fetched_at=item.fetched_at,
                                   status=item.status, refs_record_id=item.refs_record_id)
        elif isinstance(item, PostItem):
            self.index.add_post(item.snapshot, capture_id=item.capture_id, captured_at=item.captured_at,
                                snapshot_record_id=item.snapshot_record_id)
        elif isinstance(item, ResolvedEmbedItem):
            self.index.resolve_embed(item.resolve_url, item.post)
        return item
