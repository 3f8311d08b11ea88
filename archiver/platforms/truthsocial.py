"""Truth Social, a Mastodon fork: same URL shapes (reference A.8) and the same status API (B.4).

Capture: `https://truthsocial.com/api/v1/statuses/<id>` (parsed) and
`https://truthsocial.com/api/oembed?url=<post URL>` (recorded), as for Mastodon.
Differences from Mastodon:
  - handles stay bare (`realDonaldTrump`, not `realDonaldTrump@truthsocial.com`): one instance;
  - the API sits behind bot protection (Cloudflare) that answers 403 to non-browser clients, so
    every 403 is `unavailable` with that reason, never `protected`;
  - a status may carry `quote_id` / `quote` (a full Status) and an inlined `in_reply_to` Status.
"""
from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import SplitResult

from ..model import PostRef, PostSnapshot
from . import mastodon
from .base import CaptureRequest

NAME = "truthsocial"
HOSTS = ("truthsocial.com",)


def match_url(parts: SplitResult) -> PostRef | None:
    found = mastodon.match_url(parts, NAME)
    if found and found.handle and found.handle.split("@")[-1].endswith("truthsocial.com"):
        # handles on the one-instance platform need no "@truthsocial.com" (as parse gives them)
        return found.__class__(NAME, found.url, found.post_id, found.handle.split("@")[0])
    return found


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    return mastodon.capture_requests(post, tokens)


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    return mastodon.parse_status(post, url, status, body, platform=NAME, bare_local_handles=True,
                                 bot_protected=True)
