"""oEmbed capture of YouTube, TikTok, Vimeo, Dailymotion, Spotify and SoundCloud: the requests
each platform makes, every recorded case (tests/platforms/recorded/<name>.json) parsed the way
the crawl parses it, and the HTTP status mapping (reference B.6, B.7, B.9)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver import platforms
from archiver.model import POST_STATUSES, PostRef
from archiver.platforms import media, oembed, tiktok, youtube

from ..e2e.recorded import body_bytes
from .test_recorded import assert_as_expected

RECORDED = Path(__file__).parent / "recorded"
OEMBED_PLATFORMS = ("youtube", "vimeo", "dailymotion", "tiktok", "spotify", "soundcloud")
TOKENS = {"meta": "123456|client-token"}


def load(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text("utf-8"))


def crawl_snapshot(case: dict, tokens=None):
    """What the crawl indexes for a case: the "post" request's answers in order (a 429 or 5xx is
    retried while answers remain), the last one parsed."""
    post = platforms.match_url(case["post_url"])
    module = platforms.get(post.platform)
    url = next(r.url for r in module.capture_requests(post, tokens) if r.role == "post")
    answers = case["responses"][url]
    for answer in answers:
        status = int(answer.get("status", 200))
        if (status == 429 or status >= 500) and answer is not answers[-1]:
            continue
        return module.parse(post, url, status, body_bytes(answer.get("body", "")))
    raise AssertionError("no answer")


CASES = [(name, case) for name in OEMBED_PLATFORMS for case in load(name)["cases"]]
CASE_IDS = [f"{name}-{case['name']}" for name, case in CASES]


# -- the recorded files --------------------------------------------------------------------------

@pytest.mark.parametrize("name", OEMBED_PLATFORMS)
def test_each_file_has_the_required_cases_each_with_its_own_post(name):
    data = load(name)
    assert data["platform"] == name
    names = [c["name"] for c in data["cases"]]
    assert {"ok", "missing", "rate_limited", "malformed"} <= set(names)
    ids = [platforms.match_url(c["post_url"]).post_id for c in data["cases"]]
    assert len(set(ids)) == len(ids) and all(ids)
    rate_limited = next(c for c in data["cases"] if c["name"] == "rate_limited")
    post_answers = [a for a in rate_limited["responses"].values() if a[0].get("status") == 429]
    assert post_answers and post_answers[0][-1]["status"] == 200


@pytest.mark.parametrize("name,case", CASES, ids=CASE_IDS)
def test_recorded_post_url_is_canonical_and_responses_match_the_requests(name, case):
    post = platforms.match_url(case["post_url"])
    assert post is not None and post.platform == name and post.url == case["post_url"]
    requests = platforms.get(name).capture_requests(post, None)
    assert sorted(r.role for r in requests) == ["page", "post"]
    assert set(case["responses"]) == {r.url for r in requests}


@pytest.mark.parametrize("name,case", CASES, ids=CASE_IDS)
def test_recorded_case_parses_to_its_expected_snapshot(name, case):
    snap = crawl_snapshot(case)
    assert_as_expected(snap, case["expect"])
    assert snap.platform == name and snap.url == case["post_url"]
    assert snap.created_at is None  # oEmbed carries no creation time
    if snap.status != "ok":
        assert snap.detail and snap.text is None and snap.media == ()


@pytest.mark.parametrize("name", OEMBED_PLATFORMS)
def test_the_first_answer_of_a_rate_limited_case_is_unavailable(name):
    case = next(c for c in load(name)["cases"] if c["name"] == "rate_limited")
    post = platforms.match_url(case["post_url"])
    module = platforms.get(name)
    url = next(r.url for r in module.capture_requests(post) if r.role == "post")
    snap = module.parse(post, url, 429, body_bytes(case["responses"][url][0]["body"]))
    assert (snap.status, snap.detail) == ("unavailable", "HTTP 429: rate limited")


# -- the requests --------------------------------------------------------------------------------

@pytest.mark.parametrize("url,oembed_url,page_url", [
    ("https://youtu.be/Qm3xVb7LpT0",
     "https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3DQm3xVb7LpT0&format=json",
     "https://www.youtube.com/watch?v=Qm3xVb7LpT0"),
    ("https://www.youtube.com/embed/videoseries?list=PLa1b2c3d4",
     "https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fplaylist%3Flist%3DPLa1b2c3d4&format=json",
     "https://www.youtube.com/playlist?list=PLa1b2c3d4"),
    ("https://www.tiktok.com/@lakeside.kitchen/video/7345678901234567890?is_from_webapp=1",
     "https://www.tiktok.com/oembed?url=https%3A%2F%2Fwww.tiktok.com%2F%40lakeside.kitchen%2Fvideo%2F7345678901234567890",
     "https://www.tiktok.com/@lakeside.kitchen/video/7345678901234567890"),
    ("https://www.tiktok.com/embed/v2/7345678901234567892",  # no handle known: the handle-less video URL
     "https://www.tiktok.com/oembed?url=https%3A%2F%2Fwww.tiktok.com%2F%40%2Fvideo%2F7345678901234567892",
     "https://www.tiktok.com/embed/v2/7345678901234567892"),
    ("https://player.vimeo.com/video/912345679?h=a1b2c3d4e5",
     "https://vimeo.com/api/oembed.json?url=https%3A%2F%2Fvimeo.com%2F912345679%2Fa1b2c3d4e5",
     "https://vimeo.com/912345679/a1b2c3d4e5"),
    ("https://www.dailymotion.com/embed/video/x8q2r4s",
     "https://www.dailymotion.com/services/oembed?url=https%3A%2F%2Fwww.dailymotion.com%2Fvideo%2Fx8q2r4s&format=json",
     "https://www.dailymotion.com/video/x8q2r4s"),
    ("https://open.spotify.com/embed/episode/4rTz8YbQw1LmNc2Vx9KpJd?utm_source=generator",
     "https://open.spotify.com/oembed?url=https%3A%2F%2Fopen.spotify.com%2Fepisode%2F4rTz8YbQw1LmNc2Vx9KpJd",
     "https://open.spotify.com/episode/4rTz8YbQw1LmNc2Vx9KpJd"),
    ("https://w.soundcloud.com/player/?url=https%3A//api.soundcloud.com/tracks/1712345678&color=%23ff5500",
     "https://soundcloud.com/oembed?url=https%3A%2F%2Fapi.soundcloud.com%2Ftracks%2F1712345678&format=json",
     "https://w.soundcloud.com/player/?url=https%3A%2F%2Fapi.soundcloud.com%2Ftracks%2F1712345678"),
])
def test_capture_requests_ask_oembed_for_the_snapshot_and_record_the_public_page(url, oembed_url, page_url):
    post = platforms.match_url(url)
    module = platforms.get(post.platform)
    assert platforms.can_capture(post.platform)
    requests = module.capture_requests(post)
    assert [(r.role, r.url, r.headers) for r in requests] == [("post", oembed_url, {}), ("page", page_url, {})]
    assert module.capture_requests(post, TOKENS) == requests  # a Meta token changes nothing here


def test_a_vimeo_hash_survives_canonicalisation():
    assert platforms.match_url("https://vimeo.com/912345679/a1b2c3d4e5").url == "https://vimeo.com/912345679/a1b2c3d4e5"
    assert platforms.match_url("https://vimeo.com/912345679").url == "https://vimeo.com/912345679"


@pytest.mark.parametrize("name", ["giphy", "flourish", "datawrapper", "googlemaps"])
def test_other_media_platforms_stay_plain_pages(name):
    assert not platforms.can_capture(name)
    assert name in {p.NAME for p in media.ALL}


def test_media_all_lists_every_media_platform_once():
    names = [p.NAME for p in media.ALL]
    assert names == ["vimeo", "dailymotion", "spotify", "soundcloud", "giphy", "flourish", "datawrapper", "googlemaps"]


# -- parsing and the status mapping --------------------------------------------------------------

POSTS = {
    "youtube": youtube.video_ref("Qm3xVb7LpT0"),
    "tiktok": tiktok.video_ref("7345678901234567890", "lakeside.kitchen"),
    "vimeo": platforms.match_url("https://vimeo.com/912345678"),
    "dailymotion": platforms.match_url("https://www.dailymotion.com/video/x8q2r4s"),
    "spotify": platforms.match_url("https://open.spotify.com/track/7hUk3WqZp0NvBx5Ls2MeRt"),
    "soundcloud": platforms.match_url("https://api.soundcloud.com/tracks/1712345678"),
}


def parse(name: str, status: int, body: bytes = b"", post: PostRef | None = None):
    return platforms.get(name).parse(post or POSTS[name], "https://endpoint.example/oembed", status, body)


@pytest.mark.parametrize("name", OEMBED_PLATFORMS)
@pytest.mark.parametrize("status,body,expected,detail", [
    (404, b"Not Found", "not_found", "HTTP 404"),
    (410, b"", "deleted", "HTTP 410"),
    (401, b"Unauthorized", "unavailable", "HTTP 401"),
    (403, b"Forbidden", "unavailable", "HTTP 403"),
    (429, b"", "unavailable", "HTTP 429: rate limited"),
    (500, b"", "unavailable", "HTTP 500: server error"),
    (503, b"<html>down</html>", "unavailable", "HTTP 503"),
    (400, b'{"code": 400, "message": "Invalid url"}', "error", "HTTP 400: the endpoint rejected the request (Invalid url)"),
    (302, b"", "error", "HTTP 302"),
    (200, b"<!DOCTYPE html><html>consent wall</html>", "error", "malformed JSON"),
    (200, b"\xff\xfe\x00garbled", "error", "malformed JSON"),
    (200, b'["title"]', "error", "not an object"),
    (200, b'{"code": 10204, "message": "Video not available"}', "error", "not an oEmbed answer (Video not available)"),
    (200, b"{}", "error", "not an oEmbed answer"),
])
def test_status_mapping(name, status, body, expected, detail):
    snap = parse(name, status, body)
    assert snap.status == expected and snap.status in POST_STATUSES
    assert detail in snap.detail
    assert (snap.text, snap.author, snap.media) == (None, None, ())
    assert snap.endpoint == "https://endpoint.example/oembed" and snap.post_id == POSTS[name].post_id


@pytest.mark.parametrize("status", [401, 403])
def test_youtube_401_and_403_say_private_or_embedding_disabled(status):
    snap = parse("youtube", status)
    assert snap.status == "unavailable"
    assert snap.detail == f"HTTP {status}: the video is private or its owner disabled embedding"


@pytest.mark.parametrize("author_url,handle", [
    ("https://www.youtube.com/@harbourcitydesk", "harbourcitydesk"),
    ("https://www.youtube.com/channel/UCa1b2c3d4e5f6g7h8i9j0kL", None),
    ("https://www.youtube.com/user/harbourcity", None),
    ("https://www.youtube.com/c/HarbourCity", None),
    (None, None),
])
def test_youtube_handle_only_from_an_at_channel_url(author_url, handle):
    body = {"title": "T", "author_name": "A", "author_url": author_url}
    assert parse("youtube", 200, json.dumps(body).encode()).handle == handle


def test_tiktok_handle_prefers_author_unique_id_then_the_author_url():
    post = tiktok.video_ref("7345678901234567892")  # embed-only: no handle in the URL
    both = {"title": "caption", "author_name": "N", "author_unique_id": "real.name",
            "author_url": "https://www.tiktok.com/@other"}
    assert parse("tiktok", 200, json.dumps(both).encode(), post).handle == "real.name"
    url_only = {"title": "caption", "author_url": "https://www.tiktok.com/@from.url"}
    assert parse("tiktok", 200, json.dumps(url_only).encode(), post).handle == "from.url"


def test_a_handle_from_the_post_url_wins_over_the_answer():
    body = {"title": "caption", "author_unique_id": "someone.else"}
    assert parse("tiktok", 200, json.dumps(body).encode()).handle == "lakeside.kitchen"


def test_ok_snapshot_fields():
    body = {"title": "  Night shift at the lighthouse ", "author_name": "Northlight Films",
            "author_url": "https://vimeo.com/northlightfilms", "provider_name": "Vimeo",
            "thumbnail_url": "https://i.vimeocdn.com/video/1.jpg", "upload_date": "2024-05-02 08:15:30"}
    snap = parse("vimeo", 200, json.dumps(body).encode())
    assert (snap.status, snap.text, snap.author, snap.handle) == ("ok", "Night shift at the lighthouse",
                                                                 "Northlight Films", "northlightfilms")
    assert snap.media == ("https://i.vimeocdn.com/video/1.jpg",) and snap.detail == "oEmbed from Vimeo"
    assert snap.created_at is None  # upload_date has no time zone: not turned into a UTC time


def test_spotify_has_no_handle_and_no_author():
    body = {"title": "Harbour Lights", "provider_name": "Spotify", "thumbnail_url": "https://i.scdn.co/x"}
    snap = parse("spotify", 200, json.dumps(body).encode())
    assert (snap.status, snap.text, snap.author, snap.handle) == ("ok", "Harbour Lights", None, None)


def test_non_string_fields_are_ignored_not_crashed_on():
    body = {"title": 12, "author_name": ["x"], "thumbnail_url": {"u": 1}, "html": "<iframe></iframe>"}
    snap = parse("dailymotion", 200, json.dumps(body).encode())
    assert (snap.status, snap.text, snap.author, snap.media) == ("ok", None, None, ())


# -- helpers -------------------------------------------------------------------------------------

def test_endpoint_url_escapes_the_item_url_completely():
    assert oembed.endpoint_url("https://x.example/oembed", "https://a.example/p?x=1&y=2#f", format="json") == \
        "https://x.example/oembed?url=https%3A%2F%2Fa.example%2Fp%3Fx%3D1%26y%3D2%23f&format=json"


@pytest.mark.parametrize("author_url,at_only,handle", [
    ("https://soundcloud.com/harbour-radio", False, "harbour-radio"),
    ("https://soundcloud.com/harbour-radio/", False, "harbour-radio"),
    ("https://soundcloud.com/harbour-radio/sets/x", False, None),
    ("https://www.tiktok.com/@a.b", True, "a.b"),
    ("https://www.tiktok.com/@", True, None),
    ("https://vimeo.com/name", True, None),
    ("", False, None),
])
def test_handle_from_url(author_url, at_only, handle):
    assert oembed.handle_from_url(author_url, at_only=at_only) == handle
