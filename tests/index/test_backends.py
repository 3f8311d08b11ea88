"""What could differ between SQLite and PostgreSQL does not: full-text matching, the order of
strings and NULLs, values SQLite would take without complaint (long URLs, long record ids), and
one crawl row per crawl key. Every test runs on both back-ends (tests/index/conftest.py)."""
from __future__ import annotations

import random
import string

from sqlalchemy import create_engine, inspect

from archiver.index import open_index
from archiver.model import ArticleMeta, ArticleRefs, CaptureInfo, Embed, Link, PostSnapshot, WarcLocation
from archiver.wayback import Copy

from .test_store import ART, refs

POST = "https://twitter.com/someone/status/{}"


def article(index, url, title=None, claim=None, published=None, handle="someone", position=0):
    embed = Embed("twitter", POST.format(1000 + position), str(1000 + position), handle, "snippet", position, True,
                  claim_text=claim)
    index.add_article(ArticleRefs(url=url, metadata=ArticleMeta(url, title=title, published=published),
                                  embeds=(embed,)),
                      capture_id=None, fetched_at="t", status=200, refs_record_id=None)


def found(index, query):
    return sorted({r["article_url"] for r in index.lookup(query)})


def test_full_text_finds_the_same_documents(index):
    article(index, "https://a.example/1", title="Café owners back the ceasefire")
    article(index, "https://a.example/2", claim="Visit theguardian.com for 3.5 hours, said user_name")
    article(index, "https://a.example/3", claim="Путин говорит NEAR(a b) ÆSIR", position=2)
    index.add_post(PostSnapshot("twitter", "1002", POST.format(1002), "ok", "e", text="Naïve résumé of events"),
                   capture_id=None, captured_at="t", snapshot_record_id=None)
    one, two, three = "https://a.example/1", "https://a.example/2", "https://a.example/3"
    expected = {
        "cafe": [one], "CAFÉ": [one], "café owners": [one], "owners cafe": [one], "ceasefires": [],
        "the": [one], "theguardian": [two], "guardian": [], "theguardian com": [two],
        "3.5 hours": [two], "hours 5.3": [two], "3 hours": [two], "35 hours": [],
        "user_name": [two], "user name": [two], "name_user": [],   # within a word: a phrase
        "путин": [three], "ПУТИН говорит": [three], "near": [three], "æsir": [three],
        "naive resume": [three], "résumé": [three],                  # the post embedded in 3
        "ceasefire hours": [], "_": [], "ceasefire _": [one],
    }
    assert {query: found(index, query) for query in expected} == expected
    assert index.cited_by("путин") == []  # no outlet has that name (nor every reference without one)


def test_strings_sort_by_their_bytes_and_nulls_first(index):
    # PostgreSQL's usual collations sort "a" before "B" and NULL last; SQLite sorts bytes, NULL first
    article(index, "https://x.example/a", published="2025-01-02")
    article(index, "https://x.example/B", published="2025-01-02")
    article(index, "https://x.example/undated")
    assert [r["article_url"] for r in index.lookup("@someone")] == [
        "https://x.example/B", "https://x.example/a", "https://x.example/undated"]
    assert [r["article_url"] for r in index.cited_by("@someone")] == [
        "https://x.example/undated", "https://x.example/B", "https://x.example/a"]
    for stamp in ("20240101000000", None, "20250101000000"):
        index.add_copy(Copy("https://x.example/a", "wayback", stamp and f"https://web.archive.org/web/{stamp}/x",
                            stamp, "available" if stamp else "missing"), checked_at="t")
    assert [c.get("timestamp") for c in index.copies_of("https://x.example/a")] == [
        "20250101000000", "20240101000000", None]


