"""Mastodon statuses on any instance (reference A.8, B.4). Truth Social reuses this module.

Capture: the instance's REST API `GET https://<instance>/api/v1/statuses/<id>` (public statuses
need no token) is parsed into the snapshot; `GET https://<instance>/api/oembed?url=<post URL>` is
recorded beside it. Status ids are local to the instance that shows them, so both go to the host
of the post URL, never to the author's home server.

Handles are always `user@domain`: the API's `account.acct` is bare for an account of the instance
itself and `user@origin` for a remote one; a bare acct gets `@<instance>` appended. That is the
form `match_url` gives for `/@user/<id>` (-> user@instance) and `/@user@origin/<id>` (-> user@origin).
Truth Social, a single-instance platform, keeps bare handles (see truthsocial.py).

How HTTP answers map to statuses:
  200 + a Status           ok
  404                      not_found (Mastodon answers 404 alike for deleted and for private,
                           followers-only or hidden statuses: the detail says so)
  410                      deleted
  401                      needs_auth (the instance does not serve its API to anonymous clients)
  403 + a Mastodon error   protected (the instance refuses this status to us)
  403 without one          unavailable (bot protection in front of the instance, not the author)
  429, 5xx                 unavailable
  other, malformed JSON    error
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from urllib.parse import SplitResult, quote, urlsplit

import lxml.html
from lxml import etree

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, iso_utc, load_json, path_segments, ref, snapshot

NAME = "mastodon"
# Well-known instances; embed markup (blockquote.mastodon-embed, /@user/<id>/embed) matches on any host.
HOSTS = ("mastodon.social", "mastodon.online", "mstdn.social", "mas.to", "fosstodon.org",
         "hachyderm.io", "infosec.exchange", "journa.host", "mastodon.world", "mstdn.jp")
# web-UI prefixes in front of /@user/<id>: /deck/@user/<id> (advanced UI), /web/@user/<id> (before 4.0)
UI_PREFIXES = ("deck", "web")


def match_url(parts: SplitResult, platform: str = NAME) -> PostRef | None:
    seg = path_segments(parts)
    host = parts.hostname or ""
    if seg and seg[-1] == "embed":
        seg = seg[:-1]
    if seg[:1] and seg[0] in UI_PREFIXES:
        seg = seg[1:]
    if len(seg) >= 3 and seg[0].startswith("@") and seg[1] == "posts":  # truthsocial.com/@u/posts/<id>
        seg = [seg[0], seg[2]]
    if len(seg) == 2 and seg[0].startswith("@") and len(seg[0]) > 1 and seg[1].isdigit():
        user = seg[0][1:]
        handle = user if "@" in user else f"{user}@{host}"
        return ref(platform, f"https://{host}/@{user}/{seg[1]}", seg[1], handle)
    if len(seg) == 4 and seg[0] == "users" and seg[2] == "statuses" and seg[3].isdigit():
        return ref(platform, f"https://{host}/@{seg[1]}/{seg[3]}", seg[3], f"{seg[1]}@{host}")
    return None


# -- capture ------------------------------------------------------------------------------------

def instance_of(post: PostRef) -> str | None:
    return (urlsplit(post.url).hostname or "").lower() or None


def capture_requests(post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
    instance = instance_of(post)
    if not post.post_id or not post.post_id.isdigit() or not instance:
        return []
    return [
        CaptureRequest(f"https://{instance}/api/v1/statuses/{post.post_id}", "post"),
        CaptureRequest(f"https://{instance}/api/oembed?url={quote(post.url, safe='')}", "oembed"),
    ]


# -- parsing helpers (shared with truthsocial) ---------------------------------------------------

def html_to_text(content: object) -> str | None:
    """Mastodon's sanitised status HTML as plain text: <br> is a line break, paragraphs are
    separated by a blank line, links show their full URL (the hidden `invisible` spans included).
    The `quote-inline` fallback paragraph ("RE: <url>") is dropped: the quote is in `related`."""
    if not isinstance(content, str) or not content.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(content, create_parent="div")
    except (etree.ParserError, ValueError):
        return None
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if "quote-inline" in (el.get("class") or "").split() and el.getparent() is not None:
            el.drop_tree()
    for el in root.iter():
        if el.tag == "br":
            el.tail = "\n" + (el.tail or "")
        elif el.tag in ("p", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"):
            el.tail = "\n\n" + (el.tail or "")
        elif el.tag == "li":
            el.tail = "\n" + (el.tail or "")
    lines = [line.strip(" \t\r\xa0") for line in root.text_content().split("\n")]
    text = "\n".join(lines).strip("\n")
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text or None


def full_handle(acct: str, instance: str) -> str:
    """user@domain for any acct: a local account's bare acct gets the instance appended."""
    return acct if "@" in acct else f"{acct}@{instance}"


def status_url(instance: str, acct: str, status_id: str) -> str:
    """The status's URL on `instance` (ids are local to it), in match_url's canonical form."""
    return f"https://{instance}/@{acct}/{status_id}"


def _error_text(body: bytes) -> str | None:
    """The `error` of a Mastodon JSON error body; None when the body is not one."""
    try:
        data = load_json(body)
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("error"), str):
        return data["error"]
    return None


