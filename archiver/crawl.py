"""Run a crawl in this process: settings from archiver.settings, overridden by the caller."""
from __future__ import annotations

import gc
import hashlib
import json
import logging
from typing import Any

from scrapy import Request, signals
from scrapy.core.scheduler import Scheduler
from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.request import RequestFingerprinter

from .urls import w3lib_form


class _NoDownloadTracebacks(logging.Filter):
    """An unreachable host is the web's doing, not a bug: Scrapy's download middlewares log it
    with a traceback; keep their one-line message. Tracebacks from callbacks stay visible."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.name.startswith("scrapy.downloadermiddlewares"):
            record.exc_info = record.exc_text = None
        return True


class CrawlStats(MemoryStatsCollector):
    """Scrapy's stats without the shim of its base class, which runs on every attribute access
    (the stats methods' own included) to warn about a deprecated argument: ~1% of a crawl's CPU."""

    __getattribute__ = object.__getattribute__


class RequestFingerprints(RequestFingerprinter):
    """Scrapy's request fingerprints, byte for byte (a shared frontier's filter in Redis holds the
    same ones whichever version wrote them), with the URL canonicalised by urls.w3lib_form:
    w3lib's canonicalize_url takes 20-40 us a URL, ~1% of a crawl's CPU (tests/test_url_keys.py
    compares the two)."""

    def fingerprint(self, request: Request) -> bytes:
        if request.meta.get("verbatim_url"):  # Scrapy's own rule for these: the URL as it is
            return super().fingerprint(request)
        data = {"method": request.method, "url": w3lib_form(request.url), "body": (request.body or b"").hex(),
                "headers": {}}
        return hashlib.sha1(json.dumps(data, sort_keys=True).encode()).digest()


class CapturesFirstScheduler(Scheduler):
    """Scrapy's scheduler, with new articles held back while the captures of earlier ones are
    queued. Each article queues ~10 captures (posts, photos, cited pages), mostly on other sites;
    fetched as fast as their own site allowed, articles outran them and the queue grew with the
    crawl (14,000 requests, ~40 MB, early in a 2,000-article crawl). Now an article is let through
    only while fewer than `ahead` requests are queued: twice what the downloader takes at once, so
    it never waits for work (the same responses/s as before at 0 and 50 ms latency), and the same
    however long the crawl. Articles are the requests with `article_depth` in their meta
    (spiders/articles.py); the held ones keep their order (a queue of the same kind)."""

    def open(self, spider):
        self.ahead = 2 * self.crawler.settings.getint("CONCURRENT_REQUESTS")
        self.held = self._mq()
        return super().open(spider)

    def enqueue_request(self, request) -> bool:
        if "article_depth" not in request.meta:
            return super().enqueue_request(request)
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.held.push(request)
        self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def next_request(self):
        while len(self.mqs) < self.ahead:
            article = self.held.pop()
            if article is None:
                break
            self.mqs.push(article)
        return super().next_request()

    def __len__(self) -> int:
        return super().__len__() + len(self.held)


def crawl_settings(overrides: dict[str, Any]) -> Settings:
    settings = Settings()
    settings.setmodule("archiver.settings", priority="project")
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    if settings.get("ARCHIVER_REDIS_URL"):
        # the shared frontier (archiver/frontier.py); its spider middleware says when a request is done
        settings.set("SCHEDULER", "archiver.frontier.RedisFrontier", priority="cmdline")
        middlewares = settings.getdict("SPIDER_MIDDLEWARES")
        middlewares["archiver.frontier.FrontierAckMiddleware"] = 10
        settings.set("SPIDER_MIDDLEWARES", middlewares, priority="cmdline")
    if settings.getbool("ARCHIVER_LOOPBACK_ONLY"):
        # a proxy from the environment would carry every request off the machine
        settings.set("HTTPPROXY_ENABLED", False, priority="cmdline")
    return settings


def run_crawl(overrides: dict[str, Any]) -> dict[str, Any]:
    """Crawl until done; returns the crawl's stats. Twisted's reactor runs once per process."""
    from spiders.articles import ArticleSpider

    settings = crawl_settings(overrides)
    if not settings.getbool("ARCHIVER_VERBOSE"):
        settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
        # its byte and status counts go only to Scrapy's stats dump, logged with --verbose; sizing
        # every request's and response's headers for them cost ~1% of a crawl's CPU
        settings.set("DOWNLOADER_STATS", False, priority="cmdline")
    process = CrawlerProcess(settings)
    if not settings.getbool("ARCHIVER_VERBOSE"):
        for name in ("scrapy.downloadermiddlewares.robotstxt", "scrapy.downloadermiddlewares.retry"):
            logging.getLogger(name).addFilter(_NoDownloadTracebacks())
    crawler = process.create_crawler(ArticleSpider)
    crawler.signals.connect(_freeze_startup_objects, signal=signals.engine_started)
    process.crawl(crawler)
    process.start()
    return dict(crawler.stats.get_stats()) if crawler.stats else {}


# Container objects allocated (net) between two young-generation collections; Python's default
# is 700. A response makes thousands (Deferreds, headers, parse trees, rows), most of which die
# within the response: at 700 the collector ran ~1,150 times in a 300-article crawl and promoted
# what was merely in flight, so the middle and full collections walked it again (0.97 s of a 10.5 s
# crawl). At 10,000 most of it is gone before the collector looks: 0.37 s, and 8-11% less CPU in
# paired runs. Garbage held in reference cycles waits longer for the collector, 10,000 allocations
# at most: peak RSS did not move (bench/README.md).
YOUNG_COLLECTION_THRESHOLD = 10_000


def _freeze_startup_objects() -> None:
    """Modules, classes, settings, the spider: ~100,000 objects made before the first request that
    live as long as the process. Frozen, the collector stops walking them on each full collection
    (~120 ms each, every few seconds of a crawl; ~30 ms once they are frozen). Then the young
    generation's threshold is raised (YOUNG_COLLECTION_THRESHOLD)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])


def fetch_page(url: str, allow_private: bool = False) -> tuple[str, bytes]:
    """Fetch one page through Scrapy's downloader (redirects, decompression, limits), recording
    nothing: for `archiver extract URL`. Returns the final URL and the decoded body."""
    import scrapy

    from .errors import InputError

    result: dict[str, Any] = {}

    class FetchSpider(scrapy.Spider):
        name = "fetch"

        async def start(self):
            yield scrapy.Request(url, callback=self.done, errback=self.failed, dont_filter=True)

        def done(self, response):
            result.update(url=response.url, body=response.body, status=response.status)

        def failed(self, failure):
            result["error"] = failure.getErrorMessage()

    # Nothing is recorded: the recorder is switched off (the other middlewares stay).
    from .settings import DOWNLOADER_MIDDLEWARES  # a dict set here replaces the whole project one
    middlewares = {**DOWNLOADER_MIDDLEWARES, "archiver.warc.recorder.WarcRecorderMiddleware": None}
    settings = crawl_settings({"DOWNLOADER_MIDDLEWARES": middlewares,
                               "ITEM_PIPELINES": {}, "LOG_LEVEL": "ERROR", "ARCHIVER_ALLOW_PRIVATE": allow_private})
    process = CrawlerProcess(settings)
    process.crawl(FetchSpider)
    process.start()
    if "body" not in result:
        raise InputError(f"could not fetch {url}: {result.get('error', 'no response')}")
    if result["status"] >= 400:
        raise InputError(f"could not fetch {url}: HTTP {result['status']}")
    return result["url"], result["body"]
