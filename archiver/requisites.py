"""What a captured page needs besides itself: its oEmbed discovery link (reference A.14) and, for
`--requisites`, the images, stylesheets, scripts and icons a replay needs to look right.

Pure: one lxml parse of the page; URLs made absolute against the page (or its <base>).
"""
from __future__ import annotations

from lxml import etree

from .extract.parse import may_contain, parse
from .urls import absolute

_OEMBED = etree.XPath("//link[@href][@type='application/json+oembed' or @type='text/json+oembed']")
_BASE = etree.XPath("//base[@href]")
# (XPath, attribute) of the resources a page loads to render
_REQUISITES = (
    (etree.XPath("//img[@src] | //input[@type='image'][@src] | //video[@poster]"), None),
    (etree.XPath("//link[@href][contains(concat(' ', normalize-space(@rel), ' '), ' stylesheet ')"
                 " or contains(@rel, 'icon')]"), "href"),
    (etree.XPath("//script[@src]"), "src"),
    (etree.XPath("//source[@src] | //video[@src] | //audio[@src] | //track[@src]"), "src"),
)


def _base(root, page_url: str) -> str:
    found = _BASE(root)
    return (absolute(found[0].get("href"), page_url) or page_url) if found else page_url


def oembed_links(html: bytes, page_url: str) -> list[str]:
    """The page's oEmbed discovery URLs (JSON only: that is what tools read)."""
    if not may_contain(html, b"oembed"):  # most pages have none: no parse for them
        return []
    root = parse(html)
    if root is None:
        return []
    base = _base(root, page_url)
    return list(dict.fromkeys(u for u in (absolute(el.get("href"), base) for el in _OEMBED(root)) if u))


def requisites(html: bytes, page_url: str, limit: int = 100) -> list[str]:
    """Images, stylesheets, scripts, icons and media sources of a page, in document order, at most `limit`."""
    root = parse(html)
    if root is None:
        return []
    base = _base(root, page_url)
    found: dict[str, None] = {}
    for xpath, attr in _REQUISITES:
        for el in xpath(root):
            if attr is None:  # images: src, else the poster of a video
                value = el.get("src") or el.get("poster")
            else:
                value = el.get(attr)
            url = absolute(value, base) if value else None
            if url:
                found[url] = None
            srcset = el.get("srcset")
            if srcset:  # the largest candidate of a responsive image
                candidates = [c.strip().split() for c in srcset.split(",") if c.strip()]
                if candidates:
                    best = absolute(candidates[-1][0], base)
                    if best:
                        found[best] = None
            if len(found) >= limit:
                return list(found)[:limit]
    return list(found)
