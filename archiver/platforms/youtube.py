"""YouTube videos: watch/embed/short URLs, captured through oEmbed (reference A.5, B.6)."""
from __future__ import annotations

from collections.abc import Mapping
import re
from urllib.parse import SplitResult, quote

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, load_json, path_segments, query, ref

NAME = "youtube"
HOSTS = ("youtube.com", "youtu.be", "youtube-nocookie.com")
VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
OEMBED = "https://www.youtube.com/oembed"


def video_ref(video_id: str) -> PostRef | None:
    if VIDEO_ID.match(video_id or ""):
        return ref(NAME, f"https://www.youtube.com/watch?v={video_id}", video_id)
    return None


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    if (parts.hostname or "").endswith("youtu.be"):
        return video_ref(seg[0]) if seg else None
    if seg[:1] == ["watch"]:
        return video_ref(query(parts, "v") or "")
    if len(seg) >= 2 and seg[0] in ("embed", "shorts", "live", "v", "e"):
        if seg[1] == "videoseries":
            playlist = query(parts, "list")
            return ref(NAME, f"https://www.youtube.com/playlist?list={playlist}", playlist) if playlist else None
        return video_ref(seg[1])
    if seg[:1] == ["playlist"] and query(parts, "list"):
        playlist = query(parts, "list")
        return ref(NAME, f"https://www.youtube.com/playlist?list={playlist}", playlist)
    return None


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    return [CaptureRequest(f"{OEMBED}?url={quote(post.url, safe='')}&format=json", "post")]


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    return parse_oembed(NAME, post, url, status, body)


def parse_oembed(platform: str, post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    """Snapshot from any oEmbed answer: title as text, author, thumbnail as media."""
    def snap(state: str, detail: str) -> PostSnapshot:
        return PostSnapshot(platform, post.post_id, post.url, state, url, handle=post.handle, detail=detail)

    if status in (401, 403):
        return snap("needs_auth" if status == 401 else "unavailable", f"HTTP {status}")
    if status == 404:
        return snap("not_found", "HTTP 404")
    if status != 200:
        return snap("unavailable" if status == 429 or status >= 500 else "error", f"HTTP {status}")
    try:
        data = load_json(body)
    except ValueError as exc:
        return snap("error", str(exc))
    if not isinstance(data, dict):
        return snap("error", "unexpected JSON shape")
    author_url = data.get("author_url") or ""
    handle = post.handle or (author_url.rstrip("/").rsplit("/", 1)[-1].lstrip("@") or None)
    return PostSnapshot(
        platform=platform, post_id=post.post_id, url=post.url, status="ok", endpoint=url,
        handle=handle, author=data.get("author_name"), text=data.get("title"),
        media=tuple(u for u in (data.get("thumbnail_url"),) if u),
    )
