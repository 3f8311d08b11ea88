"""Pure extraction: `extract(html, url) -> ArticleRefs` (DESIGN principle 2).

No I/O and no Scrapy: the page is decoded and parsed once with lxml, the body region is found
once, and every detector (embeds, links, mentions, metadata) reads that one tree. Bad input
(empty, binary, broken markup) gives an empty result, never an exception.
"""
from __future__ import annotations

import logging
from typing import Any

from lxml import etree

from ..model import ArticleMeta, ArticleRefs, Embed, Link, Mention
from . import body as body_mod
from . import embeds as embeds_mod
from . import links as links_mod
from . import mentions as mentions_mod
from . import text as text_mod
from .metadata import extract_metadata
from .parse import in_document_order, parse

__all__ = ["extract", "extract_strict"]

log = logging.getLogger(__name__)


def extract(html: bytes | str, url: str) -> ArticleRefs:
    """Everything the article at `url` references. Never raises on bad input."""
    try:
        return extract_strict(html, url)
    except Exception:  # noqa: BLE001 - a page must never stop a crawl; the error is logged
        log.exception("extraction failed for %s", url)
        return ArticleRefs(url=url, metadata=ArticleMeta(url=url, is_article=False))


def extract_strict(html: bytes | str, url: str) -> ArticleRefs:
    """`extract` without the safety net (tests and benchmarks call this to see real errors)."""
    root = parse(html)
    if root is None:
        return ArticleRefs(url=url, metadata=ArticleMeta(url=url, is_article=False))
    meta = extract_metadata(root, url)
    base = links_mod.base_url(root, url)
    body, chrome = body_mod.find_body(root)

    found = _embeds_in_regions(embeds_mod.detect(root, base), body, chrome)
    known = {(f.ref.platform, f.ref.post_id) for f, _ in found}
    for f in embeds_mod.from_script_state(root, base):
        if (f.ref.platform, f.ref.post_id) not in known:
            found.append((f, True))
            known.add((f.ref.platform, f.ref.post_id))

    # text and links of embedded posts and of chrome nested in the body are not the article's:
    # the roots of those subtrees for the blocks walk, and the anchors under them for links
    excluded = {f.element for f, _ in found if f.element.tag != "script"}
    excluded_anchors: set = set()
    for box in excluded:
        excluded_anchors.update(box.iter("a", "area"))
    for box in body_mod.chrome_inside(body):
        excluded.add(box)
        excluded_anchors.update(a for a in box.iter("a", "area") if not links_mod.enlarges_photo(a))

    blocks = text_mod.blocks(body, excluded, getattr(chrome.pt, "texts", None))
    residues = text_mod.residues(blocks)
    residue_blocks = {id(b) for r in residues for b in r.claim_blocks}
    for r in residues:  # a flattened tweet's links (t.co, permalink) belong to the post
        for b in r.claim_blocks:
            excluded_anchors.update(b.element.iter("a"))
    link_items = links_mod.find_links(body, excluded_anchors, base, url, {b.element: b for b in blocks})
    mention_items = mentions_mod.find_mentions(
        [b for b in blocks if id(b) not in residue_blocks], url, meta.site_name, link_items)

    # one position sequence over all references, in document order; the dataclasses are built
    # once their position is known
    refs: list[tuple[Any, int, str, Any]] = []
    seen_embeds: set = set()
    for f, in_body in _dedupe(found):
        refs.append((f.element, 0, "e", _embed_fields(f, in_body)))
    for r in residues:
        fields = _residue_fields(r, base)
        key = (fields["platform"], fields["post_id"] or (fields["handle"], fields["claim_date"]))
        twin = next((x[3] for x in refs if x[2] == "e" and fields["post_id"] is not None
                     and (x[3]["platform"], x[3]["post_id"]) == (fields["platform"], fields["post_id"])), None)
        if twin is not None:  # same post as a detected embed: one embed, with the residue's claim
            for k in ("handle", "claim_text", "claim_author", "claim_date"):
                twin[k] = twin[k] or fields[k]
            if fields["handle"] and "/i/status/" in (twin["url"] or ""):
                twin["url"] = fields["url"]
            continue
        if key not in seen_embeds:
            seen_embeds.add(key)
            refs.append((r.block.element, -1, "e", fields))
    for el, fields, _host in link_items:
        refs.append((el, 0, "l", fields))
    for el, offset, fields in mention_items:
        refs.append((el, offset, "m", fields))
    order = _document_order(root, [r[0] for r in refs])
    refs.sort(key=lambda r: (order.get(id(r[0]), 1 << 30), r[1]))

    embeds, links, mentions = [], [], []
    for i, (_, _, kind, fields) in enumerate(refs):
        if kind == "e":
            embeds.append(Embed(position=i, **fields))
        elif kind == "l":
            links.append(Link(position=i, in_body=True, **fields))
        else:
            mentions.append(Mention(position=i, **fields))
    return ArticleRefs(url=url, metadata=meta, embeds=tuple(embeds), links=tuple(links),
                       mentions=tuple(mentions))


