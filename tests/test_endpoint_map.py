"""--endpoint (archiver/middlewares.py): requests for a production host go to its replacement, are
queued once, and keep the site they name as their download slot."""
from __future__ import annotations

import asyncio

from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from archiver.crawl import crawl_settings
from archiver.middlewares import EndpointMapMiddleware

ENDPOINTS = {"https://x.com": "http://127.0.0.2:8001/x.com", "https://t.me": "http://127.0.0.2:8001/t.me"}
ARTICLE = HtmlResponse("http://127.0.0.1:8000/news/a.html", body=b"<html></html>")


def middleware() -> EndpointMapMiddleware:
    return EndpointMapMiddleware.from_crawler(get_crawler(settings_dict={"ARCHIVER_ENDPOINTS": ENDPOINTS}))


def test_the_spider_side_maps_requests_before_they_are_queued():
    post, item = Request("https://x.com/user/status/1?lang=en"), {"an": "item"}
    out = list(middleware().process_spider_output(ARTICLE, [post, item, Request("https://example.org/")]))
    assert out[0].url == "http://127.0.0.2:8001/x.com/user/status/1?lang=en"
    assert out[0].meta["original_url"] == "https://x.com/user/status/1?lang=en"
    # the duplicate filter still sees it: it was not queued under its production URL
    assert not out[0].dont_filter
    assert out[1] is item and out[2].url == "https://example.org/"


def test_the_async_spider_side_maps_too():
    async def output():
        yield Request("https://t.me/channel/5?embed=1")

    async def collect():
        return [r async for r in middleware().process_spider_output_async(ARTICLE, output())]

    (out,) = asyncio.run(collect())
    assert out.url == "http://127.0.0.2:8001/t.me/channel/5?embed=1"


def test_a_mapped_request_keeps_its_site_as_download_slot():
    crawler = get_crawler(settings_dict={"ARCHIVER_ENDPOINTS": ENDPOINTS})
    downloader = Downloader(crawler)
    mw = EndpointMapMiddleware.from_crawler(crawler)
    x, t = (mw.mapped(Request(url), dont_filter=False) for url in ("https://x.com/a/status/1", "https://t.me/c/1"))
    # one replacement host, two sites: --site-concurrency and --delay count each site on its own
    assert {downloader.get_slot_key(x), downloader.get_slot_key(t)} == {"x.com", "t.me"}


def test_the_downloader_side_maps_what_no_spider_yielded():
    redirect = Request("https://x.com/b/status/2", meta={"redirect_times": 1})
    mapped = middleware().process_request(redirect)
    assert mapped.url == "http://127.0.0.2:8001/x.com/b/status/2"
    assert mapped.dont_filter  # already seen by the filter under its production URL
    assert mapped.meta["redirect_times"] == 1 and mapped.meta["download_slot"] == "x.com"
    assert middleware().process_request(mapped) is None  # mapped once, never again


def test_a_crawl_maps_on_both_sides():
    settings = crawl_settings({"ARCHIVER_ENDPOINTS": ENDPOINTS})
    name = "archiver.middlewares.EndpointMapMiddleware"
    assert name in settings.getdict("SPIDER_MIDDLEWARES") and name in settings.getdict("DOWNLOADER_MIDDLEWARES")


def test_one_address_serving_many_sites_keeps_its_connections():
    from archiver.http import idle_connections_per_host

    def room(**settings):
        return idle_connections_per_host(get_crawler(settings_dict=settings).settings)

    # a busy site: four times its own limit; one replacement for every platform: twice all in flight
    assert room(CONCURRENT_REQUESTS_PER_DOMAIN=8, CONCURRENT_REQUESTS=8) == 32
    assert room(CONCURRENT_REQUESTS_PER_DOMAIN=8, CONCURRENT_REQUESTS=64) == 128
