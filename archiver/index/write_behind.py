"""A crawl's index writes, applied in batches. The WARC is written first, as always; the calls
that index it wait in memory (at most FLUSH_CALLS of them, and at most FLUSH_SECONDS: the crawl
flushes on a timer) and then run in one short transaction: the captures first, in one call, then
every other call in the order it was made.

Why: a transaction per call was a fifth of a crawl's CPU (BEGIN, then a COMMIT that writes the same
B-tree pages again for every row: a capture cost 280 us alone, 82 us in a batch). The write lock is
held only while a batch runs, so other crawls and lookups on the same index take turns as before.

A call that needs a capture's row id names the capture by its WARC record id; the id is looked up
when the batch runs. Reads do not wait for pending writes: a lookup during a crawl may miss its last
FLUSH_SECONDS, and the crawl's own reads have guards of their own (the duplicate filter, the
writer's memory of its captures for revisits). What a kill loses, the calls still waiting, is in
the WARC: the next crawl into the archive indexes it when it recovers the file
(archiver.reindex.index_unindexed).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import islice
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..errors import IndexError_
from ..model import ArticleRefs, CaptureInfo, PostRef, PostSnapshot
from ..wayback import Copy
from .store import Index

logger = logging.getLogger(__name__)

FLUSH_SECONDS = 0.5
FLUSH_CALLS = 500
KNOWN_CAPTURES = 4096  # row ids of the latest captures written, for the calls that name them later

# a waiting call: the record id of the capture it needs the row id of (or None), and the call
_Call = tuple["str | None", Callable[["int | None"], Any]]


class WriteBehind:
    def __init__(self, index: Index, crawl_id: int | None, max_calls: int = FLUSH_CALLS):
        self.index = index
        self.crawl_id = crawl_id
        self.max_calls = max_calls
        self._captures: list[CaptureInfo] = []
        self._calls: list[_Call] = []
        self._known: dict[str, int] = {}  # record id -> row id, the latest KNOWN_CAPTURES written

    def __len__(self) -> int:
        return len(self._captures) + len(self._calls)

    # -- the calls a crawl makes, as Index has them (a capture named by its record id) -----------

    def add_capture(self, info: CaptureInfo) -> None:
        self._captures.append(info)
        self._flush_if_full()

    def add_article(self, result: ArticleRefs, *, capture_record_id: str | None, fetched_at: str,
                    status: int | None, refs_record_id: str | None) -> None:
        self._queue(capture_record_id, lambda capture_id: self.index.add_article(
            result, capture_id=capture_id, fetched_at=fetched_at, status=status, refs_record_id=refs_record_id))

    def add_post(self, snap: PostSnapshot, *, capture_record_id: str | None, captured_at: str,
                 snapshot_record_id: str | None) -> None:
        self._queue(capture_record_id, lambda capture_id: self.index.add_post(
            snap, capture_id=capture_id, captured_at=captured_at, snapshot_record_id=snapshot_record_id))

    def add_copy(self, found: Copy, *, capture_record_id: str | None = None, checked_at: str | None = None) -> None:
        self._queue(capture_record_id, lambda capture_id: self.index.add_copy(
            found, capture_id=capture_id, checked_at=checked_at))

    def resolve_embed(self, resolve_url: str, post: PostRef) -> None:
        self._queue(None, lambda _capture_id: self.index.resolve_embed(resolve_url, post))

    # -- batches ---------------------------------------------------------------------------------

    def _queue(self, capture_record_id: str | None, call: Callable[[int | None], Any]) -> None:
        self._calls.append((capture_record_id, call))
        self._flush_if_full()

    def _flush_if_full(self) -> None:
        if len(self) >= self.max_calls:
            self.flush()

    def flush(self) -> None:
        """Run the waiting calls in one transaction. If the index refuses the batch, each call is
        tried on its own, so that one bad call costs only itself (it is logged; its evidence is in
        the WARC, and `archiver reindex` indexes it)."""
        captures, calls = self._captures, self._calls
        self._captures, self._calls = [], []
        if not captures and not calls:
            return
        try:
            with self.index.batch():
                self._run(captures, calls)
        except (SQLAlchemyError, IndexError_) as exc:
            logger.warning("A batch of %d index writes failed (%s); writing them one at a time",
                           len(captures) + len(calls), _first_line(exc))
            self._known.clear()  # it may hold ids of rows the rollback took back
            for info in captures:
                self._alone(lambda info=info: self.index.add_capture(info, self.crawl_id), info.url)
            for record_id, call in calls:
                self._alone(lambda call=call, record_id=record_id: self._run([], [(record_id, call)]), record_id)

    def _run(self, captures: list[CaptureInfo], calls: list[_Call]) -> None:
        ids = self._known
        if len(captures) == 1:  # (a slow crawl's batches: one statement, where add_captures runs three)
            ids[captures[0].location.record_id] = self.index.add_capture(captures[0], self.crawl_id)
        elif captures:
            ids.update(zip((info.location.record_id for info in captures),
                           self.index.add_captures(captures, self.crawl_id)))
        wanted = {record_id for record_id, _ in calls if record_id and record_id not in ids}
        if wanted:  # captured longer ago
            ids.update(self.index.capture_ids(sorted(wanted)))
        for record_id, call in calls:
            call(ids.get(record_id) if record_id else None)
        for oldest in list(islice(ids, max(0, len(ids) - KNOWN_CAPTURES))):  # (dicts keep insertion order)
            del ids[oldest]

    @staticmethod
    def _alone(write: Callable[[], Any], what: str | None) -> None:
        try:
            write()
        except (SQLAlchemyError, IndexError_) as exc:
            logger.error("Not indexed (%s): %s; the WARC holds it, and `archiver reindex` rebuilds the index "
                         "from the WARCs", what, _first_line(exc))


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
