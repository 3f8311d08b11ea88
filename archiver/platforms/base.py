"""What every platform module shares: URL parsing helpers and the capture interface.

A platform module defines:
  NAME                      registry name ("twitter", ...)
  HOSTS                     host names it owns (without "www."); subdomains match too
  match_url(parts) -> PostRef | None    recognise a post URL (parts: urllib SplitResult, host lowercased)
and, when the platform has a public endpoint worth calling:
  capture_requests(ref, tokens=None) -> list[CaptureRequest]
                            production URLs; the crawler maps hosts to configured endpoints
                            (loopback in demo/tests). `tokens` holds the user's API tokens by
                            name (ARCHIVER_TOKENS, e.g. {"meta": "APPID|TOKEN"}); without the one
                            a platform needs, it captures what is public and says `needs_auth`.
  parse(ref, url, status, body) -> PostSnapshot  any HTTP outcome becomes an honest status
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import SplitResult, parse_qs

from ..model import PostRef, PostSnapshot

@dataclass(frozen=True)
class CaptureRequest:
    """One fetch that helps snapshot a post. `role` says what the response is for:
    "post" is parsed into the snapshot, "oembed" is a second text source, "media" is an
    attachment, "resolve" follows a short link to find the post id."""

    url: str
    role: str
    headers: dict[str, str] = field(default_factory=dict)


def query(parts: SplitResult, name: str) -> str | None:
    values = parse_qs(parts.query).get(name)
    return values[0] if values else None


def path_segments(parts: SplitResult) -> list[str]:
    return [s for s in parts.path.split("/") if s]


def load_json(body: bytes) -> Any:
    """Parse a JSON body; ValueError (with a short reason) when it is not JSON."""
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"malformed JSON: {exc}") from exc


def ref(platform: str, url: str, post_id: str | None, handle: str | None = None) -> PostRef:
    return PostRef(platform=platform, url=url, post_id=post_id, handle=handle or None)


def iso_utc(value: object) -> str | None:
    """An ISO 8601 timestamp as UTC with Z (milliseconds kept when given); None when unparseable.
    A timestamp without a zone is taken as UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        return None
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    spec = "milliseconds" if when.microsecond else "seconds"
    return when.isoformat(timespec=spec).replace("+00:00", "Z")


def snapshot(platform: str, post: PostRef, url: str, status: str, detail: str | None, **fields) -> PostSnapshot:
    """A snapshot of `post` parsed from the answer at `url`: what every module returns for an
    outcome other than the post itself (a tombstone, an HTTP error, an unreadable body)."""
    fields.setdefault("handle", post.handle)
    return PostSnapshot(platform, post.post_id, post.url, status, url, detail=detail, **fields)
