"""Crawl progress on stderr: a live rich line on a terminal, a plain line every few seconds
otherwise (logs and CI). A Scrapy extension, enabled by the CLI."""
from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.status import Status
from scrapy import signals

from .items import ArticleItem, PostItem


class CrawlProgress:
    PLAIN_EVERY = 5.0  # seconds between plain lines

    def __init__(self, crawler):
        self.crawler = crawler
        self.console = Console(stderr=True)
        self.responses = self.articles = self.posts = self.failures = 0
        self.status: Status | None = None
        self.last_plain = 0.0
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)
        crawler.signals.connect(self.on_response, signal=signals.response_received)
        crawler.signals.connect(self.on_item, signal=signals.item_scraped)
        crawler.signals.connect(self.on_error, signal=signals.spider_error)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def line(self) -> str:
        return (f"{self.responses} responses, {self.articles} articles, {self.posts} posts captured"
                + (f", {self.failures} errors" if self.failures else ""))

    def opened(self, spider):
        if self.console.is_terminal:
            self.status = self.console.status("crawling: " + self.line())
            self.status.start()

    def update(self):
        if self.status is not None:
            self.status.update("crawling: " + self.line())
        elif time.monotonic() - self.last_plain >= self.PLAIN_EVERY:
            self.last_plain = time.monotonic()
            print("crawling: " + self.line(), file=sys.stderr, flush=True)

    def on_response(self, response, request, spider):
        self.responses += 1
        self.update()

    def on_item(self, item, response, spider):
        if isinstance(item, ArticleItem):
            self.articles += 1
        elif isinstance(item, PostItem):
            self.posts += 1
        self.update()

    def on_error(self, failure, response, spider):
        self.failures += 1

    def closed(self, spider, reason):
        if self.status is not None:
            self.status.stop()
        print(f"crawl finished ({reason}): " + self.line(), file=sys.stderr, flush=True)
