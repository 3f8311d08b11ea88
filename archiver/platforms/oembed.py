"""Shared by the platforms captured through oEmbed (reference B.6-B.9) and by the Meta platforms
(Instagram, Facebook, Threads) whose public page is all there is without a token (B.8).

- `parse_oembed`: an oEmbed answer (any HTTP outcome) as a PostSnapshot: title as text,
  author_name as author, thumbnail_url as media. oEmbed carries no creation time.
- `http_failure`: the status of a non-200 answer (404 not_found, 429/5xx unavailable, ...).
- `public_page_snapshot`: a Meta post page, recorded as evidence but never parsed for content:
  `needs_auth` (or `not_found` for a 404).
- `meta_oembed_request` / `parse_meta_oembed`: Meta's token oEmbed (Graph API) and its errors.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timezone
import re
from typing import Any
from urllib.parse import quote, urlsplit

from lxml import html as lxml_html

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, load_json, snapshot

# Graph API version for Meta's oEmbed endpoints (the version Meta's oEmbed reference shows in 2026;
# Graph answers a retired version with the oldest one still served, so it ages gracefully).
GRAPH_VERSION = "v26.0"
GRAPH = f"https://graph.facebook.com/{GRAPH_VERSION}"
THREADS_OEMBED = "https://graph.threads.net/v1.0/oembed"


def endpoint_url(endpoint: str, item_url: str, **params: str) -> str:
    """`<endpoint>?url=<item URL, fully escaped>[&k=v...]`: the request oEmbed expects."""
    extra = "".join(f"&{k}={quote(v, safe='')}" for k, v in params.items())
    return f"{endpoint}?url={quote(item_url, safe='')}{extra}"


# -- HTTP outcomes ---------------------------------------------------------------------------------

def http_failure(status: int, refused: tuple[str, str] = ("unavailable", "the platform refused access")
                 ) -> tuple[str, str] | None:
    """(status, detail) for an HTTP answer that is not a 200, None for a 200.

    `refused` is what 401/403 mean on this platform (YouTube: private or embedding disabled)."""
    if status == 200:
        return None
    if status == 404:
        return "not_found", "HTTP 404: no such item, or it was removed"
    if status == 410:
        return "deleted", "HTTP 410: removed"
    if status in (401, 403):
        return refused[0], f"HTTP {status}: {refused[1]}"
    if status == 429:
        return "unavailable", "HTTP 429: rate limited"
    if status >= 500:
        return "unavailable", f"HTTP {status}: server error"
    if status == 400:
        return "error", "HTTP 400: the endpoint rejected the request"
    return "error", f"HTTP {status}: unexpected answer"


def _error_message(body: bytes) -> str | None:
    """The message of a JSON error body ({"code", "message"} for TikTok, {"error": ...} elsewhere)."""
    try:
        data = load_json(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    error = data.get("error")
    if isinstance(error, dict):
        return error.get("message") or None
    message = data.get("message") or data.get("status_msg") or (error if isinstance(error, str) else None)
    return str(message) if message else None


# -- oEmbed ------------------------------------------------------------------------------------------

def handle_from_url(author_url: str | None, at_only: bool = False) -> str | None:
    """The account name of an author URL: `/@name` (YouTube, TikTok) or, unless `at_only`, the
    single path segment (`vimeo.com/name`, `soundcloud.com/name`). Channel ids and other
    multi-segment paths give None."""
    if not author_url:
        return None
    segments = [s for s in urlsplit(author_url).path.split("/") if s]
    if len(segments) != 1:
        return None
    name = segments[0]
    if name.startswith("@"):
        return name[1:] or None
    return None if at_only else name


def parse_oembed(platform: str, post: PostRef, url: str, status: int, body: bytes, *,
                 refused: tuple[str, str] = ("unavailable", "the platform refused access"),
                 handle: Callable[[dict[str, Any]], str | None] = lambda data: None) -> PostSnapshot:
    """Snapshot from any oEmbed answer: title as text, author_name, thumbnail_url as media,
    provider_name in detail. `handle(data)` picks the author handle from the answer."""
    failed = http_failure(status, refused)
    if failed:
        state, detail = failed
        message = _error_message(body)
        return snapshot(platform, post, url, state, f"{detail} ({message})" if message else detail)
    try:
        data = load_json(body)
    except ValueError as exc:
        return snapshot(platform, post, url, "error", str(exc))
    if not isinstance(data, dict):
        return snapshot(platform, post, url, "error", "unexpected JSON shape: not an object")
    if not any(data.get(k) for k in ("title", "author_name", "html", "thumbnail_url")):
        message = _error_message(body)
        return snapshot(platform, post, url, "error",
                        f"not an oEmbed answer ({message})" if message else "not an oEmbed answer")
    provider = data.get("provider_name")
    return snapshot(
        platform, post, url, "ok", f"oEmbed from {provider}" if provider else None,
        handle=post.handle or handle(data),
        author=_str(data.get("author_name")), text=_str(data.get("title")),
        media=tuple(u for u in (_str(data.get("thumbnail_url")),) if u),
    )


def _str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _utc(value: str | None) -> str | None:
    """An ISO 8601 time with an offset as UTC (`...Z`); None when it is not one."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- Meta: public page without a token, oEmbed with one -------------------------------------------

