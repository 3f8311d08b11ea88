"""<meta http-equiv="refresh"> redirects (archiver/limits.py): followed as Scrapy follows them, and
pages that cannot hold one are passed on without their text being decoded."""
from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from archiver.limits import LimitedMetaRefreshMiddleware, may_refresh

URL = "http://127.0.0.1:9/a"


def middleware() -> LimitedMetaRefreshMiddleware:
    crawler = get_crawler(settings_dict={"REDIRECT_MAX_TIMES": 10})
    return LimitedMetaRefreshMiddleware.from_crawler(crawler)


def page(head: str, body: str = "<p>text</p>" * 2000, encoding: str = "utf-8") -> HtmlResponse:
    html = f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    return HtmlResponse(URL, body=html.encode(encoding), headers={"Content-Type": f"text/html; charset={encoding}"})


@pytest.mark.parametrize("tag", ['<meta http-equiv="refresh" content="0; url=/b">',
                                 '<META HTTP-EQUIV="Refresh" CONTENT="0;URL=http://127.0.0.1:9/b">'])
def test_a_refresh_in_the_head_is_followed(tag):
    result = middleware().process_response(Request(URL), page(tag))
    assert isinstance(result, Request) and result.url == "http://127.0.0.1:9/b"


def test_a_page_without_a_refresh_is_passed_on_undecoded():
    response = page('<meta charset="utf-8"><title>A plain page</title>')
    assert middleware().process_response(Request(URL), response) is response
    assert response._cached_ubody is None  # Scrapy's cache of the decoded text: never made


def test_a_utf16_page_is_still_read_by_scrapy():
    response = page('<meta http-equiv="refresh" content="0; url=/b">', encoding="utf-16")
    assert may_refresh(response.body)
    result = middleware().process_response(Request(URL), response)
    assert isinstance(result, Request) and result.url == "http://127.0.0.1:9/b"


def test_the_word_is_looked_for_where_scrapy_looks():
    assert may_refresh(b"<html><head>" + b"x" * 10_000 + b'<meta http-equiv="refresh" content="0; url=/b">')
    assert not may_refresh(b"<html>" + b"x" * 20_000 + b'<meta http-equiv="refresh" content="0; url=/b">')


def test_may_contain_reads_bytes_only_where_ascii_is_ascii():
    from archiver.extract.parse import may_contain

    assert may_contain(b"<p>Refresh</p>", b"refresh", any_case=True)
    assert not may_contain(b"<p>Refresh</p>", b"refresh")
    assert not may_contain(b"<p>x</p>" * 10 + b"refresh", b"refresh", within=64)
    cyrillic = '<meta charset="windows-1251"><p>обновить</p>'.encode("cp1251")
    assert not may_contain(cyrillic, b"refresh")  # cp1251 writes ASCII as ASCII: the bytes tell
    # UTF-16 and EBCDIC do not: a maybe, whatever the bytes
    assert may_contain("<p>nothing</p>".encode("utf-16"), b"refresh")
    assert may_contain('<meta charset="cp500"><p>x</p>'.encode("ascii"), b"refresh")
