"""Facebook posts and videos (reference A.4); capture needs a Meta token (B.8)."""
from __future__ import annotations

import re
from urllib.parse import SplitResult, urlsplit

from ..model import PostRef
from .base import path_segments, query, ref

NAME = "facebook"
HOSTS = ("facebook.com", "fb.watch", "fb.com")
POST_ID = re.compile(r"^(pfbid[A-Za-z0-9]+|\d+)$")


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
    if len(seg) >= 2 and seg[0] in ("reel", "share") :
        code = seg[-1]
        return ref(NAME, f"https://www.facebook.com/{'/'.join(seg)}/", code)
    for i, s in enumerate(seg[:-1]):
        if s in ("posts", "videos", "photos") and i >= 1:
            post_id = next((x for x in seg[i + 1:] if POST_ID.match(x)), None)
            if post_id:
                return ref(NAME, "https://www.facebook.com/" + "/".join(seg) + "/", post_id, seg[0])
    return None
