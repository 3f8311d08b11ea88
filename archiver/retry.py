"""Retries that wait: with backoff, and for as long as the server asks in Retry-After, within a bound.

Scrapy's RetryMiddleware retries 429 and 5xx answers (RETRY_HTTP_CODES) and transient download
errors (RETRY_EXCEPTIONS) RETRY_TIMES times, at once. This one, in its place (550):
- waits before retrying an answer: RETRY_BACKOFF_BASE seconds, doubled for each further retry;
- on a 429 or 503 (any retried status) with Retry-After (seconds or an HTTP date), waits that
  long instead, and holds back every request to that host meanwhile, as does a 429 without it
  (the server is rate limiting the host, not one URL);
- never waits more than RETRY_MAX_WAIT (--max-wait): a server asking for longer is not retried,
  its answer stands (recorded and indexed with its status, e.g. HTTP 429);
- retries download errors (timeout, refused or lost connection) at once, as Scrapy does: a
  timeout has waited long enough already, and no server asked for a pause;
- does not retry a malformed response (bad Content-Length, bad header names): the same server
  would send the same bytes.
Waiting happens in process_request, so it holds no connection and no per-site slot.
Every attempt is recorded by the WARC recorder (950), which sees each one before this does.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from time import monotonic

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.utils.asyncio import sleep
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.response import response_status_message

from .limits import malformed, seconds

logger = logging.getLogger(__name__)


def retry_after(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds a Retry-After header value asks to wait (delay-seconds or an HTTP date; a date
    in the past is 0), or None when there is none or it cannot be read."""
    if not value:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.max_wait = settings.getfloat("RETRY_MAX_WAIT")
        self.paused_until: dict[str, float] = {}  # host -> monotonic time before which nothing is sent

    def backoff(self, retry_times: int) -> float:
        return min(self.max_wait, self.backoff_base * 2 ** max(0, retry_times - 1))

    async def process_request(self, request, spider=None):
        host = urlparse_cached(request).hostname or ""
        until = max(self.paused_until.get(host, 0.0), request.meta.get("retry_not_before", 0.0))
        wait = until - monotonic()
        if wait > 0:
            await sleep(min(wait, self.max_wait))
        return None

    def process_response(self, request, response, spider=None):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = retry_after(response.headers.get(b"Retry-After"))
        if asked is not None and asked > self.max_wait:
            logger.warning("Not retried: HTTP %d asks to wait %s, more than the %s allowed (--max-wait): %s",
                           response.status, seconds(asked), seconds(self.max_wait), request.url)
            self.crawler.stats.inc_value("retry/retry_after_too_long")
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        wait = asked if asked is not None else self.backoff(retry.meta["retry_times"])
        if asked is not None or response.status == 429:
            host = urlparse_cached(request).hostname or ""
            self.paused_until[host] = max(self.paused_until.get(host, 0.0), monotonic() + wait)
        else:
            retry.meta["retry_not_before"] = monotonic() + wait
        return retry

    def process_exception(self, request, exception, spider=None):
        if malformed(exception):
            return None
        return super().process_exception(request, exception)
