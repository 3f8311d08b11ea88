"""Reddit posts and comments (reference A.10, B.5).

Capture: the post's JSON view, `<canonical post URL>.json?raw_json=1` (B.5: "append .json to a
post URL"; raw_json=1 so text and URLs are not HTML-escaped), parsed into the snapshot, and
oEmbed `https://www.reddit.com/oembed?url=<post URL>` recorded beside it (the fallback B.5 names
when the JSON is blocked). Both carry a descriptive User-Agent in Reddit's requested form.
A comment permalink (`post_id` = "<post>/<comment>") is captured through the same JSON, whose
second listing holds the comment; the snapshot is then the comment's.

Handles are the bare username (`spez`, not `u/spez`), as `@` is dropped elsewhere; Reddit URLs
never show the author, so match_url gives no handle. Reddit has no display names: `author` is None.

How answers map to statuses:
  200, content there                        ok (author account deleted: ok, no handle, detail)
  200, removed_by_category or body/selftext
      "[deleted]"/"[removed]"               deleted (detail: who removed it)
  403 reason "private"                      protected (private subreddit)
  403 reason "quarantined"                  needs_auth (needs a logged-in account that opted in)
  403 reason "gated"                        age_restricted
  404 reason "banned"                       suspended (the subreddit was banned)
  401                                       needs_auth
  403 otherwise                             unavailable (Reddit blocks some clients and networks)
  404                                       not_found
  429, 5xx                                  unavailable
  other, malformed JSON                     error
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial
from html import unescape
import re
from urllib.parse import SplitResult, quote, urlsplit

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, load_json, path_segments, ref, snapshot

NAME = "reddit"
HOSTS = ("reddit.com", "redd.it", "redditmedia.com")
BASE36 = re.compile(r"^[a-z0-9]{2,12}$")
# Reddit's API rules ask for "<platform>:<app id>:<version> (by ...)"
USER_AGENT = "python:embed-archiver:0.1 (citation archiving; +https://github.com/embed-archiver/embed-archiver)"
HEADERS = {"User-Agent": USER_AGENT, "Accept": "application/json"}
OEMBED = "https://www.reddit.com/oembed"
GONE = ("[deleted]", "[removed]")
REMOVED_BY = {
    "deleted": "deleted by its author",
    "author": "deleted by its author",
    "moderator": "removed by the subreddit's moderators",
    "automod_filtered": "filtered by AutoModerator",
    "reddit": "removed by Reddit",
    "anti_evil_ops": "removed by Reddit (Anti-Evil Operations)",
    "community_ops": "removed by Reddit (Community team)",
    "copyright_takedown": "removed after a copyright notice",
    "content_takedown": "removed for legal reasons",
}
MEDIA_EXT = re.compile(r"\.(?:jpe?g|png|gif|webp|mp4|gifv)$", re.I)


def match_url(parts: SplitResult) -> PostRef | None:
    seg = path_segments(parts)
    if (parts.hostname or "") == "redd.it" and seg and BASE36.match(seg[0]):
        return ref(NAME, f"https://www.reddit.com/comments/{seg[0]}/", seg[0])
    if len(seg) == 2 and seg[0] == "gallery" and BASE36.match(seg[1]):  # reddit.com/gallery/<id>
        return ref(NAME, f"https://www.reddit.com/comments/{seg[1]}/", seg[1])
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


def _canonical(permalink: str | None) -> str | None:
    """The canonical URL of a Reddit permalink ("/r/x/comments/<id>/<slug>/")."""
    if not permalink:
        return None
    full = permalink if permalink.startswith("http") else f"https://www.reddit.com{permalink}"
    parts = urlsplit(full)
    found = match_url(parts._replace(netloc=(parts.hostname or "").lower()))
    return found.url if found else None


# -- capture ------------------------------------------------------------------------------------

def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    if not post.post_id or not post.url.startswith("https://www.reddit.com/"):
        return []
    base = post.url if post.url.endswith("/") else post.url + "/"
    return [
        CaptureRequest(f"{base}.json?raw_json=1", "post", dict(HEADERS)),
        CaptureRequest(f"{OEMBED}?url={quote(post.url, safe='')}", "oembed", dict(HEADERS)),
    ]


# -- parsing ------------------------------------------------------------------------------------

def iso_from_epoch(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    when = datetime.fromtimestamp(value, UTC)
    return when.isoformat(timespec="milliseconds" if when.microsecond else "seconds").replace("+00:00", "Z")


def _clean(url: object) -> str | None:
    return unescape(url) if isinstance(url, str) and url.startswith("http") else None


def _media(d: dict) -> list[str]:
    urls: list[str] = []

    def add(url: object) -> None:
        url = _clean(url)
        if url and url not in urls:
            urls.append(url)

    metadata = d.get("media_metadata") or {}
    for item in (d.get("gallery_data") or {}).get("items") or []:
        source = (metadata.get(item.get("media_id")) or {}).get("s") or {}
        add(source.get("u") or source.get("mp4") or source.get("gif"))
    for key in ("secure_media", "media"):
        video = ((d.get(key) or {}).get("reddit_video") or {}).get("fallback_url")
        if video:
            add(video)
            break
    dest = d.get("url_overridden_by_dest") or d.get("url")
    if isinstance(dest, str) and (d.get("post_hint") == "image" or d.get("domain") == "i.redd.it"
                                  or MEDIA_EXT.search(urlsplit(dest).path)):
        add(dest)
    for image in (d.get("preview") or {}).get("images") or []:
        add((image.get("source") or {}).get("url"))
    return urls


def _outbound_link(d: dict) -> bool:
    """A link post pointing off Reddit (not a self post, not Reddit-hosted media or galleries)."""
    url = d.get("url")
    if d.get("is_self") or d.get("is_video") or d.get("is_gallery") or not isinstance(url, str) \
            or not url.startswith("http"):
        return False
    host = urlsplit(url).hostname or ""
    if host == "redd.it" or host.endswith((".redd.it", "reddit.com")):
        return False
    return not _media({"url": url, "post_hint": d.get("post_hint"), "domain": d.get("domain")})


def _find_comment(children: list, comment_id: str) -> dict | None:
    for child in children or []:
        if not isinstance(child, dict) or child.get("kind") != "t1":
            continue
        data = child.get("data") or {}
        if data.get("id") == comment_id:
            return data
        replies = data.get("replies")
        if isinstance(replies, dict):
            found = _find_comment((replies.get("data") or {}).get("children") or [], comment_id)
            if found:
                return found
    return None


def _counts(d: dict, keys: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted((k, int(d[k])) for k in keys
                        if isinstance(d.get(k), (int, float)) and not isinstance(d.get(k), bool)))


def _error_status(status: int, body: bytes) -> tuple[str, str]:
    try:
        data = load_json(body)
    except ValueError:
        data = None
    reason = data.get("reason") if isinstance(data, dict) else None
    http = f"HTTP {status}" + (f": {reason}" if reason else "")
    if reason == "private":
        return "protected", f"{http} (private subreddit)"
    if reason == "quarantined":
        return "needs_auth", f"{http} (quarantined subreddit: only logged-in accounts that opt in can see it)"
    if reason == "gated":
        return "age_restricted", f"{http} (gated subreddit: needs a logged-in account that opts in)"
    if reason == "banned":
        return "suspended", f"{http} (the subreddit was banned by Reddit)"
    if status == 401:
        return "needs_auth", http
    if status == 403:
        return "unavailable", f"{http} (Reddit refused the request; it blocks some clients and networks)"
    if status == 404:
        return "not_found", http
    if status == 429 or status >= 500:
        return "unavailable", http
    return "error", http


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    snap = partial(snapshot, NAME, post, url)  # an outcome other than the post

    if status != 200:
        return snap(*_error_status(status, body))
    try:
        data = load_json(body)
    except ValueError as exc:
        return snap("error", str(exc))
    try:
        d = data[0]["data"]["children"][0]["data"]
        if not isinstance(d, dict) or not d.get("id"):
            raise TypeError
    except (KeyError, IndexError, TypeError):
        return snap("error", "unexpected JSON shape (not a post listing)")
    post_url = _canonical(d.get("permalink")) or post.url
    comment_id = post.post_id.split("/", 1)[1] if post.post_id and "/" in post.post_id else None
    if comment_id:
        try:
            children = data[1]["data"]["children"]
        except (KeyError, IndexError, TypeError):
            children = []
        comment = _find_comment(children, comment_id)
        if comment is None:
            return snap("not_found", f"comment {comment_id} is not in the thread of post {d['id']}")
        return _snapshot(post, url, comment, is_comment=True, parent_post=post_url)
    return _snapshot(post, url, d, is_comment=False, parent_post=post_url)


def _snapshot(post: PostRef, url: str, d: dict, *, is_comment: bool, parent_post: str) -> PostSnapshot:
    author = d.get("author") if isinstance(d.get("author"), str) else None
    handle = None if author in (None, *GONE) else author
    body_key = "body" if is_comment else "selftext"
    body = d.get(body_key) if isinstance(d.get(body_key), str) else ""
    title = d.get("title") if isinstance(d.get("title"), str) else ""
    removed_by = d.get("removed_by_category")
    notes: list[str] = []
    related: list[tuple[str, str]] = []
    created = iso_from_epoch(d.get("created_utc"))
    counts = _counts(d, ("score",) if is_comment else ("score", "num_comments", "num_crossposts"))
    subreddit = d.get("subreddit_name_prefixed") or (f"r/{d['subreddit']}" if d.get("subreddit") else None)

    if removed_by or body in GONE:
        if removed_by:
            who = REMOVED_BY.get(removed_by, f"removed ({removed_by})")
        elif body == "[deleted]":
            who = "deleted by its author"
        else:
            who = "removed by the moderators or by Reddit"
        detail = f"{who} (removed_by_category: {removed_by})" if removed_by else who
        # the title stays public on a removed post; the body does not
        return PostSnapshot(NAME, post.post_id, post.url, "deleted", url, handle=handle or post.handle,
                            text=title or None, created_at=created, counts=counts, detail=detail)

    if is_comment:
        text = body or None
        parent = d.get("parent_id") or ""
        if parent.startswith("t1_"):
            # the parent comment's permalink: this comment's, with the parent's id (same slug)
            own = [s for s in (d.get("permalink") or "").split("/") if s]
            sibling = "/" + "/".join([*own[:-1], parent[3:]]) + "/" if len(own) >= 4 and own[-4] == "comments" else None
            related.append(("replies_to", _canonical(sibling) or f"{parent_post}_/{parent[3:]}/"))
        elif parent.startswith("t3_"):
            related.append(("replies_to", parent_post))
    else:
        text = "\n\n".join(part for part in (title, body) if part) or None
        if d.get("crosspost_parent"):
            parents = d.get("crosspost_parent_list") or []
            target = _canonical(parents[0].get("permalink")) if parents and isinstance(parents[0], dict) else None
            target = target or f"https://www.reddit.com/comments/{d['crosspost_parent'].removeprefix('t3_')}/"
            related.append(("quotes", target))
        elif _outbound_link(d):
            notes.append(f"links to {d['url']}")
    if subreddit:
        notes.insert(0, f"in {subreddit}")
    if author == "[deleted]":
        notes.append("author's account deleted")
    if d.get("edited"):
        notes.append(f"edited {iso_from_epoch(d['edited']) or ''}".rstrip())
    if d.get("over_18"):
        notes.append("marked NSFW")
    return PostSnapshot(
        platform=NAME, post_id=post.post_id, url=post.url, status="ok", endpoint=url,
        handle=handle, author=None, text=text, created_at=created,
        media=() if is_comment else tuple(_media(d)), counts=counts,
        detail="; ".join(notes) or None, related=tuple(related),
    )
