"""Many workers, one crawl: `archiver crawl --redis ... --db postgresql+psycopg://...` in several
processes against a real Redis and a real PostgreSQL (started by the tests, see tests/servers/).

What must hold: every article and post captured exactly once across the workers, an index equal
(up to ids, times and which worker did what) to a one-process crawl of the same site, and nothing
missing when a worker is killed with SIGKILL in the middle of the crawl.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import ROOT, endpoint_args, run_cli, run_json
from tests.servers.postgres import postgres_server, postgres_url  # noqa: F401
from tests.servers.redis import redis_server, redis_url  # noqa: F401
from tests.servers.s3 import make_store, s3_server  # noqa: F401

pytestmark = pytest.mark.timeout(600)


def worker(site, redis: str, db: str, out: Path, *extra: str, env: dict | None = None) -> subprocess.Popen:
    """One `archiver crawl --redis` worker process."""
    args = [sys.executable, "-m", "archiver", "crawl", "--sitemap", site.sitemap_url, "--loopback-only",
            "--allow-private", *endpoint_args(site), "--redis", redis, "--db", db, "--out", str(out), "--json", *extra]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment(env))


def environment(extra: dict | None = None) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ARCHIVER_"))}
    return {**clean, "PYTHONPATH": str(ROOT), **(extra or {})}


def cli(*args: str, env: dict) -> dict:
    proc = subprocess.run([sys.executable, "-m", "archiver", *args, "--json"], capture_output=True, timeout=300,
                          env=environment(env))
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    return json.loads(proc.stdout)


def finish(process: subprocess.Popen, timeout: float = 300) -> dict:
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()  # a hung worker must not outlive the test
        process.communicate()
        raise
    assert process.returncode == 0, err.decode(errors="replace")[-3000:]
    return {**json.loads(out), "stderr": err.decode(errors="replace")}


def index_rows(db_url: str) -> dict[str, Counter]:
    """What an index says, without ids, times, WARC positions or who captured first: comparable
    between a one-process SQLite index and a shared PostgreSQL one."""
    engine = create_engine(db_url if "://" in db_url else f"sqlite:///{db_url}")
    with engine.connect() as conn:
        articles = Counter(conn.execute(text("SELECT url, status, title FROM articles")).all())
        refs = Counter(conn.execute(text(
            "SELECT a.url, r.kind, r.position, r.platform, r.url, r.post_id, r.handle, r.outlet, r.link_kind "
            "FROM refs r JOIN articles a ON a.id = r.article_id")).all())
        posts = Counter(conn.execute(text("SELECT platform, post_id, status, text, author FROM posts")).all())
        # robots.txt is fetched by each worker for itself (politeness is per process), not cited
        captures = Counter(row for row in conn.execute(text(
            "SELECT url, status, error FROM captures WHERE record_type IN ('response', 'revisit', 'metadata') "
            "AND url NOT LIKE '%/robots.txt'")).all())
        crawls = conn.execute(text("SELECT crawl_key, finished FROM crawls")).all()
    engine.dispose()
    return {"articles": articles, "refs": refs, "posts": posts, "captures": captures, "crawls": crawls}


def without_ids(data):
    """An answer without row ids, which differ between two databases holding the same index."""
    if isinstance(data, dict):
        return {k: without_ids(v) for k, v in data.items() if k != "id" and not (k.endswith("_id") and k != "post_id")}
    if isinstance(data, list):
        return [without_ids(v) for v in data]
    return data


def warc_records(folder: Path) -> list[tuple[str, str]]:
    """(type, target URI) of every record in a folder's WARCs; each file must read to its end."""
    found = []
    for path in sorted(folder.glob("**/*.warc.gz")):
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                found.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI")))
    return found


@pytest.fixture(scope="module")
def single(demo_site, tmp_path_factory):
    """The reference: the same site crawled by one process into SQLite."""
    out = tmp_path_factory.mktemp("single")
    run_json("crawl", "--sitemap", demo_site.sitemap_url, "--loopback-only", "--allow-private",
             *endpoint_args(demo_site), "--out", str(out))
    return index_rows(str(out / "index.sqlite"))


