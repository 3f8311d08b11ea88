"""Every recorded case of every platform (recorded/*.json), parsed the way the crawl parses it:
the post request's answers in order, a rate limit or server error retried while answers remain,
the last answer giving the snapshot. The same files are crawled end to end in
tests/e2e/test_platform_capture.py; this is the fast check of each module's parse."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from archiver import platforms

from ..e2e.recorded import body_bytes

RECORDED = Path(__file__).parent / "recorded"
FILES = {path.stem: json.loads(path.read_text("utf-8")) for path in sorted(RECORDED.glob("*.json"))}
CASES = [(name, case) for name, data in FILES.items() for case in data["cases"]]
# Meta's platforms are not parsed without a token (their page never is): nothing to be malformed
NO_MALFORMED = {"instagram", "facebook", "threads"}


def assert_as_expected(snap, expect: dict) -> None:
    """A snapshot against a recorded case's "expect": its status, and each field it names."""
    assert snap.status == expect["status"], snap.detail
    for field in ("handle", "author", "text", "created_at"):
        if field in expect:
            assert getattr(snap, field) == expect[field], field
    if "media" in expect:
        assert list(snap.media) == expect["media"]
    if "detail_contains" in expect:
        assert expect["detail_contains"] in (snap.detail or "")


@pytest.mark.parametrize("name", FILES)
def test_each_file_has_the_required_cases_each_with_its_own_post(name):
    data = FILES[name]
    assert data["platform"] == name
    names = {c["name"] for c in data["cases"]}
    required = {"ok", "rate_limited"} | (set() if name in NO_MALFORMED else {"malformed"})
    assert required <= names
    assert names & {"deleted", "missing"}, "a deleted or missing post"
    ids = [platforms.match_url(c["post_url"]).post_id for c in data["cases"]]
    assert all(ids) and len(set(ids)) == len(ids)


@pytest.mark.parametrize("name,case", CASES, ids=[f"{n}-{c['name']}" for n, c in CASES])
def test_recorded_case(name, case):
    post = platforms.match_url(case["post_url"])
    assert post is not None and post.platform == name and post.url == case["post_url"]
    module = platforms.get(name)
    requests = module.capture_requests(post, {})
    asked = {r.url for r in requests}
    redirects = {a["headers"]["Location"] for answers in case["responses"].values() for a in answers
                 if 300 <= a.get("status", 200) < 400}
    assert set(case["responses"]) - redirects <= asked, "a recorded URL the module never asks for"
    url = next(r.url for r in requests if r.role == "post")
    answers = case["responses"][url]
    for earlier in answers[:-1]:  # a rate limit before the answer is not a finding about the post
        assert module.parse(post, url, int(earlier["status"]), body_bytes(earlier.get("body", ""))).status == "unavailable"
    last = answers[-1]
    if 300 <= int(last.get("status", 200)) < 400:  # the crawler follows redirects: parse where it led
        url = last["headers"]["Location"]
        last = case["responses"][url][-1]
    snap = module.parse(post, url, int(last.get("status", 200)), body_bytes(last.get("body", "")))
    expect = case["expect"]
    assert_as_expected(snap, expect)
    assert (snap.platform, snap.endpoint) == (name, url)
    if "related" in expect:
        assert [list(r) for r in snap.related] == expect["related"]
    if snap.status == "needs_auth":
        assert snap.text is None and snap.media == ()  # never pretend to have the content
