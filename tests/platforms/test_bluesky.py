"""Bluesky: URL shapes (reference A.7), capture URLs and parsing of getPostThread (B.3),
against the recorded responses in recorded/bluesky.json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver import platforms
from archiver.model import PostRef
from archiver.platforms import bluesky

RECORDED = Path(__file__).parent / "recorded"
DEMO_THREAD = (Path(platforms.__file__).resolve().parent.parent / "demo" / "site" / "ext" / "public.api.bsky.app"
               / "getPostThread" / "did_plc_krhkwztjrthaij2ndvpmsf2v" / "3lkisp3v5hk4p.json")
DID = "did:plc:pqeikn4fnyts5seuh5bazj7b"


# -- URLs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url,canonical,handle", [
    ("https://bsky.app/profile/jane.bsky.social/post/3la4vfasktq27",
     "https://bsky.app/profile/jane.bsky.social/post/3la4vfasktq27", "jane.bsky.social"),
    (f"https://bsky.app/profile/{DID}/post/3la4vfasktq27?ref_src=embed",
     f"https://bsky.app/profile/{DID}/post/3la4vfasktq27", DID),
    (f"https://embed.bsky.app/embed/{DID}/app.bsky.feed.post/3la4vfasktq27?id=6470&ref_url=https%253A%252F%252Fx",
     f"https://bsky.app/profile/{DID}/post/3la4vfasktq27", DID),
])
def test_post_urls(url, canonical, handle):
    assert platforms.match_url(url) == PostRef("bluesky", canonical, "3la4vfasktq27", handle)


@pytest.mark.parametrize("url", [
    "https://bsky.app/profile/jane.bsky.social", f"https://embed.bsky.app/embed/{DID}/app.bsky.feed.generator/news",
    "https://bsky.app/search?q=flood", "https://embed.bsky.app/static/embed.js",
])
def test_other_bluesky_urls_are_not_posts(url):
    assert platforms.match_url(url) is None


def test_at_uri_round_trip():
    ref = bluesky.from_at_uri(f"at://{DID}/app.bsky.feed.post/3la4vfasktq27", "jane.bsky.social")
    assert (ref.url, ref.handle) == (f"https://bsky.app/profile/{DID}/post/3la4vfasktq27", "jane.bsky.social")
    assert bluesky.at_uri(ref) == f"at://{DID}/app.bsky.feed.post/3la4vfasktq27"
    assert bluesky.from_at_uri(f"at://{DID}/app.bsky.feed.like/3la4vfasktq27") is None


# -- capture ------------------------------------------------------------------------------------

def test_handle_url_records_the_handle_resolution_too():
    ref = platforms.match_url("https://bsky.app/profile/jane.bsky.social/post/3la4vfasktq27")
    assert [(r.url, r.role) for r in bluesky.capture_requests(ref)] == [
        ("https://public.api.bsky.app/xrpc/app.bsky.feed.getPostThread?uri=at%3A%2F%2Fjane.bsky.social%2F"
         "app.bsky.feed.post%2F3la4vfasktq27&depth=0&parentHeight=1", "post"),
        ("https://public.api.bsky.app/xrpc/com.atproto.identity.resolveHandle?handle=jane.bsky.social", "identity"),
        ("https://embed.bsky.app/oembed?url=https%3A%2F%2Fbsky.app%2Fprofile%2Fjane.bsky.social%2Fpost%2F"
         "3la4vfasktq27&format=json", "oembed"),
    ]


def test_did_url_needs_no_resolution():
    ref = platforms.match_url(f"https://bsky.app/profile/{DID}/post/3la4vfasktq27")
    requests = bluesky.capture_requests(ref)
    assert [r.role for r in requests] == ["post", "oembed"]
    assert "uri=at%3A%2F%2Fdid%3Aplc%3Apqeikn4fnyts5seuh5bazj7b%2Fapp.bsky.feed.post%2F3la4vfasktq27" in requests[0].url


# -- recorded responses --------------------------------------------------------------------------







def test_demo_thread_still_parses_with_did_and_counts():
    ref = bluesky.from_at_uri("at://did:plc:krhkwztjrthaij2ndvpmsf2v/app.bsky.feed.post/3lkisp3v5hk4p")
    snap = bluesky.parse(ref, "u", 200, DEMO_THREAD.read_bytes())
    assert (snap.status, snap.handle, snap.created_at) == ("ok", "osint-notebook.bsky.social", "2025-03-16T14:05:31.118Z")
    assert snap.detail.startswith("did:plc:krhkwztjrthaij2ndvpmsf2v; cid bafyrei")
    assert dict(snap.counts) == {"likeCount": 342, "quoteCount": 6, "replyCount": 14, "repostCount": 87}


# -- status mapping ------------------------------------------------------------------------------

REF = PostRef("bluesky", "https://bsky.app/profile/jane.bsky.social/post/3la4vfasktq27", "3la4vfasktq27",
              "jane.bsky.social")


@pytest.mark.parametrize("status,body,expected,detail", [
    (400, b'{"error":"NotFound","message":"Post not found: at://x"}', "not_found", "NotFound"),
    (400, b'{"error":"InvalidRequest","message":"Unable to resolve handle"}', "not_found", "no longer names"),
    (400, b'{"error":"InvalidRequest","message":"Params must have the property \\"uri\\""}', "error", "InvalidRequest"),
    (400, b'{"error":"AccountTakedown","message":"Account has been suspended"}', "suspended", "AccountTakedown"),
    (400, b'{"error":"AccountDeactivated","message":"Account is deactivated"}', "unavailable", "deactivated"),
    (400, b'{"error":"BlockedByActor"}', "protected", "BlockedByActor"),
    (401, b'{"error":"AuthMissing","message":"Authentication Required"}', "needs_auth", "AuthMissing"),
    (401, b"", "needs_auth", "HTTP 401"),
    (403, b"<html>Forbidden</html>", "unavailable", "HTTP 403"),
    (404, b"<html>Not Found</html>", "unavailable", "HTTP 404"),
    (410, b'{"error":"Gone"}', "error", "HTTP 410"),
    (429, b'{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}', "unavailable", "RateLimitExceeded"),
    (500, b'{"error":"InternalServerError"}', "unavailable", "HTTP 500"),
    (502, b"<html>Bad Gateway</html>", "unavailable", "HTTP 502"),
    (200, b"not json", "error", "malformed JSON"),
    (200, b"{}", "error", "no thread"),
    (200, b'{"thread": {"$type": "app.bsky.feed.defs#threadViewPost"}}', "error", "without a post"),
])
def test_status_mapping(status, body, expected, detail):
    snap = bluesky.parse(REF, "u", status, body)
    assert snap.status == expected and detail in snap.detail
    assert snap.handle == "jane.bsky.social" and snap.text is None


# -- parsing details -----------------------------------------------------------------------------

def thread(post_extra=None, record_extra=None, **thread_extra) -> bytes:
    record = {"$type": "app.bsky.feed.post", "text": "Hi", "createdAt": "2025-03-16T14:05:31Z", **(record_extra or {})}
    post = {"uri": f"at://{DID}/app.bsky.feed.post/3la4vfasktq27", "cid": "bafyreiabc",
            "author": {"did": DID, "handle": "jane.bsky.social"}, "record": record, **(post_extra or {})}
    return json.dumps({"thread": {"$type": "app.bsky.feed.defs#threadViewPost", "post": post, **thread_extra}}).encode()


def test_reply_parent_from_the_record_when_the_thread_has_none():
    other = "did:plc:f6nv65cdnbunqiz246fdxyb2"
    snap = bluesky.parse(REF, "u", 200, thread(record_extra={"reply": {
        "root": {"uri": f"at://{other}/app.bsky.feed.post/3lroot2222222", "cid": "x"},
        "parent": {"uri": f"at://{other}/app.bsky.feed.post/3lparent22222", "cid": "y"}}}))
    assert snap.related == (("replies_to", f"https://bsky.app/profile/{other}/post/3lparent22222"),)


def test_parent_not_found_still_names_the_parent():
    snap = bluesky.parse(REF, "u", 200, thread(parent={
        "$type": "app.bsky.feed.defs#notFoundPost", "uri": f"at://{DID}/app.bsky.feed.post/3lgone2222222", "notFound": True}))
    assert snap.related == (("replies_to", f"https://bsky.app/profile/{DID}/post/3lgone2222222"),)


def test_invalid_handle_falls_back_and_embedded_record_of_an_invalid_handle_uses_the_did():
    other = "did:plc:33rqce64kfka5zixhic5wz7f"
    snap = bluesky.parse(REF, "u", 200, thread(post_extra={
        "author": {"did": DID, "handle": "handle.invalid", "labels": [{"val": "!no-unauthenticated"}]},
        "embed": {"$type": "app.bsky.embed.record#view", "record": {
            "$type": "app.bsky.embed.record#viewRecord", "uri": f"at://{other}/app.bsky.feed.post/3lquoted22222",
            "author": {"did": other, "handle": "handle.invalid"}, "value": {}}}}))
    assert snap.handle == "jane.bsky.social"
    assert snap.related == (("embeds", f"https://bsky.app/profile/{other}/post/3lquoted22222"),)
    assert "logged-out" in snap.detail


def test_an_embedded_feed_generator_is_not_a_related_post():
    snap = bluesky.parse(REF, "u", 200, thread(post_extra={"embed": {
        "$type": "app.bsky.embed.record#view", "record": {
            "$type": "app.bsky.feed.defs#generatorView", "uri": f"at://{DID}/app.bsky.feed.generator/news"}}}))
    assert snap.status == "ok" and snap.related == ()
