"""WACZ packages (archiver.warc.wacz): the whole archive, and one article's evidence copied byte for
byte. Checked with py-wacz's validator (`wacz validate`), cdxj-indexer and warcio, and by loading
the package into pywb and replaying the article; and, because `wacz validate` passes packages
without pages/pages.jsonl, by reading every part of the package here too."""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.errors import NotFound
from archiver.index import open_index
from archiver.verify import verify_articles
from archiver.warc import cdxj
from archiver.warc.reader import read_record
from archiver.warc.wacz import ArchiveMap, scan, write_wacz
from archiver.warc.writer import WarcWriter
from tests.e2e.test_replay_pywb import get, pywb

BIN = Path(sys.executable).parent
WACZ_BIN = Path(os.environ.get("WACZ_BIN", BIN / "wacz"))   # py-wacz (wacz==0.6.0, test extra)
REQUIRED = ("datapackage.json", "datapackage-digest.json", "pages/pages.jsonl", "indexes/index.cdx.gz",
            "indexes/index.idx")


@pytest.fixture(scope="module")
def archive(crawl, tmp_path_factory):
    """A copy of the crawled archive with every embed verified (check records in a WARC of their own)."""
    out = tmp_path_factory.mktemp("wacz-archive") / "archive"
    shutil.copytree(crawl.out, out)
    index = open_index(out / "index.sqlite")
    writer = WarcWriter(out / "warcs", out / "indexes", info={"software": "embed-archiver (test verify)"})
    try:
        verify_articles(index, writer, [a["url"] for a in index.list_articles()])
    finally:
        writer.close()
    yield out, index
    index.close()


@pytest.fixture(scope="module")
def whole(archive, tmp_path_factory):
    out, index = archive
    path = tmp_path_factory.mktemp("wacz") / "all.wacz"
    return path, write_wacz(path, index, out / "warcs")


@pytest.fixture(scope="module")
def evidence(archive, crawl, tmp_path_factory):
    """The package of the first seed: two X posts with media, a link answered by a revisit, a page."""
    out, index = archive
    path = tmp_path_factory.mktemp("wacz") / "article.wacz"
    return path, write_wacz(path, index, out / "warcs", articles=[crawl.site.seed_article_urls[0]])


