"""The data types that flow between extraction, capture, the WARC and the index.

Everything here is a frozen dataclass with a stable JSON form (``to_json`` / ``from_json``):
the extraction result is written into the WARC as JSON and read back by ``archiver reindex``,
so the field names are part of the on-disk format.
"""
from __future__ import annotations

import functools
from dataclasses import asdict, dataclass, fields
from typing import Any

# Status of a captured post, as the platform reported it.
POST_STATUSES = (
    "ok", "deleted", "suspended", "protected", "age_restricted", "not_found",
    "unavailable", "needs_auth", "error",
)

# Reference kinds, as stored in the index.
EMBED, LINK, MENTION = "embed", "link", "mention"

# HTTP statuses a crawl retries (settings.RETRY_HTTP_CODES): a capture with one of them counts only
# if no retry follows it. Here, not in settings.py, so that `archiver reindex` needs no Scrapy.
RETRIED_STATUSES = (429, 500, 502, 503, 504, 522, 524, 408)


def _from_dict(cls, data: dict[str, Any]):
    """Build a dataclass from a dict, ignoring unknown keys and turning lists into tuples."""
    names = _field_names(cls)
    return cls(**{key: tuple(value) if isinstance(value, list) else value
                  for key, value in data.items() if key in names})


@functools.cache
def _field_names(cls) -> frozenset[str]:
    """Once per class: dataclasses.fields cost more than the rest of building a reference."""
    return frozenset(f.name for f in fields(cls))


@dataclass(frozen=True)
class PostRef:
    """A platform post (or media item) recognised from a URL or embed markup."""

    platform: str                 # registry name: "twitter", "telegram", "youtube", "bluesky", ...
    url: str                      # canonical post URL, e.g. https://twitter.com/<handle>/status/<id>
    post_id: str | None = None    # platform id; None while unresolved
    handle: str | None = None     # author handle without "@" where the URL or markup shows it


@dataclass(frozen=True)
class Embed:
    """A post embedded in an article, with the claim the article shows for it."""

    platform: str
    url: str | None               # canonical post URL; None when unresolved (plain-text residue)
    post_id: str | None
    handle: str | None
    shape: str                    # "snippet", "iframe", "amp", "cms", "script", "text"
    position: int                 # order among all references of the article (0-based)
    in_body: bool
    claim_text: str | None = None     # fallback text as the article shows it, verbatim
    claim_author: str | None = None   # display name in the fallback
    claim_date: str | None = None     # date as the article shows it, verbatim
    resolve_url: str | None = None    # link to follow to resolve an unresolved embed (t.co, pic.twitter.com)
    media_links: tuple[str, ...] = ()  # links inside the fallback (t.co, pic.twitter.com, ...)

    @property
    def resolved(self) -> bool:
        return self.post_id is not None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["media_links"] = list(self.media_links)
        data["kind"] = EMBED
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Embed":
        return _from_dict(cls, data)


@dataclass(frozen=True)
class Link:
    """An outbound link of the article body."""

    url: str                      # absolute, as the article wrote it (fragment dropped): what a reader's
                                  # click requests, so it is what gets captured and what replay finds
    anchor_text: str
    sentence: str
    position: int
    in_body: bool
    link_kind: str                # "post", "page", "document" (a file: PDF, sheet, photo...), "internal"
    rel: str | None = None
    canonical: str | None = None  # tracking parameters dropped, host lowercased: the link's identity

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = LINK
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Link":
        return _from_dict(cls, data)


@dataclass(frozen=True)
class Mention:
    """A credited source named in the text ("according to Reuters")."""

    name: str | None              # canonical outlet name; None for an unnamed source
    surface: str                  # the words as the article writes them
    domain: str | None            # the outlet's domain, from the gazetteer
    sentence: str
    position: int
    in_body: bool
    cue: str | None = None        # the attribution phrase that matched ("according to", "via", ...)
    linked: bool = False          # a link to the outlet's domain sits in the same sentence
    unnamed: bool = False         # "several French newspapers": a source, but not a named outlet

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = MENTION
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Mention":
        return _from_dict(cls, data)


