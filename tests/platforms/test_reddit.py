"""Reddit: URL shapes (reference A.10), capture URLs and parsing of the JSON view (B.5),
against the recorded responses in recorded/reddit.json."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver import platforms
from archiver.model import PostRef
from archiver.platforms import reddit

RECORDED = Path(__file__).parent / "recorded"
CASES = json.loads((RECORDED / "reddit.json").read_text("utf-8"))["cases"]


def payload(answer: dict) -> bytes:
    body = answer.get("body", "")
    return json.dumps(body).encode() if isinstance(body, (dict, list)) else str(body).encode()


# -- URLs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url,post_id,canonical", [
    ("https://www.reddit.com/r/math/comments/66k3c0/what_is_your_favourite_proof/", "66k3c0",
     "https://www.reddit.com/r/math/comments/66k3c0/"),
    ("https://old.reddit.com/r/math/comments/66k3c0/what_is_your_favourite_proof/?sort=top", "66k3c0",
     "https://www.reddit.com/r/math/comments/66k3c0/"),
    ("https://redd.it/66k3c0", "66k3c0", "https://www.reddit.com/comments/66k3c0/"),
    ("https://www.redditmedia.com/r/news/comments/abc123/some_slug/def456/?ref_source=embed&ref=share&embed=true",
     "abc123/def456", "https://www.reddit.com/r/news/comments/abc123/some_slug/def456/"),
    ("https://www.redditmedia.com/r/news/comments/abc123/some_slug/?ref_source=embed&embed=true", "abc123",
     "https://www.reddit.com/r/news/comments/abc123/"),
    ("https://embed.reddit.com/r/math/comments/66k3c0/what_is_your_favourite_proof/?embed=true", "66k3c0",
     "https://www.reddit.com/r/math/comments/66k3c0/"),
    ("https://www.reddit.com/gallery/1jc6g9c", "1jc6g9c", "https://www.reddit.com/comments/1jc6g9c/"),
    ("https://www.reddit.com/user/gauge_reader/comments/1jc4k2a/my_post/", "1jc4k2a",
     "https://www.reddit.com/comments/1jc4k2a/"),
    ("https://np.reddit.com/r/europe/comments/1jc4k2a/", "1jc4k2a", "https://www.reddit.com/r/europe/comments/1jc4k2a/"),
])
def test_post_and_comment_urls(url, post_id, canonical):
    ref = platforms.match_url(url)
    assert ref == PostRef("reddit", canonical, post_id, None)  # Reddit URLs never show the author


@pytest.mark.parametrize("url", [
    "https://www.reddit.com/r/math/", "https://www.reddit.com/user/gauge_reader/", "https://i.redd.it/8f3kq2w9vxoe1.jpeg",
    "https://v.redd.it/q4w8e2r6t1y5", "https://www.reddit.com/r/europe/s/AbCdEf1234", "https://www.reddit.com/submit?url=x",
    "https://www.reddit.com/r/math/comments/",
])
def test_other_reddit_urls_are_not_posts(url):
    assert platforms.match_url(url) is None


# -- capture ------------------------------------------------------------------------------------

def test_capture_appends_json_to_the_post_url_with_a_descriptive_user_agent():
    ref = platforms.match_url("https://old.reddit.com/r/europe/comments/1jc4k2a/river_levels/")
    post, oembed = reddit.capture_requests(ref)
    assert (post.url, post.role) == ("https://www.reddit.com/r/europe/comments/1jc4k2a/.json?raw_json=1", "post")
    assert (oembed.url, oembed.role) == (
        "https://www.reddit.com/oembed?url=https%3A%2F%2Fwww.reddit.com%2Fr%2Feurope%2Fcomments%2F1jc4k2a%2F", "oembed")
    for request in (post, oembed):
        assert "embed-archiver" in request.headers["User-Agent"]


def test_comment_capture_asks_for_the_comment_permalink():
    ref = platforms.match_url("https://www.redditmedia.com/r/news/comments/abc123/some_slug/def456/?embed=true")
    assert reddit.capture_requests(ref)[0].url == \
        "https://www.reddit.com/r/news/comments/abc123/some_slug/def456/.json?raw_json=1"
    assert reddit.capture_requests(PostRef("reddit", "https://redd.it/x", None)) == []


# -- recorded responses --------------------------------------------------------------------------







def test_ok_case_counts_and_edit():
    case = next(c for c in CASES if c["name"] == "ok")
    ref = platforms.match_url(case["post_url"])
    url = reddit.capture_requests(ref)[0].url
    snap = reddit.parse(ref, url, 200, payload(case["responses"][url][0]))
    assert dict(snap.counts) == {"score": 2841, "num_comments": 312, "num_crossposts": 0}
    assert "edited 2025-03-16T10:13:20Z" in snap.detail and snap.author is None


# -- status mapping ------------------------------------------------------------------------------

REF = PostRef("reddit", "https://www.reddit.com/r/europe/comments/1jc4k2a/", "1jc4k2a")


@pytest.mark.parametrize("status,body,expected,detail", [
    (404, b'{"message": "Not Found", "error": 404}', "not_found", "HTTP 404"),
    (404, b'{"reason": "banned", "message": "Not Found", "error": 404}', "suspended", "banned"),
    (403, b'{"reason": "private", "message": "Forbidden", "error": 403}', "protected", "private subreddit"),
    (403, b'{"reason": "quarantined", "quarantine_message": "...", "error": 403}', "needs_auth", "quarantined"),
    (403, b'{"reason": "gated", "message": "Forbidden", "error": 403}', "age_restricted", "gated"),
    (403, b"<html>whoa there, pardner!</html>", "unavailable", "HTTP 403"),
    (401, b'{"message": "Unauthorized", "error": 401}', "needs_auth", "HTTP 401"),
    (410, b"", "error", "HTTP 410"),
    (429, b"Too Many Requests", "unavailable", "HTTP 429"),
    (500, b"", "unavailable", "HTTP 500"),
    (503, b"<html>down</html>", "unavailable", "HTTP 503"),
    (200, b"<html>not json</html>", "error", "malformed JSON"),
    (200, b'{"kind": "Listing", "data": {}}', "error", "not a post listing"),
    (200, b"[]", "error", "not a post listing"),
])
def test_status_mapping(status, body, expected, detail):
    snap = reddit.parse(REF, "u", status, body)
    assert snap.status == expected and detail in snap.detail and snap.text is None


def listing(post: dict, comments: list | None = None) -> bytes:
    return json.dumps([{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": post}]}},
                       {"kind": "Listing", "data": {"children": comments or []}}]).encode()


BASE = {"id": "1jc4k2a", "title": "T", "selftext": "S", "author": "a", "created_utc": 1742118067,
        "permalink": "/r/europe/comments/1jc4k2a/t/", "subreddit": "europe", "is_self": True, "score": 1}


def test_deleted_account_keeps_the_post_but_not_the_handle():
    snap = reddit.parse(REF, "u", 200, listing({**BASE, "author": "[deleted]"}))
    assert (snap.status, snap.handle, snap.text) == ("ok", None, "T\n\nS")
    assert "account deleted" in snap.detail


def test_removed_by_reddit_and_removed_without_category():
    snap = reddit.parse(REF, "u", 200, listing({**BASE, "removed_by_category": "reddit", "selftext": ""}))
    assert (snap.status, snap.text, snap.media) == ("deleted", "T", ())
    assert "removed by Reddit" in snap.detail
    snap = reddit.parse(REF, "u", 200, listing({**BASE, "selftext": "[removed]"}))
    assert snap.status == "deleted" and "moderators or by Reddit" in snap.detail


def test_outbound_link_post_names_its_link_and_has_no_media():
    snap = reddit.parse(REF, "u", 200, listing({**BASE, "is_self": False, "selftext": "",
                                                "url": "https://news.example.com/story.html"}))
    assert snap.text == "T" and snap.media == () and "links to https://news.example.com/story.html" in snap.detail


def test_comment_missing_from_the_thread_is_not_found():
    ref = PostRef("reddit", "https://www.reddit.com/r/europe/comments/1jc4k2a/t/zzz999/", "1jc4k2a/zzz999")
    snap = reddit.parse(ref, "u", 200, listing(BASE))
    assert snap.status == "not_found" and "zzz999" in snap.detail


def test_top_level_comment_replies_to_the_post_and_deleted_comment():
    ref = PostRef("reddit", "https://www.reddit.com/r/europe/comments/1jc4k2a/t/c1/", "1jc4k2a/c1")
    comment = {"kind": "t1", "data": {"id": "c1", "author": "b", "body": "Yes.", "created_utc": 1742118100,
                                      "parent_id": "t3_1jc4k2a", "permalink": "/r/europe/comments/1jc4k2a/t/c1/",
                                      "score": 4}}
    snap = reddit.parse(ref, "u", 200, listing(BASE, [comment]))
    assert (snap.status, snap.handle, snap.text) == ("ok", "b", "Yes.")
    assert snap.related == (("replies_to", "https://www.reddit.com/r/europe/comments/1jc4k2a/"),)
    comment["data"].update(body="[deleted]", author="[deleted]")
    assert reddit.parse(ref, "u", 200, listing(BASE, [comment])).status == "deleted"
