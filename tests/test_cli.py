"""The CLI as a user meets it: clear one-line errors, JSON output, the sample site server."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import ROOT, endpoint_args, run_cli, run_json

SEED_PAGE = ROOT / "archiver/demo/site/news/2025/03/16/trump-says-he-will-speak-to-putin-on-tuesday-dividing-up-certain-assets.html"


@pytest.mark.parametrize("args,code,message", [
    (["crawl"], 2, b"nothing to crawl"),
    (["crawl", "ftp://example.com/x"], 2, b"not an http(s) URL"),
    (["crawl", "--from-file", "/no/such/file"], 1, b"no such file"),
    (["crawl", "http://127.0.0.1:1/", "--endpoint", "nonsense"], 2, b"--endpoint wants BASE=URL"),
    (["extract", "/no/such/page.html"], 1, b"no such file"),
    (["extract", str(SEED_PAGE), "--url", "not a url"], 2, b"not an http(s) URL"),
    (["crawl", "--depth", "99", "http://127.0.0.1:1/"], 2, b"--depth"),
    (["frobnicate"], 2, b"No such command"),
    (["extract", str(ROOT / "LICENSE") + ".missing"], 1, b"no such file"),
    (["extract", str(ROOT / "archiver/demo/site/_routes.json").replace("_routes.json", "..")], 1, b"no such file"),
    (["verify"], 2, b"give article URLs, or --all"),
    (["verify", "--all"], 1, b"no index at"),
    (["export", "--format", "pdf"], 2, b"Invalid value for '--format'"),
    (["export"], 1, b"no index at"),
    (["wacz", "out.zip"], 2, b"ends in .wacz"),
    (["crawl", "--resume"], 1, b"no index at"),
    (["reindex"], 2, b"Missing argument"),
    (["reindex", "/no/such.warc.gz", "--out", "rebuilt"], 1, b"no such"),
    (["reindex", str(ROOT / "LICENSE"), "--out", "rebuilt"], 1, b"not a WARC"),
    (["crawl", "--resume", "http://127.0.0.1:1/"], 2, b"--resume takes no URLs"),
    (["crawl", "http://127.0.0.1:1/", "--recapture-after", "soon"], 2, b"not an age"),
    (["crawl", "http://127.0.0.1:1/", "--token", "meta"], 2, b"--token wants NAME=VALUE"),
])
def test_bad_input_gives_one_clear_line_and_no_traceback(args, code, message, tmp_path):
    proc = run_cli(*args, check=False, cwd=tmp_path)
    assert proc.returncode == code
    assert message in proc.stderr and b"Traceback" not in proc.stderr


def test_extract_json_has_the_fields_the_scorer_reads():
    url = "http://127.0.0.1:8000/news/2025/03/16/trump-says-he-will-speak-to-putin-on-tuesday-dividing-up-certain-assets.html"
    data = json.loads(run_cli("extract", str(SEED_PAGE), "--url", url, "--json").stdout)
    assert {"embeds", "links", "mentions", "metadata"} <= set(data)
    assert {(e["platform"], e["post_id"]) for e in data["embeds"]} == {
        ("twitter", "1901199946615513871"), ("twitter", "1901263954598284197")}
    assert data["metadata"]["published"].startswith("2025-03-16")
    text = run_cli("extract", str(SEED_PAGE), "--url", url).stdout.decode()
    assert "2 embeds" in text and "wartranslated" in text


def test_demo_serve_only_prints_the_front_page_url_first():
    proc = subprocess.Popen([sys.executable, "-m", "archiver", "demo", "--serve-only"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        first = proc.stdout.readline().decode().strip()
        assert first.startswith("http://127.0.0.1:") and first.endswith("/")
        with urllib.request.urlopen(first, timeout=10) as response:
            assert b"trump-says-he-will-speak-to-putin" in response.read()
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0


def test_export_and_wacz_write_their_files(crawl, tmp_path):
    csv_path, wacz_path = tmp_path / "citations.csv", tmp_path / "seed.wacz"
    crawl.cli("export", "--format", "csv", "--output", str(csv_path))
    lines = csv_path.read_text("utf-8").splitlines()
    assert lines[0].startswith("article_url,") and len(lines) > 10
    report = crawl.json("wacz", str(wacz_path), "--article", crawl.site.seed_article_urls[0])
    assert wacz_path.is_file() and report["articles"] == [crawl.site.seed_article_urls[0]]
    card = crawl.cli("export", "--format", "html", "--article", crawl.site.seed_article_urls[0]).stdout.decode()
    assert card.startswith("<!DOCTYPE html>") and "wartranslated" in card


def test_a_file_that_is_not_html_is_refused_in_one_line(tmp_path):
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8)
    proc = run_cli("extract", str(binary), check=False)
    assert proc.returncode == 1 and b"not an HTML page" in proc.stderr and b"Traceback" not in proc.stderr


@pytest.mark.parametrize("args,message", [
    (["lookup", "@nobody_ever_cited"], b"no citation matches"),
    (["sources", "https://example.com/never-archived"], b"not in the index"),
    (["cited-by", "@nobody_ever_cited"], b"no article cites"),
    (["show", "https://example.com/never-archived"], b"no capture of"),
    (["export", "--article", "https://example.com/never-archived"], b"not in the index"),
    (["export", "--crawl", "no-such-crawl"], b"no crawl matches"),
    (["wacz", "x.wacz", "--article", "https://example.com/never-archived"], b"not in the index"),
])
def test_unknown_queries_on_an_archive_say_so_in_one_line(crawl, tmp_path, args, message):
    proc = run_cli(*args, "--out", str(crawl.out), check=False, cwd=tmp_path)
    assert proc.returncode == 1 and message in proc.stderr and b"Traceback" not in proc.stderr


def test_reindex_rebuilds_an_index_a_lookup_can_use(crawl, tmp_path):
    rebuilt = tmp_path / "rebuilt"
    stats = run_json("reindex", *map(str, crawl.warcs), "--out", str(rebuilt), *endpoint_args(crawl.site))
    assert stats["articles"] >= 9 and stats["posts"] >= 6
    def cited(out):
        rows = run_json("lookup", "@wartranslated", "--out", str(out))["results"]
        return sorted((r["article_url"], r["kind"], r["position"], r.get("post_status")) for r in rows)

    assert cited(rebuilt) == cited(crawl.out) and len(cited(rebuilt)) >= 2


def test_concurrency_options_reach_the_crawl_and_its_warcinfo(tmp_path):
    run_cli("crawl", "http://127.0.0.1:1/x", "--allow-private", "--loopback-only", "--retries", "0",
            "--concurrency", "3", "--site-concurrency", "2", "--out", str(tmp_path), check=False)
    (warc,) = (tmp_path / "warcs").glob("*.warc.gz")
    with open(warc, "rb") as f:
        info = next(iter(ArchiveIterator(f)))
        options = json.loads(info.content_stream().read().decode().split("embed-archiver-options: ")[1].split("\r\n")[0])
    assert options["CONCURRENT_REQUESTS"] == 3 and options["CONCURRENT_REQUESTS_PER_DOMAIN"] == 2


def test_the_commands_that_read_an_archive_do_not_import_scrapy(tmp_path):
    """lookup, sources, cited-by and reindex need neither Scrapy nor Twisted: importing them cost
    ~0.5 s and ~25 MB per command."""
    db = tmp_path / "index.sqlite"
    script = f"""
import sys
from click.testing import CliRunner
from archiver.cli import cli
for args in (["reindex", {str(tmp_path / "none.warc.gz")!r}], ["lookup", "Reuters"], ["cited-by", "Reuters"],
             ["sources", "https://news.example/a"]):
    CliRunner().invoke(cli, [*args, "--db", {str(db)!r}])
print(sorted({{name.split(".")[0] for name in sys.modules}} & {{"scrapy", "twisted"}}))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