def _embeds_in_regions(found: list, body, chrome) -> list:
    """(Found, in_body) for embeds in the body or in article-ish regions; chrome widgets dropped."""
    around = {id(a): a for a in body.iterancestors()}
    out = []
    for f in found:
        el = f.element
        if body_mod.contains(body, el):
            out.append((f, True))
            continue
        if chrome.ancestor(el):
            continue
        # outside the body: keep it when it shares the article's container (header, media block)
        node, articleish = el.getparent(), False
        while node is not None:
            if node.tag in ("article", "main") or node.get("role") == "main":
                articleish = True
                break
            if id(node) in around:
                articleish = node.tag not in ("body", "html")
                break
            node = node.getparent()
        if articleish:
            out.append((f, False))
    return out


def _dedupe(found: list) -> list:
    """One embed per (platform, post_id): first position, richest claim."""
    by_key: dict = {}
    order: list = []
    for f, in_body in found:
        key = (f.ref.platform, f.ref.post_id)
        if key not in by_key:
            by_key[key] = [f, in_body]
            order.append(key)
            continue
        kept = by_key[key]
        first = kept[0]
        richer = f if f.richness() > first.richness() else first
        other = first if richer is f else f
        merged = embeds_mod.Found(
            ref=richer.ref if richer.ref.handle or not other.ref.handle else other.ref,
            shape=richer.shape, element=first.element,
            claim_text=richer.claim_text or other.claim_text,
            claim_author=richer.claim_author or other.claim_author,
            claim_date=richer.claim_date or other.claim_date,
            media_links=richer.media_links or other.media_links)
        kept[0], kept[1] = merged, kept[1] or in_body
    return [tuple(by_key[k]) for k in order]


def _embed_fields(f, in_body: bool) -> dict:
    return dict(platform=f.ref.platform, url=f.ref.url, post_id=f.ref.post_id, handle=f.ref.handle,
                shape=f.shape, in_body=in_body, claim_text=f.claim_text,
                claim_author=f.claim_author, claim_date=f.claim_date, resolve_url=f.resolve_url,
                media_links=tuple(f.media_links))


def _residue_fields(r, base: str) -> dict:
    # a status link in the byline's block (a snippet whose class was stripped) resolves it
    ref = None
    for a in r.block.element.iter("a"):
        candidate = embeds_mod.match(a.get("href"), base)
        if candidate is not None and candidate.platform == "twitter" and candidate.post_id:
            ref = candidate
    return dict(platform="twitter", url=ref.url if ref else None, post_id=ref.post_id if ref else None,
                handle=r.handle, shape="text", in_body=True, claim_text=r.claim_text,
                claim_author=r.name, claim_date=r.date,
                resolve_url=r.media[0] if r.media and ref is None else None, media_links=r.media)


def _document_order(root, elements: list) -> dict:
    """id(element) -> rank in document order, for elements of root's tree."""
    try:
        ordered = in_document_order(root, elements)
    except (etree.XPathError, TypeError, ValueError):  # not expected: number them by a walk instead
        ordered = list(root.iter())
    return {id(el): i for i, el in enumerate(ordered)}
