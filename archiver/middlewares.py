"""Middlewares that decide where a request may go, before anything is sent."""
from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.downloadermiddlewares import cookies as _scrapy_cookies
from scrapy.exceptions import IgnoreRequest, NotConfigured

from .urls import OFFLINE_SUFFIXES

logger = logging.getLogger(__name__)

# Scrapy's cookie middleware splits domains with a TLDExtract that downloads the public suffix
# list on first use. This tool never talks to hosts it was not asked to archive: use the list
# bundled with tldextract instead. (This module is loaded by every crawl, before any request.)
_scrapy_cookies._split_domain = OFFLINE_SUFFIXES


def map_endpoint(url: str, endpoints: dict[str, str]) -> str:
    """https://HOST/path?q -> endpoints["https://HOST"] + "/path?q" when HOST is mapped."""
    parts = urlsplit(url)
    base = f"{parts.scheme}://{parts.netloc}"
    target = endpoints.get(base) or endpoints.get(base.lower())
    if not target:
        return url
    rest = url[len(base):] or "/"
    return target.rstrip("/") + rest


class EndpointMapMiddleware:
    """Sends requests for a platform's production host to the configured replacement (the demo and
    the tests point platform hosts at loopback).

    A spider middleware and a downloader middleware (settings.py enables it as both):
    - as a spider middleware it maps the requests the spider yields before they are queued, so
      each is scheduled once (mapped in the downloader, Scrapy schedules the replacement again:
      a second pass through the scheduler and its signal for most requests of a demo crawl);
    - as a downloader middleware it maps the requests nobody yielded: redirects, retries, seeds.
    Either way the request keeps the site it names as its download slot: --site-concurrency and
    --delay apply per platform and outlet, as they would without the map, even when many of them
    are served by one replacement."""

    def __init__(self, endpoints: dict[str, str]):
        self.endpoints = {k.rstrip("/"): v for k, v in endpoints.items()}

    @classmethod
    def from_crawler(cls, crawler):
        endpoints = crawler.settings.getdict("ARCHIVER_ENDPOINTS")
        if not endpoints:
            raise NotConfigured
        return cls(endpoints)

    def mapped(self, request, dont_filter: bool):
        """The request sent to its replacement, or None when its host is not mapped."""
        url = map_endpoint(request.url, self.endpoints)
        if url == request.url:
            return None
        meta = request.meta
        meta.setdefault("original_url", request.url)
        meta.setdefault("download_slot", urlsplit(meta["original_url"]).hostname or "")
        return request.replace(url=url, dont_filter=dont_filter or request.dont_filter)

    def _map_output(self, result):
        if isinstance(result, Request):
            return self.mapped(result, dont_filter=False) or result
        return result

    def process_spider_output(self, response, result, spider=None):
        for item in result:
            yield self._map_output(item)

    async def process_spider_output_async(self, response, result, spider=None):
        async for item in result:
            yield self._map_output(item)

    def process_request(self, request, spider=None):
        # a request rescheduled here was seen by the duplicate filter under its production URL
        return self.mapped(request, dont_filter=True)


def is_loopback_host(host: str) -> bool:
    host = (host or "").strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class LoopbackOnlyMiddleware:
    """With ARCHIVER_LOOPBACK_ONLY (the demo, the tests), refuse any request whose host is not a
    loopback address, before DNS: nothing leaves the machine, whatever a page links to."""

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("ARCHIVER_LOOPBACK_ONLY"):
            raise NotConfigured
        return cls()

    def process_request(self, request, spider=None):
        if not is_loopback_host(urlsplit(request.url).hostname or ""):
            logger.info("Not fetched (loopback-only mode): %s", request.url)
            raise IgnoreRequest(f"loopback-only mode: {urlsplit(request.url).hostname} is not loopback")
        return None
