"""Several processes on one archive: two crawls at once and lookups while they run never fail
with "database is locked", never share a WARC file name, and leave whole files and one index."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.demo import DemoSite
from archiver.index import open_index

from ..conftest import ROOT, endpoint_args


def start(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "archiver", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})


@pytest.fixture
def demo_site():
    """A sample site of its own: the session one counts hits other tests assert on."""
    with DemoSite() as site:
        yield site


def test_two_crawls_and_lookups_share_one_archive(demo_site, tmp_path):
    out = str(tmp_path / "shared")
    common = ["--out", out, "--loopback-only", "--allow-private", "--recapture-after", "0", *endpoint_args(demo_site)]
    crawls = [start("crawl", "--sitemap", demo_site.sitemap_url, *common) for _ in range(2)]
    lookups = 0
    while any(c.poll() is None for c in crawls):
        if (tmp_path / "shared" / "index.sqlite").exists():
            proc = subprocess.run([sys.executable, "-m", "archiver", "lookup", "@wartranslated", "--out", out, "--json"],
                                  capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
            assert b"locked" not in proc.stderr, proc.stderr
            assert proc.returncode == 0, proc.stderr
            lookups += 1
        time.sleep(0.2)
    for proc in crawls:
        stdout, stderr = proc.communicate()
        assert proc.returncode == 0, stderr.decode()[-2000:]
        assert b"locked" not in stderr
    assert lookups >= 1
    warcs = sorted(Path(out, "warcs").iterdir())
    assert not [p for p in warcs if p.suffix in (".open", ".lock")], "a file was left open"
    record_ids = set()
    for path in warcs:
        subprocess.run([Path(sys.executable).parent / "warcio", "check", str(path)], check=True, capture_output=True)
        with path.open("rb") as f:
            record_ids |= {r.rec_headers.get_header("WARC-Record-ID") for r in ArchiveIterator(f)}
    index = open_index(Path(out) / "index.sqlite")
    try:
        summary = index.summary()
        assert len(index.list_articles()) >= 9
        indexed = index.indexed_record_ids()
    finally:
        index.close()
    assert indexed <= record_ids  # nothing indexed that is not in a WARC
    assert summary
