"""TikTok videos (reference A.3), captured through oEmbed plus the public video page (B.7)."""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import SplitResult

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, path_segments, ref
from .oembed import endpoint_url, handle_from_url, parse_oembed

NAME = "tiktok"
HOSTS = ("tiktok.com",)
OEMBED = "https://www.tiktok.com/oembed"


def video_ref(video_id: str, handle: str | None = None) -> PostRef | None:
    if not (video_id.isdigit() and len(video_id) >= 15):
        return None
    url = (f"https://www.tiktok.com/@{handle}/video/{video_id}" if handle
           else f"https://www.tiktok.com/embed/v2/{video_id}")
    return ref(NAME, url, video_id, handle)


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    if len(seg) >= 3 and seg[0].startswith("@") and seg[1] == "video":
        return video_ref(seg[2], seg[0][1:])
    if seg and seg[0] in ("embed", "player"):
        return video_ref(seg[-1])
    return None


def oembed_item_url(post: PostRef) -> str:
    """oEmbed takes video URLs (`/@user/video/<id>`); for an embed-only reference (no handle
    known) the handle-less `/@/video/<id>` form, which tiktok.com resolves [unverified for oEmbed]."""
    return post.url if post.handle else f"https://www.tiktok.com/@/video/{post.post_id}"


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    """oEmbed (the snapshot) and the video page, or the embed player the article showed."""
    return [CaptureRequest(endpoint_url(OEMBED, oembed_item_url(post)), "post"),
            CaptureRequest(post.url, "page")]


def _handle(data: dict) -> str | None:
    unique = data.get("author_unique_id")
    if isinstance(unique, str) and unique.strip():
        return unique.strip().lstrip("@")
    return handle_from_url(data.get("author_url"), at_only=True)


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    """title is the caption; errors come back as JSON {"code", "message"} with a 4xx."""
    return parse_oembed(NAME, post, url, status, body, handle=_handle)
