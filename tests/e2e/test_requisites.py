"""A cited page's oEmbed discovery link is always captured; with --requisites the images, styles
and scripts of articles and cited pages are captured too, so a replay looks right."""
from __future__ import annotations

import pytest

from archiver.index import open_index
from archiver.requisites import oembed_links, requisites

from ..conftest import run_json
from .recorded import RecordedPlatforms

CITED = "https://outlet.example/2025/03/16/story"
OEMBED = "https://outlet.example/wp-json/oembed/1.0/embed?url=https%3A%2F%2Foutlet.example%2F2025%2F03%2F16%2Fstory"
CITED_PAGE = f"""<!DOCTYPE html><html><head><title>Story</title>
<link rel="alternate" type="application/json+oembed" href="{OEMBED.replace('&', '&amp;')}">
<link rel="stylesheet" href="/css/site.css"></head>
<body><article><p>The story.</p><img src="/img/photo.jpg" srcset="/img/photo-480.jpg 480w, /img/photo-1200.jpg 1200w"></article></body></html>"""
ARTICLE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Talks</title>
<link rel="stylesheet" href="https://cdn.news.example/css/main.css"><link rel="icon" href="https://cdn.news.example/favicon.ico">
<script src="https://cdn.news.example/js/app.js"></script>
<meta property="og:type" content="article"></head><body><article><h1>Talks</h1><div class="entry-content">
<p>The talks resumed on Monday, <a href="{CITED}">as the outlet reported</a>, after a week of strikes on
the power grid that left several cities without heating for days and weeks.</p>
<figure><img src="https://cdn.news.example/img/lead.jpg" alt="Delegations"></figure>
<p>The ministry lists the damage region by region and counts the repairs still needed before winter.</p>
</div></article></body></html>"""
FILES = {
    CITED: CITED_PAGE,
    OEMBED: {"version": "1.0", "type": "rich", "title": "Story", "provider_name": "Outlet"},
    "https://outlet.example/css/site.css": "body{margin:0}",
    "https://outlet.example/img/photo.jpg": "JPEG",
    "https://outlet.example/img/photo-1200.jpg": "JPEG",
    "https://cdn.news.example/css/main.css": "article{max-width:40em}",
    "https://cdn.news.example/favicon.ico": "ICO",
    "https://cdn.news.example/js/app.js": "var x=1;",
    "https://cdn.news.example/img/lead.jpg": "JPEG",
}
REQUISITES = [u for u in FILES if u not in (CITED, OEMBED)]


def crawl(tmp_path_factory, *flags):
    with RecordedPlatforms({}, pages={"talks": ARTICLE}) as server:
        server.responses.update({url: [{"status": 200, "body": body}] for url, body in FILES.items()})
        out = tmp_path_factory.mktemp("requisites")
        run_json("crawl", *server.article_urls(), "--out", str(out), "--loopback-only", "--allow-private",
                 *flags, *server.endpoint_args())
        return out, dict(server.hits), server.base


def captured(crawled, url) -> bool:
    """A 200 capture of url, recorded under the loopback address that stood in for its host."""
    out, _, base = crawled
    index = open_index(out / "index.sqlite")
    try:
        return any(c["status"] == 200 for c in index.captures_of(base + "/" + url.split("://", 1)[1]))
    finally:
        index.close()


@pytest.fixture(scope="module")
def with_requisites(tmp_path_factory):
    return crawl(tmp_path_factory, "--requisites")


@pytest.fixture(scope="module")
def without(tmp_path_factory):
    return crawl(tmp_path_factory)


def test_the_oembed_discovery_link_of_a_cited_page_is_captured(without):
    assert captured(without, CITED) and captured(without, OEMBED)


def test_requisites_only_when_asked(with_requisites, without):
    for url in REQUISITES:
        assert captured(with_requisites, url), url
        assert without[1].get(url, 0) == 0, f"{url} fetched without --requisites"


def test_requisite_urls_are_read_from_the_markup():
    page = ('<html><head><base href="https://b.example/x/"><link rel="shortcut icon" href="i.ico">'
            '<link rel="stylesheet" href="s.css"><link rel="alternate" type="application/json+oembed" href="o.json">'
            '<script src="a.js"></script></head><body><img src="p.jpg"><img src="data:image/png;base64,AA">'
            '<video poster="v.jpg"><source src="v.mp4"></video></body></html>').encode()
    assert requisites(page, "https://page.example/a") == [
        "https://b.example/x/p.jpg", "https://b.example/x/v.jpg", "https://b.example/x/i.ico",
        "https://b.example/x/s.css", "https://b.example/x/a.js", "https://b.example/x/v.mp4"]
    assert requisites(page, "https://page.example/a", limit=2) == ["https://b.example/x/p.jpg", "https://b.example/x/v.jpg"]
    assert oembed_links(page, "https://page.example/a") == ["https://b.example/x/o.json"]
    assert requisites(b"\x89PNG\r\n", "https://page.example/a") == []


def test_oembed_links_in_any_encoding_and_no_parse_without_one(monkeypatch):
    link = '<html><head><link rel="alternate" type="text/json+oembed" href="/o.json"></head><body>é</body></html>'
    for encoding in ("utf-8", "cp1252", "utf-16"):  # utf-16: its BOM, then two bytes a letter
        assert oembed_links(link.encode(encoding), "https://page.example/a") == ["https://page.example/o.json"]

    import archiver.requisites as module
    parsed = []
    monkeypatch.setattr(module, "parse", lambda html: parsed.append(html))
    assert oembed_links(b"<html><body><p>No discovery link.</p></body></html>", "https://page.example/a") == []
    assert parsed == []  # a page without the word is never parsed
