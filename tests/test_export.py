"""Exports of the citation index (archiver.export): JSONL and CSV rows, CSL-JSON items, HTML
sources cards; each checked against what Index.sources() says of the crawled sample site."""
from __future__ import annotations

import csv
import io
import json
import shutil
from html.parser import HTMLParser

import lxml.html
import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.errors import NotFound, UsageError
from archiver.export import COLUMNS, export
from archiver.index import open_index

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@pytest.fixture(scope="module")
def index(crawl, tmp_path_factory):
    """A copy of the crawl's index with verdicts on two embeds of the first seed: the first embed
    checked twice (the newer verdict wins), the second with markup in its verdict and flag."""
    folder = tmp_path_factory.mktemp("export")
    shutil.copy(crawl.out / "index.sqlite", folder / "index.sqlite")
    found = open_index(folder / "index.sqlite")
    url = crawl.site.seed_article_urls[0]
    embeds = [r for r in found.sources(url)["references"] if r["kind"] == "embed"]
    base = {"article_url": url, "diff": None, "capture_record_ids": []}
    first, second = embeds[0], embeds[1]
    for checked_at, verdict, flags in (("2026-01-01T00:00:00.000000Z", "unchanged", []),
                                       ("2026-02-01T00:00:00.000000Z", "edited", ["date_mismatch"])):
        assert found.add_check({**base, "position": first["position"], "platform": first["platform"],
                                "post_id": first["post_id"], "checked_at": checked_at, "verdict": verdict,
                                "flags": flags}, "<urn:uuid:00000000-0000-4000-8000-000000000001>")
    assert found.add_check({**base, "position": second["position"], "platform": second["platform"],
                            "post_id": second["post_id"], "checked_at": "2026-03-01T00:00:00.000000Z",
                            "verdict": "<i>deleted</i>", "flags": ['a"&<b>']}, None)
    yield found
    found.close()


def run(index, fmt, **kw) -> tuple[str, dict]:
    buf = io.StringIO()
    summary = export(index, fmt, out=buf, **kw)
    return buf.getvalue(), summary


def all_citations(index) -> list[tuple[dict, dict]]:
    return [(s["article"], ref) for a in index.list_articles() for s in [index.sources(a["url"])]
            for ref in s["references"]]


def check_row(row: dict, article: dict, ref: dict) -> None:
    assert row["article_url"] == article["url"] and row["article_title"] == article.get("title")
    assert (row["position"], row["kind"]) == (ref["position"], ref["kind"])
    assert row["status"] == ref["status"]
    for key in ("platform", "post_id", "handle", "url", "outlet", "claim_text", "claim_date"):
        assert row[key] == ref.get(key), key
    cap = ref.get("capture") or {}
    assert row["capture_url"] == cap.get("url") and row["capture_date"] == cap.get("date")
    assert row["capture_status"] == cap.get("status")
    assert (row["warc_filename"], row["warc_offset"], row["warc_length"]) == (
        cap.get("filename"), cap.get("offset"), cap.get("length"))
    assert row["warc_record_id"] == cap.get("record_id") and row["payload_digest"] == cap.get("payload_digest")


# -- JSONL and CSV -----------------------------------------------------------------------------------

def test_jsonl_has_one_row_per_citation_as_the_index_gives_it(index, crawl):
    text, summary = run(index, "jsonl")
    rows = [json.loads(line) for line in text.splitlines()]
    expected = all_citations(index)
    assert len(rows) == len(expected) == summary["rows"] and summary["articles"] == len(index.list_articles())
    for row, (article, ref) in zip(rows, expected):
        assert list(row) == list(COLUMNS)
        check_row(row, article, ref)
    # the verdict columns: the newest check of each embed
    checked = [r for r in rows if r["article_url"] == crawl.site.seed_article_urls[0] and r["verdict"]]
    assert [(r["verdict"], r["verdict_flags"], r["checked_at"]) for r in checked] == [
        ("edited", ["date_mismatch"], "2026-02-01T00:00:00.000000Z"),
        ("<i>deleted</i>", ['a"&<b>'], "2026-03-01T00:00:00.000000Z")]
    assert all(r["verdict"] is None for r in rows if r not in checked)


def test_jsonl_rows_point_at_records_in_the_warcs(index, crawl):
    rows = [json.loads(line) for line in run(index, "jsonl")[0].splitlines()]
    captured = [r for r in rows if r["warc_filename"]]
    assert captured
    for row in captured:
        with open(crawl.out / "warcs" / row["warc_filename"], "rb") as fh:
            fh.seek(row["warc_offset"])
            record = next(iter(ArchiveIterator(io.BytesIO(fh.read(row["warc_length"])))))
        assert record.rec_headers.get_header("WARC-Record-ID") == row["warc_record_id"]
        assert record.rec_headers.get_header("WARC-Target-URI") == row["capture_url"]


