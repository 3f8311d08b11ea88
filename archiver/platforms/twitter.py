"""X / Twitter: status URLs, and capture through the syndication JSON and oEmbed (reference B.1)."""
from __future__ import annotations

from collections.abc import Mapping
import math
import re
from datetime import UTC, datetime
from urllib.parse import SplitResult, quote

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, load_json, path_segments, query, ref

NAME = "twitter"
HOSTS = ("twitter.com", "x.com", "t.co", "pic.twitter.com", "pic.x.com")  # platform.* too, as subdomains
HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
NOT_HANDLES = frozenset({"i", "intent", "share", "hashtag", "search", "home", "explore", "settings",
                         "messages", "notifications", "compose", "widgets", "login", "signup"})
TWITTER_EPOCH_MS = 1288834974657

SYNDICATION = "https://cdn.syndication.twimg.com/tweet-result"
OEMBED = "https://publish.twitter.com/oembed"
# The features list react-tweet sends; kept identical to get the same response shape.
FEATURES = ";".join([
    "tfw_timeline_list:", "tfw_follower_count_sunset:true", "tfw_tweet_edit_backend:on",
    "tfw_refsrc_session:on", "tfw_fosnr_soft_interventions_enabled:on",
    "tfw_show_birdwatch_pivots_enabled:on", "tfw_show_business_verified_badge:on",
    "tfw_duplicate_scribes_to_settings:on", "tfw_use_profile_image_shape_enabled:on",
    "tfw_show_blue_verified_badge:on", "tfw_legacy_timeline_sunset:true",
    "tfw_show_gov_verified_badge:on", "tfw_show_business_affiliate_badge:on",
    "tfw_tweet_edit_frontend:on",
])


def post_url(post_id: str, handle: str | None) -> str:
    return f"https://twitter.com/{handle or 'i'}/status/{post_id}"


def match_url(parts: SplitResult) -> PostRef | None:
    host = parts.hostname or ""
    if host in ("t.co", "pic.twitter.com", "pic.x.com"):
        return None  # short links: only their redirect tells the status id
    seg = path_segments(parts)
    if host.startswith("platform."):
        # the iframe widgets.js renders (or a publisher hand-writes): /embed/Tweet.html?id=<id>;
        # everything else there (widget_iframe, timelines) is plumbing, not a post
        post_id = query(parts, "id") if seg[:1] == ["embed"] and seg[-1:] in (["Tweet.html"], ["index.html"]) else None
        return ref(NAME, post_url(post_id, None), post_id) if post_id and post_id.isdigit() else None
    # /<handle>/status/<id>[/photo/1], /i/web/status/<id>, /i/status/<id>
    for i, s in enumerate(seg[:-1]):
        if s in ("status", "statuses") and seg[i + 1].isdigit():
            handle = seg[i - 1] if i >= 1 else None
            if handle in NOT_HANDLES or (handle and not HANDLE.match(handle)) or handle == "web":
                handle = None
            return ref(NAME, post_url(seg[i + 1], handle), seg[i + 1], handle)
    return None


