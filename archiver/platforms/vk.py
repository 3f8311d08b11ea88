"""VK wall posts and videos (reference A.11)."""
from __future__ import annotations

import re
from urllib.parse import SplitResult

from ..model import PostRef
from .base import path_segments, query, ref

NAME = "vk"
HOSTS = ("vk.com", "vk.ru", "vkontakte.ru")
WALL = re.compile(r"^(wall|video)(-?\d+_\d+)$")


def post_ref(owner: str, post: str, kind: str = "wall") -> PostRef:
    return ref(NAME, f"https://vk.com/{kind}{owner}_{post}", f"{owner}_{post}")


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    if seg[:1] == ["video_ext.php"] and query(parts, "oid") and query(parts, "id"):
        return post_ref(query(parts, "oid"), query(parts, "id"), "video")
    found = WALL.match(seg[0]) if seg else None
    if found:
        return ref(NAME, f"https://vk.com/{found.group(1)}{found.group(2)}", found.group(2))
    return None
