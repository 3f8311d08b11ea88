"""A generated news site on loopback for bench/crawl_bench.py: thousands of ~100 KB articles, the
platform endpoints their embedded posts need, the outlet pages they cite.

Two asyncio HTTP/1.1 servers in one process (run it as its own process, so that it does not share
a core's time slices with the crawler being measured):

- the news site on 127.0.0.1: ``/`` and ``/index-K.html`` (links to all articles, or the first K),
  ``/sitemap.xml`` and ``/sitemap-K.xml``, the articles ``/news/2025/03/DD/slug-ID.html``, a few
  section and about pages, ``/robots.txt``;
- "the rest of the web" on 127.0.0.2 (as archiver/demo does): each real host under a path prefix
  (``/cdn.syndication.twimg.com/tweet-result?id=...``, ``/t.me/CHANNEL/ID?embed=1``,
  ``/www.youtube.com/oembed?url=...``, photos, thumbnails) and the outlet pages articles cite
  (``/www.reuters.com/world/2025/03/slug-K.html``; some behind a 301, some 404).

Per article (defaults): two X/Twitter blockquotes (one post in five from a shared pool, so it is
cited by many articles; half of the posts have a photo), a Telegram widget on every second
article, a YouTube iframe on every third, six outlet citations (two from a shared pool of 200
pages, one behind a redirect on every tenth article, a dead link on every twentieth), related and
most-read boxes linking to older articles (so an index of the first K articles is closed under
links), site chrome linking to a dozen section pages, and a JSON state blob padding the page to
its size. Even-numbered articles, every third outlet page and the index pages are sent with
``Content-Encoding: gzip`` to clients that accept it (precompressed at start-up, level 6).

Every response waits ``latency`` ms (asyncio timer: other connections are served meanwhile).
Control, never linked from a page and never counted: ``/__bench/stats`` (JSON counters),
``/__bench/reset``, ``/__bench/config?latency_ms=50``.

    .venv/bin/python bench/newsite.py --articles 2000 [--latency-ms 0]

prints one JSON line (base and ext URLs, pid) once it serves, and runs until SIGTERM / Ctrl-C or
until its parent process goes away.
"""
from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import re
import signal
import socket
import sys
import time
from collections import Counter
from email.utils import formatdate
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

DEMO_EXT = Path(__file__).resolve().parent.parent / "archiver" / "demo" / "site" / "ext"

WORDS = ("government minister said week report officials city council police vote election market company "
         "energy prices climate court ruling health hospital school students border troops ceasefire talks "
         "agreement budget tax inflation analysts statement spokesperson protest investigation evidence "
         "witnesses region village drone attack missile defence plan parliament coalition sanctions exports "
         "harvest pipeline refinery grid outage repairs convoy aid shelter evacuation mayor governor "
         "prosecutor verdict appeal treaty summit delegation envoy negotiations deadline figures survey").split()
CREDITS = ("according to {o}", "{o} reported", "told {o}", "as {o} first reported", "{o} said",
           "in a report by {o}", "citing {o}")
OUTLETS = (("www.reuters.com", "Reuters"), ("apnews.com", "the Associated Press"),
           ("www.theguardian.com", "The Guardian"), ("www.bbc.co.uk", "the BBC"),
           ("www.nytimes.com", "The New York Times"), ("www.lemonde.fr", "Le Monde"),
           ("www.dw.com", "Deutsche Welle"), ("kyivindependent.com", "The Kyiv Independent"),
           ("www.state.gov", "the State Department"), ("tass.com", "TASS"),
           ("www.aljazeera.com", "Al Jazeera"), ("www.politico.eu", "Politico Europe"))
SECTIONS = ("world", "europe", "ukraine", "politics", "business", "energy", "climate", "science",
            "health", "opinion", "sport", "culture")
ABOUT = ("about", "contact", "ethics", "corrections", "privacy", "terms")
CHANNELS = ("kpszsu", "ukrpravda_news", "rybar", "dsns_telegram", "mod_russia", "nexta_live",
            "war_monitor", "operativnoZSU", "truexanewsua", "astrapress")
PLATFORM_HOSTS = ("cdn.syndication.twimg.com", "publish.twitter.com", "platform.twitter.com", "pbs.twimg.com",
                  "video.twimg.com", "t.co", "twitter.com", "x.com", "t.me", "telegram.org", "cdn4.telesco.pe",
                  "www.youtube.com", "i.ytimg.com")

