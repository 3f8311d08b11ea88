"""Truth Social, a Mastodon fork: same URL shapes (reference A.8)."""
from __future__ import annotations

from urllib.parse import SplitResult

from ..model import PostRef
from . import mastodon

NAME = "truthsocial"
HOSTS = ("truthsocial.com",)


def match_url(parts: SplitResult) -> PostRef | None:
    found = mastodon.match_url(parts, NAME)
    if found and found.handle:
        # handles on the one-instance platform need no "@truthsocial.com"
        return found.__class__(NAME, found.url, found.post_id, found.handle.split("@")[0])
    return found
