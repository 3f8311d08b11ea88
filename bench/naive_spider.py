"""The baseline for bench/crawl_bench.py: the Scrapy spider any developer would write to archive a
site into WARC: follow the links, write every response as a WARC response record with warcio's
WARCWriter (gzip), in an item pipeline.

    .venv/bin/python bench/naive_spider.py START_URL --warc OUT.warc.gz [--depth 2] [--concurrency 16]

Settings (documented in bench/README.md): CONCURRENT_REQUESTS = CONCURRENT_REQUESTS_PER_DOMAIN =
--concurrency (16, what the issue measured it with; it is bound by CPU there: at 64, the number
`archiver crawl` may have in flight, it fetched 117.7/s against 106.6 at 50 ms, within the runs'
spread), DEPTH_LIMIT = --depth, robots.txt not fetched,
Scrapy's defaults otherwise (HTTP compression, redirects, retries, cookies, duplicate filter),
log level WARNING. Links are `<a href>` and `<iframe src>`; only loopback hosts are ever requested
(the benchmark site is on loopback, and nothing else may be contacted). Prints one JSON line of
Scrapy's stats at the end.
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import sys
from io import BytesIO
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import HtmlResponse
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


def is_loopback(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and ipaddress.ip_address(parts.hostname or "").is_loopback
    except ValueError:
        return False


class NaiveSpider(scrapy.Spider):
    name = "naive"

    def __init__(self, start: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start]

    def parse(self, response):
        yield {"url": response.url, "status": response.status, "headers": response.headers,
               "body": response.body}
        if isinstance(response, HtmlResponse):
            for href in response.css("a::attr(href), iframe::attr(src)").getall():
                url = response.urljoin(href)
                if is_loopback(url):
                    yield scrapy.Request(url, callback=self.parse)


class WarcPipeline:
    def __init__(self, path: str) -> None:
        self.path = path

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("NAIVE_WARC"))

    def open_spider(self) -> None:
        self.file = open(self.path, "wb")
        self.writer = WARCWriter(self.file, gzip=True)
        self.writer.write_record(self.writer.create_warcinfo_record(
            self.path, {"software": "naive-spider (Scrapy + warcio)", "format": "WARC File Format 1.1"}))

    def process_item(self, item):
        headers = [(name.decode("latin-1"), value.decode("latin-1"))
                   for name, values in item["headers"].items() for value in values]
        status = f"{item['status']} {'OK' if item['status'] == 200 else ''}".strip()
        http_headers = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(item["url"], "response", payload=BytesIO(item["body"]),
                                                http_headers=http_headers)
        self.writer.write_record(record)
        return item

    def close_spider(self) -> None:
        self.file.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("start")
    ap.add_argument("--warc", required=True)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--concurrency", type=int, default=16)
    args = ap.parse_args()
    if not is_loopback(args.start):
        ap.error("the benchmark only crawls loopback addresses")
    process = CrawlerProcess({
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "DEPTH_LIMIT": args.depth,
        "ROBOTSTXT_OBEY": False,
        "HTTPPROXY_ENABLED": False,          # loopback only: never through a proxy from the environment
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,     # Scrapy 2.19 opens a control port by default
        "LOG_LEVEL": "WARNING",
        "ITEM_PIPELINES": {WarcPipeline: 300},
        "NAIVE_WARC": args.warc,
    })
    crawler = process.create_crawler(NaiveSpider)
    process.crawl(crawler, start=args.start)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(json.dumps({k: v for k, v in stats.items() if isinstance(v, (int, float, str))}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
