"""The demo site: loopback only, realistic pages, platform endpoints in their documented shapes."""
from __future__ import annotations

import datetime as dt
import gzip
import http.client
import ipaddress
import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import pytest
from lxml import etree, html

from archiver.demo import DemoSite
from archiver.demo.routes import SITE_DIR

TWITTER_EPOCH_MS = 1288834974657
REPO = Path(__file__).resolve().parents[2]

# What each embedded X post should come back as.
EXPECTED_TWEETS = {
    "1901199946615513871": ("wartranslated", "ok"),
    "1901263954598284197": ("UkrReview", "edited"),
    "1901152751573721488": ("frontnotes_ua", "deleted"),
    "1901299503642477585": ("eu_defence_desk", "ok"),
}


@pytest.fixture(scope="module")
def site():
    with DemoSite() as s:
        yield s


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET"):
    """One request, no redirect following, body as sent (still gzip-encoded if it was)."""
    parts = urlsplit(url)
    assert ipaddress.ip_address(parts.hostname).is_loopback, f"tests never leave loopback: {url}"
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    conn.request(method, path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, resp.getheaders(), body


def header(headers, name):
    values = [v for k, v in headers if k.lower() == name.lower()]
    return values[0] if values else None


def get_json(url: str):
    status, headers, body = fetch(url)
    assert header(headers, "Content-Type").startswith("application/json")
    return status, json.loads(body)


def snowflake_time(tid: str) -> dt.datetime:
    return dt.datetime.fromtimestamp(((int(tid) >> 22) + TWITTER_EPOCH_MS) / 1000, dt.timezone.utc)


def raw_get(site_url: str, path: str, extra: str = "") -> bytes:
    """The response exactly as it came over the socket."""
    parts = urlsplit(site_url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{extra}Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def dechunk(body: bytes) -> list[bytes]:
    chunks = []
    while True:
        size_line, _, body = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            assert body == b"\r\n", "chunked body must end with the zero chunk and an empty trailer"
            return chunks
        chunks.append(body[:size])
        assert body[size:size + 2] == b"\r\n"
        body = body[size + 2:]


def page(site, url: str) -> html.HtmlElement:
    status, _, body = fetch(url)
    assert status == 200
    return html.fromstring(body)


def embedded_tweet_ids(site) -> dict[str, set[str]]:
    """tweet id -> article URLs embedding it (blockquote snippets and amp-twitter)."""
    found: dict[str, set[str]] = {}
    for url in site.article_urls:
        doc = page(site, url)
        for bq in doc.xpath('//blockquote[contains(@class,"twitter-tweet")]'):
            tid = re.search(r"/status/(\d+)", bq.xpath('.//a[contains(@href,"/status/")]/@href')[-1]).group(1)
            found.setdefault(tid, set()).add(url)
        for tid in doc.xpath("//amp-twitter/@data-tweetid"):
            found.setdefault(tid, set()).add(url)
    return found


# ---------------------------------------------------------------- the servers
def test_binds_loopback_only(site):
    for url in (site.base_url, site.ext_url):
        assert ipaddress.ip_address(urlsplit(url).hostname).is_loopback
    assert site.base_url != site.ext_url
    with pytest.raises(ValueError):
        DemoSite(host="0.0.0.0")


def test_stop_is_prompt_with_an_idle_keepalive_connection():
    s = DemoSite().start()
    parts = urlsplit(s.base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/robots.txt")
    conn.getresponse().read()          # connection stays open (HTTP/1.1 keep-alive)
    started = time.monotonic()
    s.stop()
    assert time.monotonic() - started < 2
    conn.close()
    with pytest.raises(RuntimeError):
        s.base_url


def test_common_headers_and_hits(site):
    before = site.hits[("base", "/robots.txt")]
    status, headers, body = fetch(site.base_url + "/robots.txt")
    assert status == 200
    for name in ("Date", "Last-Modified", "ETag", "Content-Length"):
        assert header(headers, name)
    assert header(headers, "Content-Type") == "text/plain; charset=utf-8"
    assert f"Sitemap: {site.sitemap_url}".encode() in body
    assert site.hits[("base", "/robots.txt")] == before + 1
    status, headers, _ = fetch(site.base_url + "/robots.txt", {"If-None-Match": header(headers, "ETag")})
    assert status == 304


def test_front_page_lists_every_article_and_sets_two_cookies(site):
    status, headers, body = fetch(site.front_page_url)
    assert status == 200
    assert len([v for k, v in headers if k.lower() == "set-cookie"]) == 2
    doc = html.fromstring(body)
    links = {urljoin(site.front_page_url, h) for h in doc.xpath("//a/@href")}
    assert set(site.article_urls) <= links
    assert len(site.article_urls) == 9
    # the front page is not an article
    assert doc.xpath('//meta[@property="og:type"]/@content') == ["website"]
    assert b"NewsArticle" not in body


def test_article_list_matches_the_file_tree(site):
    files = {"/" + p.relative_to(SITE_DIR).as_posix() for p in (SITE_DIR / "news").rglob("*.html")}
    assert files == {urlsplit(u).path for u in site.article_urls}
    assert len(site.seed_article_urls) == 2
    assert "trump-says-he-will-speak-to-putin" in site.seed_article_urls[0]


@pytest.mark.parametrize("amp", [False, True])
def test_articles_carry_publisher_metadata(site, amp):
    for url in site.article_urls:
        if url.endswith(".amp.html") != amp:
            continue
        doc = page(site, url)
        assert doc.get("lang") == "en"
        assert doc.xpath("//title/text()") and doc.xpath("//h1")
        canonical = doc.xpath('//link[@rel="canonical"]/@href')[0]
        assert canonical.startswith(site.base_url + "/news/")
        assert doc.xpath('//meta[@property="og:type"]/@content') == ["article"]
        assert doc.xpath('//meta[@property="article:published_time"]/@content')
        ld = json.loads(doc.xpath('//script[@type="application/ld+json"]/text()')[0])
        assert ld["@type"] == "NewsArticle" and ld["datePublished"] and ld["author"]
        assert doc.xpath("//time/@datetime")
        assert doc.xpath('//*[@itemprop="articleBody"]//p')
        if amp:
            assert "<html ⚡".encode() in fetch(url)[2]
            assert doc.xpath("//amp-twitter/@data-tweetid") and doc.xpath("//amp-youtube/@data-videoid")
            assert canonical != url
        else:
            assert canonical == url
            assert doc.xpath('//aside//a[starts-with(@href,"/news/")]')
            assert doc.xpath('//footer//a[starts-with(@href,"https://twitter.com/intent/tweet?url=")]')


def test_seed_one_text_and_embeds(site):
    doc = page(site, site.seed_article_urls[0])
    text = doc.xpath('string(//*[@itemprop="articleBody"])')
    assert "Information for this story was found via The Guardian, The Times, and the sources and companies mentioned." in text
    assert "quoted by several French newspapers" in text
    assert "The author holds no licenses." in text
    assert "Read: Russia Agrees To A Ceasefire With Ukraine… Or Did It?" in text
    quotes = doc.xpath('//blockquote[@class="twitter-tweet"]')
    assert len(quotes) == 2
    first = quotes[0].xpath("string(p)")
    assert first.endswith("deter Russia’s… pic.twitter.com/gnQ2SJcZjv")
    assert "(@UkrReview)" in quotes[1].text_content()
    assert quotes[1].xpath("p/br")


def test_no_placeholder_left_in_served_text(site):
    for url in [site.front_page_url, site.sitemap_url, site.feed_url, *site.article_urls]:
        body = fetch(url)[2]
        assert b"{{" not in body, url


def test_sitemap_and_feed(site):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    status, headers, body = fetch(site.sitemap_url)
    tree = etree.fromstring(body)
    locs = tree.xpath("//s:url/s:loc/text()", namespaces=ns)
    assert set(site.article_urls) <= set(locs)
    assert len(tree.xpath("//s:url/s:lastmod", namespaces=ns)) == len(locs)
    status, headers, body = fetch(site.feed_url)
    assert header(headers, "Content-Type").startswith("application/rss+xml")
    rss = etree.fromstring(body)
    assert rss.get("version") == "2.0"
    assert set(rss.xpath("//item/link/text()")) == set(site.article_urls)


# ---------------------------------------------------------------- transfer modes
def test_gzip_article(site):
    status, headers, body = fetch(site.seed_article_urls[0], {"Accept-Encoding": "gzip, deflate"})
    assert status == 200
    assert header(headers, "Content-Encoding") == "gzip"
    assert int(header(headers, "Content-Length")) == len(body)
    assert header(headers, "Content-Type") == "text/html; charset=utf-8"
    assert gzip.decompress(body).startswith(b"<!DOCTYPE html>")
    # without Accept-Encoding the same page comes as identity
    status, headers, plain = fetch(site.seed_article_urls[0])
    assert header(headers, "Content-Encoding") is None and plain == gzip.decompress(body)


def _chunked(site, mode: str) -> str:
    articles = {a["transfer"]: a["path"] for a in site.router.articles}
    return articles[mode]


def test_chunked_article_really_is_chunked(site):
    raw = raw_get(site.base_url, _chunked(site, "chunked"), "Accept-Encoding: gzip\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    names = {line.split(":", 1)[0].lower(): line.split(":", 1)[1].strip() for line in lines[1:]}
    assert names["transfer-encoding"] == "chunked"
    assert "content-length" not in names and "content-encoding" not in names
    chunks = dechunk(body)
    assert len(chunks) > 1
    assert b"".join(chunks).startswith(b"<!DOCTYPE html>")


def test_chunked_and_gzip_article(site):
    raw = raw_get(site.base_url, _chunked(site, "chunked+gzip"), "Accept-Encoding: gzip\r\n")
    head, _, body = raw.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head and b"Content-Encoding: gzip" in head
    assert b"Content-Length" not in head
    assert gzip.decompress(b"".join(dechunk(body))).startswith(b"<!DOCTYPE html>")


def test_unknown_paths_are_real_404_pages(site):
    status, headers, body = fetch(site.base_url + "/news/2025/03/16/no-such-story.html")
    assert status == 404 and b"Page not found" in body
    assert header(headers, "Content-Type") == "text/html; charset=utf-8"
    for hidden in ("/_routes.json", "/ext/robots.txt", "/../server.py"):
        assert fetch(site.base_url + hidden)[0] == 404


# ---------------------------------------------------------------- X / Twitter
def test_every_embedded_tweet_is_known(site):
    ids = embedded_tweet_ids(site)
    assert set(ids) == set(EXPECTED_TWEETS)
    # capture once, cite many: the @wartranslated post is embedded by two articles
    assert len(ids["1901199946615513871"]) == 2


@pytest.mark.parametrize("tid", sorted(EXPECTED_TWEETS))
def test_tweet_result_shapes(site, tid):
    handle, expected = EXPECTED_TWEETS[tid]
    base = site.endpoint_map()["https://cdn.syndication.twimg.com"]
    status, data = get_json(f"{base}/tweet-result?id={tid}&lang=en&features=tfw_timeline_list%3A&token=abc")
    assert status == 200
    if expected == "deleted":
        assert data == {"__typename": "TweetTombstone", "tombstone": {"text": {
            "text": "This Post was deleted by the Post author. Learn more", "entities": [], "rtl": False}}}
        return
    assert data["__typename"] == "Tweet" and data["id_str"] == tid and data["lang"] == "en"
    created = dt.datetime.strptime(data["created_at"], "%Y-%m-%dT%H:%M:%S.%f%z")
    assert created == snowflake_time(tid).replace(microsecond=0)
    assert created.date() == dt.date(2025, 3, 16)
    user = data["user"]
    assert user["screen_name"] == handle
    for key in ("id_str", "name", "profile_image_url_https", "verified", "is_blue_verified"):
        assert key in user
    text = data["text"]
    start, end = data["display_text_range"]
    for ent in data["entities"]["media"] + data["entities"]["urls"]:
        i, j = ent["indices"]
        assert text[i:j] == ent["url"] and ent["url"].startswith("https://t.co/")
    photo = data["mediaDetails"][0]
    assert photo["type"] == "photo" and photo["media_url_https"].startswith("https://pbs.twimg.com/media/")
    assert data["photos"][0]["url"] == photo["media_url_https"]
    assert isinstance(data["favorite_count"], int) and isinstance(data["conversation_count"], int)
    assert data["isEdited"] is (expected == "edited")
    ids = data["edit_control"]["edit_tweet_ids"]
    if expected == "edited":
        assert len(ids) == 2 and ids[0] == tid and snowflake_time(ids[1]) > snowflake_time(tid)
        assert "deploy troops in Ukraine" in text      # the article shows "deploy soldiers in Ukraine"
    else:
        assert ids == [tid]
    if handle == "wartranslated":
        assert "…" not in text[:end] and "deter Russia’s future aggression" in text


def test_tweet_result_unknown_and_missing_id(site):
    base = site.endpoint_map()["https://cdn.syndication.twimg.com"]
    assert get_json(f"{base}/tweet-result?id=20&lang=en") == (200, {})
    assert fetch(f"{base}/tweet-result?lang=en")[0] == 400


def test_twitter_oembed(site):
    base = site.endpoint_map()["https://publish.twitter.com"]
    url = quote("https://twitter.com/wartranslated/status/1901199946615513871", safe="")
    status, data = get_json(f"{base}/oembed?url={url}&omit_script=1")
    assert status == 200
    assert data["type"] == "rich" and data["width"] == 550 and data["height"] is None
    assert data["cache_age"] == "3153600000" and data["provider_name"] == "Twitter" and data["version"] == "1.0"
    assert data["author_url"] == "https://twitter.com/wartranslated"
    assert data["html"].startswith('<blockquote class="twitter-tweet"')
    x_url = quote("https://x.com/frontnotes_ua/status/1901152751573721488", safe="")
    assert fetch(f"{base}/oembed?url={x_url}")[0] == 404


def test_tco_redirects_to_the_real_host_and_media_is_jpeg(site):
    emap = site.endpoint_map()
    status, headers, _ = fetch(emap["https://t.co"] + "/gnQ2SJcZjv")
    assert status == 301
    assert header(headers, "Location") == "https://twitter.com/wartranslated/status/1901199946615513871/photo/1"
    assert fetch(emap["https://t.co"] + "/lGWwoDFV5E")[0] == 301
    status, headers, _ = fetch(emap["https://twitter.com"] + "/wartranslated/status/1901199946615513871/photo/1")
    assert status == 200 and header(headers, "Content-Type").startswith("text/html")
    assert fetch(emap["https://x.com"] + "/UkrReview/status/1901263954598284197")[0] == 200
    for suffix in (".jpg", ".jpg?name=orig", "?format=jpg&name=orig"):
        status, headers, body = fetch(emap["https://pbs.twimg.com"] + "/media/GmLq7VxWgAAd3Kp" + suffix)
        assert status == 200 and header(headers, "Content-Type") == "image/jpeg"
        assert body[:3] == b"\xff\xd8\xff" and body.endswith(b"\xff\xd9") and 1000 < len(body) < 20000


# ---------------------------------------------------------------- Telegram, YouTube, Bluesky
def test_telegram_embed_page(site):
    base = site.endpoint_map()["https://t.me"]
    doc = page(site, base + "/kpszsu/27514?embed=1&mode=tme")
    assert "tgme_widget" in doc.xpath("//body/@class")[0] and "body_widget_post" in doc.xpath("//body/@class")[0]
    msg = doc.xpath('//div[contains(@class,"tgme_widget_message ")][@data-post="kpszsu/27514"]')
    assert msg
    assert doc.xpath('//a[@class="tgme_widget_message_date"]/time/@datetime') == ["2025-03-16T06:48:13+00:00"]
    assert "90" in doc.xpath('string(//div[contains(@class,"tgme_widget_message_text")])')
    style = doc.xpath('//a[contains(@class,"tgme_widget_message_photo_wrap")]/@style')[0]
    photo = re.search(r"url\('(https://cdn4\.telesco\.pe/[^']+)'\)", style).group(1)
    assert fetch(photo.replace("https://cdn4.telesco.pe", site.endpoint_map()["https://cdn4.telesco.pe"]))[0] == 200
    status, _, body = fetch(base + "/kpszsu/1?embed=1")
    assert status == 200 and b"tgme_widget_message_error" in body and b"Post not found" in body


def test_youtube_oembed_and_thumbnail(site):
    base = site.endpoint_map()["https://www.youtube.com"]
    url = quote("https://www.youtube.com/watch?v=FF2JAEzzUJi", safe="")
    status, data = get_json(f"{base}/oembed?url={url}&format=json")
    assert status == 200 and data["type"] == "video" and data["provider_name"] == "YouTube"
    thumb = data["thumbnail_url"]
    assert thumb == "https://i.ytimg.com/vi/FF2JAEzzUJi/hqdefault.jpg"
    status, headers, body = fetch(thumb.replace("https://i.ytimg.com", site.endpoint_map()["https://i.ytimg.com"]))
    assert status == 200 and body[:2] == b"\xff\xd8"
    assert fetch(f"{base}/oembed?url={quote('https://youtu.be/AAAAAAAAAAA', safe='')}&format=json")[0] == 404


def test_bluesky_endpoints(site):
    api = site.endpoint_map()["https://public.api.bsky.app"] + "/xrpc"
    status, data = get_json(f"{api}/com.atproto.identity.resolveHandle?handle=osint-notebook.bsky.social")
    assert status == 200 and data["did"].startswith("did:plc:")
    did = data["did"]
    uri = f"at://{did}/app.bsky.feed.post/3lkisp3v5hk4p"
    status, data = get_json(f"{api}/app.bsky.feed.getPostThread?uri={quote(uri, safe='')}&depth=0&parentHeight=0")
    assert status == 200
    thread = data["thread"]
    assert thread["$type"] == "app.bsky.feed.defs#threadViewPost"
    post = thread["post"]
    assert post["uri"] == uri and post["cid"].startswith("bafyrei") and post["author"]["did"] == did
    assert post["record"]["$type"] == "app.bsky.feed.post" and post["record"]["createdAt"].startswith("2025-03-16")
    image = post["embed"]["images"][0]
    assert post["embed"]["$type"] == "app.bsky.embed.images#view"
    assert fetch(image["fullsize"].replace("https://cdn.bsky.app", site.endpoint_map()["https://cdn.bsky.app"]))[0] == 200
    # the article embeds the same record version (CID)
    doc = page(site, next(u for u in site.article_urls if u.endswith("operational-phase-video.html")))
    bq = doc.xpath('//blockquote[@class="bluesky-embed"]')[0]
    assert bq.get("data-bluesky-uri") == uri and bq.get("data-bluesky-cid") == post["cid"]
    missing = f"at://{did}/app.bsky.feed.post/3laaaaaaaaaaa"
    status, data = get_json(f"{api}/app.bsky.feed.getPostThread?uri={quote(missing, safe='')}")
    assert status == 400 and data == {"error": "NotFound", "message": f"Post not found: {missing}"}
    status, data = get_json(f"{api}/app.bsky.feed.getPosts?uris={quote(uri, safe='')}&uris={quote(missing, safe='')}")
    assert [p["uri"] for p in data["posts"]] == [uri]
    oembed = site.endpoint_map()["https://embed.bsky.app"]
    post_url = quote("https://bsky.app/profile/osint-notebook.bsky.social/post/3lkisp3v5hk4p", safe="")
    status, data = get_json(f"{oembed}/oembed?url={post_url}&format=json")
    assert status == 200 and data["type"] == "rich" and 'class="bluesky-embed"' in data["html"]


# ---------------------------------------------------------------- outlets: dead link and redirect chain
def _body_links(site, key: str) -> list[str]:
    url = next(u for u in site.article_urls if key in u)
    return page(site, url).xpath('//*[@itemprop="articleBody"]//a/@href')


def test_dead_link_is_404(site):
    dead = [h for h in _body_links(site, "encircled-in-kursk") if h.startswith(site.ext_url)]
    assert len(dead) == 1
    status, _, body = fetch(dead[0])
    assert status == 404 and b"Not Found" in body


def test_redirect_chain_301_302_200(site):
    start = [h for h in _body_links(site, "energy-facilities-in-odesa") if h.startswith(site.ext_url)][0]
    url, statuses = start, []
    for _ in range(5):
        status, headers, body = fetch(url)
        statuses.append(status)
        if status not in (301, 302):
            break
        url = header(headers, "Location")
        assert url.startswith(site.ext_url + "/kyivindependent.com/")
    assert statuses == [301, 302, 200]
    assert b"Kyiv Independent" in body


def test_every_body_link_is_served_here(site):
    """Body links point at the site, the ext server, or a real platform host it stands in for."""
    emap = site.endpoint_map()
    for url in site.article_urls:
        for href in page(site, url).xpath('//*[@itemprop="articleBody"]//a/@href'):
            target = urljoin(url, href)
            parts = urlsplit(target)
            real = f"{parts.scheme}://{parts.netloc}"
            if real in emap:
                target = emap[real] + target[len(real):]
            else:
                assert target.startswith((site.base_url, site.ext_url)), target
            gone = "ukrinform" in target or "/frontnotes_ua/status/" in target  # dead link, deleted post
            moved = "/t.co/" in target or "/kyivindependent.com/" in target
            assert fetch(target)[0] == (404 if gone else 301 if moved else 200), target


# ---------------------------------------------------------------- endpoint map
def test_endpoint_map(site):
    emap = site.endpoint_map()
    required = {"cdn.syndication.twimg.com", "publish.twitter.com", "pbs.twimg.com", "video.twimg.com", "t.co",
                "t.me", "www.youtube.com", "i.ytimg.com", "public.api.bsky.app", "embed.bsky.app",
                "cdn.bsky.app", "twitter.com", "x.com", "bsky.app"}
    assert {f"https://{h}" for h in required} <= set(emap)
    for key, value in emap.items():
        assert re.fullmatch(r"https://[a-z0-9.-]+", key)
        assert value == site.ext_url + "/" + key.removeprefix("https://")


# ---------------------------------------------------------------- serve_forever
def test_serve_forever_prints_the_url_first():
    proc = subprocess.Popen([sys.executable, "-c", "from archiver.demo import serve_forever; serve_forever()"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline().strip()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", first)
        with urllib.request.urlopen(first, timeout=10) as resp:
            assert resp.status == 200 and b"The Meridian Ledger" in resp.read()
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_ext_server_falls_back_to_127_0_0_1_when_its_address_is_unusable():
    with socket.socket() as busy:
        busy.bind(("127.0.0.2", 0))
        busy.listen()
        taken = busy.getsockname()[1]
        with DemoSite(ext_port=taken) as s:
            assert urlsplit(s.ext_url).hostname == "127.0.0.1"
            assert s.ext_url != s.base_url
            assert fetch(s.ext_url + "/robots.txt")[0] == 200
