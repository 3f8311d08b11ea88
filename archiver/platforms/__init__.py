"""The platform registry: one module (or small URL-only platform) per platform.

`match_url(url)` is the single entry point extraction uses for any URL; `get(name)` gives the
module whose `capture_requests` / `parse` the crawler calls. Adding a platform: one module
with NAME, HOSTS and match_url (plus capture_requests and parse if it has an endpoint), and one
line in PLATFORMS below.
"""
from __future__ import annotations

import functools
import re
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


@functools.lru_cache(maxsize=8192)  # a page's links repeat a few hosts
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


# A plain http(s) URL: lower-case scheme, ASCII, no bracket, tab or line break.
# For these, the regex split below is exactly what urlsplit gives, in a fraction of its time.
_PLAIN_URL = re.compile(r"(https?)://([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)
_AWKWARD = re.compile(r"[\t\r\n\[\]]")  # urlsplit removes the first three; brackets are IPv6 hosts


def _split(url: str) -> tuple[SplitResult, str]:
    """(urlsplit(url), its lower-cased hostname or "")."""
    found = _PLAIN_URL.fullmatch(url) if url.isascii() and not _AWKWARD.search(url) else None
    if found is None:
        parts = urlsplit(url)
        return parts, (parts.hostname or "").lower()
    scheme, netloc, path, query, fragment = found.groups(default="")
    # SplitResult.hostname: after any credentials, before any port
    return SplitResult(scheme, netloc, path, query, fragment), netloc.rpartition("@")[2].partition(":")[0].lower()


@functools.lru_cache(maxsize=32768)
def match_url(url: str) -> PostRef | None:
    """Recognise a post (or media item) URL of any registered platform."""
    try:
        parts, host = _split(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https", ""):
        return None
    platform = platform_for_host(host)
    if platform is None:
        return None
    return platform.match_url(_with_host(parts, host))


def match_url_on(name: str, url: str) -> PostRef | None:
    """A post URL read by one platform's own matcher, whatever its host (a reply on a Mastodon
    instance the registry does not list)."""
    try:
        parts, host = _split(url.strip())
    except ValueError:
        return None
    return get(name).match_url(_with_host(parts, host))


def _with_host(parts: SplitResult, host: str) -> SplitResult:
    # platforms compare parts.hostname; give them the lowercased host without port
    return SplitResult(parts.scheme, host, parts.path, parts.query, parts.fragment)


def can_capture(name: str) -> bool:
    return hasattr(_BY_NAME.get(name), "capture_requests")
