"""`archiver.reindex`: the index rebuilt from the WARC files alone equals, row for row, the index
the crawl built (surrogate ids aside). Real crawls of the sample site (one, then a second forced
recapture into the same archive), a crawl with Wayback lookups and submissions, short links and
failures, then hand-made records (checks, the formats proposed for what the WARC does not hold yet)
and damaged input."""
from __future__ import annotations

import gzip
import inspect
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from archiver import wayback
from archiver.errors import ArchiverError, InputError, WarcError
from archiver.index import open_index
from archiver.index.schema import metadata
from archiver.model import (ArticleMeta, ArticleRefs, CaptureInfo, Embed, PostRef, PostSnapshot,
                            WarcLocation)
from archiver.reindex import reindex
from archiver.warc.writer import HttpExchange, WarcWriter, warc_date

from .conftest import endpoint_args, run_json
from .e2e.recorded import RecordedPlatforms

# Columns the WARCs do not hold, so the rebuilt index cannot match them (see
# archiver.reindex.NOT_FROM_WARC). Everything else must be equal.
NOT_REPRODUCED = {
    "crawls": {"finished": "the crawl's clock at close; no record marks it"},
}
TABLES = {t.name for t in metadata.sorted_tables}


# -- comparing two indexes by natural keys --------------------------------------------------------

def natural(db: Path) -> dict[str, dict]:
    """Every table as {natural key: row}, foreign keys replaced by the natural key they point at."""
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert TABLES <= names and not {n for n in names - TABLES if not n.startswith("fts")}, names
        t = {name: [dict(r) for r in con.execute(f"SELECT * FROM {name} ORDER BY id")] for name in TABLES}
        fts = [tuple(r) for r in con.execute("SELECT doc_type, doc_id, body FROM fts")]
    finally:
        con.close()
    crawl = {r["id"]: n for n, r in enumerate(t["crawls"])}  # crawls in the order they ran
    cap = {r["id"]: r["record_id"] for r in t["captures"]}
    art = {r["id"]: r["url"] for r in t["articles"]}
    ref = {r["id"]: (art[r["article_id"]], r["kind"], r["position"]) for r in t["refs"]}
    post = {r["id"]: (r["platform"], r["post_id"]) for r in t["posts"]}

    def keyed(rows, key, **fk):
        out = {}
        for row in rows:
            row = {k: v for k, v in row.items() if k != "id"}
            for column, ids in fk.items():
                if column == "capture_ids":
                    row[column] = [ids[i] for i in json.loads(row[column] or "[]")]
                elif row[column] is not None:
                    row[column] = ids[row[column]]
            assert key(row) not in out, f"two rows with the key {key(row)}"
            out[key(row)] = row
        return out

    docs = {"article": art, "ref": ref, "post": post}
    return {
        "crawls": {n: {k: v for k, v in r.items() if k != "id"} for n, r in enumerate(t["crawls"])},
        "captures": keyed(t["captures"], lambda r: r["record_id"], crawl_id=crawl),
        "articles": keyed(t["articles"], lambda r: r["url"], capture_id=cap),
        "refs": keyed(t["refs"], lambda r: (r["article_id"], r["kind"], r["position"]), article_id=art),
        "posts": keyed(t["posts"], lambda r: (r["platform"], r["post_id"]), capture_id=cap),
        "checks": keyed(t["checks"], lambda r: r["record_id"], ref_id=ref, post_row_id=post, capture_ids=cap),
        "copies": keyed(t["copies"], lambda r: (r["url_key"], r["service"], r["copy_url"]), capture_id=cap),
        "fts": {(kind, docs[kind][int(doc)], body): {} for kind, doc, body in fts},
    }


def differences(expected: dict, rebuilt: dict) -> list[str]:
    found = []
    for table, rows in expected.items():
        ignored = NOT_REPRODUCED.get(table, {})
        other = rebuilt[table]
        found += [f"{table}: missing {key!r}" for key in rows.keys() - other.keys()]
        found += [f"{table}: extra {key!r}" for key in other.keys() - rows.keys()]
        for key in rows.keys() & other.keys():
            for column, value in rows[key].items():
                if column not in ignored and other[key][column] != value:
                    found.append(f"{table} {key!r}.{column}: {value!r} != {other[key][column]!r}")
    return found


def rebuild(warcs: list[Path], db: Path, **kw) -> dict:
    index = open_index(db)
    try:
        return reindex(warcs, index, **kw)
    finally:
        index.close()


