"""Scrapy's HTTP/1.1 download handler, with room in its connection pool for the connections a
busy site really has open."""
from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler


class KeepAliveHTTPHandler(HTTP11DownloadHandler):
    def __init__(self, crawler):
        super().__init__(crawler)
        self._pool.maxPersistentPerHost = idle_connections_per_host(crawler.settings)


def idle_connections_per_host(settings) -> int:
    """Scrapy keeps at most CONCURRENT_REQUESTS_PER_DOMAIN idle connections per host. Twisted hands
    a finished connection back to the pool a moment after Scrapy has started that site's next
    request on a new one, so a site kept busy overflows the pool and a connection is closed every
    second response or so (a bench/newsite.py crawl: 885 connections for 1,951 responses; with
    twice the room 113, with four times 43). One address can also serve many sites (an --endpoint
    replacement, a CDN), up to all the requests in flight: room for twice those too (at 64 in
    flight, 32 made 1,034 connections for 5,955 responses; 128 made 129)."""
    return max(4 * settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"), 2 * settings.getint("CONCURRENT_REQUESTS"))