SHARED_OUTLET_PAGES = 200
SHARED_POSTS = 100
TWITTER_EPOCH_MS = 1288834974657
POSTS_START_MS = 1742112000000        # 2025-03-16T08:00:00Z
HTML = "text/html; charset=utf-8"
JSON_TYPE = "application/json; charset=utf-8"
XML = "application/xml; charset=utf-8"
JPEG = "image/jpeg"
JS = "application/javascript; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
LAST_MODIFIED = "Sun, 16 Mar 2025 18:30:00 GMT"


def _jpeg(name: str, fallback_size: int) -> bytes:
    for path in DEMO_EXT.glob(f"**/{name}"):
        return path.read_bytes()
    return b"\xff\xd8\xff\xe0" + bytes(fallback_size) + b"\xff\xd9"


class Site:
    """Everything the site serves, generated deterministically from the article count."""

    def __init__(self, articles: int, article_kb: int = 100, outlet_kb: int = 40, seed: int = 7) -> None:
        self.n = articles
        self.article_bytes = article_kb * 1024
        self.outlet_bytes = outlet_kb * 1024
        self.base = self.ext = ""
        rng = random.Random(seed)
        self.paragraphs = [" ".join(self._sentence(rng) for _ in range(rng.randint(2, 4))) for _ in range(4000)]
        self.paragraphs_json = {text: json.dumps(text) for text in self.paragraphs}
        self.style = "<style>" + "".join(f".c{i}{{margin:{i % 13}px;padding:{i % 7}px;color:#{i * 4099 % 16**6:06x}}}"
                                         for i in range(220)) + "</style>"
        self._slugs: dict[tuple[int, int], str] = {}
        self._cards: dict[tuple[int, str], str] = {}
        self.photo = _jpeg("GmNc4RyWQAA8pLs.jpg", 5900)
        self.avatar = _jpeg("Qn4cR7uVz1LwE3sYb9TkP2xHfM6jD0aG.jpg", 1200)
        self.thumb = _jpeg("hqdefault.jpg", 4600)
        self.gz: dict[str, bytes] = {}

    # ------------------------------------------------------------------ text
    @staticmethod
    def _sentence(rng: random.Random, n: int = 0) -> str:
        words = [rng.choice(WORDS) for _ in range(n or rng.randint(12, 24))]
        return words[0].capitalize() + " " + " ".join(words[1:]) + "."

    def _slug(self, key: int, n: int = 6) -> str:
        slug = self._slugs.get((key, n))
        if slug is None:
            rng = random.Random(key * 7919 + 13)
            slug = self._slugs[(key, n)] = "-".join(rng.choice(WORDS) for _ in range(n))
        return slug

    def _title(self, key: int) -> str:
        return self._slug(key, 9).replace("-", " ").capitalize()

    # ------------------------------------------------------------------ URLs
    def set_urls(self, base: str, ext: str) -> None:
        self.base, self.ext = base, ext

    def article_path(self, a: int) -> str:
        return f"/news/2025/03/{1 + a % 28:02d}/{self._slug(a)}-{a}.html"

    def outlet_path(self, k: int) -> str:
        host = OUTLETS[k % len(OUTLETS)][0]
        return f"/{host}/world/2025/03/{self._slug(k + 10**7, 5)}-{k}.html"

    def tweet_id(self, i: int) -> int:
        return ((POSTS_START_MS - TWITTER_EPOCH_MS + i * 1000) << 22) | (i % 4096)

    def tweet_index(self, tweet_id: int) -> int | None:
        i = ((tweet_id >> 22) - (POSTS_START_MS - TWITTER_EPOCH_MS)) // 1000
        return i if 0 <= i < SHARED_POSTS + 2 * self.n and self.tweet_id(i) == tweet_id else None

    @staticmethod
    def handle(i: int) -> str:
        return f"newsdesk_{i % 300}"

    @staticmethod
    def video_id(a: int) -> str:
        return f"v{a:010d}"

    def article_citations(self, a: int) -> list[tuple[str, str]]:
        """(URL, credit text) of the outlet pages article `a` cites."""
        rng = random.Random(a * 31 + 5)
        pages = [rng.randrange(SHARED_OUTLET_PAGES) for _ in range(2)]
        pages += [SHARED_OUTLET_PAGES + a * 4 + j for j in range(4)]
        cites = []
        for j, k in enumerate(pages):
            name = OUTLETS[k % len(OUTLETS)][1]
            url = self.ext + self.outlet_path(k)
            if j == 2 and a % 10 == 5:
                url = f"{self.ext}/{OUTLETS[k % len(OUTLETS)][0]}/r/{k}"
            if j == 3 and a % 20 == 7:
                url = f"{self.ext}/{OUTLETS[k % len(OUTLETS)][0]}/gone/{a}"
            cites.append((url, rng.choice(CREDITS).format(o=name)))
        return cites

    def article_tweets(self, a: int) -> list[int]:
        rng = random.Random(a * 17 + 3)
        return [rng.randrange(SHARED_POSTS) if (a + j) % 5 == 0 else SHARED_POSTS + 2 * a + j for j in range(2)]

    # ------------------------------------------------------------------ pages
    def _head(self, title: str, canonical: str, article: bool) -> str:
        ld = ""
        if article:
            ld = ('<meta property="og:type" content="article"><script type="application/ld+json">'
                  + json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                                "datePublished": "2025-03-16T10:00:00Z",
                                "author": [{"@type": "Person", "name": "Staff Reporter"}],
                                "publisher": {"@type": "Organization", "name": "The Bench Courier"}})
                  + "</script>")
        return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>{title} | The Bench Courier</title><link rel="canonical" href="{canonical}">'
                f'<meta property="og:title" content="{title}"><meta property="og:site_name" content="The Bench Courier">'
                f'{ld}<link rel="stylesheet" href="/static/site.css">{self.style}</head><body>')

    def _chrome_top(self, home: str = "/") -> str:
        nav = "".join(f'<li class="nav__item"><a class="nav__link" href="/section/{s}.html">{s.title()}</a></li>'
                      for s in SECTIONS)
        return (f'<header class="site-header"><a class="logo" href="{home}">The Bench Courier</a>'
                f'<nav class="main-nav" aria-label="Sections"><ul class="nav">{nav}</ul></nav></header>')

    def _chrome_bottom(self) -> str:
        links = "".join(f'<li><a href="/about/{p}.html">{p.title()}</a></li>' for p in ABOUT)
        return (f'<footer class="site-footer"><ul class="footer-links">{links}</ul>'
                '<p class="copyright">&copy; 2025 The Bench Courier. All rights reserved.</p></footer>')

    def _card(self, b: int, kind: str) -> str:
        card = self._cards.get((b, kind))
        if card is None:
            card = self._cards[(b, kind)] = self._make_card(b, kind)
        return card

    def _make_card(self, b: int, kind: str) -> str:
        return (f'<div class="card card--{kind}"><div class="card__media"><picture><source srcset="/img/{b}.webp" '
                f'type="image/webp"><img src="/img/{b}.jpg" alt="" loading="lazy" width="320" height="180">'
                f'</picture></div><div class="card__body"><span class="card__kicker">{SECTIONS[b % 12]}</span>'
                f'<h3 class="card__title"><a href="{self.article_path(b)}">{self._title(b)}</a></h3>'
                f'<time datetime="2025-03-{1 + b % 28:02d}">March {1 + b % 28}</time></div></div>')

    def _tweet(self, i: int, rng: random.Random) -> str:
        handle, tid = self.handle(i), self.tweet_id(i)
        return (f'<blockquote class="twitter-tweet" data-lang="en"><p lang="en" dir="ltr">{self._sentence(rng)}'
                f'</p>&mdash; News Desk {i % 300} (@{handle}) <a href="https://twitter.com/{handle}/status/{tid}'
                f'?ref_src=twsrc%5Etfw">March 16, 2025</a></blockquote> '
                '<script async src="https://platform.twitter.com/widgets.js" charset="utf-8"></script>')

    def _telegram(self, a: int) -> str:
        return (f'<script async src="https://telegram.org/js/telegram-widget.js?22" '
                f'data-telegram-post="{CHANNELS[a % len(CHANNELS)]}/{10000 + a}" data-width="100%"></script>')

    def _youtube(self, a: int) -> str:
        return (f'<figure class="video"><iframe width="560" height="315" src="https://www.youtube.com/embed/'
                f'{self.video_id(a)}" title="YouTube video player" frameborder="0" allow="accelerometer; autoplay; '
                'clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share" '
                'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>'
                '<figcaption>Video: Defence Briefing TV</figcaption></figure>')

    def article(self, a: int) -> bytes:
        rng = random.Random(a)
        title = self._title(a)
        url = self.base + self.article_path(a)
        embeds = [self._tweet(i, rng) for i in self.article_tweets(a)]
        if a % 2 == 0:
            embeds.append(self._telegram(a))
        if a % 3 == 0:
            embeds.append(self._youtube(a))
        cites = self.article_citations(a)
        texts = [self.paragraphs[rng.randrange(len(self.paragraphs))] for _ in range(85)]
        body = []
        for p, text in enumerate(texts):
            if p % 6 == 2 and p // 6 < len(cites):
                link, credit = cites[p // 6]
                text += f' The figures were confirmed, <a href="{link}">{credit}</a>.'
            body.append(f"<p>{text}</p>")
            if p % 9 == 4 and p // 9 < len(embeds):
                body.append(embeds[p // 9])
        related = "".join(self._card(b, "related") for b in range(a - 1, max(-1, a - 9), -1))
        most_read = "".join(self._card(b, "most-read") for b in range(a - 10, max(-1, a - 20), -1))
        page = (self._head(title, url, True) + self._chrome_top()
                + f'<main><article class="story"><h1 class="story__headline">{title}</h1>'
                f'<p class="byline">By <span class="author">Staff Reporter</span> · '
                f'<time datetime="2025-03-{1 + a % 28:02d}T10:00:00Z">March {1 + a % 28}, 2025</time></p>'
                f'<div class="story__body entry-content">{"".join(body)}</div></article>'
                f'<section class="related-stories"><h2>Related</h2>{related}</section>'
                f'<aside class="most-read"><h2>Most read</h2>{most_read}</aside></main>'
                + self._chrome_bottom())
        tail = "</body></html>"
        return self._pad(page, tail, a, texts, self.article_bytes)

    def _pad(self, page: str, tail: str, key: int, texts: list[str], size: int) -> bytes:
        """A framework's page-state blob (what real news pages are mostly made of) up to `size`."""
        room = size - len(page) - len(tail) - 80
        state: list[str] = []
        used, i = 0, 0
        while used < room and texts:
            text = texts[i % len(texts)]
            chunk = f'{{"type":"paragraph","id":"{key}-{i}","text":{self.paragraphs_json[text]}}}'
            state.append(chunk)
            used += len(chunk) + 1
            i += 1
        blob = '<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"blocks":[' \
            + ",".join(state) + ']}}}</script>'
        return (page + blob + tail).encode()

    def outlet(self, k: int) -> bytes:
        host, name = OUTLETS[k % len(OUTLETS)]
        rng = random.Random(k + 10**7)
        title = self._title(k + 10**7)
        url = self.ext + self.outlet_path(k)
        nav = "".join(f'<li><a href="{self.ext}/{host}/{s}/">{s.title()}</a></li>' for s in SECTIONS)
        texts = [self.paragraphs[rng.randrange(len(self.paragraphs))] for _ in range(30)]
        body = "".join(f"<p>{t}</p>" for t in texts)
        page = (self._head(title, url, True) + f'<header><a href="{self.ext}/{host}/">{name}</a><nav><ul>{nav}'
                f'</ul></nav></header><main><article><h1>{title}</h1>{body}</article></main>'
                f'<footer><a href="{self.ext}/{host}/about/">About {name}</a></footer>')
        return self._pad(page, "</body></html>", k, texts, self.outlet_bytes)

    def index(self, k: int) -> bytes:
        items = "".join(f'<li><a href="{self.article_path(a)}">{self._title(a)}</a></li>' for a in range(k))
        # the logo of /index-K.html links to itself: the first K articles stay a closed site
        home = "/" if k >= self.n else f"/index-{k}.html"
        return (self._head("The Bench Courier", self.base + home, False) + self._chrome_top(home)
                + f'<main><h1>Latest news</h1><ul class="latest">{items}</ul></main>'
                + self._chrome_bottom() + "</body></html>").encode()

    def sitemap(self, k: int) -> bytes:
        urls = "".join(f"<url><loc>{self.base}{self.article_path(a)}</loc><lastmod>2025-03-{1 + a % 28:02d}</lastmod>"
                       "</url>" for a in range(k))
        return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                + urls + "</urlset>").encode()

    def section(self, name: str) -> bytes:
        # the first 20 articles, so that /index-K.html (K >= 20) and what it links to stay a closed site
        cards = "".join(self._card(b, "section") for b in range(min(20, self.n)))
        return (self._head(name.title(), f"{self.base}/section/{name}.html", False) + self._chrome_top()
                + f'<main><h1>{name.title()}</h1>{cards}</main>' + self._chrome_bottom() + "</body></html>").encode()

    def small_page(self, title: str, text: str = "") -> bytes:
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head>'
                f'<body><h1>{title}</h1><p>{text}</p></body></html>').encode()

    # ------------------------------------------------------------------ platform answers
    def tweet_result(self, i: int) -> bytes:
        tid, handle = self.tweet_id(i), self.handle(i)
        rng = random.Random(i + 5 * 10**6)
        text = self._sentence(rng)
        created = time.strftime("%Y-%m-%dT%H:%M:%S.000Z",
                                time.gmtime(((tid >> 22) + TWITTER_EPOCH_MS) // 1000))
        data = {"__typename": "Tweet", "lang": "en", "favorite_count": 100 + i % 900, "possibly_sensitive": False,
                "created_at": created, "display_text_range": [0, len(text)],
                "entities": {"hashtags": [], "urls": [], "user_mentions": [], "symbols": []},
                "id_str": str(tid), "text": text,
                "user": {"id_str": str(10**15 + i % 300), "name": f"News Desk {i % 300}",
                         "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{i % 300}/a_normal.jpg",
                         "screen_name": handle, "verified": False, "is_blue_verified": i % 3 == 0,
                         "profile_image_shape": "Circle"},
                "edit_control": {"edit_tweet_ids": [str(tid)], "editable_until_msecs": "1742143700761",
                                 "is_edit_eligible": True, "edits_remaining": "5"},
                "conversation_count": i % 40, "news_action_type": "conversation", "isEdited": False,
                "isStaleEdit": False}
        if i % 2 == 0:
            media = f"https://pbs.twimg.com/media/Gm{i:011d}.jpg"
            expanded = f"https://twitter.com/{handle}/status/{tid}/photo/1"
            data["mediaDetails"] = [{"display_url": "pic.twitter.com/x", "expanded_url": expanded,
                                     "ext_media_availability": {"status": "Available"}, "media_url_https": media,
                                     "original_info": {"height": 360, "width": 640}, "type": "photo",
                                     "sizes": {"large": {"h": 360, "resize": "fit", "w": 640}}}]
            data["photos"] = [{"url": media, "width": 640, "height": 360, "expandedUrl": expanded}]
        return json.dumps(data, separators=(",", ":")).encode()

    def tweet_oembed(self, i: int) -> bytes:
        tid, handle = self.tweet_id(i), self.handle(i)
        url = f"https://twitter.com/{handle}/status/{tid}"
        html = (f'<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{self._sentence(random.Random(i))}</p>'
                f'&mdash; News Desk {i % 300} (@{handle}) <a href="{url}?ref_src=twsrc%5Etfw">March 16, 2025</a>'
                '</blockquote>\n')
        return json.dumps({"url": url, "author_name": f"News Desk {i % 300}",
                           "author_url": f"https://twitter.com/{handle}", "html": html, "width": 550,
                           "height": None, "type": "rich", "cache_age": "3153600000", "provider_name": "Twitter",
                           "provider_url": "https://twitter.com", "version": "1.0"}).encode()

    def telegram_widget(self, channel: str, post: int) -> bytes:
        text = self._sentence(random.Random(post)) + "<br/><br/>" + self._sentence(random.Random(post + 1))
        return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Telegram Widget</title></head>'
                f'<body class="body_widget_post emoji_image nodark tgme_widget"><div class="tgme_widget_message_wrap '
                f'js-widget_message_wrap"><div class="tgme_widget_message text_not_supported_wrap js-widget_message" '
                f'data-post="{channel}/{post}" data-post-id="{post}"><div class="tgme_widget_message_user">'
                f'<a href="https://t.me/{channel}"><i class="tgme_widget_message_user_photo bgcolor0" data-content="T">'
                f'<img src="https://cdn4.telesco.pe/file/{channel}.jpg"></i></a></div>'
                f'<div class="tgme_widget_message_bubble"><div class="tgme_widget_message_author accent_color">'
                f'<a class="tgme_widget_message_owner_name" href="https://t.me/{channel}"><span dir="auto">{channel}'
                f'</span></a></div><a class="tgme_widget_message_photo_wrap" href="https://t.me/{channel}/{post}" '
                f"style=\"width:640px;background-image:url('https://cdn4.telesco.pe/file/{channel}{post}.jpg')\">"
                f'<div class="tgme_widget_message_photo" style="padding-top:56.25%"></div></a>'
                f'<div class="tgme_widget_message_text js-message_text" dir="auto">{text}</div>'
                f'<div class="tgme_widget_message_footer compact js-message_footer"><div class="tgme_widget_message_info'
                f' short js-message_info"><span class="tgme_widget_message_views">{post % 900}.{post % 10}K</span>'
                f'<span class="tgme_widget_message_meta"><a class="tgme_widget_message_date" '
                f'href="https://t.me/{channel}/{post}"><time datetime="2025-03-16T06:48:13+00:00" class="time">06:48'
                '</time></a></span></div></div></div></div></div></body></html>').encode()

    def youtube_oembed(self, vid: str) -> bytes:
        title = self._title(int(vid[1:]) + 3 * 10**6)
        return json.dumps({"title": title, "author_name": "Defence Briefing TV",
                           "author_url": "https://www.youtube.com/@DefenceBriefingTV", "type": "video",
                           "height": 113, "width": 200, "version": "1.0", "provider_name": "YouTube",
                           "provider_url": "https://www.youtube.com/", "thumbnail_height": 360,
                           "thumbnail_width": 480, "thumbnail_url": f"https://i.ytimg.com/vi/{vid}/hqdefault.jpg",
                           "html": f'<iframe width="200" height="113" src="https://www.youtube.com/embed/{vid}'
                                   f'?feature=oembed" frameborder="0" allowfullscreen title="{title}"></iframe>'}
                          ).encode()

    def youtube_page(self, vid: str) -> bytes:
        return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{vid} - YouTube</title>'
                f'<link rel="canonical" href="https://www.youtube.com/watch?v={vid}"></head>'
                f'<body><div id="player" data-video-id="{vid}"></div></body></html>').encode()

    # ------------------------------------------------------------------ routing
    def precompress(self, report=None) -> None:
        """gzip (level 6) what is sent gzip-encoded: even articles, every third outlet page."""
        started = time.monotonic()
        for a in range(0, self.n, 2):
            self.gz[self.article_path(a)] = gzip.compress(self.article(a), 6, mtime=0)
        outlets = SHARED_OUTLET_PAGES + 4 * self.n
        for k in range(0, outlets, 3):
            self.gz[self.outlet_path(k)] = gzip.compress(self.outlet(k), 6, mtime=0)
        if report:
            report(f"precompressed {len(self.gz)} bodies ({sum(map(len, self.gz.values())) / 1e6:.0f} MB) "
                   f"in {time.monotonic() - started:.1f} s")

    def route_base(self, path: str, query: dict) -> tuple[int, str, bytes, str, list]:
        """(status, content type, body, stats category, extra headers)."""
        m = re.fullmatch(r"/news/2025/03/\d\d/[a-z-]+-(\d+)\.html", path)
        if m:
            a = int(m.group(1))
            if a < self.n and path == self.article_path(a):
                return 200, HTML, self.article(a), "article", []
        elif path == "/":
            return 200, HTML, self.index(self.n), "index", []
        elif m := re.fullmatch(r"/index-(\d+)\.html", path):
            return 200, HTML, self.index(min(int(m.group(1)), self.n)), "index", []
        elif path == "/sitemap.xml":
            return 200, XML, self.sitemap(self.n), "index", []
        elif m := re.fullmatch(r"/sitemap-(\d+)\.xml", path):
            return 200, XML, self.sitemap(min(int(m.group(1)), self.n)), "index", []
        elif m := re.fullmatch(r"/section/([a-z]+)\.html", path):
            if m.group(1) in SECTIONS:
                return 200, HTML, self.section(m.group(1)), "section", []
        elif m := re.fullmatch(r"/about/([a-z]+)\.html", path):
            if m.group(1) in ABOUT:
                return 200, HTML, self.small_page(m.group(1).title(), self._sentence(random.Random(1), 60)), \
                    "section", []
        elif path == "/robots.txt":
            return 200, TEXT, f"User-agent: *\nAllow: /\n\nSitemap: {self.base}/sitemap.xml\n".encode(), "other", []
        return 404, HTML, self.small_page("Not found"), "other", []

    def route_ext(self, path: str, query: dict) -> tuple[int, str, bytes, str, list]:
        first = lambda name: (query.get(name) or [""])[0]  # noqa: E731
        host, _, rest = path[1:].partition("/")
        rest = "/" + rest
        if host == "cdn.syndication.twimg.com" and rest == "/tweet-result":
            i = self.tweet_index(int(first("id"))) if first("id").isdigit() else None
            if i is None:
                return (400 if not first("id") else 200), JSON_TYPE, b"{}", "platform", []
            return 200, JSON_TYPE, self.tweet_result(i), "platform", []
        if host == "publish.twitter.com" and rest == "/oembed":
            m = re.search(r"/status(?:es)?/(\d+)", first("url"))
            i = self.tweet_index(int(m.group(1))) if m else None
            if i is None:
                return 404, TEXT, b"Not Found", "platform", []
            return 200, JSON_TYPE, self.tweet_oembed(i), "platform", []
        if host in ("pbs.twimg.com", "cdn4.telesco.pe", "i.ytimg.com", "video.twimg.com"):
            if host == "i.ytimg.com":
                body = self.thumb
            elif "profile_images" in rest or (host == "cdn4.telesco.pe" and not re.search(r"\d\.jpg$", rest)):
                body = self.avatar  # a profile picture / channel photo
            else:
                body = self.photo
            return 200, JPEG, body, "media", []
        if host in ("twitter.com", "x.com"):
            return 200, HTML, self.small_page("Post on X", rest), "platform", []
        if host == "t.me":
            m = re.fullmatch(r"/(?:s/)?([A-Za-z0-9_]+)/(\d+)", rest)
            if m:
                return 200, HTML, self.telegram_widget(m.group(1), int(m.group(2))), "platform", []
            return 200, HTML, self.small_page("Telegram channel", rest), "platform", []
        if host == "www.youtube.com":
            if rest == "/oembed":
                m = re.search(r"(?:[?&]v=|/embed/)([A-Za-z0-9_-]{11})", first("url"))
                if m and re.fullmatch(r"v\d{10}", m.group(1)):
                    return 200, JSON_TYPE, self.youtube_oembed(m.group(1)), "platform", []
                return 404, TEXT, b"Not Found", "platform", []
            m = re.fullmatch(r"/embed/([A-Za-z0-9_-]{11})", rest)
            vid = m.group(1) if m else first("v")
            return 200, HTML, self.youtube_page(vid or "unknown"), "platform", []
        if host in ("platform.twitter.com", "telegram.org"):
            return 200, JS, b"/* widget stub */\n", "platform", []
        if rest == "/robots.txt" or path == "/robots.txt":
            return 200, TEXT, b"User-agent: *\nAllow: /\n", "other", []
        outlet_hosts = {h for h, _ in OUTLETS}
        if host in outlet_hosts:
            m = re.fullmatch(r"/world/2025/03/[a-z-]+-(\d+)\.html", rest)
            if m:
                k = int(m.group(1))
                if k < SHARED_OUTLET_PAGES + 4 * self.n and path == self.outlet_path(k):
                    return 200, HTML, self.outlet(k), "outlet", []
            m = re.fullmatch(r"/r/(\d+)", rest)
            if m and OUTLETS[int(m.group(1)) % len(OUTLETS)][0] == host:
                return 301, HTML, b"", "outlet", [("Location", self.ext + self.outlet_path(int(m.group(1))))]
        return 404, HTML, self.small_page("Not found"), "outlet" if host in outlet_hosts else "other", []


# ---------------------------------------------------------------------- HTTP server
class Stats:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.responses = 0
        self.body_bytes = 0
        self.by_category: Counter[str] = Counter()
        self.by_status: Counter[int] = Counter()
        self.gzip = 0
        self.connections = 0
        self.started = time.monotonic()

    def to_json(self) -> dict:
        return {"responses": self.responses, "body_bytes": self.body_bytes, "gzip": self.gzip,
                "connections": self.connections, "by_category": dict(self.by_category),
                "by_status": {str(k): v for k, v in self.by_status.items()},
                "seconds": round(time.monotonic() - self.started, 3)}


_REASONS = {200: "OK", 301: "Moved Permanently", 400: "Bad Request", 404: "Not Found"}


class Server:
    def __init__(self, site: Site, latency_ms: float) -> None:
        self.site = site
        self.latency = latency_ms / 1000
        self.stats = Stats()
        self._date = ("", 0)

    def date(self) -> str:
        now = int(time.time())
        if self._date[1] != now:
            self._date = (formatdate(now, usegmt=True), now)
        return self._date[0]

    def control(self, path: str, query: dict) -> bytes:
        if path == "/__bench/reset":
            self.stats.reset()
        elif path == "/__bench/config":
            if "latency_ms" in query:
                self.latency = float(query["latency_ms"][0]) / 1000
        return json.dumps({**self.stats.to_json(), "latency_ms": self.latency * 1000}).encode()

    def respond(self, kind: str, method: bytes, target: bytes, accept_gzip: bool, keep_alive: bool):
        """Returns (list of byte strings to write, counted?)."""
        split = urlsplit(target.decode("latin-1"))
        path = unquote(split.path)
        query = parse_qs(split.query, keep_blank_values=True)
        if kind == "base" and path.startswith("/__bench/"):
            body = self.control(path, query)
            head = (f"HTTP/1.1 200 OK\r\nContent-Type: {JSON_TYPE}\r\nContent-Length: {len(body)}\r\n"
                    f"Cache-Control: no-store\r\n{'' if keep_alive else 'Connection: close' + chr(13) + chr(10)}\r\n")
            return [head.encode(), body], False
        site = self.site
        try:
            status, ctype, body, category, extra = (site.route_base if kind == "base" else site.route_ext)(path, query)
        except Exception as exc:  # noqa: BLE001 - a bug here shows as a 500, not a hung crawler
            status, ctype, body, category, extra = 500, TEXT, repr(exc).encode(), "other", []
        headers = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}", f"Date: {self.date()}",
                   "Server: bench-newsite", f"Content-Type: {ctype}", f"Last-Modified: {LAST_MODIFIED}"]
        gz = site.gz.get(path) if status == 200 and accept_gzip else None
        if gz is None and accept_gzip and status == 200 and category in ("index", "section"):
            gz = site.gz[path] = gzip.compress(body, 6, mtime=0)
        if ctype == HTML:
            headers.append("Vary: Accept-Encoding")
        if gz is not None:
            body = gz
            headers.append("Content-Encoding: gzip")
            self.stats.gzip += 1
        headers.extend(f"{name}: {value}" for name, value in extra)
        headers.append(f"Content-Length: {len(body)}")
        if not keep_alive:
            headers.append("Connection: close")
        self.stats.responses += 1
        self.stats.body_bytes += len(body)
        self.stats.by_category[category] += 1
        self.stats.by_status[status] += 1
        return [("\r\n".join(headers) + "\r\n\r\n").encode(), b"" if method == b"HEAD" else body], True


