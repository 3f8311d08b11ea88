"""Items -> citation index (in batches: archiver/index/write_behind.py). The spider wrote the
evidence into the WARC before yielding."""
from __future__ import annotations

from .items import ArticleItem, PostItem, ResolvedEmbedItem
from .session import ArchiveSession


class IndexPipeline:
    def __init__(self, session: ArchiveSession):
        self.writes = session.writes

    @classmethod
    def from_crawler(cls, crawler):
        return cls(ArchiveSession.for_crawler(crawler))

    def process_item(self, item, spider=None):
        if isinstance(item, ArticleItem):
            self.writes.add_article(item.refs, capture_record_id=item.capture_record_id,
                                    fetched_at=item.fetched_at, status=item.status,
                                    refs_record_id=item.refs_record_id)
        elif isinstance(item, PostItem):
            self.writes.add_post(item.snapshot, capture_record_id=item.capture_record_id,
                                 captured_at=item.captured_at, snapshot_record_id=item.snapshot_record_id)
        elif isinstance(item, ResolvedEmbedItem):
            self.writes.resolve_embed(item.resolve_url, item.post)
        return item
