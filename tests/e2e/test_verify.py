"""`archiver verify` on real crawls: the seed articles and the sample site's posts (unchanged,
edited, deleted, a plain-text embed resolved through its short link), then recorded posts for a
suspended account, a date mismatch and a post never captured; and a recheck."""
from __future__ import annotations

import json
import shutil

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.index import open_index

from ..conftest import endpoint_args, run_cli, run_json
from .recorded import RecordedPlatforms, load_cases


@pytest.fixture(scope="module")
def archive(crawl, tmp_path_factory):
    """A copy of the session's crawl (verify writes check records into the archive)."""
    out = tmp_path_factory.mktemp("verify") / "archive"
    shutil.copytree(crawl.out, out)
    return out


@pytest.fixture(scope="module")
def verified(archive):
    return run_json("verify", "--all", "--out", str(archive))


def by_post(result) -> dict:
    return {(c["platform"], c["post_id"]): c for c in result["checks"]}


def test_the_seed_articles_get_a_verdict_with_evidence_for_each_embed(crawl, verified, archive):
    seeds = crawl.site.seed_article_urls
    checks = [c for c in verified["checks"] if c["article_url"] in seeds]
    # the two posts the seed articles embed: @wartranslated (left as plain text, resolved through
    # its short link) and @UkrReview
    assert sorted(c["post_id"] for c in checks) == ["1901199946615513871", "1901263954598284197"]
    for check in checks:
        assert check["verdict"] in ("unchanged", "edited")
        assert check["capture_record_ids"], "a verdict rests on captures"
    records = check_records(archive)
    for check in (c for c in verified["checks"] if c["article_url"] in seeds):
        written = records[check["record_id"]]
        assert written["body"]["verdict"] == check["verdict"]
        assert written["refers_to"] in check["capture_record_ids"]  # the snapshot it rests on


def test_the_sample_sites_posts_get_their_verdicts(verified):
    checks = by_post(verified)
    assert checks[("twitter", "1901199946615513871")]["verdict"] == "unchanged"  # resolved from plain text
    deleted = checks[("twitter", "1901152751573721488")]
    assert deleted["verdict"] == "deleted" and deleted["captured"]["created_at"].startswith("2025-03-16")
    edited = checks[("twitter", "1901263954598284197")]
    assert edited["verdict"] == "edited" and "{+" in edited["diff"]


def test_each_verdict_is_kept_as_a_dated_check(verified, archive):
    check = verified["checks"][0]
    index = open_index(archive / "index.sqlite")
    try:
        history = index.checks_of(check["article_url"], check["position"])
    finally:
        index.close()
    assert [h["verdict"] for h in history] == [check["verdict"]]
    assert history[0]["record_id"] == check["record_id"] and history[0]["capture_ids"]


def test_a_recheck_captures_the_posts_again_and_adds_to_the_history(crawl, verified, archive):
    hits_before = sum(n for (kind, path), n in crawl.site.hits.items() if "tweet-result" in path)
    result = run_json("verify", crawl.site.seed_article_urls[0], "--recheck", "--out", str(archive),
                      "--loopback-only", "--allow-private", *endpoint_args(crawl.site))
    assert sum(n for (kind, path), n in crawl.site.hits.items() if "tweet-result" in path) > hits_before
    for check in result["checks"]:
        assert check["live"] is not None and check["live"]["snapshot_record_id"] != check["captured"]["snapshot_record_id"]
    index = open_index(archive / "index.sqlite")
    try:
        assert len(index.checks_of(result["checks"][0]["article_url"], result["checks"][0]["position"])) == 2
    finally:
        index.close()


def test_verdicts_do_not_make_the_command_fail_but_an_unknown_article_does(archive):
    assert run_cli("verify", "--all", "--out", str(archive)).returncode == 0
    missing = run_cli("verify", "https://example.com/not-archived", "--out", str(archive), check=False)
    assert missing.returncode == 1 and b"not in the index" in missing.stderr and b"Traceback" not in missing.stderr


def check_records(out) -> dict:
    found = {}
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                h = record.rec_headers
                if record.rec_type == "metadata" and h.get_header("WARC-Target-URI").startswith("urn:embed-archiver:check:"):
                    found[h.get_header("WARC-Record-ID")] = {"refers_to": h.get_header("WARC-Refers-To"),
                                                             "body": json.loads(record.content_stream().read())}
    return found


# -- recorded posts: a suspended account, a date mismatch, a post never captured -------------------

TEXT = "Air defence shot down 9 of 12 drones overnight, the regional governor says."
ARTICLE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Night</title>
<meta property="og:type" content="article"></head><body><article><h1>Night</h1><div class="entry-content">
<p>Officials described a quiet night in the capital after a week of strikes on the power grid.</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">{TEXT} <a href="https://t.co/AbCdEf1234">pic.twitter.com/AbCdEf1234</a></p>
&mdash; Kyiv Desk (@kyiv_desk) <a href="https://twitter.com/kyiv_desk/status/1901300000000000001">March 2, 2025</a></blockquote>
<p>An account that had posted the first footage of the strike is no longer reachable on the platform.</p>
<blockquote class="twitter-tweet"><p lang="en" dir="ltr">Footage from the bridge this morning.</p>
&mdash; Someone (@suspended_one) <a href="https://twitter.com/suspended_one/status/1901152751573721500">March 16, 2025</a></blockquote>
<p>The regional administration also posted an update on its professional network page.</p>
<iframe src="https://www.linkedin.com/embed/feed/update/urn:li:share:7100000000000000001" height="600" width="504"></iframe>
<p>Repairs on the grid are expected to take several weeks, the energy ministry said.</p>
</div></article></body></html>"""


@pytest.fixture(scope="module")
def recorded_verdicts(tmp_path_factory):
    with RecordedPlatforms(load_cases(), pages={"night": ARTICLE}) as server:
        out = tmp_path_factory.mktemp("verify-recorded")
        article = f"{server.base}/articles/night.html"
        run_json("crawl", article, "--out", str(out), "--loopback-only", "--allow-private", "--no-links",
                 *server.endpoint_args())
        return by_post(run_json("verify", article, "--out", str(out)))


def test_a_date_the_post_does_not_have_is_flagged(recorded_verdicts):
    check = recorded_verdicts[("twitter", "1901300000000000001")]
    assert (check["verdict"], check["flags"]) == ("unchanged", ["date_mismatch"])


def test_a_suspended_account(recorded_verdicts):
    assert recorded_verdicts[("twitter", "1901152751573721500")]["verdict"] == "suspended"


def test_a_post_never_captured(recorded_verdicts):
    [check] = [c for (platform, _), c in recorded_verdicts.items() if platform == "linkedin"]
    assert check["verdict"] == "not_captured" and check["captured"] is None
