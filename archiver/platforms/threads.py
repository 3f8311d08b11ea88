"""Threads posts (reference A.9).

No public JSON: without a token the public post page is captured and the snapshot says
`needs_auth`. With ARCHIVER_TOKENS "threads" (a Threads app token, "TH|APPID|SECRET") or "meta",
the Threads oEmbed (graph.threads.net, Meta's Threads API reference) is the snapshot and the page
is recorded as evidence. Its html carries the author but no post text.
"""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import SplitResult

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, path_segments, ref
from .oembed import THREADS_OEMBED, meta_oembed_request, meta_token, parse_meta

NAME = "threads"
HOSTS = ("threads.net", "threads.com")


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    if len(seg) >= 3 and seg[0].startswith("@") and seg[1] == "post":
        return ref(NAME, f"https://www.threads.net/{seg[0]}/post/{seg[2]}", seg[2], seg[0][1:])
    return None


def oembed_item_url(post: PostRef) -> str:
    """The permalink form the oEmbed reference lists (threads.com since the 2025 move)."""
    return post.url.replace("https://www.threads.net/", "https://www.threads.com/", 1)


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    token = meta_token(tokens, "threads", "meta")
    if token is None:
        return [CaptureRequest(post.url, "post")]
    return [meta_oembed_request(THREADS_OEMBED, oembed_item_url(post), token), CaptureRequest(post.url, "page")]


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    return parse_meta(NAME, post, url, status, body)