def assert_same(expected_db: Path, rebuilt_db: Path, not_in_warc=None) -> dict:
    expected, rebuilt = natural(expected_db), natural(rebuilt_db)
    if not_in_warc:
        not_in_warc(expected, rebuilt)
    assert differences(expected, rebuilt) == []
    return expected


# -- real crawls -----------------------------------------------------------------------------------

def test_the_rebuilt_index_is_the_crawls(crawl, tmp_path):
    stats = rebuild(crawl.warcs, tmp_path / "rebuilt.sqlite")
    expected = assert_same(crawl.out / "index.sqlite", tmp_path / "rebuilt.sqlite")
    assert stats["files"] == len(crawl.warcs) and stats["captures"] == len(expected["captures"]) > 40
    assert stats["articles"] == len(expected["articles"]) > 5 and stats["posts"] >= len(expected["posts"]) > 5
    assert stats["records"] > stats["captures"] and stats["seconds"] >= 0


@pytest.mark.parametrize("kept", [0.3, 0.67, 0.95])
def test_a_crawl_killed_before_its_last_batch_was_indexed_is_indexed_whole_on_recovery(crawl, tmp_path, kept):
    """The crawl indexes in batches: a kill loses the batch still waiting (captures, articles, posts,
    copies). The next crawl into the archive recovers the open file and indexes what it holds."""
    from archiver.reindex import index_unindexed
    from archiver.warc.writer import OPEN_SUFFIX, recover_open_files

    warcs = tmp_path / "warcs"
    warcs.mkdir()
    (tmp_path / "indexes").mkdir()
    for path in crawl.warcs:
        shutil.copy(path, warcs / path.name)
    last = sorted(warcs.iterdir())[-1]
    db = tmp_path / "index.sqlite"
    rebuild(sorted(warcs.iterdir()), db)
    # the lost batches: the rows after the first `kept` of the captures and of the other tables, as
    # if never written (a row naming a capture is written in the capture's batch or a later one)
    con = sqlite3.connect(db)
    with con:
        (last_kept,) = con.execute("SELECT CAST(count(*) * ? AS INTEGER) FROM captures", (kept,)).fetchone()
        con.execute("DELETE FROM captures WHERE id > ?", (last_kept,))
        for table in ("articles", "posts", "copies"):
            con.execute(f"DELETE FROM {table} WHERE capture_id > ? "
                        f"OR id > (SELECT CAST(count(*) * ? AS INTEGER) FROM {table})", (last_kept, kept))
        con.execute("DELETE FROM refs WHERE article_id NOT IN (SELECT id FROM articles)")
        for doc, table in (("article", "articles"), ("ref", "refs"), ("post", "posts")):
            con.execute(f"DELETE FROM fts WHERE doc_type = ? AND doc_id NOT IN (SELECT id FROM {table})", (doc,))
    con.close()
    kept_rows = {table: con_count(db, table) for table in ("captures", "articles")}
    last.rename(last.with_name(last.name + OPEN_SUFFIX))  # killed while writing it

    index = open_index(db)
    try:
        for name, end in recover_open_files(warcs, tmp_path / "indexes"):
            index.drop_captures_beyond(name, end)
            added = index_unindexed(index, warcs / name)
    finally:
        index.close()
    expected = assert_same(crawl.out / "index.sqlite", db)
    assert added["captures"] == len(expected["captures"]) - kept_rows["captures"] > 0
    assert added["described"] >= len(expected["articles"]) - kept_rows["articles"] > 0


def con_count(db: Path, table: str) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@pytest.fixture(scope="module")
def crawled_twice(crawl, tmp_path_factory) -> Path:
    """The session's crawl copied, then crawled again into the same archive, posts recaptured:
    revisit records, articles and posts indexed a second time."""
    out = tmp_path_factory.mktemp("twice") / "archive"
    shutil.copytree(crawl.out, out)
    counted = dict(crawl.site.hits)  # other tests count the session's site fetches: leave them as they were
    try:
        run_json("crawl", "--sitemap", crawl.site.sitemap_url, "--out", str(out), "--loopback-only",
                 "--allow-private", "--recapture-after", "0", *endpoint_args(crawl.site))
    finally:
        crawl.site.hits.clear()
        crawl.site.hits.update(counted)
    return out


