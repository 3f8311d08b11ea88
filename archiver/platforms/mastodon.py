"""Mastodon statuses on any instance (reference A.8, B.4). Truth Social has its own module."""
from __future__ import annotations

from urllib.parse import SplitResult

from ..model import PostRef
from .base import path_segments, ref

NAME = "mastodon"
# Well-known instances; embed markup (blockquote.mastodon-embed) matches on any host.
HOSTS = ("mastodon.social", "mastodon.online", "mstdn.social", "mas.to", "fosstodon.org",
         "hachyderm.io", "infosec.exchange", "journa.host", "mastodon.world", "mstdn.jp")


def match_url(parts: SplitResult, platform: str = NAME) -> PostRef | None:
    seg = path_segments(parts)
    host = parts.hostname or ""
    if seg and seg[-1] == "embed":
        seg = seg[:-1]
    if len(seg) >= 3 and seg[0].startswith("@") and seg[1] == "posts":  # truthsocial.com/@u/posts/<id>
        seg = [seg[0], seg[2]]
    if len(seg) == 2 and seg[0].startswith("@") and seg[1].isdigit():
        user = seg[0][1:]
        handle = user if "@" in user else f"{user}@{host}"
        return ref(platform, f"https://{host}/@{user}/{seg[1]}", seg[1], handle)
    if len(seg) == 4 and seg[0] == "users" and seg[2] == "statuses" and seg[3].isdigit():
        return ref(platform, f"https://{host}/@{seg[1]}/{seg[3]}", seg[3], f"{seg[1]}@{host}")
    return None
