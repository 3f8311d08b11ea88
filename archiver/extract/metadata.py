"""Article metadata: JSON-LD first (the most explicit), then OpenGraph / meta tags, then markup."""
from __future__ import annotations

import json
import re

from lxml import etree

from ..model import ArticleMeta
from ..urls import absolute
from .parse import squash, text_of

_ARTICLE_TEXT = etree.XPath("string-length(normalize-space(string(//article[1])))")
_H1 = etree.XPath("//h1")
_RELS = str.maketrans("CANONICAL", "canonical")  # what XPath translate(@rel, 'CANONICAL', 'canonical') does
ARTICLE_TYPES = re.compile(r"Article$|Posting$|^Report$|^NewsArticle|^LiveBlogPosting$|^ReportageNewsArticle$")

PUBLISHED_KEYS = ("article:published_time", "og:published_time", "datepublished", "date", "pubdate",
                  "publish-date", "publishdate", "parsely-pub-date", "sailthru.date", "dc.date",
                  "dc.date.issued", "dcterms.created", "article.published", "publication_date", "citation_date")
MODIFIED_KEYS = ("article:modified_time", "og:updated_time", "datemodified", "last-modified",
                 "dcterms.modified", "article.updated", "lastmod")
AUTHOR_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "byl", "dc.creator")


class _Tags:
    """The page's <meta content>, JSON-LD scripts, canonical <link> and <time datetime>, in document
    order, from one tag-filtered walk (lxml filters the tags in C; one XPath per kind walked the
    whole tree each time and cost several times more)."""

    def __init__(self, root):
        self.metas: list = []
        self.jsonld: list = []
        self.canonical = None
        self.times: list = []
        for el in root.iter("meta", "script", "link", "time"):
            tag = el.tag
            if tag == "meta":
                if el.get("content") is not None:
                    self.metas.append(el)
            elif tag == "script":
                if el.get("type") == "application/ld+json":
                    self.jsonld.append(el)
            elif tag == "link":
                if self.canonical is None and el.get("href") is not None \
                        and " canonical " in " " + (el.get("rel") or "").translate(_RELS) + " ":
                    self.canonical = el
            elif el.get("datetime") is not None:
                self.times.append(el)

    def published_times(self) -> list:
        """//article//time[@datetime] | //time[@datetime][@itemprop or @pubdate]"""
        return [t for t in self.times if t.get("itemprop") is not None or t.get("pubdate") is not None
                or next(t.iterancestors("article"), None) is not None]

    def modified_times(self) -> list:
        """//time[@datetime][@itemprop='dateModified' or contains(@class, 'updated') or contains(@class, 'modified')]"""
        return [t for t in self.times if t.get("itemprop") == "dateModified"
                or "updated" in (t.get("class") or "") or "modified" in (t.get("class") or "")]


def _jsonld_items(scripts) -> list[dict]:
    items: list[dict] = []
    for script in scripts:
        text = (script.text or "").strip()
        if not text:
            continue
        try:
            data = json.loads(text, strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack and len(items) < 200:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                if "@graph" in node:
                    stack.append(node["@graph"])
                if "@type" in node:
                    items.append(node)
    return items


def _types(item: dict) -> list[str]:
    t = item.get("@type")
    return [x for x in (t if isinstance(t, list) else [t]) if isinstance(x, str)]


def _names(value, by_id: dict | None = None) -> list[str]:
    out = []
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, dict) and "name" not in v and by_id and isinstance(v.get("@id"), str):
            v = by_id.get(v["@id"], v)  # Yoast: {"@id": ...} points at a node of the @graph
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict) and isinstance(v.get("name"), str):
            out.append(v["name"])
    return [squash(n) for n in out if n and squash(n)]


def _str(value) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@id") or value.get("url") or value.get("name")
    return squash(value) if isinstance(value, str) and value.strip() else None


def extract_metadata(root, url: str) -> ArticleMeta:
    tags = _Tags(root)
    meta: dict[str, str] = {}
    for m in tags.metas:
        key = (m.get("property") or m.get("name") or m.get("itemprop") or m.get("http-equiv") or "").strip().lower()
        if key and key not in meta:
            meta[key] = m.get("content").strip()
    items = _jsonld_items(tags.jsonld)
    by_id = {i["@id"]: i for i in items if isinstance(i.get("@id"), str)}
    article = next((i for i in items if any(ARTICLE_TYPES.search(t) for t in _types(i))), None)
    ld = article or {}
    publisher = ld.get("publisher")

    title = (_str(ld.get("headline")) or meta.get("og:title") or meta.get("twitter:title"))
    if not title:
        t = root.find(".//title")
        title = squash(text_of(t)) if t is not None else None
        if not title:
            h1 = _H1(root)
            title = squash(text_of(h1[0])) if h1 else None

    canon = None
    if tags.canonical is not None:
        canon = absolute(tags.canonical.get("href"), url)
    canon = canon or absolute(meta.get("og:url") or "", url) or None

    site_name = meta.get("og:site_name") or (_names(publisher, by_id)[0] if _names(publisher, by_id) else None) \
        or meta.get("application-name")

    authors = _names(ld.get("author"), by_id) if ld.get("author") else []
    if not authors:
        for k in AUTHOR_KEYS:
            v = meta.get(k)
            if v and not v.startswith("http"):
                authors = [squash(a) for a in re.split(r"\s*(?:,|;| and )\s*", v) if squash(a)]
                break
    published = _str(ld.get("datePublished")) or next((meta[k] for k in PUBLISHED_KEYS if meta.get(k)), None)
    modified = _str(ld.get("dateModified")) or next((meta[k] for k in MODIFIED_KEYS if meta.get(k)), None)
    changed = tags.modified_times() if tags.times and not (published and modified) else []
    if not published:
        times = [t for t in tags.published_times() if t not in changed]
        if times:
            published = times[0].get("datetime").strip() or None
    if not modified and changed:
        modified = changed[0].get("datetime").strip() or None

    lang = root.get("lang") or root.get("xml:lang") or _str(ld.get("inLanguage"))
    if not lang:
        lang = meta.get("content-language") or meta.get("language") or meta.get("dc.language")
        if not lang and meta.get("og:locale"):
            lang = meta["og:locale"].replace("_", "-")
    lang = lang.split(",")[0].strip() if lang else None

    og_type = (meta.get("og:type") or "").lower()
    is_article = bool(article) or og_type.startswith("article") or og_type == "news" \
        or _ARTICLE_TEXT(root) > 1500

    return ArticleMeta(url=url, canonical_url=canon, title=title or None, site_name=site_name or None,
                       authors=tuple(dict.fromkeys(authors)), published=published, modified=modified,
                       language=lang or None, is_article=is_article)