class HttpProtocol(asyncio.Protocol):
    def __init__(self, server: Server, kind: str) -> None:
        self.server = server
        self.kind = kind
        self.buf = b""
        self.transport: asyncio.Transport | None = None
        self.closing = False

    def connection_made(self, transport) -> None:
        self.transport = transport
        self.server.stats.connections += 1

    def connection_lost(self, exc) -> None:
        self.transport = None

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while not self.closing:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 65536:
                    self._close()
                return
            head, self.buf = self.buf[:end], self.buf[end + 4:]
            lines = head.split(b"\r\n")
            try:
                method, target, version = lines[0].split(b" ", 2)
            except ValueError:
                self._close()
                return
            accept_gzip = False
            keep_alive = version == b"HTTP/1.1"
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"accept-encoding":
                    accept_gzip = b"gzip" in value.lower()
                elif name == b"connection":
                    value = value.strip().lower()
                    keep_alive = value != b"close" and (version == b"HTTP/1.1" or value == b"keep-alive")
                elif name == b"content-length" and value.strip() not in (b"", b"0"):
                    self.buf = self.buf[int(value):]  # a body we do not need
            parts, counted = self.server.respond(self.kind, method, target, accept_gzip, keep_alive)
            if not keep_alive:
                self.closing = True
            delay = self.server.latency if counted else 0
            if delay > 0:
                asyncio.get_running_loop().call_later(delay, self._send, parts, keep_alive)
            else:
                self._send(parts, keep_alive)

    def _send(self, parts: list[bytes], keep_alive: bool) -> None:
        if self.transport is None:
            return
        self.transport.writelines(parts)
        if not keep_alive:
            self.transport.close()

    def _close(self) -> None:
        self.closing = True
        if self.transport is not None:
            self.transport.close()


