"""The shared frontier (archiver/frontier.py) against a real Redis: pending work, requeueing a
dead worker's requests, quietness, seeds, claims and status."""
from __future__ import annotations

import json

import pytest
import redis
import scrapy
from scrapy.utils.test import get_crawler

from archiver.crawl import crawl_settings
from archiver.claims import PENDING, REQUEUED, RedisClaims
from archiver.frontier import STARTING, Keys, RedisFrontier, current_crawl, push_seeds, status
from spiders.articles import ArticleSpider
from tests.servers.redis import redis_server, redis_url  # noqa: F401

PREFIX = "test-archiver"


def make_worker(url: str, out) -> RedisFrontier:
    # the project's settings: Scrapy's request serialisation looks at every spider attribute, the
    # archive session included, which needs its folder
    settings = crawl_settings({"ARCHIVER_REDIS_URL": url, "ARCHIVER_REDIS_PREFIX": PREFIX, "ARCHIVER_OUT": str(out),
                               "ARCHIVER_LOOPBACK_ONLY": True}).copy_to_dict()
    settings = {name: value for name, value in settings.items() if name.startswith("ARCHIVER_")}
    crawler = get_crawler(ArticleSpider, settings)
    spider = ArticleSpider.from_crawler(crawler)
    crawler.spider = spider
    frontier = RedisFrontier.from_crawler(crawler)
    frontier.open(spider)
    return frontier


def request(spider, url: str) -> scrapy.Request:
    return scrapy.Request(url, callback=spider.parse_article, errback=spider.on_article_error,
                          meta={"article_depth": 0})


