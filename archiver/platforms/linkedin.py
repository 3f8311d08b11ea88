"""LinkedIn posts: embed iframes and feed URLs carry a urn:li:(share|ugcPost|activity) (A.11)."""
from __future__ import annotations

import re
from urllib.parse import SplitResult, unquote

from ..model import PostRef
from .base import ref

NAME = "linkedin"
HOSTS = ("linkedin.com",)
URN = re.compile(r"urn:li:(share|ugcPost|activity):(\d+)")
ACTIVITY_SLUG = re.compile(r"-(activity|share|ugcPost)-(\d{10,})-")


def match_url(parts: SplitResult) -> PostRef | None:
    path = unquote(parts.path)
    found = URN.search(path) or ACTIVITY_SLUG.search(path)
    if not found:
        return None
    urn = f"urn:li:{found.group(1)}:{found.group(2)}"
    return ref(NAME, f"https://www.linkedin.com/feed/update/{urn}/", urn)
