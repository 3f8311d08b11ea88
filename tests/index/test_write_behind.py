"""The crawl's batched index writes (archiver/index/write_behind.py), on SQLite and PostgreSQL: the
same rows as calling the index one call at a time, captures named by record id resolved across
batches, nothing visible before a flush, and one bad call costing only itself."""
from __future__ import annotations

import logging
from dataclasses import replace

from archiver.index import open_index
from archiver.index.write_behind import WriteBehind
from archiver.model import CaptureInfo, PostRef, PostSnapshot, WarcLocation
from archiver.wayback import Copy

from .test_store import ART, POST, refs

DATE = "2026-01-01T00:00:00.000000Z"


def info(url: str, record: str, status: int | None = 200) -> CaptureInfo:
    return CaptureInfo(url=url, date=DATE, status=status, mime="text/html",
                       location=WarcLocation("a.warc.gz", int(record[-3:-1]) * 100, 90, record), payload_digest="sha1:X")


def snapshot(text="Ceasefire terms agreed") -> PostSnapshot:
    return PostSnapshot("twitter", "1901199946615513871", POST, "ok", "https://cdn.example/tweet-result",
                        handle="wartranslated", text=text)


def crawl_calls(index, writes, crawl_id):
    """What a crawl does: captures, then what the spider learnt from them, some in a later batch."""
    writes.add_capture(info(ART, "<urn:uuid:01>"))
    writes.add_capture(info(POST, "<urn:uuid:02>"))
    writes.add_article(refs(), capture_record_id="<urn:uuid:01>", fetched_at=DATE, status=200,
                       refs_record_id="<urn:uuid:03>")
    writes.flush()
    writes.add_post(snapshot(), capture_record_id="<urn:uuid:02>", captured_at=DATE, snapshot_record_id="<urn:uuid:04>")
    writes.add_capture(info("https://t.co/lGWwoDFV5E", "<urn:uuid:05>", status=301))
    writes.resolve_embed("https://t.co/lGWwoDFV5E", PostRef("twitter", POST.replace("1901199946615513871", "42"), "42",
                                                            "UkrReview"))
    writes.add_copy(Copy(ART, "wayback", "https://web.archive.org/web/2025/" + ART, "20250316000000", "available"),
                    capture_record_id="<urn:uuid:05>", checked_at=DATE)
    writes.flush()


def test_batched_writes_leave_the_rows_of_one_call_at_a_time(index_url, tmp_path):
    batched = open_index(index_url)
    crawl_id = batched.start_crawl("k", [], {})
    writes = WriteBehind(batched, crawl_id)
    crawl_calls(batched, writes, crawl_id)

    one_by_one = open_index(tmp_path / "one.sqlite")
    other_crawl = one_by_one.start_crawl("k", [], {})
    ids = {r: one_by_one.add_capture(info(url, r, status), other_crawl)
           for url, r, status in ((ART, "<urn:uuid:01>", 200), (POST, "<urn:uuid:02>", 200))}
    one_by_one.add_article(refs(), capture_id=ids["<urn:uuid:01>"], fetched_at=DATE, status=200,
                           refs_record_id="<urn:uuid:03>")
    try:
        for index in (batched, one_by_one):
            article = index.article(ART)
            assert index.capture(article["capture_id"])["record_id"] == "<urn:uuid:01>"
        post = batched.post("twitter", "1901199946615513871")
        assert batched.capture(post["capture_id"])["record_id"] == "<urn:uuid:02>", "resolved from an earlier batch"
        assert post["text"] == "Ceasefire terms agreed"
        sources = batched.sources(ART)["references"]
        assert [r["post_id"] for r in sources if r["kind"] == "embed"] == ["1901199946615513871", "42"]
        copy, = batched.copies_of(ART)
        assert batched.capture(copy["capture_id"])["record_id"] == "<urn:uuid:05>"
        assert sorted(batched.indexed_record_ids()) == ["<urn:uuid:01>", "<urn:uuid:02>", "<urn:uuid:05>"]
        assert ({k: v for k, v in batched.article(ART).items() if k not in ("id", "capture_id")}
                == {k: v for k, v in one_by_one.article(ART).items() if k not in ("id", "capture_id")})
    finally:
        batched.close()
        one_by_one.close()


def test_nothing_is_written_before_a_flush_and_a_full_batch_flushes_itself(index):
    writes = WriteBehind(index, index.start_crawl("k", [], {}), max_calls=3)
    writes.add_capture(info(ART, "<urn:uuid:01>"))
    writes.add_article(refs(), capture_record_id="<urn:uuid:01>", fetched_at=DATE, status=200, refs_record_id=None)
    assert index.indexed_record_ids() == set() and index.article(ART) is None and len(writes) == 2
    writes.add_capture(info(POST, "<urn:uuid:02>"))  # the third call fills the batch
    assert len(writes) == 0
    assert index.indexed_record_ids() == {"<urn:uuid:01>", "<urn:uuid:02>"}
    assert index.article(ART)["capture_id"] is not None


def test_a_call_the_index_refuses_costs_only_itself(index, caplog):
    writes = WriteBehind(index, index.start_crawl("k", [], {}))
    writes.add_capture(info(ART, "<urn:uuid:01>"))
    bad = replace(snapshot(), platform=None)  # posts.platform is NOT NULL: the index refuses this row
    writes.add_post(bad, capture_record_id=None, captured_at=DATE, snapshot_record_id=None)
    writes.add_article(refs(), capture_record_id="<urn:uuid:01>", fetched_at=DATE, status=200, refs_record_id=None)
    with caplog.at_level(logging.WARNING):
        writes.flush()
    assert index.indexed_record_ids() == {"<urn:uuid:01>"}
    assert index.article(ART) is not None, "the calls before and after the bad one are written"
    assert "one at a time" in caplog.text and "Not indexed" in caplog.text