def test_a_second_crawl_into_the_same_archive_rebuilds_too(crawled_twice, tmp_path):
    warcs = sorted((crawled_twice / "warcs").glob("*.warc.gz"))
    rebuild(list(reversed(warcs)), tmp_path / "rebuilt.sqlite")  # the order given does not matter
    expected = assert_same(crawled_twice / "index.sqlite", tmp_path / "rebuilt.sqlite")
    assert len(expected["crawls"]) == 2
    assert {r["crawl_id"] for r in expected["captures"].values()} == {0, 1}
    assert any(r["record_type"] == "revisit" for r in expected["captures"].values())
    second = [r for r in expected["articles"].values() if expected["captures"][r["capture_id"]]["crawl_id"] == 1]
    assert second, "the articles are indexed again by the second crawl"


# A crawl with the Wayback Machine (a lookup answered 503 then 200, one failing for good, a
# submission polled until saved), a plain-text embed resolved through two short-link hops, and
# failures: a missing seed, an unreachable seed, a post whose endpoint refuses connections.
FRESH = "https://news.example.org/2025/03/16/fresh-story"
MISSING = "https://gov.example/reports/ceasefire-report.pdf"
RETRIED = "https://retry.example/2025/03/statement"
DOWN = "https://down.example/2025/03/notice"
ORIGINAL = "https://www.example.com/2025/03/old-page"
CITED_COPY = f"https://web.archive.org/web/20250316081245/{ORIGINAL}"
POST = "https://twitter.com/DefenceHQ/status/1890000000000000001"
TELEGRAM = "https://t.me/kpszsu/27514"
J = {"Content-Type": "application/json"}


def wayback_answers() -> dict:
    from datetime import UTC, datetime, timedelta
    recent = (datetime.now(UTC) - timedelta(days=2)).strftime("%Y%m%d%H%M%S")

    def closest(url):
        return {"status": 200, "headers": J, "body": {"url": url, "archived_snapshots": {"closest": {
            "status": "200", "available": True, "timestamp": recent,
            "url": f"http://web.archive.org/web/{recent}/{url}"}}}}

    busy = {"status": 503, "headers": {"Content-Type": "text/plain"}, "body": "busy"}
    return {
        wayback.availability_url(FRESH): [closest(FRESH)],
        wayback.availability_url(RETRIED): [busy, closest(RETRIED)],
        wayback.availability_url(DOWN): [busy],
        wayback.availability_url(MISSING): [{"status": 200, "headers": J, "body": {"url": MISSING,
                                                                                    "archived_snapshots": {}}}],
        wayback.SAVE: [{"status": 200, "headers": J, "body": {"url": MISSING, "job_id": "spn2-0a1b2c3d"}}],
        wayback.SAVE_STATUS + "spn2-0a1b2c3d": [
            {"status": 200, "headers": J, "body": {"status": "pending", "job_id": "spn2-0a1b2c3d"}},
            {"status": 200, "headers": J, "body": {"status": "success", "job_id": "spn2-0a1b2c3d",
                                                   "original_url": MISSING, "timestamp": recent}}],
        "https://t.co/AbCdE12345": [{"status": 301, "headers": {"Location": "https://t.co/Hop2"}, "body": ""}],
        "https://t.co/Hop2": [{"status": 302, "headers": {"Location": POST}, "body": ""}],
    }


