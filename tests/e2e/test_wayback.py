"""--wayback lookup/submit against a recorded Wayback Machine on loopback: the closest copy of each
cited URL is indexed, a missing one is submitted to Save Page Now with the user's keys (which never
reach the WARC), and a link that already points at an archived copy counts as a copy of its original."""
from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver import wayback
from archiver.index import open_index

from ..conftest import run_json
from .recorded import RecordedPlatforms

FRESH = "https://news.example.org/2025/03/16/fresh-story"
MISSING = "https://gov.example/reports/ceasefire-report.pdf"
ORIGINAL = "https://www.example.com/2025/03/old-page"
CITED_COPY = f"https://web.archive.org/web/20250316081245/{ORIGINAL}"
KEYS = "myaccesskey:mysecret"
J = {"Content-Type": "application/json"}


def responses() -> dict:
    recent = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y%m%d%H%M%S")
    saved = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y%m%d%H%M%S")
    return {
        wayback.availability_url(FRESH): [{"status": 200, "headers": J, "body": {
            "url": FRESH, "archived_snapshots": {"closest": {
                "status": "200", "available": True, "timestamp": recent,
                "url": f"http://web.archive.org/web/{recent}/{FRESH}"}}}}],
        wayback.availability_url(MISSING): [{"status": 200, "headers": J, "body": {
            "url": MISSING, "archived_snapshots": {}}}],
        wayback.SAVE: [{"status": 200, "headers": J, "body": {"url": MISSING, "job_id": "spn2-0a1b2c3d"}}],
        wayback.SAVE_STATUS + "spn2-0a1b2c3d": [
            {"status": 200, "headers": J, "body": {"status": "pending", "job_id": "spn2-0a1b2c3d"}},
            {"status": 200, "headers": J, "body": {"status": "success", "job_id": "spn2-0a1b2c3d",
                                                   "original_url": MISSING, "timestamp": saved}}],
    }


ARTICLE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Talks</title>
<meta property="og:type" content="article"></head><body><article><h1>Talks</h1><div class="entry-content">
<p>The talks resumed on Monday, as <a href="{FRESH}">a regional paper reported</a>, after a week of
strikes on the power grid that left several cities without heating for days.</p>
<p>The <a href="{MISSING}">ministry's report</a> lists the damage region by region and counts the
repairs still needed before the winter comes back.</p>
<p>An <a href="{CITED_COPY}">earlier statement</a>, since removed from the ministry's site, promised a
ceasefire along the whole front within thirty days of the first meeting.</p>
</div></article></body></html>"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    case = {"name": "wayback", "post_url": "", "responses": responses(), "expect": {}}
    with RecordedPlatforms({}, pages={"talks": ARTICLE}) as server:
        server.responses.update(case["responses"])
        server.extra_hosts += ["news.example.org", "gov.example", "www.example.com", "web.archive.org", "archive.org"]
        out = tmp_path_factory.mktemp("wayback")
        mp = pytest.MonkeyPatch()
        mp.setenv("ARCHIVER_WAYBACK_POLL_INTERVAL", "0")
        try:
            run_json("crawl", *server.article_urls(), "--out", str(out), "--loopback-only", "--allow-private",
                     "--wayback", "submit", "--token", f"wayback={KEYS}", *server.endpoint_args())
        finally:
            mp.undo()
        yield out, server


def copies(out, url) -> list[dict]:
    index = open_index(out / "index.sqlite")
    try:
        return index.copies_of(url)
    finally:
        index.close()


def test_the_closest_copy_of_each_cited_url_is_indexed(archive):
    out, _ = archive
    [fresh] = copies(out, FRESH)
    assert fresh["status"] == "available"
    assert fresh["copy_url"].startswith("https://web.archive.org/web/") and fresh["copy_url"].endswith(FRESH)


def test_a_missing_url_is_submitted_and_polled_until_saved(archive):
    out, server = archive
    posts = [r for r in server.requests if r[0] == "POST"]
    assert len(posts) == 1  # the fresh copy was recent enough; only the missing URL was submitted
    _, _, headers, body = posts[0]
    assert headers.get("Authorization") == f"LOW {KEYS}"
    assert b"ceasefire-report.pdf" in body and b"if_not_archived_within=" in body
    saved = [c for c in copies(out, MISSING) if c["status"] == "available"]
    assert saved and saved[0]["copy_url"].endswith(MISSING)
    assert server.hits[wayback.SAVE_STATUS + "spn2-0a1b2c3d"] == 2  # pending, then success


def test_the_users_keys_never_reach_the_warc(archive):
    out, _ = archive
    submissions = []
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        assert b"mysecret" not in gzip.decompress(path.read_bytes())
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "request" and "/save" in record.rec_headers.get_header("WARC-Target-URI") \
                        and "/status/" not in record.rec_headers.get_header("WARC-Target-URI"):
                    submissions.append(record.http_headers.get_header("Authorization"))
    # the exchange is recorded (it is what the archive was asked), the credential is not
    assert submissions == ["[redacted by embed-archiver]"]


def test_a_link_to_an_archived_copy_counts_as_a_copy_of_the_original(archive):
    out, _ = archive
    [cited] = copies(out, ORIGINAL)
    assert cited["status"] == "cited" and cited["copy_url"] == CITED_COPY and cited["timestamp"] == "20250316081245"
    rows = run_json("cited-by", ORIGINAL, "--out", str(out))["articles"]
    assert [r["article_url"] for r in rows] == [f"{archive[1].base}/articles/talks.html"]


def test_sources_show_the_archive_copies_of_each_link(archive):
    out, server = archive
    report = run_json("sources", f"{server.base}/articles/talks.html", "--out", str(out))
    by_url = {r.get("url"): r for r in report["references"] if r["kind"] == "link"}
    assert by_url[FRESH]["archive_copies"][0]["status"] == "available"
    assert by_url[CITED_COPY]["copy_of"] == ORIGINAL
    assert json.dumps(report).count("mysecret") == 0