@dataclass(frozen=True)
class ArticleMeta:
    url: str
    canonical_url: str | None = None
    title: str | None = None
    site_name: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None  # ISO 8601 as found
    modified: str | None = None
    language: str | None = None
    is_article: bool = True       # False for index pages, feeds, ...

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["authors"] = list(self.authors)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ArticleMeta":
        return _from_dict(cls, data)


@dataclass(frozen=True)
class ArticleRefs:
    """Everything one article references: the result of ``archiver.extract.extract``."""

    url: str
    metadata: ArticleMeta
    embeds: tuple[Embed, ...] = ()
    links: tuple[Link, ...] = ()
    mentions: tuple[Mention, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """`mentions` lists named outlets only; unnamed sources ("several French newspapers")
        go to `unnamed_sources`, so a reader counting outlets never counts them."""
        return {
            "url": self.url,
            "metadata": self.metadata.to_json(),
            "embeds": [e.to_json() for e in self.embeds],
            "links": [link.to_json() for link in self.links],
            "mentions": [m.to_json() for m in self.mentions if not m.unnamed],
            "unnamed_sources": [m.to_json() for m in self.mentions if m.unnamed],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ArticleRefs":
        mentions = [*data.get("mentions", []), *data.get("unnamed_sources", [])]
        return cls(
            url=data["url"],
            metadata=ArticleMeta.from_json(data.get("metadata") or {"url": data["url"]}),
            embeds=tuple(Embed.from_json(e) for e in data.get("embeds", [])),
            links=tuple(Link.from_json(x) for x in data.get("links", [])),
            mentions=tuple(sorted((Mention.from_json(m) for m in mentions), key=lambda m: m.position)),
        )


@dataclass(frozen=True)
class PostSnapshot:
    """A post as a platform returned it at capture time."""

    platform: str
    post_id: str | None
    url: str                      # canonical post URL
    status: str                   # one of POST_STATUSES
    endpoint: str                 # URL the snapshot was parsed from
    handle: str | None = None
    author: str | None = None     # display name
    text: str | None = None
    created_at: str | None = None  # ISO 8601 UTC
    media: tuple[str, ...] = ()   # media URLs to fetch
    counts: tuple[tuple[str, int], ...] = ()  # public counters (likes, views, ...)
    detail: str | None = None     # why, for any status but "ok" (tombstone text, HTTP error, ...)
    # posts this one quotes, replies to or embeds, as (relation, post URL): "quotes", "replies_to",
    # "embeds". The crawler captures them one level deep.
    related: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["media"] = list(self.media)
        data["counts"] = dict(self.counts)
        data["related"] = [{"relation": rel, "url": url} for rel, url in self.related]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PostSnapshot":
        data = dict(data)
        if isinstance(data.get("counts"), dict):
            data["counts"] = tuple(sorted(data["counts"].items()))
        data["related"] = tuple((r["relation"], r["url"]) for r in data.get("related") or ())
        return _from_dict(cls, data)


@dataclass(frozen=True)
class WarcLocation:
    """Where a record sits: enough to read it back with one seek (or one ranged GET)."""

    filename: str
    offset: int
    length: int
    record_id: str


@dataclass
class CaptureInfo:
    """One recorded HTTP exchange (or failure), as the recorder hands it to the index."""

    url: str
    date: str                     # WARC-Date, ISO 8601 UTC with microseconds
    status: int | None            # HTTP status; None for a failure with no response
    mime: str | None
    location: WarcLocation | None
    payload_digest: str | None
    record_type: str = "response"  # "response", "revisit", "metadata" (failure)
    refers_to: str | None = None   # for a revisit: the record id it repeats
    error: str | None = None       # failure reason (DNS, timeout, refused, ...)
    redirect_to: str | None = None  # the Location of a 3xx, so a citation can follow where it led
    url_key: str | None = None      # urls.sort_key(url), when the caller has it already (reindex)
