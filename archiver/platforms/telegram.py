"""Telegram public channel posts: t.me links and the ?embed=1 widget page (reference B.2)."""
from __future__ import annotations

from collections.abc import Mapping
from functools import partial
import re
from urllib.parse import SplitResult

from lxml import html as lxml_html

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, path_segments, ref, snapshot

NAME = "telegram"
HOSTS = ("t.me", "telegram.me", "telegram.dog")
CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
BACKGROUND_URL = re.compile(r"background-image:\s*url\(['\"]?([^'\")]+)")


def post_url(channel: str, message_id: str) -> str:
    return f"https://t.me/{channel}/{message_id}"


def from_widget_attr(value: str) -> PostRef | None:
    """`data-telegram-post="channel/123"` of the widget script."""
    channel, _, message_id = value.strip().strip("/").partition("/")
    if CHANNEL.match(channel) and message_id.isdigit():
        return ref(NAME, post_url(channel, message_id), f"{channel}/{message_id}", channel)
    return None


def match_url(parts: SplitResult) -> PostRef | None:
    if "discussion" in parts.query or "comments" in parts.query:
        return None  # the comments widget of a post, not the post
    seg = path_segments(parts)
    if seg and seg[0] == "s":
        seg = seg[1:]
    if len(seg) >= 2 and seg[0] != "c" and seg[1].isdigit():
        return from_widget_attr(f"{seg[0]}/{seg[1]}")
    return None  # private links (t.me/c/...) cannot be fetched without login


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    return [CaptureRequest(post.url + "?embed=1&mode=tme", "post")]


def _text(nodes) -> str | None:
    if not nodes:
        return None
    node = nodes[0]
    for br in node.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return node.text_content().strip() or None


def _count(shown: str | None) -> int | None:
    """The widget's view counter as a number: "845", "12.3K", "1.2M" (rounded as Telegram shows it)."""
    found = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KM]?)", (shown or "").strip())
    if not found:
        return None
    return round(float(found[1]) * {"": 1, "K": 1_000, "M": 1_000_000}[found[2]])


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    snap = partial(snapshot, NAME, post, url)  # an outcome other than the post

    if status == 404:
        return snap("not_found", "HTTP 404")
    if status != 200:
        return snap("unavailable" if status == 429 or status >= 500 else "error", f"HTTP {status}")
    try:
        doc = lxml_html.fromstring(body)
    except (ValueError, lxml_html.etree.ParserError) as exc:
        return snap("error", f"unparseable page: {exc}")
    if doc.cssselect(".tgme_widget_message_error"):
        return snap("not_found", _text(doc.cssselect(".tgme_widget_message_error")) or "Post not found")
    roots = doc.cssselect("div.tgme_widget_message")
    if not roots:
        return snap("error", "no message in the widget page")
    root = roots[0]
    media = []
    for el in root.cssselect(".tgme_widget_message_photo_wrap, .tgme_widget_message_video_thumb"):
        found = BACKGROUND_URL.search(el.get("style") or "")
        if found:
            media.append(found.group(1))
    media += [v.get("src") for v in root.cssselect("video.tgme_widget_message_video[src]")]
    times = root.cssselect("a.tgme_widget_message_date time[datetime]")
    views = _text(root.cssselect(".tgme_widget_message_views"))
    edited = "edited" in (_text(root.cssselect(".tgme_widget_message_meta")) or "")
    notes = [n for n in ("edited" if edited else None, f"views {views}" if views else None) if n]
    views_count = _count(views)
    return PostSnapshot(
        platform=NAME, post_id=post.post_id, url=post.url, status="ok", endpoint=url,
        handle=post.handle, counts=(("views", views_count),) if views_count is not None else (),
        author=_text(root.cssselect(".tgme_widget_message_owner_name")),
        text=_text(root.cssselect(".tgme_widget_message_text")),
        created_at=times[0].get("datetime") if times else None,
        media=tuple(media),
        detail="; ".join(notes) or None,
    )
