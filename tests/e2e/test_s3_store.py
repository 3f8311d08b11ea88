"""WARCs in an S3 store, end to end on loopback: the sample site crawled with `--store s3://...`
into a real SeaweedFS, then every command that reads WARCs pointed at the store: `show` (one
ranged GET, seen through a recording proxy), `reindex`, `wacz` and `export`; and an upload that
fails (the store unreachable) keeps the file until a later session sends it."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, endpoint_args
from tests.servers.s3 import RecordingProxy, dead_endpoint, make_store, s3_server  # noqa: F401 - fixture
from tests.test_reindex import assert_same
from tests.test_wacz import check_package, validate

BIN = Path(sys.executable).parent
MAX_SIZE = "40000"   # bytes: small WARC files, so the crawl rotates and uploads while it runs


def run(*args: str, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess:
    """`archiver ARGS...` in a subprocess whose environment reaches the test store only."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARCHIVER_"))}
    proc = subprocess.run([sys.executable, "-m", "archiver", *args], capture_output=True, timeout=300,
                          env={**clean, "PYTHONPATH": str(ROOT), **env})
    if check and proc.returncode != 0:
        raise AssertionError(f"archiver {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stderr.decode(errors='replace')[-3000:]}")
    return proc


def crawl_args(site, out: Path, *urls: str) -> list[str]:
    seeds = list(urls) or ["--sitemap", site.sitemap_url]
    return ["crawl", *seeds, "--out", str(out), "--loopback-only", "--allow-private", *endpoint_args(site), "--json"]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def stored(demo_site, s3_server, tmp_path_factory):
    """The sample site crawled into a fresh bucket; and a local copy of that archive (the same
    index, the store's files downloaded) to compare the commands' answers with."""
    bucket = make_store(s3_server)
    out = tmp_path_factory.mktemp("s3-archive")
    env = {**bucket.env, "ARCHIVER_WARC_MAX_SIZE": MAX_SIZE}
    report = json.loads(run(*crawl_args(demo_site, out), "--store", bucket.url, env=env).stdout)
    local = tmp_path_factory.mktemp("s3-archive-local")
    shutil.copy(out / "index.sqlite", local / "index.sqlite")
    client = s3_server.client()
    for kind in ("warcs", "indexes"):
        (local / kind).mkdir()
        for name in bucket.keys(kind):
            client.download_file(bucket.bucket, f"{bucket.prefix}/{kind}/{name}", str(local / kind / name))
    return bucket, out, local, report


def test_the_store_holds_the_warcs_and_their_cdxj_and_no_local_copy_remains(stored):
    bucket, out, _, report = stored
    names = bucket.keys("warcs")
    assert len(names) >= 2  # rotated: files went up while the crawl ran, the last one at its end
    assert bucket.keys("indexes") == [n + ".cdxj" for n in names]
    assert bucket.keys() == sorted([f"warcs/{n}" for n in names] + [f"indexes/{n}.cdxj" for n in names])
    assert report["stored"] == names and report["store"] == bucket.url and report["warcs"] == []
    assert list((out / "warcs").iterdir()) == [] and list((out / "indexes").iterdir()) == []
    # one worker token in every name: workers sharing the store cannot pick the same one
    tokens = {n[: -len(".warc.gz")].rsplit("-", 1)[1] for n in names}
    assert len(tokens) == 1 and len(tokens.pop()) == 8
    assert report["summary"]["captures"] > 40 and any(a["status"] == 200 for a in report["articles"])


