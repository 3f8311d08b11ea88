"""TikTok videos (reference A.3, B.7)."""
from __future__ import annotations

from urllib.parse import SplitResult

from ..model import PostRef
from .base import path_segments, ref

NAME = "tiktok"
HOSTS = ("tiktok.com",)


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
