"""Outbound links of the article body: absolute, de-duplicated by canonical form, classified.

Links inside embedded posts belong to the post; share/intent buttons and chrome boxes nested in
the body are not citations. Internal links are kept (the crawler follows them) as kind "internal".
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from .. import platforms
from ..urls import absolute, canonical, registrable_domain
from .parse import squash, text_of

SHARE = re.compile(
    r"(?:twitter\.com|x\.com)/(?:intent|share)|facebook\.com/(?:sharer|share\.php|dialog/(?:share|feed|send))"
    r"|linkedin\.com/(?:sharing|shareArticle|cws/share)|reddit\.com/submit|pinterest\.[a-z.]+/pin/create"
    r"|api\.whatsapp\.com/send|whatsapp://|wa\.me/\?|web\.whatsapp\.com/send|t\.me/share|telegram\.me/share"
    r"|tumblr\.com/(?:share|widgets/share)|vk\.com/share\.php|getpocket\.com/(?:save|edit)"
    r"|news\.ycombinator\.com/submitlink|flipboard\.com/bookmarklet|mix\.com/add|xing\.com/spi/shares"
    r"|bsky\.app/intent|threads\.net/intent|b\.hatena\.ne\.jp/entry|line\.me/R/msg|social-plugins\.line\.me"
    r"|addtoany\.com/(?:share|add_to)|addthis\.com/bookmark|plus\.google\.com/share|mailto:", re.I)
# substrings one of which every share URL above contains: a cheap test before the regex
_SHARE_HINTS = ("share", "intent", "submit", "pin/create", "whatsapp", "wa.me", "mailto:", "pocket", "bookmark",
                "hatena", "line.me", "addtoany", "addthis", "submitlink", "bookmarklet", "mix.com", "xing",
                "dialog/")


def is_share(url: str) -> bool:
    low = url.lower()
    for hint in _SHARE_HINTS:  # a plain loop: cheaper than any() over a generator or a regex of the hints
        if hint in low:
            return SHARE.search(url) is not None
    return False


_PHOTO_EXT = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".tif", ".tiff")
# files, photos among them: what a link to one cites is the file itself
DOC_EXT = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|odt|ods|odp|rtf|csv|zip|epub|"
                     + "|".join(ext[1:] for ext in _PHOTO_EXT) + ")$", re.I)
_BLOCK = frozenset({"p", "li", "td", "dd", "dt", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6",
                    "div", "section", "article", "figcaption", "pre"})


def enlarges_photo(a) -> bool:
    """<a href="…/photo.jpg"><img …></a>: the article's own photo at full size (a lightbox or a
    gallery). It is kept even when the gallery sits in a box that looks like chrome (an article
    footer): the full-size photo is part of what the article shows."""
    href = (a.get("href") or "").split("?", 1)[0].split("#", 1)[0].lower()
    return href.endswith(_PHOTO_EXT) and a.find(".//img") is not None


def base_url(root, page_url: str) -> str:
    base = root.find(".//base[@href]")
    if base is not None:
        resolved = absolute(base.get("href"), page_url)
        if resolved:
            return resolved
    return page_url


@lru_cache(maxsize=65536)
def _canonical(url: str) -> str:
    # pages of one site repeat most of their links: canonical forms are worth caching
    return canonical(url)


def _host_path(url: str) -> tuple[str, str]:
    """Host (lowercase, no port or credentials) and path of an absolute http(s) URL, by string
    operations (urlsplit costs more than the rest of a link's handling)."""
    rest = url.split("://", 1)[-1]
    netloc, _, tail = rest.partition("/")
    host = netloc.rsplit("@", 1)[-1]
    if host.startswith("["):
        host = host[: host.find("]") + 1]
    else:
        host = host.split(":", 1)[0]
    path = "/" + tail.split("?", 1)[0].split("#", 1)[0]
    return host.lower(), path


def kind_of(url: str, host: str, path: str, own_domain: str) -> str:
    if platforms.platform_for_host(host) is not None:  # a dict lookup spares most links the URL parse
        ref = platforms.match_url(url)
        if ref is not None and ref.post_id:
            return "post"
    if DOC_EXT.search(path):
        return "document"
    if registrable_domain(host) == own_domain:
        return "internal"
    return "page"


def _sentence(a, anchor: str, block_of: dict, cache: dict) -> str:
    """The sentence around a link, from the text block holding it (sentences split once per block)."""
    node = a.getparent()
    while node is not None and node not in block_of and node.tag not in _BLOCK:
        node = node.getparent()
    if node is None:
        return anchor
    block = block_of.get(node)
    if block is not None:
        at = block.text.find(anchor) if anchor else -1
        return block.sentence_at(at) if at >= 0 else (block.text if len(block.text) <= 300 else anchor)
    text = cache.get(node)
    if text is None:
        text = cache[node] = squash(text_of(node))
    return text if len(text) <= 300 else anchor


def find_links(body, excluded: set, base: str, page_url: str, block_of: dict) -> list[tuple[object, dict]]:
    """(anchor element, Link fields without position, host) for each distinct outbound URL of the body;
    anchors in `excluded` (those of embeds and chrome boxes) are skipped."""
    own = registrable_domain(urlsplit(page_url).hostname or "") if page_url else ""
    seen: set = set()
    cache: dict = {}
    out = []
    # .//a[@href] | .//area[@href], as a tag-filtered walk (cheaper than the XPath): an anchor
    # without href is skipped with the empty ones
    for a in body.iter("a", "area"):
        if a is body or a in excluded:
            continue
        href = a.get("href")
        if not href or is_share(href):
            continue
        href = href.strip()
        # absolute hrefs need no join (the common case; urljoin is the slow part)
        url = href if href.startswith(("http://", "https://")) and " " not in href else absolute(href, base)
        if url is None:
            continue
        url = url.split("#", 1)[0]
        key = _canonical(url)
        if key in seen:
            continue  # the same page under other tracking parameters or fragments: one link
        seen.add(key)
        host, path = _host_path(key)
        # a childless anchor's text_of() is its .text (no XPath call needed)
        anchor = squash(text_of(a) if len(a) else a.text) or squash(a.get("title") or a.get("aria-label") or "")
        out.append((a, {
            "url": url,
            "anchor_text": anchor,
            "sentence": _sentence(a, anchor, block_of, cache),
            "link_kind": kind_of(key, host, path, own),
            "rel": squash(a.get("rel")) or None,
            "canonical": key,
        }, host))
    return out
