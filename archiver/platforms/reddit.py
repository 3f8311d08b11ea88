"""Reddit posts and comments (reference A.10, B.5)."""
from __future__ import annotations

import re
from urllib.parse import SplitResult

from ..model import PostRef
from .base import path_segments, ref

NAME = "reddit"
HOSTS = ("reddit.com", "redd.it", "redditmedia.com")
BASE36 = re.compile(r"^[a-z0-9]{2,12}$")


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    if (parts.hostname or "") == "redd.it" and seg and BASE36.match(seg[0]):
        return ref(NAME, f"https://www.reddit.com/comments/{seg[0]}/", seg[0])
    if "comments" not in seg:
        return None
    i = seg.index("comments")
    if i + 1 >= len(seg) or not BASE36.match(seg[i + 1]):
        return None
    post_id = seg[i + 1]
    sub = seg[i - 1] if i >= 2 and seg[i - 2] == "r" else None
    path = f"r/{sub}/comments/{post_id}/" if sub else f"comments/{post_id}/"
    rest = seg[i + 2:]
    if len(rest) >= 2 and BASE36.match(rest[1]):  # /<slug>/<comment id>
        path += f"{rest[0]}/{rest[1]}/"
        post_id = f"{post_id}/{rest[1]}"
    return ref(NAME, f"https://www.reddit.com/{path}", post_id)
