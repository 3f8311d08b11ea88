"""Instagram posts, reels and IGTV (reference A.2); capture needs a Meta token (B.8)."""
from __future__ import annotations

import re
from urllib.parse import SplitResult

from ..model import PostRef
from .base import path_segments, ref

NAME = "instagram"
HOSTS = ("instagram.com", "instagr.am")
SHORTCODE = re.compile(r"^[A-Za-z0-9_-]{5,40}$")
KINDS = ("p", "reel", "reels", "tv")


def from_shortcode(code: str, kind: str = "p") -> PostRef | None:
    if not SHORTCODE.match(code or ""):
        return None
    kind = "reel" if kind == "reels" else kind
    return ref(NAME, f"https://www.instagram.com/{kind}/{code}/", code)


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    for i, s in enumerate(seg[:-1]):
        if s in KINDS and i <= 1:  # /p/<code>/ or /<user>/p/<code>/
            return from_shortcode(seg[i + 1], s)
    return None
