"""The platform registry: one module (or small URL-only platform) per platform.

`match_url(url)` is the single entry point extraction uses for any URL; `get(name)` gives the
module whose `capture_requests` / `parse` the crawler calls. Adding a platform: one module
with NAME, HOSTS and match_url (plus capture_requests and parse if it has an endpoint), and one
line in PLATFORMS below.
"""
from __future__ import annotations

import functools
from urllib.parse import SplitResult, urlsplit

from ..model import PostRef
from . import (bluesky, facebook, instagram, linkedin, mastodon, media, reddit, telegram, threads,
               tiktok, truthsocial, twitter, vk, youtube)

PLATFORMS = (twitter, instagram, tiktok, facebook, youtube, telegram, bluesky, mastodon,
             truthsocial, threads, reddit, linkedin, vk, *media.ALL)

_BY_NAME = {p.NAME: p for p in PLATFORMS}
_BY_HOST = {host: p for p in PLATFORMS for host in p.HOSTS}


def get(name: str):
    """The platform module called `name`; KeyError for an unknown name."""
    return _BY_NAME[name]


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def platform_for_host(host: str):
    """The platform owning host (or a parent domain of it), or None."""
    host = host.lower().rstrip(".")
    while host:
        found = _BY_HOST.get(host)
        if found is not None:
            return found
        if "." not in host:
            return None
        host = host.split(".", 1)[1]
    return None


@functools.lru_cache(maxsize=32768)
def match_url(url: str) -> PostRef | None:
    """Recognise a post (or media item) URL of any registered platform."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", ""):
        return None
    platform = platform_for_host(host)
    if platform is None:
        return None
    return platform.match_url(_with_host(parts, host))


def _with_host(parts: SplitResult, host: str) -> SplitResult:
    # platforms compare parts.hostname; give them the lowercased host without port
    return parts._replace(netloc=host)


def can_capture(name: str) -> bool:
    return hasattr(_BY_NAME.get(name), "capture_requests")