def _acct_of(data: dict, account_id: object) -> str | None:
    """The acct of the account with `account_id`, from the status's author or its mentions
    (Mastodon mentions the author being replied to; a self-reply has the author's own id)."""
    if account_id is None:
        return None
    account = data.get("account") or {}
    if str(account.get("id")) == str(account_id) and account.get("acct"):
        return account["acct"]
    for mention in data.get("mentions") or []:
        if isinstance(mention, dict) and str(mention.get("id")) == str(account_id) and mention.get("acct"):
            return mention["acct"]
    return None


def _nested_status(value: object) -> dict | None:
    """A full Status inside `quote` / `reblog`: Mastodon 4.5's Quote {state, quoted_status},
    or a bare Status (Truth Social, Pleroma-style `quote`). None for a shallow or missing one."""
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("quoted_status"), dict):
        value = value["quoted_status"]
    if value.get("id") and isinstance(value.get("account"), dict) and value["account"].get("acct"):
        return value
    return None


def _related(data: dict, instance: str) -> tuple[list[tuple[str, str]], list[str]]:
    """(relation, URL) pairs, and notes for the detail when a relation has no usable URL."""
    related: list[tuple[str, str]] = []
    notes: list[str] = []
    parent_id = data.get("in_reply_to_id")
    if parent_id:
        parent = _nested_status(data.get("in_reply_to"))  # Truth Social inlines the parent
        acct = parent["account"]["acct"] if parent else _acct_of(data, data.get("in_reply_to_account_id"))
        if acct:
            related.append(("replies_to", status_url(instance, acct, str(parent_id))))
        else:
            notes.append(f"reply to status {parent_id} of an account the status does not name")
    for key in ("quote", "reblog"):
        inner = _nested_status(data.get(key))
        if inner:
            related.append(("quotes", status_url(instance, inner["account"]["acct"], str(inner["id"]))))
            if key == "reblog":
                notes.append("boost")
        elif key == "quote" and isinstance(data.get("quote"), dict) and data["quote"].get("state"):
            notes.append(f"quote {data['quote']['state']}")  # pending, rejected, revoked, deleted, ...
    if not any(rel == "quotes" for rel, _ in related) and data.get("quote_id"):
        notes.append(f"quotes status {data['quote_id']}")
    return related, notes


def _media(data: dict) -> list[str]:
    urls: list[str] = []
    for attachment in data.get("media_attachments") or []:
        if not isinstance(attachment, dict):
            continue
        url = attachment.get("url") or attachment.get("remote_url")
        if isinstance(url, str) and url and url not in urls:
            urls.append(url)
    return urls


COUNTS = ("replies_count", "reblogs_count", "favourites_count", "quotes_count")


def parse_status(post: PostRef, url: str, status: int, body: bytes, *, platform: str = NAME,
                 bare_local_handles: bool = False, bot_protected: bool = False) -> PostSnapshot:
    """Snapshot from a /api/v1/statuses/<id> answer of a Mastodon-compatible server.
    `bare_local_handles`: local accounts keep a bare handle (single-instance platforms).
    `bot_protected`: every 403 is the server's bot protection, never the author's choice."""
    instance = instance_of(post) or ""

    snap = partial(snapshot, platform, post, url)  # an outcome other than the post

    def http(reason: str | None = None) -> str:
        return f"HTTP {status}: {reason}" if reason else f"HTTP {status}"

    if status != 200:
        error = _error_text(body)
        if status == 404:
            return snap("not_found", http(error or "Record not found") + " (the Mastodon API answers 404 alike "
                        "for a deleted status and for one the public may not see: private, followers-only or hidden)")
        if status == 410:
            return snap("deleted", http(error or "gone"))
        if status == 401:
            return snap("needs_auth", http(error or "unauthorized")
                        + " (the instance does not serve its API to anonymous clients)")
        if status == 403:
            if bot_protected or error is None:
                return snap("unavailable", http(error) + " (refused by the server's bot protection, "
                            "not a sign that the post is private)")
            return snap("protected", http(error))
        if status == 429 or status >= 500:
            return snap("unavailable", http(error))
        return snap("error", http(error))
    try:
        data = load_json(body)
    except ValueError as exc:
        return snap("error", str(exc))
    if not isinstance(data, dict) or not data.get("id") or not isinstance(data.get("account"), dict):
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            return snap("error", f"HTTP 200 with error: {data['error']}")
        return snap("error", "unexpected JSON shape (not a Status)")
    account = data["account"]
    acct = account.get("acct") or account.get("username")
    if acct:
        handle = acct if (bare_local_handles and "@" not in acct) else full_handle(acct, instance)
    else:
        handle = post.handle
    related, notes = _related(data, instance)
    if data.get("spoiler_text"):
        notes.insert(0, f"content warning: {data['spoiler_text']}")
    if data.get("edited_at"):
        notes.append(f"edited {iso_utc(data['edited_at']) or data['edited_at']}")
    if account.get("limited"):
        notes.append("account limited by the instance's moderators")
    counts = tuple(sorted((k, int(data[k])) for k in COUNTS
                          if isinstance(data.get(k), (int, float)) and not isinstance(data.get(k), bool)))
    return PostSnapshot(
        platform=platform, post_id=post.post_id, url=post.url, status="ok", endpoint=url,
        handle=handle, author=account.get("display_name") or account.get("username") or None,
        text=html_to_text(data.get("content")),
        created_at=iso_utc(data.get("created_at")) or data.get("created_at") or None,
        media=tuple(_media(data)), counts=counts, detail="; ".join(notes) or None,
        related=tuple(related),
    )


def parse(post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
    return parse_status(post, url, status, body)
