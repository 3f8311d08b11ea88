"""kill -9 at random moments of a crawl of the sample site, then `crawl --resume`: every WARC is
whole (warcio check), nothing is left open, the index agrees with the WARCs (nothing indexed that
is not in a WARC, no capture record left out of the index), and the archive holds what an
uninterrupted crawl holds."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from archiver.index import open_index

from ..conftest import ROOT, endpoint_args, run_cli, warc_capture_ids

def archive_state(out: Path) -> dict:
    index = open_index(out / "index.sqlite")
    try:
        articles = {a["url"] for a in index.list_articles()}
        posts = {}
        for url in articles:
            for ref in (index.sources(url) or {})["references"]:
                if ref["kind"] == "embed" and ref.get("post_id"):
                    row = index.post(ref["platform"], ref["post_id"])
                    posts[(ref["platform"], ref["post_id"])] = row["status"] if row else None
        return {"articles": articles, "posts": posts, "indexed": index.indexed_record_ids()}
    finally:
        index.close()


@pytest.fixture(scope="module")
def complete(demo_site, tmp_path_factory):
    out = tmp_path_factory.mktemp("complete")
    run_cli("crawl", "--sitemap", demo_site.sitemap_url, "--out", str(out), "--loopback-only", "--allow-private",
            *endpoint_args(demo_site))
    return archive_state(out)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_killed_at_a_random_moment_then_resumed(demo_site, complete, tmp_path, seed):
    out = tmp_path / "archive"
    proc = subprocess.Popen([sys.executable, "-m", "archiver", "crawl", "--sitemap", demo_site.sitemap_url,
                             "--out", str(out), "--loopback-only", "--allow-private", *endpoint_args(demo_site)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    # wait for the first WARC file, then let the crawl run a random while before the kill
    deadline = time.monotonic() + 60
    while not list((out / "warcs").glob("*.open")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(random.Random(seed).uniform(0.0, 1.2))
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    resumed = run_cli("crawl", "--resume", "--out", str(out), check=False)
    if proc.returncode == 0:  # finished before the kill: nothing to resume
        assert resumed.returncode == 1 and b"no interrupted crawl" in resumed.stderr
    else:
        assert resumed.returncode == 0, resumed.stderr.decode()[-2000:]
    files = sorted((out / "warcs").iterdir())
    assert not [p for p in files if p.suffix in (".open", ".lock")]
    for path in files:
        subprocess.run([Path(sys.executable).parent / "warcio", "check", str(path)], check=True, capture_output=True)
    state = archive_state(out)
    assert state["indexed"] == warc_capture_ids(sorted((out / "warcs").glob("*.warc.gz"))), "the index and the WARCs disagree"
    assert state["articles"] == complete["articles"]
    assert state["posts"] == complete["posts"]