def test_csv_header_and_rows_match_jsonl(index):
    text, summary = run(index, "csv")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    assert header == list(COLUMNS)
    rows = [dict(zip(header, values)) for values in reader]
    jsonl = [json.loads(line) for line in run(index, "jsonl")[0].splitlines()]
    assert len(rows) == len(jsonl) == summary["rows"]
    for row, expected in zip(rows, jsonl):
        for key, value in expected.items():
            if key == "verdict_flags":
                value = ";".join(value) if value else None
            assert row[key] == ("" if value is None else str(value)), key
    # multi-line claims survive the round trip
    assert any("\n" in r["claim_text"] for r in rows)


def test_filters(index, crawl):
    url = crawl.site.seed_article_urls[0]
    rows = [json.loads(line) for line in run(index, "jsonl", articles=[url])[0].splitlines()]
    assert {r["article_url"] for r in rows} == {url} and len(rows) == len(index.sources(url)["references"])
    # a lookup query: the citations it finds, as `archiver lookup` finds them
    hits = index.lookup("@wartranslated")
    rows = [json.loads(line) for line in run(index, "jsonl", query="@wartranslated")[0].splitlines()]
    assert sorted((r["article_url"], r["position"]) for r in rows) == \
        sorted((h["article_url"], h["position"]) for h in hits)
    assert rows and all(r["handle"] == "wartranslated" for r in rows)
    # a crawl by the name its WARCs give it (warcinfo isPartOf), by number, or unknown
    with open(crawl.warcs[0], "rb") as fh:
        info = next(iter(ArchiveIterator(fh)))
        fields = info.content_stream().read().decode().splitlines()
        part_of = dict(line.split(": ", 1) for line in fields if ": " in line)["isPartOf"]
    everything = run(index, "jsonl")[0]
    assert run(index, "jsonl", crawl=part_of)[0] == everything
    assert run(index, "jsonl", crawl="1")[0] == everything
    assert run(index, "jsonl", crawl="1", articles=[url])[0] == run(index, "jsonl", articles=[url])[0]
    with pytest.raises(NotFound):
        run(index, "jsonl", crawl="no-such-crawl")
    with pytest.raises(NotFound):
        run(index, "jsonl", articles=["https://example.com/never-crawled"])
    with pytest.raises(UsageError):
        run(index, "xml")


# -- CSL-JSON ----------------------------------------------------------------------------------------

def test_csl_json_has_one_item_per_cited_source(index, crawl):
    text, summary = run(index, "csl-json", warc_dir=crawl.out / "warcs")
    items = json.loads(text)
    assert isinstance(items, list) and len(items) == summary["items"]
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids))
    citations = all_citations(index)
    posts = {(r["platform"], r["post_id"]) for _, r in citations if r.get("post_id")}
    pages = {r["url"] for _, r in citations if r["kind"] == "link" and not r.get("post_id")}
    by_type: dict[str, list[dict]] = {}
    for item in items:
        assert item["id"] and item["type"]
        assert item.get("title") or item.get("container-title")
        by_type.setdefault(item["type"], []).append(item)
    post_items = by_type.get("post", []) + by_type.get("motion_picture", [])
    assert len(post_items) == len(posts)
    assert {i["URL"] for i in by_type["webpage"]} == pages
    for item in post_items + by_type["webpage"]:
        assert item["URL"].startswith("http") and item["title"]
    for item in by_type["article-newspaper"]:  # outlets credited by name, without a link
        assert item["container-title"] and "URL" not in item
    named = {r["outlet"] for _, r in citations if r["kind"] == "mention" and not r.get("unnamed")}
    assert {i["container-title"] for i in by_type["article-newspaper"]} <= named
    assert not any("French newspapers" in json.dumps(i) for i in items)  # an unnamed source is no citation


def test_csl_json_post_items_carry_author_dates_and_warc_location(index, crawl):
    items = {i["id"]: i for i in json.loads(run(index, "csl-json")[0])}
    url = crawl.site.seed_article_urls[0]
    refs = [r for r in index.sources(url)["references"] if r["kind"] == "embed"]
    first = refs[0]
    item = items[f"{first['platform']}-{first['post_id']}"]
    post = index.post(first["platform"], first["post_id"])
    cap = first["capture"]
    assert item["type"] == "post" and item["URL"] == first["url"] and item["container-title"] == "X (Twitter)"
    assert item["author"] == [{"literal": f"{post['author']} (@{post['handle']})"}]
    year, month, day = map(int, post["created_at"][:10].split("-"))
    assert item["issued"] == {"date-parts": [[year, month, day]]}
    year, month, day = map(int, cap["date"][:10].split("-"))
    assert item["accessed"] == {"date-parts": [[year, month, day]]}
    assert item["archive"] == "embed-archiver"
    assert item["archive_location"] == f"{cap['filename']}#{cap['offset']}"
    assert item["abstract"] == post["text"]
    assert "Verdict: edited (date_mismatch), checked 2026-02-01" in item["note"]
    assert url in item["note"] and cap["payload_digest"] in item["note"]


