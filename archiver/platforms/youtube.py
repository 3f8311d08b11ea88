"""YouTube videos and playlists: watch/embed/short URLs, captured through oEmbed plus the public
watch page (reference A.5, B.6)."""
from __future__ import annotations

from collections.abc import Mapping
import re
from urllib.parse import SplitResult

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, path_segments, query, ref
from .oembed import endpoint_url, handle_from_url, parse_oembed

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
    """oEmbed (the snapshot) and the watch or playlist page (recorded as evidence)."""
    return [CaptureRequest(endpoint_url(OEMBED, post.url, format="json"), "post"),
            CaptureRequest(post.url, "page")]


# B.6: oEmbed answers 401/403 both for private videos and for videos whose owner disabled
# embedding, and does not say which; either way the video cannot be shown, so "unavailable".
REFUSED = ("unavailable", "the video is private or its owner disabled embedding")


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    """title, author_name, thumbnail; the handle only from an `/@name` channel URL (channel ids
    and legacy /user/ URLs are not handles)."""
    return parse_oembed(NAME, post, url, status, body, refused=REFUSED,
                        handle=lambda data: handle_from_url(data.get("author_url"), at_only=True))
