"""The workers of one distributed crawl share an index: several of them opening it, starting the
same crawl, or writing the same article, post, capture or archived copy at the same moment all
succeed, and leave one row each. Threads, each with its own index (its own engine and
connections): to the database they are separate clients, as processes would be. On both
back-ends (tests/index/conftest.py)."""
from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import create_engine, func, select, text

from archiver.index import open_index
from archiver.index.schema import articles, captures, copies, crawls, posts, refs as refs_table
from archiver.model import CaptureInfo, PostSnapshot, WarcLocation
from archiver.wayback import Copy

from .test_store import POST, refs

WORKERS, ROUNDS = 4, 12


class Workers:
    """WORKERS indexes on one database, and a way to make them all call at the same moment."""

    def __init__(self, index_url: str):
        self.indexes = [open_index(index_url) for _ in range(WORKERS)]

    def race(self, call: Callable) -> list:
        """call(index) in every worker at once; the results, in worker order (the first error raised)."""
        barrier = threading.Barrier(WORKERS)
        results, errors = [None] * WORKERS, []

        def run(n):
            try:
                barrier.wait(timeout=60)
                results[n] = call(self.indexes[n])
            except BaseException as exc:  # noqa: BLE001 - re-raised below
                errors.append(exc)
                barrier.abort()

        threads = [threading.Thread(target=run, args=(n,)) for n in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        if errors:
            raise errors[0]
        return results

    def close(self):
        for index in self.indexes:
            index.close()


def counts(index_url: str) -> dict[str, int]:
    engine = create_engine(index_url if "://" in index_url else f"sqlite:///{index_url}")
    try:
        with engine.connect() as conn:
            found = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (crawls, captures, articles, refs_table, posts, copies)}
            for kind in ("article", "ref", "post"):
                found["fts " + kind] = conn.execute(text("SELECT count(*) FROM fts WHERE doc_type = :k"),
                                                    {"k": kind}).scalar_one()
        return found
    finally:
        engine.dispose()


def test_workers_opening_a_new_index_at_once(index_url):
    for _ in range(3):
        Workers(index_url).close()  # the first round creates the schema; the others find it
    assert counts(index_url)["crawls"] == 0


def test_workers_starting_one_crawl_get_one_row(index_url):
    workers = Workers(index_url)
    try:
        for n in range(ROUNDS):
            ids = workers.race(lambda index: index.start_crawl(f"crawl-{n}", ["https://a.example/"], {"n": n}))
            assert len(set(ids)) == 1
            assert workers.indexes[0].crawl_by_key(f"crawl-{n}")["id"] == ids[0]
    finally:
        workers.close()
    assert counts(index_url)["crawls"] == ROUNDS


def test_workers_writing_the_same_rows_leave_one_each(index_url):
    workers = Workers(index_url)
    try:
        for n in range(ROUNDS):
            url = f"https://news.example/{n}.html"
            article_ids = workers.race(lambda index: index.add_article(
                refs(url=url), capture_id=None, fetched_at="t", status=200, refs_record_id=None))
            post_ids = workers.race(lambda index: index.add_post(
                PostSnapshot("twitter", str(n), POST, "ok", "e", text=f"post number {n}"),
                capture_id=None, captured_at="t", snapshot_record_id=None))
            capture_ids = workers.race(lambda index: index.add_capture(CaptureInfo(
                url=url, date="2026-01-01T00:00:00.000000Z", status=200, mime="text/html",
                location=WarcLocation("a.warc.gz", n, 1, f"<urn:uuid:{n}>"), payload_digest="sha1:X")))
            workers.race(lambda index: index.add_copy(Copy(url, "wayback", None, None, "missing"), checked_at="t"))
            assert len(set(article_ids)) == len(set(post_ids)) == len(set(capture_ids)) == 1
        found = counts(index_url)
        assert workers.indexes[0].lookup("ceasefire terms")[0]["kind"] == "embed"
        assert len(workers.indexes[0].lookup("@wartranslated")) == ROUNDS
    finally:
        workers.close()
    per_article = len(list(refs().embeds + refs().links + refs().mentions))
    assert found == {"crawls": 0, "captures": ROUNDS, "articles": ROUNDS, "refs": ROUNDS * per_article,
                     "posts": ROUNDS, "copies": ROUNDS,
                     # one text document per row: none left behind by a replaced one, none twice
                     "fts article": ROUNDS, "fts ref": ROUNDS * per_article, "fts post": ROUNDS}



def _open_at(path: str, moment: float, delay: float) -> str:
    """A worker process of a distributed crawl starting at `moment` (+ `delay`) on a new index: the
    CLI opens it to check it, the session opens it and starts the shared crawl, the report reads
    it. Returns the error, if any."""
    import time

    while time.time() < moment:  # spin: sleeping would spread the processes' starts out
        pass
    time.sleep(delay)
    try:
        open_index(path).close()
        index = open_index(path)
        index.finish_crawl(index.start_crawl("crawl", [], {}))
        index.close()
        index = open_index(path)
        index.summary()
        index.close()
        return ""
    except Exception as exc:  # noqa: BLE001 - reported by the test
        return f"{type(exc).__name__}: {exc}"


def test_processes_opening_a_new_sqlite_index_at_one_moment_all_succeed(tmp_path):
    """Switching a new SQLite file to WAL needs it to itself, and SQLite answered "locked" at once
    (busy_timeout does not apply) to whoever came second: a worker of a distributed crawl exited 1
    before it fetched anything."""
    import multiprocessing
    import random
    import time

    rng = random.Random(7)
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for n in range(60):
            path = str(tmp_path / f"index-{n}.sqlite")
            moment = time.time() + 0.05
            errors = pool.starmap(_open_at, [(path, moment, rng.choice([0, 0, rng.random() * 0.01]))
                                             for _ in range(2)])
            assert errors == ["", ""], f"round {n}"
            assert counts(path)["crawls"] == 1