def created_from_id(post_id: str) -> str | None:
    """Creation time encoded in a snowflake id (ids after late 2010); None for older ids."""
    try:
        value = int(post_id)
    except ValueError:
        return None
    if value < 1 << 32:
        return None
    ms = (value >> 22) + TWITTER_EPOCH_MS
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _to_base36(value: float) -> str:
    """JavaScript's Number.prototype.toString(36): shortest digits that round-trip (V8's
    DoubleToRadixCString), which the syndication token is defined by."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    integer = math.floor(value)
    fraction = value - integer
    delta = max(0.5 * (math.nextafter(value, math.inf) - value), math.nextafter(0.0, 1.0))
    frac_digits: list[int] = []
    if fraction >= delta:
        while True:
            fraction *= 36
            delta *= 36
            digit = int(fraction)
            frac_digits.append(digit)
            fraction -= digit
            if fraction > 0.5 or (fraction == 0.5 and (digit & 1)):
                if fraction + delta > 1:
                    # round up, propagating the carry
                    i = len(frac_digits) - 1
                    while True:
                        if i < 0:
                            integer += 1
                            break
                        frac_digits[i] += 1
                        if frac_digits[i] < 36:
                            break
                        frac_digits.pop()
                        i -= 1
                    break
            if fraction < delta:
                break
    int_digits = ""
    integer = int(integer)
    while True:
        integer, rem = divmod(integer, 36)
        int_digits = digits[rem] + int_digits
        if integer == 0:
            break
    if not frac_digits:
        return int_digits
    return int_digits + "." + "".join(digits[d] for d in frac_digits)


def syndication_token(post_id: str) -> str:
    """The `token` parameter of tweet-result: (id / 1e15 * pi) in base 36, without '.' and 0s."""
    return re.sub(r"(0+|\.)", "", _to_base36(float(int(post_id)) / 1e15 * math.pi))


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    if not post.post_id:
        return []
    result = (f"{SYNDICATION}?id={post.post_id}&lang=en&features={quote(FEATURES, safe='')}"
              f"&token={syndication_token(post.post_id)}")
    oembed = f"{OEMBED}?url={quote(post.url, safe='')}&omit_script=1&dnt=true"
    return [CaptureRequest(result, "post"), CaptureRequest(oembed, "oembed")]


def _media_urls(data: dict) -> list[str]:
    urls: list[str] = []
    for media in data.get("mediaDetails") or []:
        if media.get("type") == "photo" and media.get("media_url_https"):
            urls.append(media["media_url_https"] + "?name=orig")
        variants = (media.get("video_info") or {}).get("variants") or []
        mp4 = [v for v in variants if v.get("content_type") == "video/mp4" and v.get("url")]
        if mp4:
            urls.append(max(mp4, key=lambda v: v.get("bitrate") or 0)["url"])
        elif media.get("media_url_https") and media.get("type") != "photo":
            urls.append(media["media_url_https"])
    # a link card's image (the card is what readers saw of a linked page)
    values = (data.get("card") or {}).get("binding_values") or {}
    for key in ("thumbnail_image_original", "photo_image_full_size_original", "player_image_original"):
        image = (values.get(key) or {}).get("image_value") or {}
        if image.get("url"):
            urls.append(image["url"])
            break
    return urls


def _related(data: dict) -> tuple[tuple[str, str], ...]:
    """The quoted post and the post replied to (captured one level deep)."""
    out = []
    quoted = data.get("quoted_tweet") or {}
    if quoted.get("id_str"):
        out.append(("quotes", post_url(quoted["id_str"], (quoted.get("user") or {}).get("screen_name"))))
    if data.get("in_reply_to_status_id_str"):
        out.append(("replies_to", post_url(data["in_reply_to_status_id_str"], data.get("in_reply_to_screen_name"))))
    return tuple(out)


def _tombstone_status(text: str) -> str:
    text = text.lower()
    if "suspended" in text:
        return "suspended"
    if "protected" in text or "limited who can view" in text:
        return "protected"
    if "age-restricted" in text or "age restricted" in text:
        return "age_restricted"
    if "deleted" in text:
        return "deleted"
    return "unavailable"


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    """Snapshot from a tweet-result response (any HTTP outcome; see the table in B.1)."""
    def snap(state: str, detail: str | None = None, **kw) -> PostSnapshot:
        return PostSnapshot(platform=NAME, post_id=post.post_id, url=post.url, status=state,
                            endpoint=url, detail=detail,
                            created_at=kw.pop("created_at", None) or created_from_id(post.post_id or ""),
                            **kw)

    if status == 404:
        return snap("not_found", "HTTP 404")
    if status == 429 or status >= 500:
        return snap("unavailable", f"HTTP {status}")
    if status != 200:
        return snap("error", f"HTTP {status}")
    try:
        data = load_json(body)
    except ValueError as exc:
        return snap("error", str(exc))
    if not isinstance(data, dict):
        return snap("error", "unexpected JSON shape")
    if not data:
        return snap("not_found", "empty result")
    if data.get("__typename") == "TweetTombstone":
        text = (((data.get("tombstone") or {}).get("text") or {}).get("text")) or ""
        return snap(_tombstone_status(text), text or "tombstone")
    user = data.get("user")
    if not user:
        return snap("unavailable", "post without author (suspended or withheld account)",
                    text=data.get("text"))
    handle = user.get("screen_name") or post.handle
    counts = tuple(sorted((k, int(v)) for k, v in data.items()
                          if k in ("favorite_count", "conversation_count", "reply_count", "retweet_count")
                          and isinstance(v, (int, float))))
    return PostSnapshot(
        platform=NAME, post_id=data.get("id_str") or post.post_id,
        url=post_url(data.get("id_str") or post.post_id or "", handle), status="ok", endpoint=url,
        handle=handle, author=user.get("name"), text=data.get("text"),
        created_at=data.get("created_at") or created_from_id(post.post_id or ""),
        media=tuple(_media_urls(data)), counts=counts,
        detail="edited" if data.get("isEdited") else None, related=_related(data),
    )