def test_csl_json_titles_linked_pages_as_captured(index, crawl):
    with_warcs = {i["URL"]: i for i in json.loads(run(index, "csl-json", warc_dir=crawl.out / "warcs")[0])
                  if i["type"] == "webpage"}
    guardian = next(u for u in with_warcs if "theguardian.com" in u)
    assert "Starmer" in with_warcs[guardian]["title"]            # the page's <title>
    without = {i["URL"]: i for i in json.loads(run(index, "csl-json")[0]) if i["type"] == "webpage"}
    assert without[guardian]["title"] == "The Guardian"          # the anchor text, then
    # a link to another article of the archive: titled and dated as that article
    article = index.list_articles()[0]
    if article["url"] in with_warcs:
        assert with_warcs[article["url"]]["title"] == article["title"]


class _FakeIndex:
    """Just what csl_items reads, for citations the sample site does not have: a credited outlet
    whose page the article also links (on the outlet's real domain), an unresolved embed."""

    article_row = {"id": 1, "url": "https://news.example/a", "title": "A", "capture_id": None}

    def sources(self, url):
        return {"article": self.article_row, "references": [
            {"kind": "mention", "position": 0, "outlet": "The Guardian", "domain": "theguardian.com",
             "sentence": "The Guardian reported it.", "unnamed": False, "status": "credited"},
            {"kind": "link", "position": 1, "url": "https://www.theguardian.com/world/x", "domain": "theguardian.com",
             "anchor_text": "reported", "status": "not captured"},
            {"kind": "mention", "position": 2, "outlet": "Reuters", "domain": "reuters.com",
             "sentence": "Reuters said so.", "unnamed": False, "status": "credited"},
            {"kind": "embed", "position": 3, "platform": "twitter", "shape": "text", "status": "unresolved",
             "claim_text": "pic.twitter.com/x"},
        ]}

    def checks_of(self, url, position):
        return []

    def article(self, url):
        return None

    def post(self, platform, post_id):
        return None


def test_csl_json_credited_outlets():
    from archiver.export import csl_items

    items = csl_items(_FakeIndex(), [("https://news.example/a", None)])
    assert [(i["type"], i.get("container-title")) for i in items] == [
        ("webpage", "The Guardian"),          # the link is the citation; the credit names its site
        ("article-newspaper", "Reuters")]     # credited without a link: the outlet, no URL, no title
    assert "URL" not in items[1] and "title" not in items[1] and "Reuters said so." in items[1]["note"]
    assert "archive" not in items[0]          # not captured: no archive location


# -- HTML --------------------------------------------------------------------------------------------

class _Balance(HTMLParser):
    """Every element closed, in order (void elements aside)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def test_html_cards_are_self_contained_valid_html5(index):
    text, summary = run(index, "html")
    assert text.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    balance = _Balance()
    balance.feed(text)
    assert not balance.errors and not balance.stack
    doc = lxml.html.document_fromstring(text)
    assert doc.find(".//meta").get("charset") == "utf-8" and doc.findtext(".//title")
    assert not doc.xpath("//script | //link | //img | //iframe | //object | //embed | //*[@src] | //*[@style]")
    assert "@import" not in text and "url(" not in text
    assert len(doc.xpath("//article[@class='card']")) == summary["articles"] == len(index.list_articles())


def test_html_card_rows_match_sources(index, crawl):
    url = crawl.site.seed_article_urls[0]
    text, _ = run(index, "html", articles=[url])
    doc = lxml.html.document_fromstring(text)
    cards = doc.xpath("//article[@class='card']")
    assert len(cards) == 1 and cards[0].get("data-article-url") == url
    sources = index.sources(url)
    assert cards[0].findtext(".//h1") == sources["article"]["title"]
    rows = cards[0].xpath(".//tbody/tr")
    refs = sources["references"]
    assert len(rows) == len(refs)
    for tr, ref in zip(rows, refs):
        cells = tr.findall("td")
        assert tr.get("data-position") == str(ref["position"]) and tr.get("data-kind") == ref["kind"]
        assert cells[0].text_content() == str(ref["position"]) and cells[1].text_content() == ref["kind"]
        assert cells[3].text_content() == ref["status"]
        cap = ref.get("capture")
        if cap:
            assert cells[4].find(".//time").get("datetime") == cap["date"]
            assert f"{cap['filename']}#{cap['offset']}" in cells[4].text_content()
            assert cells[5].text_content() == (cap.get("payload_digest") or "—")
        else:
            assert "not captured" in cells[4].text_content()
        if ref.get("url"):
            assert ref["url"] in [a.get("href") for a in cells[2].iter("a")] or not ref["url"].startswith("http")
    verdicts = [tr.findall("td")[6].text_content() for tr in rows]
    assert any(v.startswith("edited") and "date_mismatch" in v for v in verdicts)
    assert any(v.startswith("<i>deleted</i>") and 'a"&<b>' in v for v in verdicts)  # shown as text


def test_html_escapes_everything(index, crawl):
    text, _ = run(index, "html", articles=[crawl.site.seed_article_urls[0]])
    assert "<i>deleted</i>" not in text and "&lt;i&gt;deleted&lt;/i&gt;" in text
    assert 'a"&<b>' not in text and "a&quot;&amp;&lt;b&gt;" in text