def test_two_workers_share_one_crawl(demo_site, single, redis_url, postgres_url, tmp_path):
    a = worker(demo_site, redis_url, postgres_url, tmp_path / "a")
    b = worker(demo_site, redis_url, postgres_url, tmp_path / "b")
    finish(a), finish(b)
    shared = index_rows(postgres_url)

    # one crawl, finished, whatever the number of workers
    assert len(shared["crawls"]) == 1 and shared["crawls"][0][1] is not None
    # every article and post exactly once, and the same ones as the one-process crawl
    assert shared["articles"] == single["articles"]
    assert set(shared["articles"].values()) == {1}
    assert shared["posts"] == single["posts"]
    assert shared["refs"] == single["refs"]
    # the same URLs captured, none more often than by one process (which fetches a seed article
    # again when another article cites it; a worker joining a crawl asks the index first)
    assert set(shared["captures"]) == set(single["captures"])
    assert all(count <= single["captures"][row] for row, count in shared["captures"].items())

    # both workers wrote evidence, and between them the WARCs hold each article response once
    records = warc_records(tmp_path)
    responses = Counter(uri for kind, uri in records if kind == "response")
    for url, *_ in single["articles"]:
        assert responses[url] == 1, url
    assert (tmp_path / "a" / "warcs").is_dir() and (tmp_path / "b" / "warcs").is_dir()

    # the shared crawl is over: Redis says so, and a new seed starts a new crawl
    status = run_json("status", "--redis", redis_url)
    assert status["crawl_key"] is None
    seeded = run_json("seed", "http://127.0.0.1:1/x", "--redis", redis_url)
    assert seeded["seeds"] == 1 and seeded["crawl_key"] != shared["crawls"][0][0]


def test_killed_worker_loses_nothing(demo_site, single, redis_url, postgres_url, tmp_path):
    # slow the crawl down (a delay per site, and the demo has a dozen sites) so that the kill lands
    # in the middle of it, and let a silent worker count as dead after 3 s instead of 30
    env = {"ARCHIVER_WORKER_TTL": "3"}
    victim = worker(demo_site, redis_url, postgres_url, tmp_path / "victim", "--delay", "1", env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        report = run_json("status", "--redis", redis_url)
        busy = [w for w in report["workers"] if w["responses"] >= 3 and w["in_flight"] > 0]
        if busy:
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"the victim never got going: {report}")
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait()
    assert run_json("status", "--redis", redis_url)["in_flight"] > 0  # work taken and not finished

    survivor = finish(worker(demo_site, redis_url, postgres_url, tmp_path / "survivor", env=env))
    assert "of its requests put back in the queue" in survivor["stderr"]
    # the dead worker's folder: its next start closes the WARC it was writing, whole, and leaves
    # (the crawl is over, nothing left to do)
    finish(worker(demo_site, redis_url, postgres_url, tmp_path / "victim", env=env))

    shared = index_rows(postgres_url)
    assert set(shared["articles"]) == set(single["articles"])
    assert set(shared["posts"]) == set(single["posts"])
    assert set(shared["refs"]) == set(single["refs"])
    assert set(shared["captures"]) >= set(single["captures"])
    assert not list(tmp_path.glob("**/*.open")), "a WARC was left open"
    for path in tmp_path.glob("**/*.warc.gz"):
        check = subprocess.run([Path(sys.executable).parent / "warcio", "check", str(path)], capture_output=True)
        assert check.returncode == 0, check.stdout.decode() + check.stderr.decode()

    # the index agrees with the WARCs: every capture row points at a record of that URL
    engine = create_engine(postgres_url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT url, filename, \"offset\", record_type FROM captures")).all()
    engine.dispose()
    in_warcs = {}
    for path in tmp_path.glob("*/warcs/*.warc.gz"):
        with open(path, "rb") as stream:
            iterator = ArchiveIterator(stream)
            for record in iterator:
                in_warcs[(path.name, iterator.get_record_offset())] = record.rec_headers.get_header("WARC-Target-URI")
    for url, filename, offset, _type in rows:
        assert in_warcs.get((filename, offset)) == url, (url, filename, offset)