def validate(path: Path) -> str:
    if not WACZ_BIN.exists():
        pytest.fail(f"py-wacz is not installed at {WACZ_BIN}: run `make test` (wacz==0.6.0 is in the test extra)")
    result = subprocess.run([WACZ_BIN, "validate", "-f", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "is valid" in result.stdout, result.stdout + result.stderr
    return result.stdout


def records(data: bytes) -> list[tuple[int, int, object]]:
    """(offset, length, record) of every record of a WARC, payload read."""
    found = []
    it = ArchiveIterator(io.BytesIO(data))
    for record in it:
        record.content_stream().read()
        found.append((it.get_record_offset(), it.get_record_length(), record))
    return found


def check_package(path: Path, tmp_path: Path) -> dict:
    """Everything a WACZ 1.1.1 reader relies on; returns the parts, parsed."""
    with zipfile.ZipFile(path) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        data = {name: zf.read(name) for name in infos}
    for name in REQUIRED:
        assert name in infos, f"{name} missing from the package"
    warcs = [n for n in infos if n.startswith("archive/")]
    assert warcs and all(n.endswith(".warc.gz") for n in warcs)
    # already compressed: stored, so byte ranges work; the rest deflated
    for name, info in infos.items():
        stored = name.startswith("archive/") or name.endswith(".cdx.gz")
        assert info.compress_type == (zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED), name

    package = json.loads(data["datapackage.json"])
    assert package["profile"] == "data-package" and package["wacz_version"] == "1.1.1"
    for key in ("title", "created", "modified", "software", "description"):
        assert package[key], key
    for key in ("created", "modified"):
        datetime.strptime(package[key], "%Y-%m-%dT%H:%M:%SZ")
    listed = {r["path"]: r for r in package["resources"]}
    assert set(listed) == set(infos) - {"datapackage.json", "datapackage-digest.json"}
    for name, res in listed.items():
        assert res["bytes"] == len(data[name]), name
        assert res["hash"] == "sha256:" + hashlib.sha256(data[name]).hexdigest(), name
        assert res["name"] == Path(name).name.lower()
    digest = json.loads(data["datapackage-digest.json"])
    assert digest == {"path": "datapackage.json",
                      "hash": "sha256:" + hashlib.sha256(data["datapackage.json"]).hexdigest()}

    lines = data["pages/pages.jsonl"].decode("utf-8").splitlines()
    assert json.loads(lines[0]) == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    pages = [json.loads(line) for line in lines[1:]]
    for page in pages:
        assert page["url"].startswith("http") and page["title"] and page["id"]
        datetime.strptime(page["ts"], "%Y-%m-%dT%H:%M:%SZ")  # RFC 3339, UTC
    assert len({p["id"] for p in pages}) == len(pages)
    if pages:
        assert package["mainPageUrl"] == pages[0]["url"] and package["mainPageDate"] == pages[0]["ts"]

    # zipnum: index.idx names each gzip block of index.cdx.gz, with its first key
    cdx_gz, idx = data["indexes/index.cdx.gz"], data["indexes/index.idx"].decode("utf-8").splitlines()
    assert idx[0] == '!meta 0 {"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}'
    cdx_lines: list[str] = []
    end = 0
    for entry in idx[1:]:
        key, ts, fields = entry.split(" ", 2)
        block = json.loads(fields)
        assert block["offset"] == end
        member = cdx_gz[block["offset"]:block["offset"] + block["length"]]
        assert block["digest"] == "sha256:" + hashlib.sha256(member).hexdigest()
        text = zlib.decompress(member, zlib.MAX_WBITS | 16).decode("utf-8").splitlines()
        assert text[0].split(" ", 2)[:2] == [key, ts]
        cdx_lines += text
        end += block["length"]
    assert end == len(cdx_gz)
    assert cdx_lines == gzip.decompress(cdx_gz).decode("utf-8").splitlines()
    assert cdx_lines == sorted(cdx_lines, key=lambda s: s.encode("utf-8"))

    # every line points at a record that parses, with the line's URL and date
    by_name = {Path(n).name: data[n] for n in warcs}
    for line in cdx_lines:
        key, ts, fields = line.split(" ", 2)
        entry = json.loads(fields)
        chunk = by_name[entry["filename"]][int(entry["offset"]):int(entry["offset"]) + int(entry["length"])]
        record = next(iter(ArchiveIterator(io.BytesIO(chunk))))
        assert record.rec_headers.get_header("WARC-Target-URI") == entry["url"]
        assert cdxj.timestamp14(record.rec_headers.get_header("WARC-Date")) == ts
        assert (record.rec_type == "revisit") == (entry["mime"] == "warc/revisit")
    # ... and is what cdxj-indexer makes of the packaged WARCs; which pass warcio's digest check
    for name, body in by_name.items():
        (tmp_path / name).write_bytes(body)
        check = subprocess.run([BIN / "warcio", "check", str(tmp_path / name)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    reference = subprocess.run([BIN / "cdxj-indexer", "-s", *[str(tmp_path / n) for n in sorted(by_name)]],
                               capture_output=True, text=True, check=True).stdout.splitlines()
    assert cdx_lines == reference
    return {"infos": infos, "data": data, "package": package, "pages": pages, "cdx": cdx_lines, "warcs": by_name}


# -- the whole archive -------------------------------------------------------------------------------

def test_whole_archive_package_is_valid_wacz(whole):
    path, _ = whole
    validate(path)


def test_whole_archive_package_holds_every_warc_unchanged_and_every_article(whole, archive, tmp_path):
    path, summary = whole
    out, index = archive
    parts = check_package(path, tmp_path)
    sources = sorted((out / "warcs").glob("*.warc.gz"))
    assert sorted(parts["warcs"]) == [p.name for p in sources] == sorted(summary["warcs"])
    for source in sources:
        assert parts["warcs"][source.name] == source.read_bytes()
    # the CDXJ written at crawl time, merged
    expected = sorted(line for p in sorted((out / "indexes").glob("*.cdxj"))
                      for line in p.read_text("utf-8").splitlines() if line)
    assert sorted(parts["cdx"]) == expected
    articles = [a for a in index.list_articles() if a.get("capture_id")]
    assert [p["url"] for p in parts["pages"]] == [a["url"] for a in articles]
    assert summary["pages"] == len(articles)


# -- one article's evidence --------------------------------------------------------------------------

def test_article_package_is_valid_wacz(evidence):
    path, summary = evidence
    validate(path)
    assert summary["missing"] == []


def test_article_package_parts(evidence, crawl, archive, tmp_path):
    path, summary = evidence
    _, index = archive
    parts = check_package(path, tmp_path)
    article = index.article(crawl.site.seed_article_urls[0])
    assert [p["url"] for p in parts["pages"]] == [article["url"]]
    assert parts["pages"][0]["title"] == article["title"]
    assert parts["package"]["title"] == article["title"]
    assert len(parts["warcs"]) == 1 and summary["records"] == len(records(next(iter(parts["warcs"].values()))))


def _packaged(path: Path) -> tuple[bytes, dict[str, tuple[int, int, object]]]:
    with zipfile.ZipFile(path) as zf:
        name = next(n for n in zf.namelist() if n.startswith("archive/"))
        data = zf.read(name)
    return data, {r.rec_headers.get_header("WARC-Record-ID"): (o, n, r) for o, n, r in records(data)}


def test_article_records_are_copied_byte_for_byte(evidence, archive):
    path, _ = evidence
    out, _ = archive
    data, held = _packaged(path)
    amap = ArchiveMap(sorted((out / "warcs").glob("*.warc.gz")))
    for record_id, (offset, length, _) in held.items():
        assert data[offset:offset + length] == amap.read(record_id), record_id
    first = records(data)[0][2]
    assert first.rec_type == "warcinfo"


def test_article_package_holds_the_evidence_of_every_reference(evidence, crawl, archive):
    path, _ = evidence
    _, index = archive
    data, held = _packaged(path)
    uris = {r.rec_headers.get_header("WARC-Target-URI") for _, _, r in held.values()} - {None}
    article = index.article(crawl.site.seed_article_urls[0])
    capture = index.capture(article["capture_id"])
    assert capture["record_id"] in held and article["refs_record_id"] in held
    if capture["record_type"] == "revisit":  # the payload it repeats comes along
        assert capture["refers_to"] in held
    refs = index.sources(article["url"])["references"]
    embeds = [r for r in refs if r["kind"] == "embed"]
    assert len(embeds) == 2
    for ref in refs:
        if ref.get("capture"):
            assert ref["capture"]["record_id"] in held, ref
    for ref in embeds:
        post = index.post(ref["platform"], ref["post_id"])
        assert post["snapshot_record_id"] in held
        assert f"urn:embed-archiver:post:{ref['platform']}:{ref['post_id']}" in uris
        for media in json.loads(post["media"]):  # fetched from the loopback stand-in of the media host
            assert any(u.endswith(media.split("://", 1)[1]) for u in uris), media
        assert any("/oembed?" in u and ref["post_id"] in u for u in uris)  # the post's second endpoint
        checks = index.checks_of(article["url"], ref["position"])
        assert checks and checks[-1]["record_id"] in held
    # every response comes with its request; every revisit with what it repeats
    for _, _, record in held.values():
        if record.rec_type in ("response", "revisit"):
            rid = record.rec_headers.get_header("WARC-Record-ID")
            assert any(r.rec_type == "request" and r.rec_headers.get_header("WARC-Concurrent-To") == rid
                       for _, _, r in held.values()), rid
        if record.rec_type == "revisit":
            assert record.rec_headers.get_header("WARC-Refers-To") in held


def test_article_package_leaves_out_what_is_not_its_evidence(evidence, crawl, archive):
    path, _ = evidence
    _, index = archive
    _, held = _packaged(path)
    uris = {r.rec_headers.get_header("WARC-Target-URI") for _, _, r in held.values()} - {None}
    article = index.article(crawl.site.seed_article_urls[0])
    cited = {r["url"] for r in index.sources(article["url"])["references"] if r.get("url")}
    for other in index.list_articles():
        if other["url"] != article["url"] and other["url"] not in cited:
            assert other["url"] not in uris, other["url"]
            assert other["refs_record_id"] not in held
        if other["url"] != article["url"]:  # other articles' verdicts on the posts they share
            for ref in index.sources(other["url"])["references"]:
                for check in index.checks_of(other["url"], ref["position"]):
                    assert check["record_id"] not in held
    assert not any(u.endswith(("/robots.txt", "/sitemap.xml")) for u in uris)
    assert not any(u.startswith("urn:embed-archiver:references:") and article["url"] not in u for u in uris)


def test_a_cited_page_comes_with_its_redirect_hops(archive, tmp_path):
    out, index = archive
    for candidate in index.list_articles():
        for ref in index.sources(candidate["url"])["references"]:
            if ref["kind"] == "link" and not ref.get("post_id") and ref.get("capture") \
                    and ref["capture"]["url"] != ref["url"]:
                first_hop = index.captures_of(ref["url"])[0]
                assert 300 <= first_hop["status"] < 400
                path = tmp_path / "redirected.wacz"
                write_wacz(path, index, out / "warcs", articles=[candidate["url"]])
                _, held = _packaged(path)
                assert first_hop["record_id"] in held and ref["capture"]["record_id"] in held
                return
    pytest.fail("the sample site has no redirected link")


def test_two_articles_in_one_package(archive, crawl, tmp_path):
    out, index = archive
    urls = crawl.site.seed_article_urls[:2]
    path = tmp_path / "two.wacz"
    summary = write_wacz(path, index, out / "warcs", articles=urls + urls[:1], title="Two articles")
    parts = check_package(path, tmp_path)
    assert [p["url"] for p in parts["pages"]] == urls
    assert parts["package"]["title"] == "Two articles"
    _, held = _packaged(path)
    assert summary["records"] == len(held)  # a record both articles need is there once
    validate(path)


def test_without_the_crawl_time_cdxj_the_index_is_made_from_the_warcs(archive, crawl, tmp_path):
    out, index = archive
    bare = tmp_path / "bare" / "warcs"      # WARC files without indexes/ beside them
    shutil.copytree(out / "warcs", bare)
    for articles in (None, [crawl.site.seed_article_urls[1]]):
        path = tmp_path / f"bare-{bool(articles)}.wacz"
        summary = write_wacz(path, index, bare, articles=articles)
        parts = check_package(path, tmp_path)  # its CDXJ is what cdxj-indexer makes of the WARCs
        assert len(parts["cdx"]) == summary["cdxj_lines"] > 0


def test_an_article_not_in_the_index_is_refused(archive, tmp_path):
    out, index = archive
    with pytest.raises(NotFound):
        write_wacz(tmp_path / "x.wacz", index, out / "warcs", articles=["https://example.com/not-crawled"])
    assert not (tmp_path / "x.wacz").exists()


def test_scan_reads_records_where_warcio_does(crawl):
    for path in crawl.warcs:
        ours = [(m.offset, m.length, m.record_type, m.record_id) for m in scan(path)]
        theirs = [(o, n, r.rec_type, r.rec_headers.get_header("WARC-Record-ID"))
                  for o, n, r in records(path.read_bytes())]
        assert ours == theirs


# -- replay ------------------------------------------------------------------------------------------

def _decoded(headers: dict, body: bytes) -> bytes:
    return gzip.decompress(body) if headers.get("Content-Encoding") == "gzip" else body


def test_pywb_loads_the_article_package_and_replays_the_article(evidence, crawl, archive, tmp_path):
    path, _ = evidence
    out, index = archive
    article = index.article(crawl.site.seed_article_urls[0])
    capture = index.capture(article["capture_id"])
    original = index.capture_by_record(capture["refers_to"]) if capture["record_type"] == "revisit" else capture
    stored = read_record(out / "warcs" / original["filename"], original["offset"], original["length"])
    embed = next(r for r in index.sources(article["url"])["references"] if r["kind"] == "embed")
    post = index.post(embed["platform"], embed["post_id"])
    endpoint = index.capture(post["capture_id"])
    page = json.loads(zipfile.ZipFile(path).read("pages/pages.jsonl").decode().splitlines()[1])
    stamp = "".join(ch for ch in page["ts"] if ch.isdigit())
    # wb-manager takes a WACZ with --unpack-wacz: the flag rides along with the file list
    with pywb(tmp_path, "evidence", ["--unpack-wacz", path]) as base:
        status, headers, body = get(f"{base}/evidence/{stamp}id_/{page['url']}")
        assert status == 200
        assert _decoded(headers, body) == stored.content
        status, headers, body = get(f"{base}/evidence/{cdxj.timestamp14(endpoint['date'])}id_/{endpoint['url']}")
        assert status == 200 and json.loads(_decoded(headers, body))["id_str"] == post["post_id"]
        # the rewritten replay (what a reader sees) works too
        status, _, body = get(f"{base}/evidence/{stamp}mp_/{page['url']}")
        assert status == 200 and article["title"].split()[0].encode() in body
