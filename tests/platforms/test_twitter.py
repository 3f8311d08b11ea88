from __future__ import annotations

import json
import random
import shutil
import subprocess

import pytest

from archiver.model import PostRef
from archiver.platforms import match_url, twitter

# Test vectors from the reference (computed by Node 20).
VECTORS = {"20": "6dq1a2xwd93", "463440424141459456": "14fxvks611f", "1636796541368139777": "3yu5bsma9e",
           "1684218600456876032": "42z4mwgp9h8", "1703436713362870723": "44ni5iyte19"}


@pytest.mark.parametrize("post_id,token", VECTORS.items())
def test_syndication_token_matches_the_reference_vectors(post_id, token):
    assert twitter.syndication_token(post_id) == token


def test_syndication_token_matches_javascript_on_random_ids():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the cross-check against JavaScript needs it")
    rng = random.Random(7)
    ids = [str(rng.randrange(10**17, 2**63)) for _ in range(300)] + [str(rng.randrange(1, 10**12)) for _ in range(50)]
    script = ("const ids = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
              "console.log(JSON.stringify(ids.map(id => ((Number(id) / 1e15) * Math.PI)"
              ".toString(36).replace(/(0+|\\.)/g, ''))));")
    expected = json.loads(subprocess.run([node, "-e", script], input=json.dumps(ids), capture_output=True,
                                         text=True, check=True).stdout)
    assert [twitter.syndication_token(i) for i in ids] == expected


def test_snowflake_gives_the_creation_time():
    assert twitter.created_from_id("1636796541368139777") == "2023-03-17T18:28:00.328Z"
    assert twitter.created_from_id("20") is None  # pre-snowflake ids carry no time


@pytest.mark.parametrize("url,post_id,handle", [
    ("https://twitter.com/wartranslated/status/1901199946615513871?ref_src=twsrc%5Etfw", "1901199946615513871", "wartranslated"),
    ("https://x.com/UkrReview/status/1901263954598284197/photo/1", "1901263954598284197", "UkrReview"),
    ("https://mobile.twitter.com/i/web/status/123456789", "123456789", None),
    ("https://twitter.com/intent/tweet?url=x", None, None),
    ("https://twitter.com/wartranslated", None, None),
    ("https://t.co/gnQ2SJcZjv", None, None),
])
def test_status_urls(url, post_id, handle):
    ref = match_url(url)
    assert (ref.post_id if ref else None) == post_id
    if ref:
        assert ref.handle == handle and ref.url.startswith("https://twitter.com/")


def body(data) -> bytes:
    return json.dumps(data).encode()


REF = PostRef("twitter", "https://twitter.com/a/status/1901199946615513871", "1901199946615513871", "a")


def test_parse_visible_post():
    snap = twitter.parse(REF, "u", 200, body({
        "__typename": "Tweet", "id_str": REF.post_id, "text": "hello https://t.co/x", "created_at": "2025-03-16T09:00:00.000Z",
        "user": {"screen_name": "a", "name": "A"}, "favorite_count": 3,
        "mediaDetails": [{"type": "photo", "media_url_https": "https://pbs.twimg.com/media/x.jpg"},
                         {"type": "video", "media_url_https": "https://pbs.twimg.com/t.jpg", "video_info": {"variants": [
                             {"content_type": "video/mp4", "bitrate": 100, "url": "https://video.twimg.com/lo.mp4"},
                             {"content_type": "video/mp4", "bitrate": 900, "url": "https://video.twimg.com/hi.mp4"},
                             {"content_type": "application/x-mpegURL", "url": "https://video.twimg.com/x.m3u8"}]}}]}))
    assert (snap.status, snap.handle, snap.author, snap.text) == ("ok", "a", "A", "hello https://t.co/x")
    assert snap.media == ("https://pbs.twimg.com/media/x.jpg?name=orig", "https://video.twimg.com/hi.mp4")
    assert dict(snap.counts) == {"favorite_count": 3}


@pytest.mark.parametrize("status,data,expected", [
    (200, {"__typename": "TweetTombstone", "tombstone": {"text": {"text": "This Post was deleted by the Post author. Learn more"}}}, "deleted"),
    (200, {"__typename": "TweetTombstone", "tombstone": {}}, "unavailable"),
    (200, {}, "not_found"),
    (404, None, "not_found"),
    (429, None, "unavailable"),
    (200, {"__typename": "Tweet", "id_str": "1", "text": "x"}, "unavailable"),  # no user: suspended author
])
def test_parse_outcomes(status, data, expected):
    snap = twitter.parse(REF, "u", status, body(data) if data is not None else b"")
    assert snap.status == expected and snap.detail
    assert snap.created_at == "2025-03-16T09:12:44.517Z"  # from the snowflake, even when gone


def test_parse_malformed_body_is_an_error_not_an_exception():
    assert twitter.parse(REF, "u", 200, b"{not json").status == "error"