@pytest.fixture
def server(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def stop(frontier: RedisFrontier, reason: str = "finished") -> None:
    frontier.close(reason)
    session = getattr(frontier.crawler, "_embed_archiver_session", None)
    if session is not None:
        session.close()


def test_one_crawl_key_for_everyone(server):
    first = current_crawl(server, PREFIX)
    assert current_crawl(server, PREFIX) == first
    crawl, pushed = push_seeds(server, PREFIX, [("article", "https://example.org/a"), ("sitemap", "https://example.org/s")])
    assert (crawl, pushed) == (first, 2)
    assert status(server, PREFIX)["seeds_waiting"] == 2


def test_no_crawl_no_status(server):
    report = status(server, PREFIX)
    assert report["crawl_key"] is None and report["workers"] == []
    assert current_crawl(server, PREFIX, create=False) is None  # status created nothing


def test_a_taken_request_is_pending_until_done(server, redis_url, tmp_path):
    worker = make_worker(redis_url, tmp_path)
    try:
        assert worker.enqueue_request(request(worker.spider, "https://example.org/a"))
        assert not worker.enqueue_request(request(worker.spider, "https://example.org/a"))  # the shared filter
        taken = worker.next_request()
        assert taken.url == "https://example.org/a" and taken.meta[PENDING]
        pending = server.hgetall(worker.keys.pending(worker.worker))
        assert set(pending) == {STARTING.encode(), taken.meta[PENDING].encode()}
        assert len(worker) == 0 and not worker.quiet()
        worker.ack(taken.meta[PENDING])
        worker.started()
        assert server.hlen(worker.keys.pending(worker.worker)) == 0 and worker.quiet()
    finally:
        stop(worker)


def test_a_redirect_stands_in_for_its_request(server, redis_url, tmp_path):
    worker = make_worker(redis_url, tmp_path)
    try:
        worker.enqueue_request(request(worker.spider, "https://example.org/a"))
        first = worker.next_request()
        # what RedirectMiddleware does: the same meta, a new URL, back through the scheduler
        worker.enqueue_request(first.replace(url="https://example.org/b", dont_filter=True))
        second = worker.next_request()
        assert second.meta[PENDING] != first.meta[PENDING]
        pending = set(server.hkeys(worker.keys.pending(worker.worker)))
        assert first.meta[PENDING].encode() not in pending and second.meta[PENDING].encode() in pending
    finally:
        stop(worker)


def test_dead_workers_work_is_requeued(server, redis_url, tmp_path):
    dead, alive = make_worker(redis_url, tmp_path), make_worker(redis_url, tmp_path)
    try:
        for url in ("https://example.org/a", "https://example.org/b"):
            dead.enqueue_request(request(dead.spider, url))
        taken = [dead.next_request(), dead.next_request()]
        dead.ack(taken[0].meta[PENDING])  # finished one, died during the other
        assert alive.requeue_dead() == 0  # its heartbeat is still there
        server.delete(dead.keys.heartbeat(dead.worker))  # the TTL ran out: kill -9
        assert alive.requeue_dead() == 1
        assert server.hlen(dead.keys.pending(dead.worker)) == 0
        assert dead.worker.encode() not in server.smembers(alive.keys.workers)
        again = alive.next_request()
        assert again.url == taken[1].url and again.meta[REQUEUED] and again.dont_filter
        assert status(server, PREFIX)["errors"] == 1  # the death is reported
    finally:
        stop(alive)


def test_a_joining_worker_is_alive_before_it_is_listed(server, redis_url, tmp_path, monkeypatch):
    """Listed without a heartbeat, another worker's requeue_dead would take it for dead."""
    listed_while = []
    real_sadd = redis.Redis.sadd

    def sadd(client, key, *values):
        if key.endswith(":workers"):
            listed_while.append({k.decode() for k in client.keys(f"{PREFIX}*")})
        return real_sadd(client, key, *values)

    monkeypatch.setattr(redis.Redis, "sadd", sadd)
    worker = make_worker(redis_url, tmp_path)
    try:
        assert listed_while and worker.keys.heartbeat(worker.worker) in listed_while[0]
    finally:
        stop(worker)


def test_a_worker_stopped_early_hands_its_work_back(server, redis_url, tmp_path):
    worker = make_worker(redis_url, tmp_path)
    worker.enqueue_request(request(worker.spider, "https://example.org/a"))
    worker.next_request()
    stop(worker, reason="shutdown")
    assert server.zcard(worker.keys.requests) == 1
    assert server.hlen(worker.keys.pending(worker.worker)) == 0
    assert current_crawl(server, PREFIX, create=False) == worker.keys.crawl  # not over


def test_the_last_worker_ends_the_crawl(server, redis_url, tmp_path):
    worker = make_worker(redis_url, tmp_path)
    worker.started()
    crawl = worker.keys.crawl
    stop(worker)
    assert current_crawl(server, PREFIX, create=False) is None
    assert all(server.ttl(key) > 0 for key in Keys(PREFIX, crawl).all_keys(server))


def test_seeds_are_taken_once_and_bad_ones_skipped(server, redis_url, tmp_path):
    worker = make_worker(redis_url, tmp_path)
    try:
        keys = worker.keys
        server.rpush(keys.seeds, json.dumps({"kind": "feed", "url": "https://example.org/feed"}), b"not json",
                     json.dumps({"url": "https://example.org/a"}))
        assert worker.take_seeds() == [("feed", "https://example.org/feed"), ("article", "https://example.org/a")]
        assert worker.take_seeds() == []
    finally:
        stop(worker)


def test_claims_are_shared(server):
    keys = Keys(PREFIX, "c1")
    one, two = RedisClaims(server, keys.claims), RedisClaims(server, keys.claims)
    assert one.claim("article", "k") and not two.claim("article", "k")
    assert two.claim("page", "k")  # kinds are apart


def test_a_redirect_to_a_page_already_seen_ends_its_chain(server, redis_url, tmp_path):
    """The duplicate filter drops the redirect: the request it stood for is done (a pending entry
    left behind would keep the crawl from ever looking quiet)."""
    worker = make_worker(redis_url, tmp_path)
    try:
        worker.enqueue_request(request(worker.spider, "https://example.org/b"))
        worker.enqueue_request(request(worker.spider, "https://example.org/a"))
        taken = [worker.next_request(), worker.next_request()]
        first = next(r for r in taken if r.url.endswith("/a"))
        assert not worker.enqueue_request(first.replace(url="https://example.org/b"))  # seen: dropped
        pending = set(server.hkeys(worker.keys.pending(worker.worker)))
        assert first.meta[PENDING].encode() not in pending and len(pending) == 2  # b's entry, starting
    finally:
        stop(worker)
