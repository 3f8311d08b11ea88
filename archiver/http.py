"""Scrapy's HTTP/1.1 download handler, with room in its connection pool for the connections a
busy site really has open."""
from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler


class KeepAliveHTTPHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        # Scrapy keeps at most CONCURRENT_REQUESTS_PER_DOMAIN idle connections per host. Twisted
        # hands a finished connection back to the pool a moment after Scrapy has started that
        # site's next request on a new one, so a site kept busy overflows the pool and a connection
        # is closed every second response or so (a bench/newsite.py crawl: 885 connections for
        # 1,951 responses; with twice the room 113, with four times 43).
        self._pool.maxPersistentPerHost = 4 * crawler.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