def test_every_stored_warc_passes_warcio_check(stored):
    _, _, local, _ = stored
    for path in sorted((local / "warcs").iterdir()):
        result = subprocess.run([BIN / "warcio", "check", "-v", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_show_reads_one_record_with_one_ranged_get_and_prints_what_a_local_archive_does(stored, demo_site):
    bucket, out, local, _ = stored
    url = demo_site.seed_article_urls[0]
    expected = run("show", url, "--out", str(local), env={})
    with RecordingProxy(bucket.server.endpoint) as proxy:
        env = bucket.server.env(proxy.endpoint)
        got = run("show", url, "--out", str(out), "--store", bucket.url, env=env)
        as_json = json.loads(run("show", url, "--out", str(out), "--store", bucket.url, "--json", env=env).stdout)
    assert got.stdout == expected.stdout and got.stderr == expected.stderr
    assert b"<html" in got.stdout.lower() and b"200" in got.stdout.splitlines()[0]
    warc = as_json["warc"]
    size = (local / "warcs" / warc["filename"]).stat().st_size
    first = proxy.requests[0]
    assert first["method"] == "GET" and first["path"].endswith(f"/warcs/{warc['filename']}")
    assert first["range"] == f"bytes={warc['offset']}-{warc['offset'] + warc['length'] - 1}"
    assert first["status"] == 206 and first["bytes"] == warc["length"] < size / 2
    # each run: one GET of the record's bytes, nothing else (no listing, no whole file)
    assert len(proxy.requests) == 2 and proxy.requests[1] == first


def test_reindex_from_the_store_rebuilds_the_same_index(stored, tmp_path, demo_site):
    bucket, out, _, _ = stored
    stats = json.loads(run("reindex", "--store", bucket.url, "--out", str(tmp_path), "--json", env=bucket.env).stdout)
    assert stats["files"] == len(bucket.keys("warcs")) and stats["captures"] > 40
    assert_same(out / "index.sqlite", tmp_path / "index.sqlite")
    for query in (demo_site.seed_article_urls[0], "@wartranslated", "The Guardian"):
        answers = [json.loads(run("lookup", query, "--out", str(where), "--json", env={}).stdout)
                   for where in (out, tmp_path)]
        assert answers[0] == answers[1] and answers[0]["results"]


def test_wacz_from_the_store_packages_the_stored_warcs(stored, tmp_path, demo_site):
    bucket, out, local, _ = stored
    names = bucket.keys("warcs")
    path = tmp_path / "archive.wacz"
    summary = json.loads(run("wacz", str(path), "--store", bucket.url, "--out", str(out), "--json",
                             env=bucket.env).stdout)
    assert summary["warcs"] == names
    check_package(path, tmp_path)
    validate(path)
    with zipfile.ZipFile(path) as zf:
        package = json.loads(zf.read("datapackage.json"))
        for name in names:
            assert zf.read(f"archive/{name}") == (local / "warcs" / name).read_bytes()
    listed = {r["path"]: r["hash"] for r in package["resources"] if r["path"].startswith("archive/")}
    client = bucket.server.client()
    stored_digests = {f"archive/{n}": "sha256:" + client.head_object(
        Bucket=bucket.bucket, Key=f"{bucket.prefix}/warcs/{n}")["Metadata"]["sha256"] for n in names}
    assert listed == stored_digests == {f"archive/{n}": "sha256:" + sha256((local / "warcs" / n).read_bytes())
                                        for n in names}
    # one article's evidence: picked from the stored files
    evidence = tmp_path / "one.wacz"
    one = json.loads(run("wacz", str(evidence), "--article", demo_site.seed_article_urls[0], "--store", bucket.url,
                         "--out", str(out), "--json", env=bucket.env).stdout)
    assert one["records"] > 5 and not one["missing"]
    validate(evidence)


def test_export_reads_captured_titles_from_the_store(stored):
    bucket, out, local, _ = stored
    expected = run("export", "--format", "csl-json", "--out", str(local), env={}).stdout
    got = run("export", "--format", "csl-json", "--out", str(out), "--store", bucket.url, env=bucket.env).stdout
    assert got == expected and json.loads(got)


def test_a_failed_upload_keeps_the_file_and_a_later_session_sends_it(demo_site, s3_server, tmp_path):
    bucket = make_store(s3_server)
    out = tmp_path / "archive"
    first, second = demo_site.seed_article_urls[:2]
    unreachable = s3_server.env(dead_endpoint())
    proc = run(*crawl_args(demo_site, out, first), "--store", bucket.url, env=unreachable)
    assert b"Could not upload" in proc.stderr and b"stays in" in proc.stderr
    left = sorted(p.name for p in (out / "warcs").glob("*.warc.gz"))
    assert len(left) == 1 and (out / "indexes" / (left[0] + ".cdxj")).exists()
    assert json.loads(proc.stdout)["warcs"] == [str(out / "warcs" / left[0])]
    assert bucket.keys() == []

    # `archiver upload` with the store still unreachable: a failure, and the file stays
    failed = run("upload", "--store", bucket.url, "--out", str(out), "--json", env=unreachable, check=False)
    assert failed.returncode == 1 and json.loads(failed.stdout)["files"] == {left[0]: "failed"}
    assert (out / "warcs" / left[0]).exists()

    # the next crawl session on that folder, with the store back, sends it with its own file
    report = json.loads(run(*crawl_args(demo_site, out, second), "--store", bucket.url, env=bucket.env).stdout)
    names = bucket.keys("warcs")
    assert left[0] in names and len(names) == 2 and report["stored"] == names and report["warcs"] == []
    assert list((out / "warcs").glob("*.warc.gz")) == [] and list((out / "indexes").glob("*.cdxj")) == []
    with open(tmp_path / left[0], "wb") as fh:  # sent whole
        s3_server.client().download_fileobj(bucket.bucket, f"{bucket.prefix}/warcs/{left[0]}", fh)
    subprocess.run([BIN / "warcio", "check", str(tmp_path / left[0])], check=True)
    shown = run("show", first, "--out", str(out), "--store", bucket.url, env=bucket.env)
    assert shown.stdout.startswith(b"HTTP/1.1 200")
    # verify writes its verdicts into a WARC of its own: that one goes to the store too
    run("verify", "--all", "--out", str(out), "--store", bucket.url, "--json", env=bucket.env)
    assert len(bucket.keys("warcs")) == 3 and list((out / "warcs").glob("*.warc.gz")) == []
