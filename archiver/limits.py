"""Limits against hostile or broken servers, and failure reasons a user can read.

Scrapy enforces most limits already; these middlewares make each one end as a recorded failure
with a plain reason, in the WARC (a warc-fields metadata record, `fetch-error: <reason>`) and in
the index, like any other failed fetch:

- response size (DOWNLOAD_MAXSIZE, --max-size): the HTTP handler cancels a response that
  announces or sends more; `LimitReasonsMiddleware` words it "response larger than N bytes".
- decompressed size: a gzip/deflate/br/zstd body may expand to at most DOWNLOAD_MAXSIZE too
  (Scrapy decompresses in chunks and stops there, so a bomb costs at most that much memory).
  Scrapy drops such a response without telling the recorder, which has already written the raw
  bytes as they came: `DecompressionLimitMiddleware` records the failure ("decompressed body
  larger than N bytes"), and likewise a body that is not in the encoding it claims.
- download time (DOWNLOAD_TIMEOUT, --timeout): "timed out after N s".
- redirects (REDIRECT_MAX_TIMES, --max-redirects): `LimitedRedirectMiddleware` stops a chain
  that comes back to a URL already in it ("redirect loop") or grows past the limit ("more than N
  redirects"), and records why. Scrapy would give up on the second silently, and its duplicate
  filter would drop the first silently.
- malformed responses (bad Content-Length, bad header names): "invalid response: ...".

Middleware order matters: process_response and process_exception run from the highest priority
number down. The recorder (950) sees every response and exception first, raw; the middlewares
here run after it, and the one at 960 runs before it on exceptions, to word the reason it writes
(an exception's `archiver_reason`, which archiver.warc.recorder.failure_reason prefers).
"""
from __future__ import annotations

import re
from typing import NoReturn

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import HtmlResponse

from .extract.parse import may_contain


class LimitExceeded(IgnoreRequest):
    """A response refused after it arrived (too big once decompressed, undecodable, a redirect
    loop or chain too long). The message is the reason the user reads."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.archiver_reason = reason


def seconds(value: float) -> str:
    return f"{value:g} s"


def explain(exception: BaseException, request, settings) -> str | None:
    """The reason a user reads for an exception from a download, or None when the recorder's
    own wording is as good."""
    if isinstance(exception, DownloadTimeoutError):
        timeout = request.meta.get("download_timeout") or settings.getfloat("DOWNLOAD_TIMEOUT")
        return f"timed out after {seconds(timeout)}"
    if isinstance(exception, DownloadCancelledError):
        # The HTTP handler cancels a download only for DOWNLOAD_MAXSIZE (a timeout becomes
        # DownloadTimeoutError): over the limit as announced, or as received.
        limit = request.meta.get("download_maxsize", settings.getint("DOWNLOAD_MAXSIZE"))
        announced = re.match(r"Expected to receive (\d+) bytes", str(exception))
        if announced:
            return f"response larger than {limit} bytes (Content-Length: {announced[1]})"
        return f"response larger than {limit} bytes"
    if isinstance(exception, ResponseDataLossError):
        return "connection lost mid-body"
    if isinstance(exception, DownloadFailedError):
        return _explain_failed(exception)
    return None


def _inner_errors(exception: BaseException) -> list[BaseException]:
    """What a DownloadFailedError wraps: Twisted's ResponseFailed carries a list of Failures."""
    cause = exception.__cause__
    reasons = getattr(cause, "reasons", None) or []
    return [getattr(r, "value", r) for r in reasons] or ([cause] if cause else [])


def _explain_failed(exception: BaseException) -> str | None:
    inner = _inner_errors(exception)
    names = {type(e).__name__ for e in inner} | {type(exception.__cause__).__name__}
    for error in inner:
        name, text = type(error).__name__, str(error)
        if name == "InvalidHeaderName":
            bad = error.args[0] if error.args else b""
            return f"invalid response: bad header name {bad!r}" if bad else "invalid response: a header with no name"
        if "non-decimal digits" in text:
            value = text.split(":", 1)[1].strip()
            return f"invalid response: Content-Length is not a number ({value})"
        if "Content-Length" in text:
            return "invalid response: " + re.sub(r"^Invalid response:\s*", "", text)
        if name == "ParseError":
            return "invalid response: " + " ".join(
                a.decode("latin-1", "replace") if isinstance(a, bytes) else str(a) for a in error.args)
    if "ResponseNeverReceived" in names:
        return "no response (the connection closed before the server answered)"
    if names & {"ConnectionLost", "ConnectionDone", "ConnectionAborted"}:
        return "connection lost"
    return None


def malformed(exception: BaseException) -> bool:
    """A response the server got wrong (retrying it will not help)."""
    return isinstance(exception, DownloadFailedError) and any(
        isinstance(e, ValueError) or type(e).__name__ == "ParseError" for e in _inner_errors(exception))


