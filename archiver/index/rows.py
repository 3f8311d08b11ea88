"""The index's rows, worked out from what is indexed alone (no connection needed): store.py writes them."""
from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..model import ArticleRefs, CaptureInfo, PostSnapshot
from ..platforms import match_url
from ..urls import host_of, registrable_domain, sort_key
from ..wayback import copy_of
from .schema import refs

NO_REF = {c.name: None for c in refs.columns if c.name != "id"}  # every row names every column


@functools.lru_cache(maxsize=65536)  # the same handles and outlets, article after article
def fold(name: str | None) -> str | None:
    """Key for outlet names and handles: case, accents, punctuation, a leading 'the' and '@' ignored."""
    if not name:
        return None
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9.@_ ]+", " ", s)
    s = re.sub(r"\s+", " ", s).strip().lstrip("@")
    return re.sub(r"^the ", "", s) or None


def capture_values(info: CaptureInfo, crawl_id: int | None) -> dict[str, Any]:
    loc = info.location  # every capture, failures too, is a record in a WARC
    return dict(
        crawl_id=crawl_id, url=info.url, url_key=info.url_key or sort_key(info.url), date=info.date,
        status=info.status, mime=info.mime, record_type=info.record_type, record_id=loc.record_id,
        filename=loc.filename, offset=loc.offset, length=loc.length, payload_digest=info.payload_digest,
        refers_to=info.refers_to, location=info.redirect_to, error=info.error)


@dataclass(slots=True)
class ArticleRows:
    """An article's rows, but for what its fetch and its row id give (Index.add_article adds them)."""

    values: dict[str, Any]      # its articles row, but fetched_at, status, capture_id, refs_record_id
    refs: list[dict[str, Any]]  # its refs rows, in order (embeds, links, mentions), but article_id
    text: str                   # what full-text search finds it by


def article_rows(result: ArticleRefs) -> ArticleRows:
    meta = result.metadata
    values = dict(
        url=result.url, url_key=sort_key(result.url), canonical_url=meta.canonical_url,
        site=meta.site_name or registrable_domain(host_of(result.url)), title=meta.title,
        authors=json.dumps(list(meta.authors)), published=meta.published, modified=meta.modified,
        language=meta.language)
    return ArticleRows(values, [{**NO_REF, **row} for row in _ref_rows(result)],
                       " ".join(filter(None, [meta.title, *meta.authors])))


def _ref_rows(result: ArticleRefs) -> Iterable[dict[str, Any]]:
    for e in result.embeds:
        yield dict(kind="embed", position=e.position, in_body=e.in_body,
                   platform=e.platform, url=e.url, url_key=sort_key(e.url) if e.url else None,
                   post_id=e.post_id, handle=e.handle, handle_key=fold(e.handle), shape=e.shape,
                   claim_text=e.claim_text, claim_author=e.claim_author, claim_date=e.claim_date,
                   resolve_url=e.resolve_url)
    for link in result.links:
        post = match_url(link.url) if link.link_kind == "post" else None
        # a link to an archived copy cites the original: lookups of the original find it
        archived = copy_of(link.url)
        yield dict(kind="link", position=link.position, in_body=link.in_body,
                   url=link.url, url_key=sort_key(archived.url if archived else link.url), anchor_text=link.anchor_text,
                   sentence=link.sentence, link_kind=link.link_kind,
                   domain=registrable_domain(host_of(link.url)),
                   platform=post.platform if post else None, post_id=post.post_id if post else None,
                   handle=post.handle if post else None, handle_key=fold(post.handle) if post else None)
    for m in result.mentions:
        yield dict(kind="mention", position=m.position, in_body=m.in_body,
                   outlet=m.name, outlet_key=fold(m.name), domain=m.domain, surface=m.surface,
                   sentence=m.sentence, unnamed=m.unnamed)


def post_values(snap: PostSnapshot, capture_id: int | None, captured_at: str,
                snapshot_record_id: str | None) -> dict[str, Any]:
    return dict(
        platform=snap.platform, post_id=snap.post_id or snap.url, url=snap.url, handle=snap.handle,
        handle_key=fold(snap.handle), author=snap.author, text=snap.text, created_at=snap.created_at,
        media=json.dumps(list(snap.media)), counts=json.dumps(dict(snap.counts)), status=snap.status,
        detail=snap.detail, endpoint=snap.endpoint, captured_at=captured_at, capture_id=capture_id,
        snapshot_record_id=snapshot_record_id)


def post_text(snap: PostSnapshot) -> str:
    """What full-text search finds a post by."""
    return " ".join(filter(None, (snap.text, snap.author, snap.handle)))
