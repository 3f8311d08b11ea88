"""Instagram, Facebook and Threads (reference A.2, A.4, A.9, B.8): without a token the public post
page is captured and honestly reported as `needs_auth` (or `not_found`); with ARCHIVER_TOKENS
"meta" (or "threads") Meta's oEmbed is the snapshot, the token in a header, never in the URL."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from archiver import platforms
from archiver.model import POST_STATUSES
from archiver.platforms import facebook, instagram, oembed, threads

RECORDED = Path(__file__).parent / "recorded"
META = ("instagram", "facebook", "threads")
TOKEN = "123456789|c1i3nt-t0k3n"
NEEDS_AUTH_DETAIL = ("public page captured (HTTP 200); the post's content needs a login or a Meta oEmbed "
                     "token (ARCHIVER_TOKENS meta)")


def load(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text("utf-8"))


def encode(body) -> bytes:
    return json.dumps(body).encode() if isinstance(body, (dict, list)) else str(body).encode("utf-8")


def crawl_snapshot(case: dict):
    """What the crawl indexes: the post page's answers in order (429/5xx retried while answers
    remain, a redirect followed to its Location), the last one parsed."""
    post = platforms.match_url(case["post_url"])
    module = platforms.get(post.platform)
    url = case["post_url"]
    answers, n = case["responses"][url], 0
    while True:
        answer = answers[min(n, len(answers) - 1)]
        status = int(answer.get("status", 200))
        if (status == 429 or status >= 500) and n < len(answers) - 1:
            n += 1
            continue
        if 300 <= status < 400:
            url, answers, n = answer["headers"]["Location"], case["responses"][answer["headers"]["Location"]], 0
            continue
        return module.parse(post, url, status, encode(answer.get("body", "")))


CASES = [(name, case) for name in META for case in load(name)["cases"]]
CASE_IDS = [f"{name}-{case['name']}" for name, case in CASES]


# -- the recorded files (no token: the public page) -----------------------------------------------

@pytest.mark.parametrize("name", META)
def test_each_file_has_ok_missing_and_rate_limited_each_with_its_own_post(name):
    data = load(name)
    assert data["platform"] == name
    assert {"ok", "missing", "rate_limited"} <= {c["name"] for c in data["cases"]}
    ids = [platforms.match_url(c["post_url"]).post_id for c in data["cases"]]
    assert len(set(ids)) == len(ids) and all(ids)


@pytest.mark.parametrize("name,case", CASES, ids=CASE_IDS)
def test_recorded_post_url_is_canonical_and_is_the_only_request_without_a_token(name, case):
    post = platforms.match_url(case["post_url"])
    assert post is not None and post.platform == name and post.url == case["post_url"]
    requests = platforms.get(name).capture_requests(post, {})
    assert [(r.role, r.url, r.headers) for r in requests] == [("post", post.url, {})]
    redirects = {a["headers"]["Location"] for answers in case["responses"].values() for a in answers
                 if 300 <= a.get("status", 200) < 400}
    assert set(case["responses"]) == {post.url} | redirects


@pytest.mark.parametrize("name,case", CASES, ids=CASE_IDS)
def test_recorded_case_parses_to_its_expected_snapshot_and_never_to_content(name, case):
    snap = crawl_snapshot(case)
    expect = case["expect"]
    assert snap.status == expect["status"], snap.detail
    for field in ("handle", "author", "text", "created_at"):
        if field in expect:
            assert getattr(snap, field) == expect[field], field
    if "detail_contains" in expect:
        assert expect["detail_contains"] in (snap.detail or "")
    assert (snap.text, snap.author, snap.created_at, snap.media) == (None, None, None, ())


# -- requests with a token ------------------------------------------------------------------------

G = f"https://graph.facebook.com/{oembed.GRAPH_VERSION}"


@pytest.mark.parametrize("url,endpoint,item", [
    ("https://www.instagram.com/p/C9xYzAbCdEf/?utm_source=ig_embed", f"{G}/instagram_oembed",
     "https%3A%2F%2Fwww.instagram.com%2Fp%2FC9xYzAbCdEf%2F"),
    ("https://www.instagram.com/someone/reel/C9rAtElImIt/", f"{G}/instagram_oembed",
     "https%3A%2F%2Fwww.instagram.com%2Freel%2FC9rAtElImIt%2F"),
    ("https://www.facebook.com/harbourcitycouncil/posts/1029384756102938", f"{G}/oembed_post",
     "https%3A%2F%2Fwww.facebook.com%2Fharbourcitycouncil%2Fposts%2F1029384756102938%2F"),
    ("https://www.facebook.com/permalink.php?story_fbid=555&id=777", f"{G}/oembed_post",
     "https%3A%2F%2Fwww.facebook.com%2Fpermalink.php%3Fstory_fbid%3D555%26id%3D777"),
    ("https://www.facebook.com/harbourcitycouncil/videos/998877665544332/", f"{G}/oembed_video",
     "https%3A%2F%2Fwww.facebook.com%2Fharbourcitycouncil%2Fvideos%2F998877665544332%2F"),
    ("https://www.facebook.com/watch/?v=1122334455667788", f"{G}/oembed_video",
     "https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D1122334455667788"),
    ("https://www.facebook.com/reel/1234567890", f"{G}/oembed_video",
     "https%3A%2F%2Fwww.facebook.com%2Freel%2F1234567890%2F"),
    ("https://fb.watch/aBcD12/", f"{G}/oembed_video", "https%3A%2F%2Ffb.watch%2FaBcD12%2F"),
    ("https://www.threads.net/@harbour.desk/post/C9qRsTuVwXy", "https://graph.threads.net/v1.0/oembed",
     "https%3A%2F%2Fwww.threads.com%2F%40harbour.desk%2Fpost%2FC9qRsTuVwXy"),
])
def test_with_a_meta_token_oembed_is_the_post_and_the_page_is_recorded(url, endpoint, item):
    post = platforms.match_url(url)
    requests = platforms.get(post.platform).capture_requests(post, {"meta": TOKEN})
    assert [(r.role, r.url) for r in requests] == [("post", f"{endpoint}?url={item}"), ("page", post.url)]
    assert requests[0].headers == {"Authorization": f"Bearer {TOKEN}"}
    assert requests[1].headers == {}
    assert all(TOKEN not in r.url and "access_token" not in r.url for r in requests)


def test_threads_prefers_a_threads_token():
    post = platforms.match_url("https://www.threads.net/@harbour.desk/post/C9qRsTuVwXy")
    only_threads = threads.capture_requests(post, {"threads": "TH|1|secret"})
    assert only_threads[0].headers == {"Authorization": "Bearer TH|1|secret"}
    both = threads.capture_requests(post, {"threads": "TH|1|secret", "meta": TOKEN})
    assert both[0].headers == {"Authorization": "Bearer TH|1|secret"}
    # a Threads token is no Meta token: Instagram still captures its page
    ig = instagram.capture_requests(platforms.match_url("https://www.instagram.com/p/C9xYzAbCdEf/"),
                                    {"threads": "TH|1|secret"})
    assert [(r.role, r.url) for r in ig] == [("post", "https://www.instagram.com/p/C9xYzAbCdEf/")]


@pytest.mark.parametrize("tokens", [None, {}, {"meta": ""}, {"meta": "   "}, {"other": TOKEN}])
def test_without_a_usable_token_the_page_is_the_post(tokens):
    post = platforms.match_url("https://www.facebook.com/harbourcitycouncil/posts/1029384756102938")
    assert [(r.role, r.url) for r in facebook.capture_requests(post, tokens)] == [("post", post.url)]


# -- the public page ------------------------------------------------------------------------------

IG = platforms.match_url("https://www.instagram.com/p/C9xYzAbCdEf/")
PAGE = (b'<html><head><meta property="og:description" content="12 likes - someone: the caption">'
        b'<title>Instagram</title></head><body>Log in</body></html>')


@pytest.mark.parametrize("name", META)
def test_a_public_page_is_needs_auth_and_never_read_for_content(name):
    post = {"instagram": IG,
            "facebook": platforms.match_url("https://www.facebook.com/harbourcitycouncil/posts/1029384756102938"),
            "threads": platforms.match_url("https://www.threads.net/@harbour.desk/post/C9qRsTuVwXy")}[name]
    snap = platforms.get(name).parse(post, post.url, 200, PAGE)
    assert snap.status == "needs_auth" and snap.detail == NEEDS_AUTH_DETAIL
    assert (snap.text, snap.author, snap.media, snap.created_at) == (None, None, (), None)
    assert snap.handle == post.handle and snap.endpoint == post.url


@pytest.mark.parametrize("url,status,expected,detail", [
    ("https://www.instagram.com/p/C9xYzAbCdEf/", 404, "not_found", "HTTP 404"),
    ("https://www.instagram.com/p/C9xYzAbCdEf/", 410, "deleted", "HTTP 410"),
    ("https://www.instagram.com/p/C9xYzAbCdEf/", 401, "needs_auth", "HTTP 401: login wall"),
    ("https://www.instagram.com/p/C9xYzAbCdEf/", 403, "needs_auth", "HTTP 403: login wall"),
    ("https://www.instagram.com/p/C9xYzAbCdEf/", 429, "unavailable", "HTTP 429: rate limited"),
    ("https://www.instagram.com/p/C9xYzAbCdEf/", 500, "unavailable", "HTTP 500"),
    ("https://www.instagram.com/p/C9xYzAbCdEf/", 400, "error", "HTTP 400"),
    ("https://www.instagram.com/accounts/login/?next=%2Fp%2FC9xYzAbCdEf%2F", 200, "needs_auth", "redirected to a login page"),
    ("http://127.0.0.1:8080/www.facebook.com/login/?next=x", 200, "needs_auth", "redirected to a login page"),
    ("http://127.0.0.1:8080/www.instagram.com/p/C9xYzAbCdEf/", 200, "needs_auth", "public page captured"),
])
def test_public_page_status_mapping(url, status, expected, detail):
    snap = instagram.parse(IG, url, status, b"<html>x</html>")
    assert snap.status == expected and snap.status in POST_STATUSES
    assert detail in snap.detail and snap.text is None


# -- Meta oEmbed ----------------------------------------------------------------------------------

IG_OEMBED = f"{G}/instagram_oembed?url=https%3A%2F%2Fwww.instagram.com%2Fp%2FC9xYzAbCdEf%2F"

IG_V14 = ('<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/C9xYzAbCdEf/'
          '?utm_source=ig_embed&amp;utm_campaign=loading" data-instgrm-version="14" style="background:#FFF;">'
          '<div style="padding:16px;"><a href="https://www.instagram.com/p/C9xYzAbCdEf/" target="_blank">'
          '<div><svg width="50px" height="50px"><g><path d="M0"></path></g></svg></div>'
          '<div style="padding-top: 8px;"><div>View this post on Instagram</div></div></a>'
          '<p style="margin:8px 0 0 0;"><a href="https://www.instagram.com/p/C9xYzAbCdEf/" target="_blank">'
          'A post shared by Harbour City Desk (@harbour.city.desk)</a></p></div></blockquote>'
          '<script async src="//www.instagram.com/embed.js"></script>')
IG_CAPTIONED = ('<blockquote class="instagram-media" data-instgrm-captioned data-instgrm-version="7">'
                '<div><p><a href="https://www.instagram.com/p/C9xYzAbCdEf/">Ferry back in service after the storm.'
                '<br>Thanks to the crew! #harbour</a></p>'
                '<p>A post shared by <a href="https://www.instagram.com/harbour.city.desk/">Harbour City Desk</a> '
                '(@harbour.city.desk) on <time style="" datetime="2024-04-01T17:00:12+02:00">Apr 1, 2024 at 8:00am PDT</time></p>'
                '</div></blockquote><script async defer src="//platform.instagram.com/en_US/embeds.js"></script>')
FB_POST = ('<div id="fb-root"></div><script async="1" defer="1" crossorigin="anonymous" '
           'src="https://connect.facebook.net/en_US/sdk.js#xfbml=1&amp;version=v26.0"></script>'
           '<div class="fb-post" data-href="https://www.facebook.com/harbourcitycouncil/posts/1029384756102938/" data-width="552">'
           '<blockquote cite="https://www.facebook.com/harbourcitycouncil/posts/1029384756102938/" class="fb-xfbml-parse-ignore">'
           '<p>Road closures this weekend: Quay Street and Mill Lane.</p><p>Buses divert via the bridge.</p>'
           'Posted by <a href="https://www.facebook.com/harbourcitycouncil">Harbour City Council</a> on&nbsp;'
           '<a href="https://www.facebook.com/harbourcitycouncil/posts/1029384756102938/">Friday, 14 March 2025</a>'
           '</blockquote></div>')
THREADS_HTML = ('<blockquote class="text-post-media" data-text-post-permalink="https://www.threads.com/@harbour.desk/post/C9qRsTuVwXy" '
                'data-text-post-version="0" id="ig-tp-C9qRsTuVwXy"><a href="https://www.threads.com/@harbour.desk/post/C9qRsTuVwXy" '
                'target="_blank"><div><svg><path d="M0"></path></svg></div><div>Post by harbour.desk</div>'
                '<div>View on Threads</div></a></blockquote><script async src="https://www.threads.com/embed.js"></script>')


def meta_answer(markup: str, **extra) -> bytes:
    return json.dumps({"version": "1.0", "provider_name": "Instagram", "provider_url": "https://www.instagram.com/",
                       "type": "rich", "width": 658, "html": markup, **extra}).encode()


def test_instagram_oembed_v14_gives_author_and_handle_but_no_caption():
    snap = instagram.parse(IG, IG_OEMBED, 200, meta_answer(IG_V14))
    assert (snap.status, snap.author, snap.handle, snap.text) == ("ok", "Harbour City Desk", "harbour.city.desk", None)
    assert snap.detail == "oEmbed from Instagram; no caption text" and snap.media == ()


def test_instagram_oembed_captioned_gives_caption_and_time():
    snap = instagram.parse(IG, IG_OEMBED, 200, meta_answer(IG_CAPTIONED))
    assert snap.status == "ok" and snap.handle == "harbour.city.desk" and snap.author == "Harbour City Desk"
    assert snap.text == "Ferry back in service after the storm.\nThanks to the crew! #harbour"
    assert snap.created_at == "2024-04-01T15:00:12Z"


def test_instagram_oembed_fields_from_before_november_2025_are_used_when_sent():
    body = meta_answer(IG_V14, author_name="Harbour Desk (old field)",
                       thumbnail_url="https://scontent.cdninstagram.com/v/t51/1.jpg")
    snap = instagram.parse(IG, IG_OEMBED, 200, body)
    assert snap.author == "Harbour Desk (old field)"
    assert snap.media == ("https://scontent.cdninstagram.com/v/t51/1.jpg",)


def test_facebook_oembed_post_caption_and_author():
    post = platforms.match_url("https://www.facebook.com/harbourcitycouncil/posts/1029384756102938")
    url = facebook.capture_requests(post, {"meta": TOKEN})[0].url
    snap = facebook.parse(post, url, 200, meta_answer(FB_POST, provider_name="Facebook"))
    assert snap.status == "ok" and snap.author == "Harbour City Council" and snap.handle == "harbourcitycouncil"
    assert snap.text == "Road closures this weekend: Quay Street and Mill Lane.\n\nBuses divert via the bridge."
    assert snap.endpoint == url


def test_threads_oembed_gives_the_author_handle_and_says_it_has_no_text():
    post = platforms.match_url("https://www.threads.net/@harbour.desk/post/C9qRsTuVwXy")
    post = replace(post, handle=None)  # the handle must come from the html
    url = threads.capture_requests(post, {"meta": TOKEN})[0].url
    snap = threads.parse(post, url, 200, meta_answer(THREADS_HTML, provider_name="Threads"))
    assert (snap.status, snap.handle, snap.text) == ("ok", "harbour.desk", None)
    assert "no caption text" in snap.detail


def graph_error(code, subcode=None, message="An error occurred") -> bytes:
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbC123"}
    if subcode is not None:
        error["error_subcode"] = subcode
    return json.dumps({"error": error}).encode()


@pytest.mark.parametrize("status,body,expected,detail", [
    (400, graph_error(190, message="Invalid OAuth access token."), "needs_auth", "Meta rejected the token (code 190)"),
    (400, graph_error(104, message="An access token is required"), "needs_auth", "Meta rejected the token"),
    (400, graph_error(10, message="Requires Meta oEmbed Read"), "needs_auth", "may not use Meta oEmbed (code 10)"),
    (403, graph_error(200), "needs_auth", "may not use Meta oEmbed (code 200)"),
    (400, graph_error(4, message="Application request limit reached"), "unavailable", "rate limited (code 4)"),
    (429, graph_error(613), "unavailable", "rate limited"),
    (400, graph_error(100, 33, "Unsupported get request"), "not_found", "no such post"),
    (404, graph_error(100, message="Not found"), "not_found", "code 100"),
    (400, graph_error(100, message="Invalid parameter"), "error", "HTTP 400: the endpoint rejected the request (code 100): Invalid parameter"),
    (500, graph_error(1, message="An unknown error occurred"), "unavailable", "HTTP 500"),
    (200, graph_error(190), "needs_auth", "Meta rejected the token"),
    (429, b"Too Many Requests", "unavailable", "HTTP 429"),
    (502, b"<html>Bad gateway</html>", "unavailable", "HTTP 502"),
    (404, b"", "not_found", "HTTP 404"),
    (200, b"<html>not json</html>", "error", "malformed JSON"),
    (200, b'{"version": "1.0", "type": "rich"}', "error", "no html"),
    (200, b'[]', "error", "no html"),
])
def test_meta_oembed_status_mapping(status, body, expected, detail):
    snap = instagram.parse(IG, IG_OEMBED, status, body)
    assert snap.status == expected and snap.status in POST_STATUSES
    assert detail in snap.detail
    assert (snap.text, snap.author, snap.media) == (None, None, ())


@pytest.mark.parametrize("url,is_oembed", [
    (IG_OEMBED, True),
    ("http://127.0.0.1:9/graph.facebook.com/v26.0/oembed_post?url=x", True),
    ("http://127.0.0.1:9/graph.threads.net/v1.0/oembed?url=x", True),
    ("https://www.instagram.com/p/C9xYzAbCdEf/", False),
    ("https://www.facebook.com/watch/?v=1", False),
])
def test_the_response_url_decides_oembed_or_page(url, is_oembed):
    assert oembed.is_meta_oembed(url) is is_oembed
    snap = instagram.parse(IG, url, 200, b"<html>not json</html>")
    assert snap.status == ("error" if is_oembed else "needs_auth")


def test_embed_markup_tolerates_garbage():
    assert oembed.embed_markup("") == {"author": None, "handle": None, "text": None, "created_at": None}
    assert oembed.embed_markup("<blockquote><p>only <b>text</b></p></blockquote>")["text"] == "only text"
    assert oembed.embed_markup("<blockquote><time datetime='yesterday'></time></blockquote>")["created_at"] is None
