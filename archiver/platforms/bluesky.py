"""Bluesky posts: bsky.app URLs and AT-URIs, captured from the public AppView (reference B.3).

Capture, for `https://bsky.app/profile/<actor>/post/<rkey>` (actor: handle or DID):
  - "post": `app.bsky.feed.getPostThread?uri=at://<actor>/app.bsky.feed.post/<rkey>&depth=0&parentHeight=1`,
    parsed into the snapshot; the AppView resolves a handle in the AT-URI itself;
  - "identity" (only when the actor is a handle): `com.atproto.identity.resolveHandle?handle=<handle>`,
    recorded so the archive shows which DID the handle named at capture time;
  - "oembed": `https://embed.bsky.app/oembed?url=<post URL>&format=json`, recorded.
`post_id` is the rkey alone (as the extraction keys it); the author's DID goes into the detail.

How answers map to statuses:
  200 threadViewPost                       ok (detail: "<did>; cid <cid>")
  200 notFoundPost, 400 NotFound           not_found (Bluesky keeps no tombstone: deleted looks the same)
  400 InvalidRequest "resolve handle"/"Profile not found"
                                           not_found (the handle no longer names an account)
  200 blockedPost, BlockedActor/ByActor    protected
  AccountTakedown                          suspended
  AccountDeactivated                       unavailable (the author may reactivate)
  401 / AuthRequired                       needs_auth
  429, 5xx, non-JSON error bodies          unavailable
  200 that is not a thread, other errors   error
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import partial
import re
from urllib.parse import SplitResult, quote

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, iso_utc, load_json, path_segments, ref, snapshot

NAME = "bluesky"
HOSTS = ("bsky.app", "embed.bsky.app")
APPVIEW = "https://public.api.bsky.app/xrpc"
AT_URI = re.compile(r"^at://(?P<repo>[^/]+)/app\.bsky\.feed\.post/(?P<rkey>[A-Za-z0-9._~:-]+)$")


def post_url(actor: str, rkey: str) -> str:
    return f"https://bsky.app/profile/{actor}/post/{rkey}"


def from_at_uri(uri: str, handle: str | None = None) -> PostRef | None:
    found = AT_URI.match(uri.strip())
    if not found:
        return None
    return ref(NAME, post_url(found["repo"], found["rkey"]), found["rkey"], handle or found["repo"])


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    if (parts.hostname or "") == "embed.bsky.app" and len(seg) >= 4 and seg[0] == "embed":
        return from_at_uri(f"at://{seg[1]}/{seg[2]}/{seg[3]}")
    if len(seg) >= 4 and seg[0] == "profile" and seg[2] == "post":
        return ref(NAME, post_url(seg[1], seg[3]), seg[3], seg[1])
    return None


def at_uri(post: PostRef) -> str | None:
    """at://<actor>/app.bsky.feed.post/<rkey> from the canonical URL (actor: handle or DID)."""
    seg = post.url.split("/")
    return f"at://{seg[4]}/app.bsky.feed.post/{seg[6]}" if len(seg) >= 7 else None


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    uri = at_uri(post)
    if not uri:
        return []
    actor = post.url.split("/")[4]
    requests = []
    if not actor.startswith("did:"):
        requests.append(CaptureRequest(
            f"{APPVIEW}/com.atproto.identity.resolveHandle?handle={quote(actor, safe='')}", "identity"))
    # getPostThread accepts a handle in the AT-URI and resolves it server-side.
    thread = f"{APPVIEW}/app.bsky.feed.getPostThread?uri={quote(uri, safe='')}&depth=0&parentHeight=1"
    oembed = f"https://embed.bsky.app/oembed?url={quote(post.url, safe='')}&format=json"
    return [CaptureRequest(thread, "post"), *requests, CaptureRequest(oembed, "oembed")]


# -- parsing ------------------------------------------------------------------------------------

def _url_for(uri: object, author: object = None) -> str | None:
    """bsky.app URL of a post AT-URI, with the author's handle when it is known and valid."""
    found = AT_URI.match(uri) if isinstance(uri, str) else None
    if not found:
        return None
    handle = author.get("handle") if isinstance(author, dict) else None
    actor = handle if handle and handle != "handle.invalid" else found["repo"]
    return post_url(actor, found["rkey"])


def _media(embed: object) -> list[str]:
    """Media of an embed view: image fullsizes, the video playlist, a link card's thumbnail;
    recordWithMedia's own media (not the media of the record it embeds)."""
    if not isinstance(embed, dict):
        return []
    urls: list[str] = []
    for image in embed.get("images") or []:
        if isinstance(image, dict) and isinstance(image.get("fullsize"), str):
            urls.append(image["fullsize"])
    if isinstance(embed.get("playlist"), str):
        urls.append(embed["playlist"])
    external = embed.get("external")
    if isinstance(external, dict) and isinstance(external.get("thumb"), str):
        urls.append(external["thumb"])
    if isinstance(embed.get("media"), dict):
        urls.extend(_media(embed["media"]))
    return list(dict.fromkeys(urls))


