"""Facebook posts and videos (reference A.4, B.8).

Without a token the public post page is captured and the snapshot says `needs_auth`. With
ARCHIVER_TOKENS "meta" ("APPID|CLIENT_TOKEN") Meta's oEmbed (oembed_video for videos and reels,
oembed_post otherwise) is the snapshot and the page is recorded as evidence.
"""
from __future__ import annotations

from collections.abc import Mapping
import re
from urllib.parse import SplitResult, urlsplit

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, path_segments, query, ref
from .oembed import GRAPH, meta_oembed_request, meta_token, parse_meta

NAME = "facebook"
HOSTS = ("facebook.com", "fb.watch", "fb.com")
POST_ID = re.compile(r"^(pfbid[A-Za-z0-9]+|\d+)$")
VIDEO_PATH = re.compile(r"/(videos|watch|reel)/|^/share/v/")


def _canonical(parts: SplitResult) -> str:
    q = f"?{parts.query}" if parts.query else ""
    return f"https://www.facebook.com{parts.path}{q}"


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    host = parts.hostname or ""
    if host == "fb.watch" and seg:
        return ref(NAME, f"https://fb.watch/{seg[0]}/", seg[0])
    if seg[:1] == ["plugins"]:  # plugins/post.php?href=<post URL>; like, page, comments: not posts
        href = query(parts, "href") if seg[-1:] in (["post.php"], ["video.php"]) else None
        if href and "facebook.com" in href:
            inner = urlsplit(href)
            return match_url(inner._replace(netloc=(inner.hostname or "").lower()))
        return None
    if seg[:1] in (["permalink.php"], ["story.php"]):
        story = query(parts, "story_fbid")
        return ref(NAME, _canonical(parts), story) if story else None
    if seg[:1] == ["photo.php"] or seg[:1] == ["photo"]:
        fbid = query(parts, "fbid")
        return ref(NAME, _canonical(parts), fbid) if fbid else None
    if seg[:1] == ["watch"] and query(parts, "v"):
        return ref(NAME, f"https://www.facebook.com/watch/?v={query(parts, 'v')}", query(parts, "v"))
    if len(seg) >= 2 and seg[0] in ("reel", "share"):
        code = seg[-1]
        return ref(NAME, f"https://www.facebook.com/{'/'.join(seg)}/", code)
    for i, s in enumerate(seg[:-1]):
        if s in ("posts", "videos", "photos") and i >= 1:
            post_id = next((x for x in seg[i + 1:] if POST_ID.match(x)), None)
            if post_id:
                return ref(NAME, "https://www.facebook.com/" + "/".join(seg) + "/", post_id, seg[0])
    return None


def oembed_endpoint(post: PostRef) -> str:
    """oembed_video for videos, watch links, reels and fb.watch; oembed_post for the rest."""
    parts = urlsplit(post.url)
    if parts.hostname == "fb.watch" or VIDEO_PATH.search(parts.path):
        return f"{GRAPH}/oembed_video"
    return f"{GRAPH}/oembed_post"


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    token = meta_token(tokens, "meta")
    if token is None:
        return [CaptureRequest(post.url, "post")]
    return [meta_oembed_request(oembed_endpoint(post), post.url, token), CaptureRequest(post.url, "page")]


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    return parse_meta(NAME, post, url, status, body)
