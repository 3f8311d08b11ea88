"""The crawl's scheduler (archiver/crawl.py): new articles wait while captures are queued, so the
queue, and the crawl's memory, stay the same size however many articles a sitemap lists."""
from __future__ import annotations

from scrapy import Request, Spider
from scrapy.utils.test import get_crawler

from archiver.crawl import CapturesFirstScheduler, crawl_settings


def scheduler(concurrency: int = 2) -> CapturesFirstScheduler:
    # a priority queue that needs no running downloader (the crawl's default asks it for its slots)
    crawler = get_crawler(Spider, {"SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.ScrapyPriorityQueue",
                                   "CONCURRENT_REQUESTS": concurrency})
    found = CapturesFirstScheduler.from_crawler(crawler)
    found.open(Spider.from_crawler(crawler, "test"))
    return found


def article(url: str, **kw) -> Request:
    return Request(url, meta={"article_depth": 0}, **kw)


def drain(s: CapturesFirstScheduler) -> list[str]:
    urls = []
    while (request := s.next_request()) is not None:
        urls.append(request.url)
    return urls


def test_an_article_waits_until_few_captures_are_queued():
    s = scheduler(concurrency=2)  # held while 4 (2 x CONCURRENT_REQUESTS) or more are queued
    for i in range(6):
        s.enqueue_request(Request(f"http://ext/{i}"))
    s.enqueue_request(article("http://news/1"))
    assert len(s) == 7 and s.has_pending_requests()
    order = drain(s)
    assert sorted(order) == sorted([f"http://ext/{i}" for i in range(6)] + ["http://news/1"])
    assert order.index("http://news/1") == 3  # after the queue fell below 4, not before
    assert len(s) == 0 and not s.has_pending_requests()


def test_articles_come_at_once_when_nothing_else_is_queued():
    s = scheduler()
    for i in range(3):
        s.enqueue_request(article(f"http://news/{i}"))
    assert s.next_request().url.startswith("http://news/")
    assert len(s) == 2


def test_held_articles_are_still_filtered_as_duplicates():
    s = scheduler()
    assert s.enqueue_request(article("http://news/1"))
    assert not s.enqueue_request(article("http://news/1"))
    assert s.enqueue_request(article("http://news/1", dont_filter=True))  # a seed is never dropped
    assert drain(s) == ["http://news/1", "http://news/1"]
    stats = s.stats.get_stats()
    assert stats["scheduler/enqueued"] == stats["scheduler/dequeued"] == 2
    assert stats["dupefilter/filtered"] == 1


def test_the_crawl_uses_it_and_leaves_out_the_remote_control():
    settings = crawl_settings({})
    assert settings.get("SCHEDULER") == "archiver.crawl.CapturesFirstScheduler"
    # listed at all, even as None, Scrapy would import it (and aiohttp with it)
    assert "scrapy.extensions.remote_control.RemoteControl" not in settings.getwithbase("EXTENSIONS")
    assert crawl_settings({"ARCHIVER_REDIS_URL": "redis://localhost:1/0"}).get("SCHEDULER") == \
        "archiver.frontier.RedisFrontier"