def test_seed_and_status(demo_site, redis_url, postgres_url, tmp_path):
    pushed = run_json("seed", demo_site.article_urls[0], "--redis", redis_url)
    assert pushed["seeds"] == 1
    status = run_json("status", "--redis", redis_url)
    assert status["crawl_key"] == pushed["crawl_key"]
    assert status["seeds_waiting"] == 1 and status["workers"] == []
    # a worker with no URLs of its own takes the seed and crawls it
    args = [sys.executable, "-m", "archiver", "crawl", "--loopback-only", "--allow-private", *endpoint_args(demo_site),
            "--redis", redis_url, "--db", postgres_url, "--out", str(tmp_path), "--json"]
    done = subprocess.run(args, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    urls = [row["url"] for row in json.loads(done.stdout)["articles"]]
    assert demo_site.article_urls[0] in urls
    assert run_json("status", "--redis", redis_url)["crawl_key"] is None


def test_bad_redis_is_one_clear_line(tmp_path):
    proc = run_cli("crawl", "--redis", "redis://127.0.0.1:1/0", "--out", str(tmp_path), check=False)
    assert proc.returncode != 0
    assert "cannot reach Redis at redis://127.0.0.1:1/0" in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()
    proc = run_cli("status", "--redis", "http://nope", check=False)
    assert proc.returncode != 0 and "Redis URL" in proc.stderr.decode()


def test_stopped_worker_hands_its_work_back(demo_site, redis_url, postgres_url, tmp_path):
    """SIGTERM (systemd's stop, Kubernetes' too): the worker finishes what it can, puts the rest
    back in the queue at once (no waiting for its heartbeat to expire), and the crawl stays open."""
    victim = worker(demo_site, redis_url, postgres_url, tmp_path / "w", "--delay", "0.5")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        report = run_json("status", "--redis", redis_url)
        # (Scrapy takes requests from the queue as fast as its downloader accepts them, so the
        # work not yet done is mostly in flight, not queued)
        if any(w["responses"] >= 2 and w["in_flight"] > 2 for w in report["workers"]):
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"the worker never got going: {report}")
    victim.send_signal(signal.SIGTERM)
    _out, err = victim.communicate(timeout=120)
    after = run_json("status", "--redis", redis_url)
    assert after["crawl_key"] == report["crawl_key"]  # not over: work is left
    assert after["in_flight"] == 0 and after["workers"] == []
    assert after["queued"] > 0
    # a new worker finishes the crawl
    finish(worker(demo_site, redis_url, postgres_url, tmp_path / "w2"))
    assert run_json("status", "--redis", redis_url)["crawl_key"] is None


def test_workers_with_redis_postgres_and_s3(demo_site, single, redis_url, postgres_server, s3_server, tmp_path):
    """The whole deployment: two workers, one Redis, one PostgreSQL, one S3 store; then every
    reading command against PostgreSQL and the store, as against the defaults."""
    import uuid
    names = ["a_" + uuid.uuid4().hex[:8], "b_" + uuid.uuid4().hex[:8]]
    with postgres_server.admin() as conn:
        for name in names:
            conn.execute(f'CREATE DATABASE "{name}"')
    db, rebuilt = (postgres_server.url(name) for name in names)
    bucket = make_store(s3_server)
    env = {**bucket.env, "ARCHIVER_WARC_MAX_SIZE": "60000"}  # small files: several uploads per worker
    workers = [worker(demo_site, redis_url, db, tmp_path / name, "--store", bucket.url, env=env) for name in "ab"]
    for process in workers:
        finish(process)

    stored = bucket.keys("warcs")
    assert len(stored) >= 2 and len(set(stored)) == len(stored)
    assert sorted(bucket.keys("indexes")) == sorted(name + ".cdxj" for name in stored)
    assert not list(tmp_path.glob("*/warcs/*.warc.gz*")), "a WARC stayed local"
    assert set(index_rows(db)["articles"]) == set(single["articles"])

    article = sorted(single["articles"])[0][0]
    sources = cli("sources", article, "--db", db, env=env)
    shown = subprocess.run([sys.executable, "-m", "archiver", "show", article, "--db", db, "--store", bucket.url,
                            "--headers-only"], capture_output=True, env=environment(env), timeout=120)
    assert shown.returncode == 0 and b"200" in shown.stdout, shown.stderr.decode()[-2000:]
    # the index rebuilt from the store alone, into another PostgreSQL database, says the same
    cli("reindex", "--store", bucket.url, "--db", rebuilt, env=env)
    assert set(index_rows(rebuilt)["articles"]) == set(index_rows(db)["articles"])
    assert set(index_rows(rebuilt)["refs"]) == set(index_rows(db)["refs"])
    assert without_ids(cli("sources", article, "--db", rebuilt, env=env)) == without_ids(sources)
    package = cli("wacz", str(tmp_path / "all.wacz"), "--db", db, "--store", bucket.url, env=env)
    assert (tmp_path / "all.wacz").stat().st_size > 0 and package
    # verify: verdicts from the shared index, its check records into the store
    verdicts = cli("verify", "--all", "--db", db, "--store", bucket.url, "--out", str(tmp_path / "verify"), env=env)
    assert verdicts and len(bucket.keys("warcs")) == len(stored) + 1
    exported = subprocess.run([sys.executable, "-m", "archiver", "export", "--format", "csv", "--db", db,
                               "--store", bucket.url], capture_output=True, env=environment(env), timeout=120)
    assert exported.returncode == 0 and article.encode() in exported.stdout, exported.stderr.decode()[-2000:]
    with postgres_server.admin() as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