RICH = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Talks</title>
<meta property="og:type" content="article"></head><body><article><h1>Talks</h1><div class="entry-content">
<p>The talks resumed on Monday, as <a href="{FRESH}">a regional paper reported</a>, after a week of
strikes on the power grid that left several cities without heating for days.</p>
<p>The <a href="{MISSING}">ministry's report</a> lists the damage region by region, and a
<a href="{RETRIED}">later statement</a> and a <a href="{DOWN}">notice</a> add the repairs still needed.</p>
<p>An <a href="{CITED_COPY}">earlier statement</a>, since removed from the ministry's site, promised a
ceasefire along the whole front within thirty days, and the air force <a href="{TELEGRAM}">posted</a> the count.</p>
<p>New statement from the ministry https://t.co/AbCdE12345 \u2014 Ministry Of Defence (@DefenceHQ)
February 3, 2025</p>
</div></article></body></html>"""


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    with RecordedPlatforms({}, pages={"talks": RICH}) as server:
        server.responses.update(wayback_answers())
        server.extra_hosts += ["web.archive.org", "archive.org", "t.co", "cdn.syndication.twimg.com",
                               "publish.twitter.com", "twitter.com"]
        out = tmp_path_factory.mktemp("rich") / "archive"
        endpoints = [*server.endpoint_args(), "--endpoint", "https://t.me=http://127.0.0.1:9/t.me"]
        seeds = [*server.article_urls(), f"{server.base}/articles/gone.html", "http://127.0.0.1:9/story.html"]
        mp = pytest.MonkeyPatch()
        mp.setenv("ARCHIVER_WAYBACK_POLL_INTERVAL", "0")
        try:
            for again in ([], ["--recapture-after", "0"]):  # twice: Wayback answers repeated as revisits
                run_json("crawl", *seeds, "--out", str(out), "--loopback-only", "--allow-private",
                         "--wayback", "submit", "--token", "wayback=KEY:SECRET", *again, *endpoints)
        finally:
            mp.undo()
        mapping = dict(arg.split("=", 1) for arg in endpoints if arg != "--endpoint")
        yield out, mapping


def test_wayback_answers_short_links_and_failures_are_rebuilt(rich, tmp_path):
    out, endpoints = rich
    warcs = sorted((out / "warcs").glob("*.warc.gz"))
    stats = rebuild(warcs, tmp_path / "rebuilt.sqlite", endpoints=endpoints)
    expected = natural(out / "index.sqlite")
    # what the crawl indexed, so that the comparison means something
    copies = {(k[0], r["status"]) for k, r in expected["copies"].items()}
    assert {("https://news.example.org/2025/03/16/fresh-story", "available"),
            ("https://retry.example/2025/03/statement", "available"), ("https://down.example/2025/03/notice", "error"),
            ("https://www.example.com/2025/03/old-page", "cited")} <= copies, copies
    assert any(k[0] == "https://gov.example/reports/ceasefire-report.pdf" and r["status"] == "available"
               for k, r in expected["copies"].items())
    assert any(r["post_id"] == "1890000000000000001" and r["resolve_url"] for r in expected["refs"].values())
    assert any(r["status"] is None for r in expected["articles"].values())        # unreachable seed
    assert any(r["status"] == 404 for r in expected["articles"].values())         # missing seed
    assert any(r["status"] == "unavailable" for r in expected["posts"].values())  # refused endpoint
    assert any(r["record_type"] == "revisit" and "wayback/available" in r["url"]
               for r in expected["captures"].values())
    assert_same(out / "index.sqlite", tmp_path / "rebuilt.sqlite")
    assert stats["copies"] >= len(expected["copies"])


def test_without_the_endpoint_map_only_warcinfo_can_tell_what_was_asked_for(rich, tmp_path):
    """The WARC holds the URL fetched, not the one asked for: answers fetched through --endpoint
    are recognised with the same map, given by the caller or read from warcinfo (the crawl's
    options, once it writes them there)."""
    out, _ = rich
    warcs = sorted((out / "warcs").glob("*.warc.gz"))
    rebuild(warcs, tmp_path / "rebuilt.sqlite")
    rebuilt = natural(tmp_path / "rebuilt.sqlite")
    if b"embed-archiver-options" in gzip.open(warcs[0]).read(4096):
        assert_same(out / "index.sqlite", tmp_path / "rebuilt.sqlite")
    else:
        assert {r["status"] for r in rebuilt["copies"].values()} == {"cited"}
        assert not any(r["post_id"] == "1890000000000000001" and r["resolve_url"] for r in rebuilt["refs"].values())


# -- hand-made archives: the crawl's calls made beside the records ---------------------------------

ART = "https://news.example/2025/03/16/story.html"
TWEET = "https://twitter.com/wartranslated/status/1901199946615513871"
ENDPOINT = "https://cdn.syndication.twimg.com/tweet-result?id=1901199946615513871"


class Crawl:
    """Writes records as the crawl does and makes the index calls the crawl makes (the expected
    index), so the rebuilt index can be compared with it."""

    def __init__(self, root: Path, info: dict | None = None, key: str = "c0ffee"):
        self.root = root
        started = warc_date()
        # the crawl described in warcinfo as proposed (the current session writes isPartOf only)
        info = {"isPartOf": f"crawl-{key[:8]}", "embed-archiver-crawl-key": key, "embed-archiver-started": started,
                "embed-archiver-seeds": "[]", "embed-archiver-options": "{}", **(info or {})}
        self.writer = WarcWriter(root / "warcs", root / "indexes", info=info)
        self.index = open_index(root / "expected.sqlite")
        when = ({"started": info["embed-archiver-started"]}
                if "started" in inspect.signature(self.index.start_crawl).parameters else {})
        self.crawl_id = self.index.start_crawl(info["embed-archiver-crawl-key"],
                                               json.loads(info["embed-archiver-seeds"]),
                                               json.loads(info["embed-archiver-options"]), **when)

    def capture(self, written, **kw) -> int:
        return self.index.add_capture(CaptureInfo(
            url=written.url, date=written.date, status=kw.get("status"), mime=kw.get("mime"),
            location=WarcLocation(written.filename, written.offset, written.length, written.record_id),
            payload_digest=written.payload_digest, record_type=written.record_type,
            refers_to=written.refers_to, error=kw.get("error"), redirect_to=kw.get("location")), self.crawl_id)

    def exchange(self, url: str, body: bytes, status: int = 200, mime: str = "text/html", headers=()):
        date = warc_date()
        written, _ = self.writer.write_exchange(HttpExchange(
            url=url, method="GET", request_target="/", request_headers=[("Host", "x")], request_body=b"",
            status=status, response_headers=[("Content-Type", mime), *headers], body=body,
            ip_address="127.0.0.1", date=date))
        location = next((v for k, v in headers if k == "Location"), None)
        return written, self.capture(written, status=status, mime=mime, location=location)

    def copy(self, found, response, capture_id) -> None:
        """add_copy as parse_wayback calls it (with the answer's date, once add_copy takes it)."""
        takes = "checked_at" in inspect.signature(self.index.add_copy).parameters
        when = {"checked_at": response.date} if takes else {}
        self.index.add_copy(found, capture_id=capture_id, **when)

    def failure(self, url: str, reason: str):
        payload = f"fetch-error: {reason}\r\nurl: {url}\r\nmethod: GET\r\n".encode()
        written = self.writer.write_metadata(url, payload, "application/warc-fields", date=warc_date())
        return written, self.capture(written, error=reason)

    def json(self, uri: str, data: dict, refers_to: str | None, date: str | None = None):
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
        return self.writer.write_metadata(uri, payload, "application/json", refers_to=refers_to,
                                          concurrent_to=refers_to, date=date)

    def article(self, refs: ArticleRefs, response, capture_id, status):
        record = self.json(f"urn:embed-archiver:references:{refs.url}", refs.to_json(), response.record_id,
                           response.date)
        self.index.add_article(refs, capture_id=capture_id, fetched_at=response.date, status=status,
                               refs_record_id=record.record_id)
        return record

    def post(self, snapshot: PostSnapshot, response, capture_id):
        record = self.json(f"urn:embed-archiver:post:{snapshot.platform}:{snapshot.post_id}", snapshot.to_json(),
                           response.record_id, response.date)
        self.index.add_post(snapshot, capture_id=capture_id, captured_at=response.date,
                            snapshot_record_id=record.record_id)
        return record

    def close(self) -> list[Path]:
        self.writer.close()
        self.index.close()
        return sorted((self.root / "warcs").glob("*.warc.gz"))


def story(embeds=()) -> ArticleRefs:
    return ArticleRefs(ART, ArticleMeta(ART, title="Story", site_name="Example News"), embeds=tuple(embeds))


def test_checks_are_rebuilt_from_their_records(tmp_path):
    crawl = Crawl(tmp_path)
    page, page_capture = crawl.exchange(ART, b"<html>story</html>")
    crawl.article(story([Embed("twitter", TWEET, "1901199946615513871", "wartranslated", "snippet", 0, True,
                               claim_text="The coalition has settled on ceasefire terms")]), page, page_capture, 200)
    answer, answer_capture = crawl.exchange(ENDPOINT, b'{"text": "The coalition"}', mime="application/json")
    snapshot = crawl.post(PostSnapshot("twitter", "1901199946615513871", TWEET, "ok", ENDPOINT, handle="wartranslated",
                                       text="The coalition has settled on ceasefire terms"), answer, answer_capture)
    check = {"article_url": ART, "position": 0, "platform": "twitter", "post_id": "1901199946615513871",
             "post_url": TWEET, "checked_at": "2026-01-02T03:04:05.000000Z", "verdict": "edited",
             "flags": ["date_mismatch"], "diff": "[-a-] {+b+}", "claim": {"text": "a"}, "captured": {"text": "b"},
             "live": None, "capture_record_ids": [answer.record_id]}
    record = crawl.writer.write_metadata("urn:embed-archiver:check:twitter:1901199946615513871",
                                         json.dumps(check).encode(), "application/json",
                                         refers_to=snapshot.record_id)
    crawl.index.add_check(check, record.record_id)
    warcs = crawl.close()
    stats = rebuild(warcs, tmp_path / "rebuilt.sqlite")
    expected = assert_same(tmp_path / "expected.sqlite", tmp_path / "rebuilt.sqlite")
    [row] = expected["checks"].values()
    assert row["ref_id"] == (ART, "embed", 0) and row["capture_ids"] == [answer.record_id]
    assert row["flags"] == '["date_mismatch"]' and stats["checks"] == 1


def test_a_check_of_an_article_indexed_again_later_goes_with_its_old_references(tmp_path):
    """The crawl's index drops the checks of references an article's new fetch replaced: replayed
    in WARC order, so does the rebuilt one."""
    crawl = Crawl(tmp_path)
    page, capture = crawl.exchange(ART, b"<html>v1</html>")
    refs = story([Embed("twitter", TWEET, "1901199946615513871", None, "snippet", 0, True)])
    crawl.article(refs, page, capture, 200)
    check = {"article_url": ART, "position": 0, "platform": "twitter", "post_id": "1901199946615513871",
             "checked_at": warc_date(), "verdict": "not_captured", "flags": [], "capture_record_ids": []}
    record = crawl.writer.write_metadata("urn:embed-archiver:check:twitter:1901199946615513871",
                                         json.dumps(check).encode(), "application/json")
    crawl.index.add_check(check, record.record_id)
    page, capture = crawl.exchange(ART, b"<html>v2</html>")
    crawl.article(refs, page, capture, 200)
    warcs = crawl.close()
    rebuild(warcs, tmp_path / "rebuilt.sqlite")
    assert assert_same(tmp_path / "expected.sqlite", tmp_path / "rebuilt.sqlite")["checks"] == {}


def test_the_formats_proposed_for_failed_fetches_rebuild_those_rows(tmp_path):
    """With the proposed change, a failed article and a failed post get their record (at the
    usual URN, referring to the failure or the error response) and are rebuilt like the others."""
    crawl = Crawl(tmp_path)
    failure, failure_capture = crawl.failure(ART, "connection refused")
    crawl.article(ArticleRefs(ART, ArticleMeta(ART, is_article=False)), failure, failure_capture, None)
    other = "https://news.example/gone.html"
    gone, gone_capture = crawl.exchange(other, b"not found", status=404, mime="text/plain")
    crawl.article(ArticleRefs(other, ArticleMeta(other, is_article=False)), gone, gone_capture, 404)
    refused, refused_capture = crawl.failure(ENDPOINT, "connection refused")
    crawl.post(PostSnapshot("twitter", "1901199946615513871", TWEET, "unavailable", ENDPOINT,
                            detail="connection refused"), refused, refused_capture)
    warcs = crawl.close()
    rebuild(warcs, tmp_path / "rebuilt.sqlite")
    expected = assert_same(tmp_path / "expected.sqlite", tmp_path / "rebuilt.sqlite")
    assert expected["articles"][ART]["status"] is None and expected["articles"][other]["status"] == 404


def test_the_warcinfo_fields_proposed_for_crawls_are_read(tmp_path):
    options = {"ARCHIVER_DEPTH": 1, "ROBOTSTXT_OBEY": True, "ARCHIVER_RECAPTURE_AFTER": 604800.0}
    endpoints = {"https://archive.org": "http://127.0.0.1:1/archive.org"}
    options["ARCHIVER_ENDPOINTS"] = endpoints  # answers fetched through it are recognised
    crawl = Crawl(tmp_path, info={"embed-archiver-crawl-key": "0123456789abcdef", "embed-archiver-seeds":
                                  json.dumps([ART]), "embed-archiver-options": json.dumps(options),
                                  "embed-archiver-started": "2026-01-01T00:00:00.000000Z"})
    mapped = endpoints["https://archive.org"] + wayback.availability_url(ART)[len("https://archive.org"):]
    answer, capture = crawl.exchange(mapped, b'{"archived_snapshots": {}}', mime="application/json")
    crawl.copy(wayback.parse_availability(ART, 200, b'{"archived_snapshots": {}}'), answer, capture)
    warcs = crawl.close()
    rebuild(warcs, tmp_path / "rebuilt.sqlite")
    rebuilt = natural(tmp_path / "rebuilt.sqlite")
    [row] = rebuilt["crawls"].values()
    assert row["crawl_key"] == "0123456789abcdef" and json.loads(row["seeds"]) == [ART]
    assert json.loads(row["options"]) == options
    assert_same(tmp_path / "expected.sqlite", tmp_path / "rebuilt.sqlite")


def test_a_short_link_is_followed_hop_by_hop_and_a_retried_answer_does_not_count(tmp_path):
    crawl = Crawl(tmp_path)
    page, capture = crawl.exchange(ART, b"<html>story</html>")
    crawl.article(story([Embed("twitter", None, None, "wartranslated", "text", 0, True,
                               resolve_url="https://t.co/abc")]), page, capture, 200)
    crawl.exchange("https://t.co/abc", b"", status=301, headers=[("Location", "/def")])
    crawl.exchange("https://t.co/def", b"", status=301, headers=[("Location", TWEET)])
    crawl.index.resolve_embed("https://t.co/abc", PostRef("twitter", TWEET, "1901199946615513871", "wartranslated"))
    lookup = wayback.availability_url(TWEET)
    crawl.exchange(lookup, b"busy", status=503, mime="text/plain")   # retried by Scrapy: never read
    body = b'{"archived_snapshots": {"closest": {"url": "http://web.archive.org/web/2025/x", "timestamp": "2025"}}}'
    answer, capture = crawl.exchange(lookup, gzip.compress(body), mime="application/json",
                                     headers=[("Content-Encoding", "gzip")])
    crawl.copy(wayback.parse_availability(TWEET, 200, body), answer, capture)
    warcs = crawl.close()
    rebuild(warcs, tmp_path / "rebuilt.sqlite")
    expected = assert_same(tmp_path / "expected.sqlite", tmp_path / "rebuilt.sqlite")
    assert expected["refs"][(ART, "embed", 0)]["post_id"] == "1901199946615513871"
    assert [r["status"] for r in expected["copies"].values()] == ["available"]


# -- what cannot be read ---------------------------------------------------------------------------

@pytest.fixture
def good(tmp_path) -> list[Path]:
    """Two WARC files of six captures each (two crawls, so no record is in both)."""
    files = []
    for name in ("one", "two"):
        crawl = Crawl(tmp_path / name, key=name)
        page, capture = crawl.exchange(ART, b"<html>" + b"story " * 2000 + b"</html>")
        crawl.article(story(), page, capture, 200)
        for n in range(5):
            crawl.exchange(f"https://news.example/{n}.html", b"<html>page %d</html>" % n)
        files += crawl.close()
    return files


def damaged(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_a_file_that_is_not_a_warc_is_refused_before_anything_is_indexed(good, tmp_path):
    text = damaged(tmp_path, "notes.warc.gz", b"these are my notes\n")
    gzipped = damaged(tmp_path, "log.warc.gz", gzip.compress(b"a log, not a WARC\n" * 50))
    with pytest.raises(WarcError, match="not a WARC file") as caught:
        rebuild([*good, text, gzipped], tmp_path / "rebuilt.sqlite")
    assert "notes.warc.gz" in str(caught.value) and "log.warc.gz" in str(caught.value)
    assert natural(tmp_path / "rebuilt.sqlite")["captures"] == {}


def test_a_truncated_file_is_indexed_to_its_last_whole_record_and_the_others_in_full(good, tmp_path):
    data = good[0].read_bytes()
    last = max(natural(tmp_path / "one" / "expected.sqlite")["captures"].values(), key=lambda r: r["offset"])
    end = last["offset"] + last["length"] // 2  # in the middle of the last capture
    cut = damaged(tmp_path, "archiver-20000101000000-00000-cut.warc.gz", data[:end])
    with pytest.raises(WarcError) as caught:
        rebuild([cut, good[1]], tmp_path / "rebuilt.sqlite")
    message = str(caught.value)
    assert cut.name in message and "offset" in message and "Traceback" not in message
    assert caught.value.stats["files"] == 2
    rebuilt = natural(tmp_path / "rebuilt.sqlite")
    by_file = {}
    for row in rebuilt["captures"].values():
        by_file.setdefault(row["filename"], []).append(row)
    assert len(by_file[good[1].name]) == 6 and 0 < len(by_file[cut.name]) < 6
    assert len(by_file[cut.name]) == 5 and all(r["offset"] + r["length"] <= end for r in by_file[cut.name])


def test_garbage_inside_a_file_is_reported_with_its_offset(good, tmp_path):
    data = good[0].read_bytes()
    middle = len(data) // 2
    broken = damaged(tmp_path, "archiver-20000101000000-00000-bad.warc.gz",
                     data[:middle] + b"\x00garbage\xff" * 20 + data[middle + 200:])
    with pytest.raises(WarcError, match=r"bad\.warc\.gz.*offset \d+"):
        rebuild([broken, good[1]], tmp_path / "rebuilt.sqlite")
    rows = [r for r in natural(tmp_path / "rebuilt.sqlite")["captures"].values() if r["filename"] == broken.name]
    assert rows and all(r["offset"] + r["length"] <= middle for r in rows)


def test_garbage_after_the_last_record_is_reported(good, tmp_path):
    data = good[0].read_bytes()
    tail = damaged(tmp_path, "archiver-20000101000000-00000-tail.warc.gz", data + b"junk")
    with pytest.raises(WarcError, match=rf"tail\.warc\.gz: unreadable from offset {len(data)} "):
        rebuild([tail], tmp_path / "rebuilt.sqlite")
    assert len(natural(tmp_path / "rebuilt.sqlite")["captures"]) == 6  # the records before it are whole


@pytest.mark.parametrize("make,error,words", [
    (lambda p: p.with_name(p.name + ".open"), WarcError, "still open"),
    (lambda p: p.with_name("absent.warc.gz"), InputError, "no such WARC file"),
])
def test_open_and_missing_files_are_refused(good, tmp_path, make, error, words):
    path = make(good[0])
    if words == "still open":
        shutil.copy(good[0], path)
    with pytest.raises(error, match=words):
        rebuild([*good, path], tmp_path / "rebuilt.sqlite")
    assert natural(tmp_path / "rebuilt.sqlite")["captures"] == {}


def test_an_index_that_is_not_empty_is_refused(good, tmp_path):
    rebuild(good, tmp_path / "rebuilt.sqlite")
    with pytest.raises(InputError, match="not empty"):
        rebuild(good, tmp_path / "rebuilt.sqlite")
    assert issubclass(WarcError, ArchiverError) and issubclass(InputError, ArchiverError)


# -- reading beside indexing -------------------------------------------------------------------------

def test_files_read_by_a_process_of_their_own_or_here_give_the_same_index(crawled_twice, tmp_path):
    from archiver.reindex import Reindexer

    warcs = sorted((crawled_twice / "warcs").glob("*.warc.gz"))
    stats = {}
    for beside in (True, False):
        index = open_index(tmp_path / f"beside-{beside}.sqlite")
        try:
            stats[beside] = Reindexer(index, read_beside=beside).run(warcs)
        finally:
            index.close()
    assert differences(natural(tmp_path / "beside-False.sqlite"), natural(tmp_path / "beside-True.sqlite")) == []
    counts = [{k: v for k, v in s.items() if k != "seconds"} for s in stats.values()]
    assert counts[0] == counts[1] and counts[0]["records"] > counts[0]["captures"] > 40


def test_a_reader_process_that_fails_stops_the_reindex_with_its_reason(good, tmp_path, monkeypatch):
    from archiver import reindex_read

    def broken(self, path):
        yield "records", []
        raise MemoryError("the reader ran out of memory")

    monkeypatch.setattr(reindex_read.RecordReader, "events", broken)  # the forked reader inherits it
    with pytest.raises(RuntimeError, match="reading .*one.* failed: MemoryError: the reader ran out of memory"):
        rebuild(good, tmp_path / "rebuilt.sqlite")


def test_the_lookup_indexes_left_out_while_filling_are_there_after_it_even_when_it_fails(good, tmp_path):
    from archiver.index.store import LOOKUP_ONLY

    def indexes(db: Path) -> set[str]:
        con = sqlite3.connect(db)
        try:
            return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        finally:
            con.close()

    sqlite_lookups = set(LOOKUP_ONLY) - {"ix_refs_url_key"}  # (that one is PostgreSQL's)
    rebuild(good, tmp_path / "rebuilt.sqlite")
    assert sqlite_lookups <= indexes(tmp_path / "rebuilt.sqlite")
    cut = damaged(tmp_path, "archiver-20000101000000-00000-cut.warc.gz", good[0].read_bytes()[:-100])
    with pytest.raises(WarcError):
        rebuild([cut], tmp_path / "failed.sqlite")
    assert sqlite_lookups <= indexes(tmp_path / "failed.sqlite")
    index = open_index(tmp_path / "failed.sqlite")
    try:
        with pytest.raises(KeyError):
            with index.bulk_load():
                assert not sqlite_lookups & indexes(tmp_path / "failed.sqlite")
                raise KeyError("stopped while filling")
    finally:
        index.close()
    assert sqlite_lookups <= indexes(tmp_path / "failed.sqlite")