NEEDS_TOKEN = ("the post's content needs a login or a Meta oEmbed token (ARCHIVER_TOKENS meta)")
LOGIN_PAGE = re.compile(r"/(accounts/login|login(\.php)?|checkpoint)(/|$)")
META_OEMBED_PATH = re.compile(r"/(instagram_oembed|oembed_post|oembed_video|oembed)/?$")


def is_meta_oembed(url: str) -> bool:
    """Whether a response URL is one of Meta's oEmbed endpoints (path only: in the demo and the
    tests the host is a loopback stand-in)."""
    return bool(META_OEMBED_PATH.search(urlsplit(url).path))


def public_page_snapshot(platform: str, post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    """A Meta post page: recorded in the WARC as evidence, never read for content (what a logged-out
    client gets is a login wall or a script shell, not the post)."""
    if status == 200:
        if LOGIN_PAGE.search(urlsplit(url).path):
            return snapshot(platform, post, url, "needs_auth", f"redirected to a login page; {NEEDS_TOKEN}")
        return snapshot(platform, post, url, "needs_auth", f"public page captured (HTTP 200); {NEEDS_TOKEN}")
    if status in (401, 403):
        return snapshot(platform, post, url, "needs_auth", f"HTTP {status}: login wall; {NEEDS_TOKEN}")
    state, detail = http_failure(status)
    return snapshot(platform, post, url, state, detail)


def parse_meta(platform: str, post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    """The "post" response of a Meta platform: its oEmbed (with a token) or its public page."""
    if is_meta_oembed(url):
        return parse_meta_oembed(platform, post, url, status, body)
    return public_page_snapshot(platform, post, url, status, body)


def meta_token(tokens: Mapping[str, str] | None, *names: str) -> str | None:
    """The first non-empty token of `names` in the user's ARCHIVER_TOKENS."""
    for name in names:
        value = (tokens or {}).get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def meta_oembed_request(endpoint: str, item_url: str, token: str) -> CaptureRequest:
    """Meta's oEmbed with the token in an Authorization header rather than `access_token=`, so the
    URL (WARC-Target-URI, CDXJ key, crawl log, snapshot endpoint) stays free of it."""
    return CaptureRequest(endpoint_url(endpoint, item_url), "post", {"Authorization": f"Bearer {token}"})


# Graph API error codes (developers.facebook.com/docs/graph-api/guides/error-handling)
TOKEN_CODES = {102, 104, 190, 463, 467}
PERMISSION_CODES = {10, *range(200, 300)}
RATE_CODES = {4, 17, 32, 613}
BOILERPLATE = re.compile(r"^(A post shared by|View this post on|Posted by|Post by|View on Threads)", re.I)
SHARED_BY = re.compile(r"A post shared by\s+(?P<name>.+?)\s*\(@(?P<handle>[A-Za-z0-9_.]+)\)")
POST_BY = re.compile(r"^Post by\s+@?(?P<handle>[A-Za-z0-9_.]+)\s*$")


def graph_error(data: Any) -> tuple[int | None, int | None, str] | None:
    """(code, error_subcode, message) of a Graph API error body, None for anything else."""
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict):
        return None
    code, sub = error.get("code"), error.get("error_subcode")
    return (code if isinstance(code, int) else None, sub if isinstance(sub, int) else None,
            str(error.get("message") or "no message"))


def _graph_failure(code: int | None, subcode: int | None, message: str, http: int) -> tuple[str, str]:
    if code in TOKEN_CODES:
        return "needs_auth", f"Meta rejected the token (code {code}): {message}"
    if code in PERMISSION_CODES:
        return "needs_auth", f"the app may not use Meta oEmbed (code {code}): {message}"
    if code in RATE_CODES or http == 429:
        return "unavailable", f"rate limited (code {code}): {message}"
    if (code == 100 and subcode == 33) or http == 404:
        return "not_found", f"no such post, or it is not public (code {code}): {message}"
    state, detail = http_failure(http) or ("error", "Graph API error")
    return state, f"{detail} (code {code}): {message}"


def parse_meta_oembed(platform: str, post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    """Meta oEmbed (Instagram, Facebook, Threads): since Nov 2025 essentially only `html` remains,
    so author and caption come from the embed markup; thumbnail_url is used where still sent."""
    try:
        data = load_json(body)
    except ValueError as exc:
        if status != 200:
            state, detail = http_failure(status)
            return snapshot(platform, post, url, state, detail)
        return snapshot(platform, post, url, "error", str(exc))
    error = graph_error(data)
    if error or status != 200:
        state, detail = _graph_failure(*error, status) if error else http_failure(status)
        return snapshot(platform, post, url, state, detail)
    if not isinstance(data, dict) or not isinstance(data.get("html"), str):
        return snapshot(platform, post, url, "error", "not an oEmbed answer: no html")
    markup = embed_markup(data["html"])
    provider = data.get("provider_name")
    return snapshot(
        platform, post, url, "ok",
        ("oEmbed from " + provider if provider else "oEmbed") + ("" if markup["text"] else "; no caption text"),
        handle=post.handle or markup["handle"],
        author=_str(data.get("author_name")) or markup["author"],
        text=markup["text"], created_at=markup["created_at"],
        media=tuple(u for u in (_str(data.get("thumbnail_url")),) if u),
    )


def embed_markup(markup: str) -> dict[str, str | None]:
    """Author, handle, caption and time from Meta embed HTML (the A.2/A.4/A.9 blockquotes).

    Paragraphs (`<p>`) make the caption; the credit lines ("A post shared by Name (@user)",
    "Posted by <a>Page</a>", "Post by user") give the author and are not caption text."""
    found: dict[str, str | None] = {"author": None, "handle": None, "text": None, "created_at": None}
    try:
        doc = lxml_html.fragment_fromstring(markup, create_parent="div")
    except (ValueError, lxml_html.etree.ParserError):
        return found
    for bad in doc.xpath("//script|//style|//svg"):
        bad.drop_tree()
    for br in doc.iter("br"):
        br.tail = "\n" + (br.tail or "")
    paragraphs = []
    for node in doc.xpath("//blockquote//p|//blockquote//div[not(descendant::div)]"):
        text = " ".join(node.text_content().split()) if node.tag == "div" else node.text_content().strip()
        if not text:
            continue
        credit = SHARED_BY.search(text)
        post_by = POST_BY.match(text)
        if credit:
            found["author"], found["handle"] = credit["name"], credit["handle"]
        elif post_by:
            found["handle"] = post_by["handle"]
        elif node.tag == "p" and not BOILERPLATE.match(text):
            paragraphs.append("\n".join(line.strip() for line in text.splitlines()).strip())
    posted_by = doc.xpath("//blockquote//text()[starts-with(normalize-space(.), 'Posted by')]"
                          "/following-sibling::a[1]")
    if posted_by and not found["author"]:
        found["author"] = posted_by[0].text_content().strip() or None
    times = doc.xpath("//blockquote//time/@datetime")
    found["created_at"] = _utc(times[0]) if times else None
    found["text"] = "\n\n".join(p for p in paragraphs if p) or None
    return found
