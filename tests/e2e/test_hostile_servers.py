"""Limits and hostile servers: an article on loopback cites pages whose servers misbehave in every
way tests/e2e/hostile.py knows (too big, gzip bomb, slow drip, reset mid-body, broken headers,
wrong charset, binary as HTML, endless redirects, rate limits, passing outages). The crawl, run
through the CLI with small limits, must finish, archive the article and the normal page, record
each failure with a reason a user can read (in the WARC and in the index), keep its WARCs valid,
and stay within a memory bound while a 1 GB gzip bomb is served."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.retry import retry_after

from ..conftest import ROOT, run_json
from .hostile import COUNTED, MISBEHAVIOURS, TEXT, HostileServer

BIN = Path(sys.executable).parent
MAX_SIZE = 2 * 1024 * 1024    # --max-size: the oversize paths send 4 MiB; the bomb is ~1 MB as sent, 1 GB decompressed
TIMEOUT = 2                   # --timeout, seconds: the slow drip never finishes
MAX_REDIRECTS = 3             # --max-redirects
MAX_WAIT = 5                  # --max-wait, seconds: /rate-limited-long asks for 3600
RSS_BOUND_MB = 400            # the crawl's peak memory, far below the bomb's 1 GB


@dataclass
class Measured:
    returncode: int
    stdout: bytes
    stderr: bytes
    max_rss_mb: float


def run_measured(*args: str, tmp: Path, timeout: float = 120) -> Measured:
    """`archiver ARGS...` in a subprocess (as tests.conftest.run_cli does), with its peak RSS:
    os.wait4 reports the resource usage of that one child."""
    out_path, err_path = tmp / "stdout", tmp / "stderr"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "archiver", *args], stdout=out, stderr=err,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            killer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
    return Measured(proc.returncode, out_path.read_bytes(), err_path.read_bytes(), usage.ru_maxrss / 1024)


def warc_records(out: Path):
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                status = record.http_headers.get_statuscode() if record.http_headers else None
                # the body as stored, never decoded: content_stream() would inflate the gzip bomb
                yield record.rec_type, record.rec_headers.get_header("WARC-Target-URI"), \
                    record.rec_headers.get_header("Content-Type"), status, record.raw_stream.read()


@dataclass
class HostileCrawl:
    server: HostileServer
    out: Path
    proc: Measured
    report: dict
    statuses: dict[str, str]          # path -> `archiver sources` status of the article's link to it
    failures: dict[str, list[str]]    # path -> fetch-error reasons in the WARC, in order
    responses: dict[str, list[tuple[int, bytes]]]  # path -> (status, raw body) of its response records

    def failure(self, path: str) -> list[str]:
        return self.failures.get(path, [])


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hostile")
    out = tmp / "archive"
    with HostileServer() as server:
        seeds = [server.url("/article.html"), server.url("/article-latin1.html"), server.url("/binary-as-html")]
        proc = run_measured("crawl", *seeds, "--out", str(out), "--loopback-only", "--json",
                            "--max-size", str(MAX_SIZE), "--timeout", str(TIMEOUT),
                            "--max-redirects", str(MAX_REDIRECTS), "--retries", "1", "--max-wait", str(MAX_WAIT),
                            tmp=tmp)
        assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
        sources = run_json("sources", server.url("/article.html"), "--out", str(out))
        base = server.base
        statuses = {ref["url"].removeprefix(base): ref["status"] for ref in sources["references"]}
        failures: dict[str, list[str]] = {}
        responses: dict[str, list[tuple[int, bytes]]] = {}
        for rec_type, uri, content_type, status, payload in warc_records(out):
            if not (uri or "").startswith(base):
                continue
            path = uri.removeprefix(base)
            if rec_type == "metadata" and content_type == "application/warc-fields":
                first = payload.decode("utf-8").split("\r\n")[0]
                assert first.startswith("fetch-error: ")
                failures.setdefault(path, []).append(first.removeprefix("fetch-error: "))
            elif rec_type == "response":
                responses.setdefault(path, []).append((int(status), payload))
        yield HostileCrawl(server, out, proc, json.loads(proc.stdout), statuses, failures, responses)


def test_the_crawl_finishes_and_archives_the_articles(hostile):
    assert b"Traceback" not in hostile.proc.stderr
    assert hostile.report["spider_errors"] == 0
    statuses = {row["url"].removeprefix(hostile.server.base): row["status"] for row in hostile.report["articles"]}
    assert statuses == {"/article.html": 200, "/article-latin1.html": 200, "/binary-as-html": 200}
    assert set(hostile.statuses) == set(MISBEHAVIOURS)  # every link of the article is in the index


# path -> (reason, path of the request that failed when it is not the cited one)
REASONS = {
    "/oversize": (f"response larger than {MAX_SIZE} bytes (Content-Length: 4194304)", None),
    "/oversize-stream": (f"response larger than {MAX_SIZE} bytes", None),
    "/gzip-bomb": (f"decompressed body larger than {MAX_SIZE} bytes (", None),
    "/bad-gzip": ("undecodable body: Content-Encoding gzip, but ", None),
    "/slow-drip": (f"timed out after {TIMEOUT} s", None),
    "/reset-mid-body": ("connection lost mid-body", None),
    "/bad-header-name": ("invalid response: a header with no name", None),
    "/bad-content-length": ("invalid response: Content-Length is not a number (b'twelve')", None),
    "/loop-a": ("redirect loop: {base}/loop-b redirects back to {base}/loop-a", "/loop-b"),
    "/chain/0": (f"more than {MAX_REDIRECTS} redirects (the next one to {{base}}/chain/{MAX_REDIRECTS + 1})",
                 f"/chain/{MAX_REDIRECTS}"),
    "/private/report.html": ("not fetched: Forbidden by robots.txt", None),
}


@pytest.mark.parametrize("path", list(REASONS))
def test_each_failure_is_recorded_with_its_reason_in_the_warc_and_the_index(hostile, path):
    reason, failed_path = REASONS[path]
    reason = reason.format(base=hostile.server.base)
    recorded = hostile.failure(failed_path or path)
    assert recorded and all(r.startswith(reason) for r in recorded), recorded
    assert hostile.statuses[path].startswith(f"failed: {reason}"), hostile.statuses[path]


def test_the_gzip_bomb_is_kept_as_sent_and_memory_stays_bounded(hostile):
    # the raw response is evidence: its ~1 MB as they came, still gzip-encoded
    [(status, bomb)] = hostile.responses["/gzip-bomb"]
    assert status == 200 and bomb[:2] == b"\x1f\x8b" and len(bomb) < MAX_SIZE
    assert hostile.proc.max_rss_mb < RSS_BOUND_MB, f"peak RSS {hostile.proc.max_rss_mb:.0f} MB"


def test_what_the_servers_got_right_is_captured_as_served(hostile):
    for path in ("/normal.html", "/garbage-headers", "/utf8-as-latin1", "/latin1-as-utf8", "/binary-as-html",
                 "/rate-limited", "/unavailable"):
        assert hostile.statuses[path] == "ok", (path, hostile.statuses[path])
    # wrong charsets and binary are archived byte for byte, whatever they claim to be
    page = f"<html><body><p>{TEXT}</p></body></html>"
    assert hostile.responses["/utf8-as-latin1"] == [(200, page.encode("latin-1", "replace"))]
    assert hostile.responses["/latin1-as-utf8"] == [(200, page.encode())]
    # fetched as a seed and as a link: the second time a revisit record (same payload)
    assert [(status, len(body)) for status, body in hostile.responses["/binary-as-html"]] == [(200, 50_000)]


def test_retries_wait_as_asked_within_the_bound_and_are_all_recorded(hostile):
    hits = hostile.server.hits
    # 429 Retry-After: 1 -> the retry waited (the server answers 429 to an earlier one), then 200
    assert hits["/rate-limited"] == 2
    assert [status for status, _body in hostile.responses["/rate-limited"]] == [429, 200]
    assert hostile.server.times["/rate-limited"][1] - hostile.server.times["/rate-limited"][0] >= 1
    # 503 without Retry-After -> retried after the backoff, then 200
    assert [status for status, _body in hostile.responses["/unavailable"]] == [503, 200]
    # Retry-After: 3600 is more than --max-wait: not retried, the 429 stands
    assert hits["/rate-limited-long"] == 1
    assert hostile.statuses["/rate-limited-long"] == "HTTP 429"
    # timeouts and lost connections are retried (--retries 1), each attempt recorded
    assert hits["/slow-drip"] == 2 and len(hostile.failure("/slow-drip")) == 2
    assert hits["/reset-mid-body"] == 2 and len(hostile.failure("/reset-mid-body")) == 2
    # a malformed answer is not retried: the server would send the same bytes
    assert hits["/bad-header-name"] == 1 and hits["/bad-content-length"] == 1
    # an oversize answer is not retried either
    assert hits["/oversize"] == 1 and hits["/oversize-stream"] == 1


def test_redirects_stop_at_a_loop_or_at_the_limit(hostile):
    hits = hostile.server.hits
    assert hits["/loop-a"] == 1 and hits["/loop-b"] == 1
    assert [hits[f"/chain/{i}"] for i in range(MAX_REDIRECTS + 2)] == [1] * (MAX_REDIRECTS + 1) + [0]


def test_robots_txt_is_obeyed_and_said_so_in_warcinfo(hostile):
    assert hostile.server.hits["/private/report.html"] == 0
    infos = [payload for rec_type, _uri, _ct, _status, payload in warc_records(hostile.out) if rec_type == "warcinfo"]
    assert infos and all(b"robots: obey" in info for info in infos)


def test_every_warc_passes_warcio_check(hostile):
    warcs = sorted((hostile.out / "warcs").glob("*.warc.gz"))
    assert warcs
    for path in warcs:
        proc = subprocess.run([BIN / "warcio", "check", str(path)], capture_output=True)
        assert proc.returncode == 0, proc.stdout.decode() + proc.stderr.decode()


def test_one_site_gets_one_request_at_a_time_and_the_delay_between(tmp_path):
    with HostileServer() as server:
        run_json("crawl", server.url("/counted.html"), "--out", str(tmp_path), "--loopback-only",
                 "--site-concurrency", "1", "--delay", "0.6")
        times = sorted(t for i in range(COUNTED) for t in server.times[f"/counted/{i}"])
    assert len(times) == COUNTED
    assert server.counted_max_in_flight == 1
    # Scrapy spreads DOWNLOAD_DELAY between 0.5 and 1.5 times --delay, start to start; one request
    # at a time alone would leave ~0.1 s (the time each answer takes)
    assert all(later - earlier >= 0.2 for earlier, later in zip(times, times[1:])), times


@pytest.mark.parametrize("value, seconds", [
    (b"120", 120.0), ("0", 0.0), (b" 7 ", 7.0), (None, None), (b"", None), (b"soon", None), (b"-5", None),
    (b"Wed, 21 Oct 2015 07:28:00 GMT", 0.0),           # a date in the past: no wait
])
def test_retry_after_values(value, seconds):
    assert retry_after(value) == seconds


def test_retry_after_as_an_http_date():
    from datetime import UTC, datetime
    now = datetime(2015, 10, 21, 7, 27, 30, tzinfo=UTC)
    assert retry_after(b"Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 30.0
