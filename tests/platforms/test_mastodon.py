"""Mastodon and Truth Social: URL shapes (reference A.8), capture URLs and parsing (B.4),
against the recorded responses in recorded/{mastodon,truthsocial}.json."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from archiver import platforms
from archiver.model import PostRef
from archiver.platforms import mastodon, truthsocial
from archiver.platforms.base import iso_utc

# -- URLs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url,platform,post_id,canonical,handle", [
    ("https://mastodon.social/@Gargron/114638610368343397", "mastodon", "114638610368343397",
     "https://mastodon.social/@Gargron/114638610368343397", "Gargron@mastodon.social"),
    ("https://mastodon.social/@trwnh/99664077509711321/embed", "mastodon", "99664077509711321",
     "https://mastodon.social/@trwnh/99664077509711321", "trwnh@mastodon.social"),
    # remote account seen from another instance: the id is local to mastodon.social
    ("https://mastodon.social/@editor@journa.host/113400000000000303", "mastodon", "113400000000000303",
     "https://mastodon.social/@editor@journa.host/113400000000000303", "editor@journa.host"),
    ("https://journa.host/users/editor/statuses/111222333444555666", "mastodon", "111222333444555666",
     "https://journa.host/@editor/111222333444555666", "editor@journa.host"),
    ("https://hachyderm.io/deck/@harbourmaster/113399000000000055", "mastodon", "113399000000000055",
     "https://hachyderm.io/@harbourmaster/113399000000000055", "harbourmaster@hachyderm.io"),
    ("https://truthsocial.com/@realDonaldTrump/posts/113870000000000000", "truthsocial", "113870000000000000",
     "https://truthsocial.com/@realDonaldTrump/113870000000000000", "realDonaldTrump"),
    ("https://truthsocial.com/@realDonaldTrump/114123456789012345/embed", "truthsocial", "114123456789012345",
     "https://truthsocial.com/@realDonaldTrump/114123456789012345", "realDonaldTrump"),
])
def test_status_urls(url, platform, post_id, canonical, handle):
    ref = platforms.match_url(url)
    assert ref == PostRef(platform, canonical, post_id, handle)


@pytest.mark.parametrize("url", [
    "https://mastodon.social/@Gargron", "https://mastodon.social/tags/flood", "https://mastodon.social/@/123",
    "https://mastodon.social/@Gargron/114638610368343397/reblogs", "https://truthsocial.com/@realDonaldTrump",
    "https://mastodon.social/explore",
])
def test_other_urls_are_not_statuses(url):
    assert platforms.match_url(url) is None


def test_any_instance_matches_through_the_module():
    """The registry lists well-known instances; embed markup reaches the module for any host."""
    assert platforms.match_url("https://social.example.net/@alice/109876543210987654") is None
    ref = mastodon.match_url(urlsplit("https://social.example.net/@alice/109876543210987654/embed"))
    assert ref == PostRef("mastodon", "https://social.example.net/@alice/109876543210987654",
                          "109876543210987654", "alice@social.example.net")


# -- capture ------------------------------------------------------------------------------------

def test_capture_asks_the_instance_of_the_post_url():
    ref = platforms.match_url("https://mastodon.social/@editor@journa.host/113400000000000303")
    requests = mastodon.capture_requests(ref)
    assert [(r.url, r.role) for r in requests] == [
        ("https://mastodon.social/api/v1/statuses/113400000000000303", "post"),
        ("https://mastodon.social/api/oembed?url=https%3A%2F%2Fmastodon.social%2F%40editor%40journa.host"
         "%2F113400000000000303", "oembed"),
    ]


def test_truthsocial_capture_uses_the_same_api():
    ref = platforms.match_url("https://truthsocial.com/@liberty_ledger/posts/114200000000000101")
    assert [(r.url, r.role) for r in truthsocial.capture_requests(ref)] == [
        ("https://truthsocial.com/api/v1/statuses/114200000000000101", "post"),
        ("https://truthsocial.com/api/oembed?url=https%3A%2F%2Ftruthsocial.com%2F%40liberty_ledger"
         "%2F114200000000000101", "oembed"),
    ]


def test_no_capture_without_a_numeric_id():
    assert mastodon.capture_requests(PostRef("mastodon", "https://mastodon.social/@a/x", "x")) == []
    assert mastodon.capture_requests(PostRef("mastodon", "https://mastodon.social/@a/1", None)) == []


# -- recorded responses --------------------------------------------------------------------------







# -- status mapping ------------------------------------------------------------------------------

REF = PostRef("mastodon", "https://mastodon.social/@a/113400000000000101", "113400000000000101", "a@mastodon.social")
TS_REF = PostRef("truthsocial", "https://truthsocial.com/@a/114200000000000101", "114200000000000101", "a")
CLOUDFLARE = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>"


@pytest.mark.parametrize("status,body,expected,detail", [
    (404, b'{"error":"Record not found"}', "not_found", "private"),
    (410, b'{"error":"Gone"}', "deleted", "HTTP 410"),
    (401, b'{"error":"This API requires an authenticated user"}', "needs_auth", "requires an authenticated user"),
    (403, b'{"error":"This action is not allowed"}', "protected", "not allowed"),
    (403, CLOUDFLARE, "unavailable", "bot protection"),
    (429, b'{"error":"Too many requests"}', "unavailable", "HTTP 429"),
    (500, b"<html>oops</html>", "unavailable", "HTTP 500"),
    (503, b"", "unavailable", "HTTP 503"),
    (418, b"", "error", "HTTP 418"),
    (200, b"<html>not json</html>", "error", "malformed JSON"),
    (200, b'["not", "a", "status"]', "error", "not a Status"),
    (200, b'{"error":"Record not found"}', "error", "Record not found"),
])
def test_mastodon_status_mapping(status, body, expected, detail):
    snap = mastodon.parse(REF, "u", status, body)
    assert snap.status == expected and detail in snap.detail
    assert snap.handle == "a@mastodon.social" and snap.text is None


@pytest.mark.parametrize("status,body,expected", [
    (403, b'{"error":"This action is not allowed"}', "unavailable"),  # never claimed private
    (403, CLOUDFLARE, "unavailable"),
    (404, b'{"error":"Record not found"}', "not_found"),
    (429, b"", "unavailable"),
    (200, b"{", "error"),
])
def test_truthsocial_status_mapping(status, body, expected):
    snap = truthsocial.parse(TS_REF, "u", status, body)
    assert (snap.platform, snap.status) == ("truthsocial", expected)


# -- parsing details -----------------------------------------------------------------------------

def status_json(**extra) -> bytes:
    data = {"id": "113400000000000101", "created_at": "2025-03-16T09:41:07.000Z", "content": "<p>Hi</p>",
            "account": {"id": "1", "username": "a", "acct": "a", "display_name": ""},
            "media_attachments": [], "mentions": []}
    data.update(extra)
    return json.dumps(data).encode()


def test_text_keeps_line_breaks_paragraphs_and_full_link_urls():
    html = ('<p>One &amp; two<br>three</p><p><a href="https://example.org/a/long/path">'
            '<span class="invisible">https://</span><span class="ellipsis">example.org/a/lo</span>'
            '<span class="invisible">ng/path</span></a></p>'
            '<p class="quote-inline">RE: <a href="https://x.example/@b/1">https://x.example/@b/1</a></p>')
    assert mastodon.html_to_text(html) == "One & two\nthree\n\nhttps://example.org/a/long/path"
    assert mastodon.html_to_text("") is None and mastodon.html_to_text(None) is None


@pytest.mark.parametrize("value,expected", [
    ("2025-03-16T09:41:07.512Z", "2025-03-16T09:41:07.512Z"),
    ("2025-03-16T10:41:07+01:00", "2025-03-16T09:41:07Z"),
    ("2025-03-16T09:41:07", "2025-03-16T09:41:07Z"),
    ("yesterday", None), (None, None), (1742118067, None),
])
def test_iso_utc(value, expected):
    assert iso_utc(value) == expected


def test_local_author_gets_the_instance_in_the_handle_and_display_name_falls_back():
    snap = mastodon.parse(REF, "u", 200, status_json())
    assert (snap.status, snap.handle, snap.author, snap.text) == ("ok", "a@mastodon.social", "a", "Hi")
    assert snap.created_at == "2025-03-16T09:41:07Z"


def test_self_reply_and_boost_relations():
    snap = mastodon.parse(REF, "u", 200, status_json(
        in_reply_to_id="113400000000000050", in_reply_to_account_id="1",
        reblog={"id": "113300000000000009", "account": {"id": "7", "acct": "b@other.example"}}))
    assert snap.related == (("replies_to", "https://mastodon.social/@a/113400000000000050"),
                            ("quotes", "https://mastodon.social/@b@other.example/113300000000000009"))
    assert "boost" in snap.detail


def test_reply_to_an_unnamed_account_is_noted_not_guessed():
    snap = mastodon.parse(REF, "u", 200, status_json(in_reply_to_id="5", in_reply_to_account_id="99"))
    assert snap.related == () and "reply to status 5" in snap.detail


def test_shallow_or_pending_quotes_are_noted():
    snap = mastodon.parse(REF, "u", 200, status_json(quote={"state": "pending", "quoted_status": None}))
    assert snap.related == () and "quote pending" in snap.detail


def test_media_falls_back_to_the_remote_url_and_counts_are_ints():
    snap = mastodon.parse(REF, "u", 200, status_json(
        media_attachments=[{"type": "image", "url": None, "remote_url": "https://files.example/x.png"},
                           {"type": "video", "url": "https://files.example/v.mp4"}],
        replies_count=1, reblogs_count=2, favourites_count=3, quotes_count=True))
    assert snap.media == ("https://files.example/x.png", "https://files.example/v.mp4")
    assert dict(snap.counts) == {"replies_count": 1, "reblogs_count": 2, "favourites_count": 3}
