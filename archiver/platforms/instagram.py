"""Instagram posts, reels and IGTV (reference A.2, B.8).

Without a token the public post page is captured and the snapshot says `needs_auth` (what a
logged-out client gets is a login wall, not the post). With ARCHIVER_TOKENS "meta"
("APPID|CLIENT_TOKEN") Meta's oEmbed is the snapshot and the page is recorded as evidence.
"""
from __future__ import annotations

from collections.abc import Mapping
import re
from urllib.parse import SplitResult

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, path_segments, ref
from .oembed import GRAPH, meta_oembed_request, meta_token, parse_meta

NAME = "instagram"
HOSTS = ("instagram.com", "instagr.am")
SHORTCODE = re.compile(r"^[A-Za-z0-9_-]{5,40}$")
KINDS = ("p", "reel", "reels", "tv")
OEMBED = f"{GRAPH}/instagram_oembed"


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


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    token = meta_token(tokens, "meta")
    if token is None:
        return [CaptureRequest(post.url, "post")]
    return [meta_oembed_request(OEMBED, post.url, token), CaptureRequest(post.url, "page")]


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    return parse_meta(NAME, post, url, status, body)