def _recorder(crawler):
    """This crawl's WARC recorder, or None when it is switched off (`archiver extract URL`)."""
    from .warc.recorder import WarcRecorderMiddleware

    downloader = getattr(getattr(crawler, "engine", None), "downloader", None)
    for mw in getattr(getattr(downloader, "middleware", None), "middlewares", ()):
        if isinstance(mw, WarcRecorderMiddleware):
            return mw
    return None


def fail(crawler, request, reason: str) -> NoReturn:
    """Refuse a response that has arrived: record the failure like the recorder records a failed
    download (so `request.meta` gets `fetch_error` and `warc_record_id`), then raise, which sends
    the request to its errback."""
    error = LimitExceeded(reason)
    recorder = _recorder(crawler)
    if recorder is not None:
        recorder.process_exception(request, error)
    raise error


class LimitReasonsMiddleware:
    """Words the reason for failed downloads before the recorder writes it (this runs first on
    exceptions: 960 > 950). It only annotates the exception (`archiver_reason`)."""

    def __init__(self, settings):
        self.settings = settings

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings)

    def process_exception(self, request, exception, spider=None):
        if getattr(exception, "archiver_reason", None) is None:
            reason = explain(exception, request, self.settings)
            if reason:
                try:
                    exception.archiver_reason = reason
                except AttributeError:  # an exception type with __slots__: keep the default wording
                    pass
        return None


class DecompressionLimitMiddleware(HttpCompressionMiddleware):
    """Scrapy's decompression (bounded by DOWNLOAD_MAXSIZE, decompressed in 64 KiB chunks), with
    the responses it cannot use recorded as failures instead of vanishing."""

    @classmethod
    def from_crawler(cls, crawler):
        mw = super().from_crawler(crawler)
        mw.crawler = crawler
        return mw

    def process_response(self, request, response, spider=None):
        encoding = b", ".join(response.headers.getlist("Content-Encoding")).decode("latin-1")
        try:
            return super().process_response(request, response)
        except IgnoreRequest:  # the only one Scrapy raises here: over DOWNLOAD_MAXSIZE
            limit = request.meta.get("download_maxsize", self._max_size)
            reason = f"decompressed body larger than {limit} bytes ({len(response.body)} bytes as sent, {encoding})"
        except Exception as exc:  # not gzip/deflate/br/zstd after all (OSError, zlib.error, ...)
            detail = " ".join(str(exc).split()) or type(exc).__name__
            reason = f"undecodable body: Content-Encoding {encoding}, but {detail}"
        fail(self.crawler, request, reason)


class _RedirectLimits:
    """Loop detection and a recorded reason for RedirectMiddleware and MetaRefreshMiddleware.

    A redirect back to a URL already in the chain is a loop, with one exception: a response that
    sets a cookie may send the client back once (a cookie check), so such a URL may come up twice.
    """

    max_redirect_times: int

    def process_response(self, request, response, spider=None):
        self._response = response  # _redirect() has no response; this call is synchronous
        try:
            return super().process_response(request, response)
        finally:
            self._response = None

    def _redirect(self, redirected, request, reason):
        chain = [*request.meta.get("redirect_urls", []), request.url]
        seen = chain.count(redirected.url)
        response = getattr(self, "_response", None)
        sets_cookie = response is not None and b"Set-Cookie" in response.headers
        if seen >= 2 or (seen and not sets_cookie):
            where = "to itself" if redirected.url == request.url else f"back to {redirected.url}"
            fail(self.crawler, request, f"redirect loop: {request.url} redirects {where}")
        try:
            result = super()._redirect(redirected, request, reason)
        except IgnoreRequest:
            fail(self.crawler, request, f"more than {self.max_redirect_times} redirects "
                                        f"(the next one to {redirected.url})")
        if seen:
            result.dont_filter = True  # the cookie check's way back: not a duplicate to drop
        return result


class LimitedRedirectMiddleware(_RedirectLimits, RedirectMiddleware):
    """RedirectMiddleware (3xx with Location) with loop detection and recorded failures."""


class LimitedMetaRefreshMiddleware(_RedirectLimits, MetaRefreshMiddleware):
    """MetaRefreshMiddleware (<meta http-equiv="refresh">) with loop detection and recorded failures."""

    def process_response(self, request, response, spider=None):
        # Scrapy decodes the whole body (response.text) to look for the tag in its first 4,096
        # characters, and nothing else in a crawl reads the text: 1.6% of a crawl's CPU, spent on
        # pages with no "refresh" in their head at all
        if isinstance(response, HtmlResponse) and not may_refresh(response.body):
            return response
        return super().process_response(request, response, spider)


def may_refresh(body: bytes) -> bool:
    """Whether the first 4,096 characters (at most 16 KiB in UTF-8) may hold a refresh tag."""
    return may_contain(body, b"refresh", within=16384, any_case=True)
