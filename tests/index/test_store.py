"""The index's query API on its own, fed with model objects: on SQLite and on PostgreSQL (the
`index` fixture, tests/index/conftest.py), with the same answers."""
from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from archiver.index import open_index, store
from archiver.model import (ArticleMeta, ArticleRefs, CaptureInfo, Embed, Link, Mention, PostRef,
                            PostSnapshot, WarcLocation)

ART = "https://news.example/2025/03/16/story.html"
POST = "https://twitter.com/wartranslated/status/1901199946615513871"


def refs(url=ART, title="Trump to speak with Putin") -> ArticleRefs:
    return ArticleRefs(
        url=url, metadata=ArticleMeta(url, title=title, site_name="Example News", published="2025-03-16"),
        embeds=(Embed("twitter", POST, "1901199946615513871", "wartranslated", "snippet", 0, True,
                      claim_text="The Western coalition has settled on ceasefire terms", claim_date="March 16, 2025"),
                Embed("twitter", None, None, "UkrReview", "text", 1, True, resolve_url="https://t.co/lGWwoDFV5E")),
        links=(Link("https://www.theguardian.com/world/x", "The Guardian", "found via The Guardian.", 2, True, "page"),),
        mentions=(Mention("The Guardian", "The Guardian", "theguardian.com", "found via The Guardian.", 3, True, "via"),
                  Mention(None, "several French newspapers", None, "quoted by several French newspapers", 4, True,
                          "quoted by", unnamed=True)),
    )


def capture(index, url, status=200, record="<urn:uuid:1>"):
    return index.add_capture(CaptureInfo(url=url, date="2026-01-01T00:00:00.000000Z", status=status,
                                         mime="text/html", location=WarcLocation("a.warc.gz", 10, 20, record),
                                         payload_digest="sha1:X"))


