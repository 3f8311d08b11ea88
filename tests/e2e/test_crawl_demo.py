"""End to end on loopback: crawl the sample site through the CLI, then check the index, the
lookups, and the WARC files with real validators (warcio, FastWARC, cdxj-indexer)."""
from __future__ import annotations

import gzip
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.warc import cdxj

BIN = Path(sys.executable).parent
WARTRANSLATED = "1901199946615513871"
UKRREVIEW = "1901263954598284197"
DELETED = "1901152751573721488"


def fetch(url: str, gzip_ok: bool = False) -> tuple[dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip" if gzip_ok else "identity"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(response.headers), response.read()


def seed(crawl, n: int) -> str:
    return crawl.site.seed_article_urls[n]


def article_url(crawl, fragment: str) -> str:
    return next(u for u in crawl.site.article_urls if fragment in u)


# -- what the index holds -------------------------------------------------------------------------

def test_first_seed_cites_both_posts_the_related_link_and_the_outlets(crawl):
    result = crawl.json("sources", seed(crawl, 0))
    refs = result["references"]
    embeds = {r["post_id"]: r for r in refs if r["kind"] == "embed"}
    assert set(embeds) == {WARTRANSLATED, UKRREVIEW}
    assert embeds[WARTRANSLATED]["handle"] == "wartranslated"
    assert embeds[UKRREVIEW]["handle"] == "UkrReview"
    assert embeds[WARTRANSLATED]["claim_date"] == "March 16, 2025"
    assert "Starmer convened 29 global leaders" in embeds[WARTRANSLATED]["claim_text"]
    for embed in embeds.values():  # captured through the platform, with a WARC location
        assert embed["status"] == "ok"
        assert embed["capture"]["filename"].endswith(".warc.gz") and embed["capture"]["status"] == 200
    links = [r for r in refs if r["kind"] == "link"]
    related = [r for r in links if r["url"].endswith("/news/2025/03/14/russia-agrees-to-a-ceasefire-with-ukraine-or-did-it.html")]
    assert related and related[0]["status"] == "ok" and related[0]["capture"]["status"] == 200
    outlets = {r.get("outlet") for r in refs if r["kind"] == "mention"}
    assert {"The Guardian", "The Times"} <= outlets
    assert any(r.get("unnamed") for r in refs if r["kind"] == "mention")  # "several French newspapers"


def test_second_seed_credits_cnn(crawl):
    refs = crawl.json("sources", seed(crawl, 1))["references"]
    assert "CNN" in {r.get("outlet") for r in refs if r["kind"] == "mention"}
    assert not [r for r in refs if r["kind"] == "embed"]


def test_posts_of_every_platform_are_captured_with_honest_status(crawl):
    statuses = {}
    for fragment in ("shahed-drones", "operational-phase-video.html", "encircled-in-kursk"):
        for r in crawl.json("sources", article_url(crawl, fragment))["references"]:
            if r["kind"] == "embed":
                statuses[(r["platform"], r["post_id"])] = r["status"]
    assert statuses[("telegram", "kpszsu/27514")] == "ok"
    assert statuses[("youtube", "FF2JAEzzUJi")] == "ok"
    assert statuses[("bluesky", "3lkisp3v5hk4p")] == "ok"
    assert statuses[("twitter", DELETED)] == "deleted"


def test_dead_and_redirected_links_are_recorded_as_such(crawl):
    dead = [r for r in crawl.json("sources", article_url(crawl, "encircled-in-kursk"))["references"]
            if r["kind"] == "link" and r.get("capture", {}).get("status") == 404]
    assert dead and dead[0]["status"] == "HTTP 404"
    moved = [r for r in crawl.json("sources", article_url(crawl, "odesa-region"))["references"]
             if r["kind"] == "link" and "kyivindependent.com" in r["url"]]
    assert moved and moved[0]["status"] == "ok"
    assert moved[0]["capture"]["url"] != moved[0]["url"]      # the page it finally led to
    hops = [c for c in crawl.json("lookup", moved[0]["url"])["results"]]
    assert hops  # the citation is findable by the URL the article shows


def test_a_post_embedded_twice_is_fetched_once(crawl):
    citing = crawl.json("cited-by", f"https://twitter.com/wartranslated/status/{WARTRANSLATED}")["articles"]
    assert len(citing) == 2
    fetched = [n for (kind, path), n in crawl.site.hits.items()
               if path.startswith("/cdn.syndication.twimg.com/tweet-result") and f"id={WARTRANSLATED}" in path]
    assert fetched == [1]


# -- lookups, as text and as JSON -----------------------------------------------------------------

def test_lookup_by_handle(crawl):
    rows = crawl.json("lookup", "@wartranslated")["results"]
    assert {r["article_url"] for r in rows} == {seed(crawl, 0), article_url(crawl, "10000-troops")}
    assert all(r["post_id"] == WARTRANSLATED and r["kind"] == "embed" for r in rows)
    text = crawl.cli("lookup", "@wartranslated").stdout.decode()
    assert "wartranslated" in text and "citations matching" in text


def test_lookup_by_post_id_outlet_domain_and_words(crawl):
    assert crawl.json("lookup", UKRREVIEW)["results"][0]["handle"] == "UkrReview"
    assert {r["outlet"] for r in crawl.json("lookup", "The Guardian")["results"]} == {"The Guardian"}
    words = crawl.json("lookup", "peacekeeping force")["results"]
    assert seed(crawl, 0) in {r["article_url"] for r in words}
    assert crawl.json("lookup", "no-such-thing-anywhere")["results"] == []


def test_cited_by_outlet_and_handle(crawl):
    guardian = crawl.json("cited-by", "The Guardian")["articles"]
    assert seed(crawl, 0) in {a["article_url"] for a in guardian}
    cnn = crawl.json("cited-by", "CNN")["articles"]
    assert [a["article_url"] for a in cnn] == [seed(crawl, 1)]
    text = crawl.cli("cited-by", "@UkrReview").stdout.decode()
    assert "1 articles cite" in text


def test_sources_as_text_shows_status_and_warc_location(crawl):
    text = crawl.cli("sources", seed(crawl, 0)).stdout.decode()
    assert "wartranslated" in text and ".warc.gz:" in text and " ok " in text


def test_unknown_article_and_missing_index_are_clear_errors(crawl, tmp_path):
    proc = crawl.cli("sources", "http://127.0.0.1:1/nope.html", check=False)
    assert proc.returncode == 1 and b"not in the index" in proc.stderr and b"Traceback" not in proc.stderr
    from tests.conftest import run_cli
    proc = run_cli("lookup", "@x", "--out", str(tmp_path / "empty"), check=False)
    assert proc.returncode == 1 and b"no index at" in proc.stderr


# -- the archived copy ------------------------------------------------------------------------------

def test_show_returns_the_article_body_the_site_served(crawl):
    _, served = fetch(seed(crawl, 0))
    proc = crawl.cli("show", seed(crawl, 0))
    headers, _, body = proc.stdout.partition(b"\r\n\r\n" if b"\r\n\r\n" in proc.stdout else b"\n\n")
    assert headers.startswith(b"HTTP/1.1 200 OK")
    assert b"Content-Encoding: gzip" in headers
    assert body == served
    shown = crawl.json("show", seed(crawl, 0))
    assert shown["status"] == 200 and shown["body"] == served.decode("utf-8")


def test_show_a_post_url_gives_its_platform_capture(crawl):
    shown = crawl.json("show", f"https://twitter.com/wartranslated/status/{WARTRANSLATED}")
    assert "tweet-result" in shown["url"] and '"screen_name"' in shown["body"]


# -- the WARC files ---------------------------------------------------------------------------------

def test_every_warc_passes_warcio_and_fastwarc(crawl):
    assert crawl.warcs and not list((crawl.out / "warcs").glob("*.open"))
    for path in crawl.warcs:
        subprocess.run([BIN / "warcio", "check", str(path)], check=True, capture_output=True)
        subprocess.run([BIN / "fastwarc", "check", "-q", str(path)], check=True, capture_output=True)


def test_cdxj_agrees_with_cdxj_indexer(crawl):
    ours = sorted(line for f in crawl.cdxj_files for line in f.read_text().splitlines())
    theirs = subprocess.run([BIN / "cdxj-indexer", *map(str, crawl.warcs)], check=True,
                            capture_output=True, text=True).stdout.splitlines()
    # keys, timestamps, offsets, lengths, digests, MIME types, statuses: line for line
    assert sorted(map(cdxj_line, ours)) == sorted(map(cdxj_line, theirs)) and len(ours) > 20


def cdxj_line(line: str):
    import json
    key, ts, data = line.split(" ", 2)
    return key, ts, sorted(json.loads(data).items())


def warc_records(crawl):
    for path in crawl.warcs:
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                yield rec, rec.raw_stream.read()


def test_records_are_linked_and_the_extraction_is_kept_beside_the_article(crawl):
    responses, requests, metadata = {}, [], []
    for rec, payload in warc_records(crawl):
        h = rec.rec_headers
        if rec.rec_type in ("response", "revisit"):
            responses[h.get_header("WARC-Record-ID")] = h
            if rec.rec_type == "response":
                assert h.get_header("WARC-IP-Address") == "127.0.0.1" or h.get_header("WARC-IP-Address").startswith("127.")
        elif rec.rec_type == "request":
            requests.append(h)
        elif rec.rec_type == "metadata":
            metadata.append((h, payload))
    for h in requests:
        partner = responses[h.get_header("WARC-Concurrent-To")]
        assert partner.get_header("WARC-Date") == h.get_header("WARC-Date")
        assert partner.get_header("WARC-Target-URI") == h.get_header("WARC-Target-URI")
    refs = [(h, p) for h, p in metadata if h.get_header("WARC-Target-URI").startswith("urn:embed-archiver:references:")]
    seed_meta = [p for h, p in refs if h.get_header("WARC-Target-URI").endswith(seed(crawl, 0))]
    assert seed_meta and WARTRANSLATED.encode() in seed_meta[0]
    assert all(h.get_header("WARC-Refers-To") in responses for h, _ in refs)


def test_gzip_response_is_recorded_still_encoded(crawl):
    _, identity = fetch(seed(crawl, 0))
    stored = [(rec.http_headers, p) for rec, p in warc_records(crawl)
              if rec.rec_type == "response" and rec.rec_headers.get_header("WARC-Target-URI") == seed(crawl, 0)]
    http, payload = stored[0]
    assert http.get_header("Content-Encoding") == "gzip"
    assert payload[:2] == b"\x1f\x8b" and gzip.decompress(payload) == identity
    assert int(http.get_header("Content-Length")) == len(payload)


@pytest.mark.parametrize("fragment,encoded", [("shahed-drones", False), ("odesa-region", True)])
def test_chunked_response_is_recorded_dechunked_without_transfer_encoding(crawl, fragment, encoded):
    url = article_url(crawl, fragment)
    _, identity = fetch(url)
    stored = [(rec.http_headers, p) for rec, p in warc_records(crawl)
              if rec.rec_type == "response" and rec.rec_headers.get_header("WARC-Target-URI") == url]
    http, payload = stored[0]
    assert http.get_header("Transfer-Encoding") is None       # the body is stored de-chunked
    assert http.get_header("Content-Length") is None           # the server sent none
    assert (gzip.decompress(payload) if encoded else payload) == identity
    assert (http.get_header("Content-Encoding") == "gzip") is encoded


def test_pages_without_article_markup_are_captured_but_not_indexed_as_articles(crawl):
    front = crawl.site.front_page_url                  # listed in the sitemap, but an index page
    proc = crawl.cli("sources", front, check=False)
    assert proc.returncode == 1 and b"not in the index" in proc.stderr
    assert crawl.json("show", front)["status"] == 200  # still archived
    assert len(crawl.report["articles"]) == len(crawl.site.article_urls)
