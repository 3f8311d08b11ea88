"""Every platform captured from recorded responses on loopback (tests/platforms/recorded/*.json):
an ok post, a deleted or missing one, a 429 then success, a malformed answer. Then capture once,
cite many: a second crawl does not fetch recent posts again, and a forced recapture of identical
answers writes revisit records that pywb replays with the original payload."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.index import open_index
from archiver.platforms import match_url

from ..conftest import run_json
from .recorded import RecordedPlatforms, load_cases
from .test_replay_pywb import get, pywb

BIN = Path(sys.executable).parent  # warcio and fastwarc are installed beside the interpreter
CASES = load_cases()
ALL = [(platform, case) for platform, cases in CASES.items() for case in cases]


@pytest.fixture(scope="module")
def recorded():
    with RecordedPlatforms(CASES) as server:
        yield server


@pytest.fixture(scope="module")
def archive(recorded, tmp_path_factory):
    out = tmp_path_factory.mktemp("platforms")
    report = run_json("crawl", *recorded.article_urls(), "--out", str(out), "--loopback-only",
                      "--allow-private", "--no-links", *recorded.endpoint_args())
    return out, report, dict(recorded.hits)


def indexed_post(out: Path, post_url: str) -> dict:
    ref = match_url(post_url)
    assert ref is not None and ref.post_id, f"the registry does not recognise {post_url}"
    index = open_index(out / "index.sqlite")
    try:
        row = index.post(ref.platform, ref.post_id)
    finally:
        index.close()
    assert row is not None, f"no snapshot of {post_url} was indexed"
    return row


@pytest.mark.parametrize("platform,case", ALL, ids=[f"{p}-{c['name']}" for p, c in ALL])
def test_each_recorded_case_gives_an_honest_snapshot(archive, platform, case):
    out, _, _ = archive
    row = indexed_post(out, case["post_url"])
    expect = case["expect"]
    assert row["status"] == expect["status"], row["detail"]
    for field in ("handle", "author", "text", "created_at"):
        if field in expect:
            assert row[field] == expect[field], field
    if "media" in expect:
        assert json.loads(row["media"]) == expect["media"]
    if "detail_contains" in expect:
        assert expect["detail_contains"] in (row["detail"] or "")
    if "related" in expect:
        snapshot = snapshot_record(out, row["snapshot_record_id"])
        assert [[r["relation"], r["url"]] for r in snapshot["related"]] == expect["related"]


def snapshot_record(out: Path, record_id: str) -> dict:
    """The post snapshot as written into the WARC (the evidence without the database)."""
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_headers.get_header("WARC-Record-ID") == record_id:
                    return json.loads(record.content_stream().read())
    raise AssertionError(f"no record {record_id}")


def test_a_rate_limited_endpoint_is_retried_and_others_are_asked_once(archive, recorded):
    _, _, hits = archive
    for platform, cases in CASES.items():
        for case in cases:
            for url, answers in case["responses"].items():
                if any(a.get("status") == 429 for a in answers):
                    assert hits[url] == len(answers), url  # one retry per 429, then the answer
                else:
                    assert hits[url] <= 1, url  # each post fetched once per crawl


def test_every_warc_passes_warcio_check(archive):
    out, _, _ = archive
    warcs = sorted((out / "warcs").glob("*.warc.gz"))
    assert warcs
    result = subprocess.run([BIN / "warcio", "check", "-v", *map(str, warcs)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-2000:]


def test_a_recent_capture_is_not_fetched_again(archive, recorded, tmp_path):
    out, _, first_hits = archive
    run_json("crawl", *recorded.article_urls(), "--out", str(out), "--loopback-only", "--allow-private",
             "--no-links", *recorded.endpoint_args())
    for platform, cases in CASES.items():
        for case in cases:
            if case["expect"]["status"] in ("unavailable", "error"):
                continue  # a passing failure is retried by the next crawl
            for url in case["responses"]:
                assert recorded.hits[url] == first_hits.get(url, 0), f"{url} fetched again"


@pytest.fixture(scope="module")
def recaptured(archive, recorded):
    """A forced recapture (--recapture-after 0) of the same answers: revisit records."""
    out, _, _ = archive
    run_json("crawl", *recorded.article_urls(), "--out", str(out), "--loopback-only", "--allow-private",
             "--no-links", "--recapture-after", "0", *recorded.endpoint_args())
    return out


def records(out: Path) -> list[dict]:
    found = []
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                h = record.rec_headers
                found.append({"type": record.rec_type, "id": h.get_header("WARC-Record-ID"),
                              "url": h.get_header("WARC-Target-URI"), "date": h.get_header("WARC-Date"),
                              "payload_digest": h.get_header("WARC-Payload-Digest"),
                              "profile": h.get_header("WARC-Profile"),
                              "refers_to_uri": h.get_header("WARC-Refers-To-Target-URI"),
                              "refers_to_date": h.get_header("WARC-Refers-To-Date")})
    return found


def test_identical_answers_recaptured_are_revisit_records(recaptured, recorded):
    rows = records(recaptured)
    revisits = [r for r in rows if r["type"] == "revisit"]
    ok_post = next(c for c in CASES["twitter"] if c["name"] == "ok")
    syndication = next(u for u in ok_post["responses"] if "tweet-result" in u)
    mapped = recorded.base + "/" + syndication.split("://", 1)[1]
    assert any(r["url"] in (syndication, mapped) for r in revisits), "the unchanged post was not deduplicated"
    originals = {(r["url"], r["date"]): r for r in rows if r["type"] == "response"}
    for r in revisits:
        assert r["profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
        original = originals.get((r["refers_to_uri"], r["refers_to_date"]))
        assert original is not None, f"revisit {r['id']} refers to no response in the archive"
        assert original["payload_digest"] == r["payload_digest"]


def test_fastwarc_verifies_every_digest_but_the_revisits_it_cannot(recaptured, tmp_path):
    """fastwarc check -p compares a revisit's WARC-Payload-Digest with the revisit's own (empty)
    payload, but that digest is the original payload's (WARC 1.1, 6.7.2). So every other record
    must pass; each revisit fastwarc flags must be one whose digest matches the original it refers
    to (checked in the test above)."""
    revisit_ids = {r["id"] for r in records(recaptured) if r["type"] == "revisit"}
    for path in sorted((recaptured / "warcs").glob("*.warc.gz")):
        details = tmp_path / (path.name + ".txt")
        result = subprocess.run([BIN / "fastwarc", "check", "-p", "-q", "-o", str(details), str(path)],
                                capture_output=True, text=True)
        # one line per record: "<urn:uuid:...>: OK, PAYLOAD_OK" (or _NO_DIGEST, or FAIL)
        failed = {line.split(">", 1)[0] + ">" for line in details.read_text().splitlines() if "FAIL" in line}
        assert failed <= revisit_ids, f"{path.name}: {sorted(failed - revisit_ids)}"
        if not failed:
            assert result.returncode == 0, result.stdout + result.stderr


def test_pywb_replays_a_revisit_with_the_original_payload(recaptured, recorded, tmp_path):
    rows = records(recaptured)
    revisit = next(r for r in rows if r["type"] == "revisit" and "tweet-result" in (r["url"] or ""))
    original_body = response_body(recaptured, revisit["refers_to_uri"], revisit["refers_to_date"])
    with pywb(tmp_path, "rec", sorted((recaptured / "warcs").glob("*.warc.gz"))) as base:
        stamp = revisit["date"].replace("-", "").replace(":", "").replace("T", "")[:14]
        status, _, body = get(f"{base}/rec/{stamp}id_/{urllib.request.quote(revisit['url'], safe=':/?=&%')}")
    assert status == 200
    assert body == original_body


def response_body(out: Path, url: str, date: str) -> bytes:
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                h = record.rec_headers
                if record.rec_type == "response" and h.get_header("WARC-Target-URI") == url \
                        and h.get_header("WARC-Date") == date:
                    body = record.content_stream().read()
                    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    raise AssertionError(f"no response for {url} at {date}")