def test_lookup_designates_the_right_references(index):
    index.add_article(refs(), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    assert [r["post_id"] for r in index.lookup("@WarTranslated")] == ["1901199946615513871"]
    assert [r["kind"] for r in index.lookup(POST + "?ref_src=twsrc%5Etfw")] == ["embed"]
    assert [r["kind"] for r in index.lookup("1901199946615513871")] == ["embed"]
    assert {r["kind"] for r in index.lookup("the guardian")} == {"mention"}
    assert {r["kind"] for r in index.lookup("theguardian.com")} == {"link", "mention"}
    assert len(index.lookup(ART)) == 5                      # an article URL: everything it cites
    assert [r["kind"] for r in index.lookup("ceasefire terms")] == ["embed"]   # FTS over claims
    assert index.lookup("nothing-like-this") == [] and index.lookup("") == []


def test_fts_input_is_never_query_syntax(index):
    index.add_article(refs(), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    for hostile in ('"', "AND OR NOT", "ceasefire*", "NEAR(a b)", "'); DROP TABLE refs; --"):
        index.lookup(hostile)  # must not raise
    assert index.summary()["articles"] == 1


def test_sources_report_capture_status(index):
    index.add_article(refs(), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    capture(index, "https://www.theguardian.com/world/x", status=404)
    post_capture = capture(index, "https://cdn.syndication.twimg.com/tweet-result?id=1", record="<urn:uuid:2>")
    index.add_post(PostSnapshot("twitter", "1901199946615513871", POST, "deleted", "e", detail="gone"),
                   capture_id=post_capture, captured_at="t", snapshot_record_id="<urn:uuid:3>")
    by_kind = {(r["kind"], r["position"]): r for r in index.sources(ART)["references"]}
    assert by_kind[("embed", 0)]["status"] == "deleted"
    assert by_kind[("embed", 0)]["capture"]["record_id"] == "<urn:uuid:2>"
    assert by_kind[("embed", 1)]["status"] == "unresolved"
    assert by_kind[("link", 2)]["status"] == "HTTP 404"
    assert by_kind[("mention", 3)]["status"] == "credited"
    assert by_kind[("mention", 4)]["status"] == "unnamed source"


def test_resolving_a_plain_text_embed(index):
    index.add_article(refs(), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    post = PostRef("twitter", "https://twitter.com/UkrReview/status/1901263954598284197", "1901263954598284197", "UkrReview")
    assert index.resolve_embed("https://t.co/lGWwoDFV5E", post) == 1
    assert [r["post_id"] for r in index.lookup("@ukrreview")] == ["1901263954598284197"]


def test_recrawl_replaces_references_and_cited_by_groups_by_article(index):
    index.add_article(refs(), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    index.add_article(refs(title="Updated"), capture_id=None, fetched_at="t2", status=200, refs_record_id=None)
    index.add_article(refs(url="https://other.example/a", title="Other story"), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    assert index.summary()["articles"] == 2 and index.summary()["embeds"] == 4
    citing = index.cited_by("@wartranslated")
    assert sorted(a["article_url"] for a in citing) == sorted([ART, "https://other.example/a"])
    assert index.article(ART)["title"] == "Updated"
    assert index.lookup("Trump to speak") == []            # the old title left the text index


def test_revisit_dedup_lookup(index):
    capture(index, "https://a.example/x?b=1&a=2")
    assert index.find_payload("sha1:X", "https://a.example/x?a=2&b=1") == ("<urn:uuid:1>", "https://a.example/x?b=1&a=2",
                                                                           "2026-01-01T00:00:00.000000Z")
    assert index.find_payload("sha1:Y", "https://a.example/x?b=1&a=2") is None


def test_an_article_url_wins_over_another_page_naming_it_canonical(index):
    amp = ArticleRefs(url=ART.replace(".html", ".amp.html"), metadata=ArticleMeta(ART.replace(".html", ".amp.html"),
                                                                                   canonical_url=ART, title="AMP"))
    index.add_article(amp, capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    assert index.article(ART)["title"] == "AMP"      # only the AMP page is known: found by its canonical
    index.add_article(refs(), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    assert index.article(ART)["url"] == ART


def test_a_link_reports_where_its_redirects_led(index):
    index.add_article(refs(), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    index.add_capture(CaptureInfo(url="https://www.theguardian.com/world/x", date="2026-01-01T00:00:00.000000Z",
                                  status=301, mime="text/html", location=WarcLocation("a.warc.gz", 0, 5, "<urn:uuid:r1>"),
                                  payload_digest="sha1:A", redirect_to="/world/y"))
    capture(index, "https://www.theguardian.com/world/y", record="<urn:uuid:r2>")
    link = [r for r in index.sources(ART)["references"] if r["kind"] == "link"][0]
    assert link["status"] == "ok" and link["capture"]["url"] == "https://www.theguardian.com/world/y"


def test_a_redirect_loop_is_reported_not_followed_forever(index):
    index.add_article(refs(), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    for n, (src, dst) in enumerate([("x", "/world/z"), ("z", "/world/x")]):
        index.add_capture(CaptureInfo(url=f"https://www.theguardian.com/world/{src}", date="2026-01-01T00:00:00.000000Z",
                                      status=302, mime="text/html", location=WarcLocation("a.warc.gz", n, 5, f"<urn:uuid:l{n}>"),
                                      payload_digest=None, redirect_to=dst))
    link = [r for r in index.sources(ART)["references"] if r["kind"] == "link"][0]
    assert link["status"] == "redirect without end (HTTP 302)"


def test_an_index_made_before_a_column_existed_gets_it_on_open(index_url):
    open_index(index_url).close()
    engine = create_engine(index_url if "://" in index_url else f"sqlite:///{index_url}")
    try:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE checks DROP COLUMN flags"))  # as an earlier version made it
            conn.execute(text("DROP INDEX ix_refs_surface_article"))
        open_index(index_url).close()
        open_index(index_url).close()  # a second open finds everything in place
        assert "flags" in {c["name"] for c in inspect(engine).get_columns("checks")}
        # (SQLAlchemy does not reflect SQLite's expression indexes: ask the catalogue)
        catalogue = ("SELECT name FROM sqlite_master WHERE type = 'index'" if engine.dialect.name == "sqlite"
                     else "SELECT indexname FROM pg_indexes")
        with engine.connect() as conn:
            assert "ix_refs_surface_article" in set(conn.execute(text(catalogue)).scalars())
    finally:
        engine.dispose()


def test_an_index_made_with_the_earlier_indexes_of_refs_gets_the_new_ones_instead(index_url):
    open_index(index_url).close()
    engine = create_engine(index_url if "://" in index_url else f"sqlite:///{index_url}")
    catalogue = ("SELECT name FROM sqlite_master WHERE type = 'index'" if engine.dialect.name == "sqlite"
                 else "SELECT indexname FROM pg_indexes")
    new = {"ix_refs_handle_article", "ix_refs_post_article", "ix_refs_post_id_article", "ix_refs_outlet_article",
           "ix_refs_surface_article", "ix_refs_domain_article", "ix_articles_published", "ix_articles_canonical"}
    try:
        with engine.begin() as conn:  # as an earlier version made them
            for name in new | ({"ix_refs_url_article"} if engine.dialect.name == "sqlite" else set()):
                conn.execute(text(f"DROP INDEX {name}"))
            for name, columns in [("ix_refs_handle", "handle_key"), ("ix_refs_post", "platform, post_id"),
                                  ("ix_refs_post_id", "post_id"), ("ix_refs_outlet", "outlet_key"),
                                  ("ix_refs_surface", "lower(surface)"), ("ix_refs_domain", "domain")]:
                conn.execute(text(f"CREATE INDEX {name} ON refs ({columns})"))
            if engine.dialect.name == "sqlite":
                conn.execute(text("CREATE INDEX ix_refs_url_key ON refs (url_key)"))
        index = open_index(index_url)
        index.add_article(refs(), capture_id=None, fetched_at="t", status=200, refs_record_id=None)
        assert {r["kind"] for r in index.lookup("theguardian.com")} == {"link", "mention"}
        index.close()
        with engine.connect() as conn:
            names = set(conn.execute(text(catalogue)).scalars())
        assert new <= names
        assert not names & {"ix_refs_handle", "ix_refs_post", "ix_refs_post_id", "ix_refs_outlet", "ix_refs_surface",
                            "ix_refs_domain"}
        # PostgreSQL keeps its hash index of URLs; SQLite's gives way to one with the article
        assert ("ix_refs_url_key" in names) == (engine.dialect.name == "postgresql")
        assert ("ix_refs_url_article" in names) == (engine.dialect.name == "sqlite")
    finally:
        engine.dispose()


def test_a_process_answering_queries_gets_a_larger_sqlite_page_cache(tmp_path):
    """The answer for a much-cited outlet reads more pages than SQLite's default cache holds; a
    crawl and the CLI's one-query commands keep the default (their memory)."""
    def cache_size(index):
        with index._read() as conn:
            return conn.exec_driver_sql("PRAGMA cache_size").scalar_one()
    crawl, queries = open_index(tmp_path / "i.sqlite"), open_index(tmp_path / "i.sqlite", for_queries=True)
    try:
        assert cache_size(crawl) == -2000 and cache_size(queries) == -store.QUERY_CACHE_KIB
    finally:
        crawl.close()
        queries.close()