def _embedded_record(embed: object) -> str | None:
    """URL of the post an embed view embeds (record#view, or recordWithMedia#view's record)."""
    if not isinstance(embed, dict):
        return None
    record = embed.get("record")
    if isinstance(record, dict) and isinstance(record.get("record"), dict):  # recordWithMedia#view
        record = record["record"]
    if not isinstance(record, dict):
        return None
    # viewRecord (author known), viewNotFound / viewBlocked / viewDetached (only the URI, DID-based)
    return _url_for(record.get("uri"), record.get("author"))


def _parent(thread: dict, record: dict) -> str | None:
    parent = thread.get("parent")
    if isinstance(parent, dict):
        if isinstance(parent.get("post"), dict):
            found = _url_for(parent["post"].get("uri"), parent["post"].get("author"))
            if found:
                return found
        found = _url_for(parent.get("uri"), parent.get("author"))  # notFoundPost / blockedPost
        if found:
            return found
    reply = record.get("reply")
    if isinstance(reply, dict) and isinstance(reply.get("parent"), dict):
        return _url_for(reply["parent"].get("uri"))
    return None


def _raw(value: object) -> str | None:
    """A timestamp iso_utc cannot read, kept as the platform gave it rather than dropped."""
    return value if isinstance(value, str) and value.strip() else None


def _error(status: int, data: dict) -> tuple[str, str]:
    name = data.get("error") if isinstance(data.get("error"), str) else ""
    message = data.get("message") if isinstance(data.get("message"), str) else ""
    detail = f"HTTP {status}: {name or 'error'}" + (f": {message}" if message else "")
    lowered = message.lower()
    if name == "NotFound":
        return "not_found", detail
    if name == "InvalidRequest" and ("resolve handle" in lowered or "profile not found" in lowered):
        return "not_found", detail + " (the handle no longer names an account)"
    if name == "AccountTakedown":
        return "suspended", detail
    if name == "AccountDeactivated":
        return "unavailable", detail + " (account deactivated by its owner)"
    if name in ("BlockedActor", "BlockedByActor"):
        return "protected", detail
    if status == 401 or name in ("AuthRequired", "AuthMissing"):
        return "needs_auth", detail
    if status == 429 or status >= 500:
        return "unavailable", detail
    return "error", detail


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    snap = partial(snapshot, NAME, post, url)  # an outcome other than the post

    try:
        data = load_json(body)
    except ValueError as exc:
        if status == 200:
            return snap("error", f"HTTP 200: {exc}")
        return snap("needs_auth" if status == 401 else "unavailable", f"HTTP {status}: {exc}")
    if status != 200:
        return snap(*_error(status, data if isinstance(data, dict) else {}))
    thread = data.get("thread") if isinstance(data, dict) else None
    if not isinstance(thread, dict):
        return snap("error", "unexpected JSON shape (no thread)")
    if thread.get("notFound"):
        return snap("not_found", "notFoundPost (deleted, or never existed)")
    if thread.get("blocked"):
        return snap("protected", "blockedPost (the author blocks, or is blocked by, the viewer)")
    view = thread.get("post")
    if not isinstance(view, dict) or not isinstance(view.get("record"), dict):
        return snap("error", "unexpected JSON shape (thread without a post)")
    record = view["record"]
    author = view.get("author") if isinstance(view.get("author"), dict) else {}
    handle = author.get("handle") if author.get("handle") not in (None, "", "handle.invalid") else post.handle
    related: list[tuple[str, str]] = []
    parent = _parent(thread, record)
    if parent:
        related.append(("replies_to", parent))
    embedded = _embedded_record(view.get("embed"))
    if embedded:
        related.append(("embeds", embedded))
    notes = [n for n in (author.get("did"), f"cid {view['cid']}" if view.get("cid") else None) if n]
    labels = {label.get("val") for label in author.get("labels") or [] if isinstance(label, dict)}
    if "!no-unauthenticated" in labels:
        notes.append("the author asks apps not to show their posts to logged-out viewers")
    counts = tuple(sorted((k, int(v)) for k, v in view.items()
                          if k.endswith("Count") and isinstance(v, (int, float)) and not isinstance(v, bool)))
    return PostSnapshot(
        platform=NAME, post_id=post.post_id, url=post.url, status="ok", endpoint=url,
        handle=handle, author=author.get("displayName") or None,
        text=record.get("text") if isinstance(record.get("text"), str) else None,
        created_at=iso_utc(record.get("createdAt")) or _raw(record.get("createdAt")),
        media=tuple(_media(view.get("embed"))),
        counts=counts, detail="; ".join(notes) or None, related=tuple(related),
    )