def test_values_sqlite_takes_are_taken(index):
    """Lengths SQLite never enforces: a URL beyond what a PostgreSQL B-tree index holds, a record id
    and a digest longer than their columns were declared."""
    noise = "".join(random.Random(1).choices(string.ascii_letters + string.digits, k=6000))
    long_url = f"https://maps.example/place?data={noise}"
    url = "https://a.example/long"
    index.add_article(ArticleRefs(url=url, metadata=ArticleMeta(url),
                                  links=(Link(long_url, "map", "See the map.", 0, True, "page"),)),
                      capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    record = "<urn:example:" + "r" * 100 + ">"
    digest = "sha512:" + "A" * 103
    capture_id = index.add_capture(CaptureInfo(url=long_url, date="2026-01-01T00:00:00.000000Z", status=200,
                                               mime="text/html", location=WarcLocation("a.warc.gz", 2**40, 20, record),
                                               payload_digest=digest))
    assert [r["kind"] for r in index.lookup(long_url)] == ["link"]
    assert index.captures_of(long_url)[0]["id"] == capture_id
    assert index.capture_by_record(record)["offset"] == 2**40          # beyond 32 bits
    assert index.find_payload(digest, long_url)[0] == record
    link = index.sources(url)["references"][0]
    assert link["status"] == "ok" and link["capture"]["record_id"] == record
    # a NUL character: PostgreSQL text cannot hold one, so it becomes U+FFFD there
    index.add_post(PostSnapshot("twitter", "1", POST.format(1), "ok", "e", text="nul\x00here"),
                   capture_id=None, captured_at="t", snapshot_record_id=None)
    assert index.post("twitter", "1")["text"] in ("nul\x00here", "nul\ufffdhere")


def test_start_crawl_is_idempotent_per_key(index):
    first = index.start_crawl("key-1", ["https://a.example/"], {"depth": 1}, started="2026-01-01T00:00:00Z")
    again = index.start_crawl("key-1", ["https://other.example/"], {"depth": 2}, started="2026-02-02T00:00:00Z")
    other = index.start_crawl("key-2", [], {})
    assert first == again != other
    kept = index.crawl_by_key("key-1")
    assert kept["started"] == "2026-01-01T00:00:00Z" and '"depth": 1' in kept["options"]


def test_column_types(index_url):
    """Ids and offsets are 64-bit, strings are unbounded text, on PostgreSQL as on SQLite."""
    open_index(index_url).close()
    engine = create_engine(index_url if "://" in index_url else f"sqlite:///{index_url}")
    try:
        columns = {c["name"]: c["type"] for c in inspect(engine).get_columns("captures")}
    finally:
        engine.dispose()
    if engine.dialect.name == "postgresql":
        assert {str(columns[n]) for n in ("id", "crawl_id", "offset", "length")} == {"BIGINT"}
        assert {str(columns[n]) for n in ("url", "record_id", "payload_digest", "date")} == {'TEXT COLLATE "C"'}
    else:  # an INTEGER PRIMARY KEY is the 64-bit rowid
        assert str(columns["id"]) == "INTEGER" and str(columns["offset"]) == "BIGINT"


def test_captures_cut_off_a_recovered_file_are_forgotten(index):
    """(Foreign keys hold on both back-ends: what points at a dropped capture lets go of it.)"""
    def add(offset, record):
        return index.add_capture(CaptureInfo(url="https://a.example/x", date="2026-01-01T00:00:00.000000Z", status=200,
                                             mime="text/html", location=WarcLocation("f.warc.gz", offset, 50, record),
                                             payload_digest=None))
    kept, cut = add(0, "<urn:uuid:kept>"), add(100, "<urn:uuid:cut>")
    index.add_copy(Copy("https://a.example/x", "wayback", None, None, "missing"), capture_id=cut, checked_at="t")
    index.add_post(PostSnapshot("twitter", "1", POST.format(1), "ok", "e"), capture_id=cut, captured_at="t",
                   snapshot_record_id=None)
    assert index.drop_captures_beyond("f.warc.gz", 120) == 1
    assert [c["id"] for c in index.captures_of("https://a.example/x")] == [kept]
    assert index.post("twitter", "1")["capture_id"] is None
    assert "capture_id" not in index.copies_of("https://a.example/x")[0]


def test_a_crawl_and_what_it_fetched(index):
    """The calls a crawl and its resumption make, and the checks `archiver verify` records."""
    crawl_id = index.start_crawl("abcdef0123456789", ["https://a.example/"], {"depth": 1})
    assert index.unfinished_crawl()["seeds"] == ["https://a.example/"]
    capture_id = index.add_capture(CaptureInfo(url=ART, date="2026-01-01T00:00:00.000000Z", status=200,
                                               mime="text/html", location=WarcLocation("a.warc.gz", 0, 9, "<urn:uuid:a>"),
                                               payload_digest="sha1:A"), crawl_id=crawl_id)
    index.add_article(refs(), capture_id=capture_id, fetched_at="t", status=200, refs_record_id=None)
    assert index.captured_in_crawl(ART, crawl_id) and not index.captured_in_crawl(ART, crawl_id + 1)
    again = index.article_refs_in_crawl(ART, crawl_id)
    assert [e.post_id for e in again.embeds] == ["1901199946615513871", None] and len(again.links) == 1
    for name in ("crawl-abcdef01", "abcdef", str(crawl_id)):
        assert index.crawl_article_urls(name) == [ART]
    assert index.crawl_article_urls("crawl-%") is None and index.indexed_record_ids("a.warc.gz") == {"<urn:uuid:a>"}
    assert index.list_articles()[0]["counts"] == {"embed": 2, "link": 1, "mention": 2, "platforms": {"twitter": 2}}
    check = {"article_url": ART, "position": 0, "platform": "twitter", "post_id": "1901199946615513871",
             "checked_at": "2026-01-02T00:00:00Z", "verdict": "unchanged", "flags": ["date_mismatch"],
             "capture_record_ids": ["<urn:uuid:a>"]}
    assert index.add_check(check, "<urn:uuid:c1>") is not None
    assert index.add_check({**check, "checked_at": "2026-01-01T00:00:00Z", "verdict": "edited"}, "<urn:uuid:c2>")
    history = index.checks_of(ART, 0)
    assert [c["verdict"] for c in history] == ["edited", "unchanged"] and history[0]["capture_ids"] == [capture_id]
    index.finish_crawl(crawl_id)
    assert index.unfinished_crawl() is None


def test_rows_written_on_the_drivers_cursor_still_go_through_the_column_types(index):
    """References, captures and full-text rows are written by executemany on the driver's own
    cursor (index/driver.py): a NUL in a link's text must still become U+FFFD on PostgreSQL, and a
    boolean still read back as one, as when SQLAlchemy wrote them."""
    url = "https://a.example/nul"
    index.add_article(ArticleRefs(url=url, metadata=ArticleMeta(url, title="A title"),
                                  links=(Link("https://b.example/x", "the\x00report", "See the report.", 0, True,
                                              "page"),)),
                      capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    ref = index.sources(url)["references"][0]
    assert ref["anchor_text"] in ("the\x00report", "the\ufffdreport") and ref["in_body"] is True
    nul_kept = ref["anchor_text"] == "the\x00report"
    assert nul_kept == (index.engine.dialect.name == "sqlite")
    assert [r["kind"] for r in index.lookup("https://b.example/x")] == ["link"]


def test_lists_of_any_length_are_looked_up_in_one_statement_per_size(index):
    """OnDriverIn cuts a list at IN_LIST_SIZE and pads each piece (with its last value) to a power
    of two: every key is found once, whatever the length, and a key named twice is no trouble."""
    from archiver.index.driver import IN_LIST_SIZE, OnDriverIn
    from archiver.index.schema import captures
    from sqlalchemy import select

    ids = index.add_captures([CaptureInfo(url=f"https://a.example/{n}", date="2025-03-16T10:00:00Z", status=200,
                                          mime="text/html", payload_digest=None,
                                          location=WarcLocation("a.warc.gz", n * 10, 10, f"<urn:{n}>"))
                              for n in range(IN_LIST_SIZE + 90)])
    by_record = {f"<urn:{n}>": capture_id for n, capture_id in enumerate(ids)}
    lookup = OnDriverIn(lambda keys: select(captures.c.record_id, captures.c.id).where(captures.c.record_id.in_(keys)))
    with index.engine.connect() as conn:
        for size in (0, 1, 3, 64, IN_LIST_SIZE, IN_LIST_SIZE + 90):
            keys = [f"<urn:{n}>" for n in range(size)]
            assert dict(lookup.all(conn, keys)) == {k: by_record[k] for k in keys}
        assert dict(lookup.all(conn, ["<urn:5>", "<urn:missing>", "<urn:5>"])) == {"<urn:5>": by_record["<urn:5>"]}
    assert sorted(lookup._by_size) == [1, 4, 64, 128, IN_LIST_SIZE]  # 90 and 3 padded up; 1 for ["<urn:0>"]


def test_a_row_that_leaves_columns_out_gets_null_for_them(index):
    """OnDriver picks a row's values in one call when it names every column of the statement (the
    first row's); a row that leaves some out gets NULL for them, as SQLAlchemy would give. And
    add_captures keeps the row of a record indexed already."""
    from sqlalchemy import insert, select

    from archiver.index.driver import OnDriver
    from archiver.index.schema import crawls

    first = index.add_captures([CaptureInfo(url="https://a.example/", date="d", status=None, mime=None,
                                            location=WarcLocation("a.warc.gz", 0, 10, "<urn:a>"), payload_digest=None)])
    again = index.add_captures([CaptureInfo(url="https://a.example/", date="d", status=200, mime="text/html",
                                            location=WarcLocation("a.warc.gz", 0, 10, "<urn:a>"), payload_digest=None),
                                CaptureInfo(url="https://a.example/b", date="d", status=200, mime="text/html",
                                            payload_digest=None,
                                            location=WarcLocation("a.warc.gz", 10, 10, "<urn:b>"))])
    assert again[0] == first[0] and again[1] != first[0]
    assert index.capture(first[0])["status"] is None
    with index.engine.begin() as conn:
        OnDriver(insert(crawls)).many(conn, [{"crawl_key": "k1", "started": "s", "seeds": "[1]"},
                                             {"crawl_key": "k2", "started": "s"}])
        rows = dict(conn.execute(select(crawls.c.crawl_key, crawls.c.seeds)).all())
    assert rows == {"k1": "[1]", "k2": None}
