"""Failures are evidence too: refused, unreachable and interrupted fetches are recorded in the
WARC and reported, and an interrupted archive is closed whole before the next crawl writes."""
from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from archiver.index import open_index
from tests.conftest import endpoint_args, run_cli, run_json, warc_capture_ids

BIN = Path(sys.executable).parent


def metadata_records(out: Path) -> dict[str, bytes]:
    found = {}
    for path in (out / "warcs").glob("*.warc.gz"):
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type == "metadata":
                    found[rec.rec_headers.get_header("WARC-Target-URI")] = rec.content_stream().read()
    return found


def test_refused_and_unreachable_fetches_are_recorded_and_reported(demo_site, tmp_path):
    out = tmp_path / "a"
    outside = "http://example.invalid/story.html"        # never contacted: refused before DNS
    closed = "http://127.0.0.1:9/story.html"              # nothing listens there
    proc = run_cli("crawl", demo_site.seed_article_urls[1], outside, closed, "--out", str(out), "--loopback-only",
                   "--json", *endpoint_args(demo_site))
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr
    records = metadata_records(out)
    assert b"loopback-only mode" in records[outside]
    assert b"fetch-error: connection refused" in records[closed]
    assert run_json("sources", outside, "--out", str(out))["article"].get("status") is None
    for path in (out / "warcs").glob("*.warc.gz"):
        subprocess.run([BIN / "warcio", "check", str(path)], check=True, capture_output=True)


def test_a_crawl_that_archives_nothing_exits_non_zero(tmp_path):
    proc = run_cli("crawl", "http://127.0.0.1:9/nothing.html", "--out", str(tmp_path / "b"), "--loopback-only",
                   check=False)
    assert proc.returncode == 1 and b"no article could be archived" in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_a_file_left_open_by_a_killed_crawl_is_closed_whole_by_the_next(demo_site, crawl, tmp_path):
    out = tmp_path / "c"
    (out / "warcs").mkdir(parents=True)
    (out / "indexes").mkdir()
    source = crawl.warcs[0]
    data = source.read_bytes()
    cut = len(data) - 700                                  # killed in the middle of a record
    name = "archiver-20250101000000-00000-killed.warc.gz"
    (out / "warcs" / (name + ".open")).write_bytes(data[:cut])
    run_cli("crawl", demo_site.seed_article_urls[1], "--out", str(out), "--loopback-only", *endpoint_args(demo_site))
    recovered = out / "warcs" / name
    assert recovered.exists() and not list((out / "warcs").glob("*.open"))
    assert recovered.stat().st_size < cut
    subprocess.run([BIN / "warcio", "check", str(recovered)], check=True, capture_output=True)
    lines = (out / "indexes" / (name + ".cdxj")).read_text().splitlines()
    assert lines == sorted(lines)
    data = recovered.read_bytes()
    for line in lines:                                     # every CDXJ line points at a whole record
        fields = json.loads(line.split(" ", 2)[2])
        member = data[int(fields["offset"]):int(fields["offset"]) + int(fields["length"])]
        assert gzip.decompress(member).startswith(b"WARC/1.1")
    # the killed crawl wrote records but none of their CDXJ lines or index rows (it died first):
    # recovery gives each whole record the line the writer gave it, and indexes every capture
    end = recovered.stat().st_size
    source_cdxj = (crawl.out / "indexes" / (source.name + ".cdxj")).read_text().splitlines()
    written = [line.replace(source.name, name) for line in source_cdxj
               if int(json.loads(line.split(" ", 2)[2])["offset"]) < end]
    assert lines == written and len(lines) > 3
    index = open_index(out / "index.sqlite")
    try:
        assert index.indexed_record_ids(name) == warc_capture_ids([recovered])
    finally:
        index.close()
