"""Bluesky posts: bsky.app URLs and AT-URIs, captured from the public AppView (reference B.3)."""
from __future__ import annotations

from collections.abc import Mapping
import re
from urllib.parse import SplitResult, quote

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, load_json, path_segments, ref

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
    # getPostThread accepts a handle in the AT-URI and resolves it server-side.
    thread = f"{APPVIEW}/app.bsky.feed.getPostThread?uri={quote(uri, safe='')}&depth=0&parentHeight=1"
    oembed = f"https://embed.bsky.app/oembed?url={quote(post.url, safe='')}&format=json"
    return [CaptureRequest(thread, "post"), CaptureRequest(oembed, "oembed")]


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    def snap(state: str, detail: str) -> PostSnapshot:
        return PostSnapshot(NAME, post.post_id, post.url, state, url, handle=post.handle, detail=detail)

    try:
        data = load_json(body)
    except ValueError as exc:
        return snap("error" if status == 200 else "unavailable", f"HTTP {status}: {exc}")
    if status == 400 and isinstance(data, dict) and data.get("error") == "NotFound":
        return snap("not_found", data.get("message") or "NotFound")
    if status != 200:
        return snap("unavailable" if status == 429 or status >= 500 else "error", f"HTTP {status}")
    thread = (data or {}).get("thread") or {}
    if thread.get("notFound"):
        return snap("not_found", "notFoundPost")
    if thread.get("blocked"):
        return snap("protected", "blockedPost")
    view = thread.get("post")
    if not isinstance(view, dict):
        return snap("error", "unexpected JSON shape")
    record = view.get("record") or {}
    author = view.get("author") or {}
    media: list[str] = []
    embed = view.get("embed") or {}
    for image in embed.get("images") or (embed.get("media") or {}).get("images") or []:
        if image.get("fullsize"):
            media.append(image["fullsize"])
    counts = tuple(sorted((k, int(v)) for k, v in view.items()
                          if k.endswith("Count") and isinstance(v, (int, float))))
    return PostSnapshot(
        platform=NAME, post_id=post.post_id, url=post.url, status="ok", endpoint=url,
        handle=author.get("handle") or post.handle, author=author.get("displayName"),
        text=record.get("text"), created_at=record.get("createdAt"), media=tuple(media),
        counts=counts, detail=f"cid {view.get('cid')}" if view.get("cid") else None,
    )