def _bind(host: str) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(1024)
    return sock


def endpoint_map(ext: str) -> dict[str, str]:
    return {f"https://{host}": f"{ext}/{host}" for host in PLATFORM_HOSTS}


async def _serve(site: Site, latency_ms: float, base_sock: socket.socket, ext_sock: socket.socket,
                 info: dict) -> None:
    server = Server(site, latency_ms)
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    base = await loop.create_server(lambda: HttpProtocol(server, "base"), sock=base_sock)
    ext = await loop.create_server(lambda: HttpProtocol(server, "ext"), sock=ext_sock)
    print(json.dumps(info), flush=True)
    parent = os.getppid()
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
        except asyncio.TimeoutError:
            if os.getppid() != parent:  # the benchmark is gone: do not linger
                break
    base.close()
    ext.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--article-kb", type=int, default=100)
    ap.add_argument("--outlet-kb", type=int, default=40)
    ap.add_argument("--latency-ms", type=float, default=0)
    args = ap.parse_args()
    base_sock = _bind("127.0.0.1")
    try:
        ext_sock = _bind("127.0.0.2")
    except OSError:  # 127.0.0.2 not configured (macOS): another port on 127.0.0.1
        ext_sock = _bind("127.0.0.1")
    base = "http://%s:%d" % base_sock.getsockname()[:2]
    ext = "http://%s:%d" % ext_sock.getsockname()[:2]
    site = Site(args.articles, args.article_kb, args.outlet_kb)
    site.set_urls(base, ext)
    site.precompress(lambda msg: print(f"newsite: {msg}", file=sys.stderr, flush=True))
    info = {"base": base, "ext": ext, "pid": os.getpid(), "articles": args.articles,
            "front_page": base + "/", "sitemap": base + "/sitemap.xml", "endpoints": endpoint_map(ext)}
    asyncio.run(_serve(site, args.latency_ms, base_sock, ext_sock, info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
