"""Threads posts (reference A.9); no public JSON, so captured as a page."""
from __future__ import annotations

from urllib.parse import SplitResult

from ..model import PostRef
from .base import path_segments, ref

NAME = "threads"
HOSTS = ("threads.net", "threads.com")


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    if len(seg) >= 3 and seg[0].startswith("@") and seg[1] == "post":
        return ref(NAME, f"https://www.threads.net/{seg[0]}/post/{seg[2]}", seg[2], seg[0][1:])
    return None
