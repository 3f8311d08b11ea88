"""The ways lookup, cited_by and sources answer quickly give the answers of the plain queries.

A target with many references (an outlet, a domain) is answered article by article, in the order
of the answer (citations.citations and citing_articles); here citations._MANY is lowered so that
the small index below takes that way, and its answers are compared with the plain query's, for
every kind of target and for limits that cut an article's references in two. Every test runs on
both back-ends (tests/index/conftest.py)."""
from __future__ import annotations

from archiver.index import citations
from archiver.model import (ArticleMeta, ArticleRefs, CaptureInfo, Embed, Link, Mention, PostSnapshot,
                            WarcLocation)
from archiver.wayback import Copy

POST = "https://twitter.com/someone/status/{}"
# byte order (SQLite's, and PostgreSQL's "C" collation) puts "B" before "a"
URLS = ["https://n.example/a1", "https://n.example/B2", "https://n.example/c3", "https://n.example/A4",
        "https://n.example/b5", "https://n.example/C6", "https://n.example/d7", "https://n.example/a8"]
PUBLISHED = ["2025-03-02", None, "2025-03-01", "2025-03-02", None, "2025-03-03", "2025-03-01", "2025-03-02"]


def build(index) -> None:
    for i, (url, published) in enumerate(zip(URLS, PUBLISHED)):
        embeds, links, mentions = [], [], []
        for n in range(i % 3 + 1):  # @someone, one to three times
            post_id = str(1000 + (i + n) % 5)
            embeds.append(Embed("twitter", POST.format(post_id), post_id, "someone", "snippet", 10 + n, True,
                                claim_text=f"claim {i}.{n}"))
        if i % 4 != 3:
            links.append(Link(f"https://www.reuters.com/world/{i}", "Reuters", "Reuters reported.", 3, True, "page"))
            links.append(Link("https://www.site.example/page", "a page", "See the page.", 20 + i, i % 2 == 0, "page"))
        if i == 5:  # a link to an archived copy cites the original
            links.append(Link("https://web.archive.org/web/20240101000000/https://www.site.example/page", "copy",
                              "An archived copy.", 30, True, "page"))
            links.append(Link(POST.format(1001), "a post", "As posted.", 31, True, "post"))
        for n in range((i * 5) % 4):  # Reuters credited zero to three times, at the link's position too
            mentions.append(Mention("Reuters", "Reuters" if n else "REUTERS", "reuters.com", "According to Reuters.",
                                    3 + n * 7, True, "according to"))
        if i % 2:
            mentions.append(Mention("Associated Press", "the AP", "apnews.com", "The AP said.", 40, True, "said"))
        meta = ArticleMeta(url, title=f"Story {i}" if i != 4 else None, published=published)
        index.add_article(ArticleRefs(url=url, metadata=meta, embeds=tuple(embeds), links=tuple(links),
                                      mentions=tuple(mentions)),
                          capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    index.add_post(PostSnapshot("twitter", "1001", POST.format(1001), "deleted", "e", detail="gone"),
                   capture_id=None, captured_at="t", snapshot_record_id=None)


TARGETS = ["Reuters", "reuters", "REUTERS", "the AP", "Associated Press", "reuters.com", "apnews.com", "@someone",
           POST.format(1001), "1001", "https://www.site.example/page", "site.example", "nobody.example"]
LIMITS = [500, 1, 2, 3, 4, 5, 7, 11]


def answers(index) -> dict:
    return {(target, limit): (index.lookup(target, limit), index.cited_by(target, limit))
            for target in TARGETS for limit in LIMITS}


def test_much_cited_targets_are_answered_article_by_article_alike(index, monkeypatch):
    build(index)
    plain = answers(index)
    monkeypatch.setattr(citations, "_MANY", 1)
    assert answers(index) == plain
    # (and the answers are worth comparing: in byte order, NULLs first, ties of position kept in
    # one order, cut inside an article)
    assert [(r["article_url"][-2:], r["position"], r["surface"]) for r in plain[("Reuters", 500)][0]] == [
        ("A4", 3, "REUTERS"), ("A4", 10, "Reuters"), ("A4", 17, "Reuters"), ("B2", 3, "REUTERS"),
        ("C6", 3, "REUTERS"), ("a8", 3, "REUTERS"), ("a8", 10, "Reuters"), ("a8", 17, "Reuters"),
        ("c3", 3, "REUTERS"), ("c3", 10, "Reuters"), ("d7", 3, "REUTERS"), ("d7", 10, "Reuters")]
    assert [(r["article_url"][-2:], r["kind"]) for r in plain[("reuters.com", 5)][0]] == [
        ("A4", "mention"), ("A4", "mention"), ("A4", "mention"), ("B2", "link"), ("B2", "mention")]
    assert [(a["article_url"][-2:], a.get("published"), a["kinds"]) for a in plain[("reuters.com", 3)][1]] == [
        ("B2", None, {"link": 1, "mention": 1}), ("b5", None, {"link": 1})]
    assert [(a["article_url"][-2:], a["kinds"]) for a in plain[(POST.format(1001), 3)][1]] == [
        ("B2", {"embed": 1}), ("d7", {"embed": 1}), ("C6", {"embed": 1})]      # (its link to the post cut)
    assert [r["surface"] for r in plain[("the AP", 500)][0]] == ["the AP"] * 4
    assert len(plain[("https://www.site.example/page", 500)][0]) == 7   # six links and the archived copy
    assert [r.get("post_status") for r in plain[(POST.format(1001), 500)][0]] == ["deleted"] * 4

def test_answers_read_on_the_drivers_cursor_keep_their_types(index, monkeypatch):
    """SQLite's driver gives a boolean column as 0 or 1: the answers give True or False, on both
    paths, and leave out what is NULL."""
    build(index)
    for many in (1000, 1):
        monkeypatch.setattr(citations, "_MANY", many)
        links = index.lookup("https://www.site.example/page")
        assert [type(r["in_body"]) for r in links] == [bool] * 7
        assert {r["in_body"] for r in links} == {True, False}
        mentions = index.lookup("reuters.com")
        assert {r.get("unnamed") for r in mentions if r["kind"] == "mention"} == {False}
        assert all(None not in r.values() and "claim_text" not in r for r in mentions)


def capture(index, url, record, status=200, redirect_to=None, date="2026-01-01T00:00:00.000000Z"):
    return index.add_capture(CaptureInfo(url=url, date=date, status=status, mime="text/html",
                                         location=WarcLocation("a.warc.gz", 0, 5, record), payload_digest=None,
                                         redirect_to=redirect_to))


def test_sources_of_an_article_with_many_links(index):
    """sources reads the captures and archived copies of all references at once, hop by hop."""
    page = "https://p.example/{}"
    links = [Link(page.format(name), name, "", n, True, "page") for n, name in enumerate(
        ["ok", "moved", "gone", "gone", "never", "loop", "far"])]
    links.append(Link("https://web.archive.org/web/20240101000000/" + page.format("ok"), "copy", "", 7, True, "page"))
    links.append(Link(POST.format(1001), "post", "", 8, True, "post"))
    article = ArticleRefs(url="https://n.example/big", metadata=ArticleMeta("https://n.example/big"),
                          embeds=(Embed("twitter", POST.format(1002), "1002", "someone", "snippet", 9, True),),
                          links=tuple(links))
    index.add_article(article, capture_id=None, fetched_at="t", status=200, refs_record_id=None)
    capture(index, page.format("ok"), "<urn:ok:old>", status=500, date="2025-01-01T00:00:00.000000Z")
    capture(index, page.format("ok"), "<urn:ok>")                          # the newest one counts
    capture(index, page.format("moved"), "<urn:moved>", 301, "/moved2")
    capture(index, page.format("moved2"), "<urn:moved2>", 302, "https://p.example/moved3")
    capture(index, page.format("moved3"), "<urn:moved3>")
    capture(index, page.format("gone"), "<urn:gone>", 404)
    capture(index, page.format("loop"), "<urn:loop>", 302, "/loop2")
    capture(index, page.format("loop2"), "<urn:loop2>", 302, "/loop")
    for n in range(12):                                                     # more hops than followed
        capture(index, page.format(f"far{n}" if n else "far"), f"<urn:far{n}>", 301, f"/far{n + 1}")
    post_capture = capture(index, "https://cdn.example/1002", "<urn:post>")
    index.add_post(PostSnapshot("twitter", "1002", POST.format(1002), "ok", "e"), capture_id=post_capture,
                   captured_at="t", snapshot_record_id=None)
    for service, copy_url, status in [("wayback", "https://web.archive.org/web/2025/x", "available"),
                                      ("archive.today", None, "submitted"),
                                      ("wayback", "https://web.archive.org/web/2024/x", "cited")]:
        index.add_copy(Copy(page.format("ok"), service, copy_url, None, status), checked_at="t")

    refs = {r["position"]: r for r in index.sources("https://n.example/big")["references"]}
    seen = {n: (r["status"], (r.get("capture") or {}).get("record_id")) for n, r in refs.items()}
    assert seen == {0: ("ok", "<urn:ok>"), 1: ("ok", "<urn:moved3>"), 2: ("HTTP 404", "<urn:gone>"),
                    3: ("HTTP 404", "<urn:gone>"), 4: ("not captured", None),
                    5: ("redirect without end (HTTP 302)", "<urn:loop>"),
                    6: ("redirect without end (HTTP 301)", "<urn:far10>"),
                    7: ("not captured", None), 8: ("not captured", None),
                    9: ("ok", "<urn:post>")}
    assert [(c["service"], c["status"]) for c in refs[0]["archive_copies"]] == [
        ("wayback", "available"), ("archive.today", "submitted")]
    assert refs[7]["copy_of"] == page.format("ok") and refs[7]["archive_copies"] == refs[0]["archive_copies"]
    assert "archive_copies" not in refs[2] and "archive_copies" not in refs[9]
