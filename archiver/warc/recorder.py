"""The WARC recorder: a downloader middleware placed above HttpCompressionMiddleware (590), so
it sees every response as it came over the wire (body still content-encoded), every redirect hop
and every retry, and every failure. Each exchange goes to the WARC first, then to the index."""
from __future__ import annotations

from urllib.parse import urlsplit

from ..session import ArchiveSession
from .writer import HttpExchange, warc_date

# Scrapy reports a failure through exceptions; these names are what the user reads.
_FAILURE_NAMES = {
    "DNSLookupError": "DNS lookup failed",
    "CannotResolveHostError": "DNS lookup failed",
    "TimeoutError": "timed out",
    "TCPTimedOutError": "timed out",
    "DownloadTimeoutError": "timed out",
    "ConnectionRefusedError": "connection refused",
    "DownloadConnectionRefusedError": "connection refused",
    "ConnectionLost": "connection lost",
    "ResponseDataLossError": "connection lost mid-body",
    "ResponseNeverReceived": "no response",
    "DownloadFailedError": "download failed",
    "DownloadCancelledError": "download cancelled",
    "IgnoreRequest": "not fetched",
    "AddressRefused": "refused",
}


def _text(value: bytes | str) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


# Request headers that carry the user's credentials: an archive gets shared, so their values are
# replaced in request records (the header's presence is kept, so the record stays honest).
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization"})
REDACTED = "[redacted by embed-archiver]"


def header_list(headers) -> list[tuple[str, str]]:
    """Scrapy Headers -> [(name, value)], one pair per value, in arrival order."""
    return [(_text(name), _text(value)) for name, values in headers.items() for value in values]


def request_header_list(headers) -> list[tuple[str, str]]:
    return [(name, REDACTED if name.lower() in SECRET_HEADERS else value) for name, value in header_list(headers)]


def request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def failure_reason(exception: BaseException) -> str:
    # a limit (archiver/limits.py) words its own reason: "timed out after 30 s", "redirect loop: ..."
    explained = getattr(exception, "archiver_reason", None)
    if explained:
        return " ".join(str(explained).split())
    name = type(exception).__name__
    detail = str(exception).strip()
    label = _FAILURE_NAMES.get(name, name)
    reason = f"{label}: {detail}" if detail and detail not in label else label
    return " ".join(reason.split())  # one line: it goes into a warc-fields block


class WarcRecorderMiddleware:
    def __init__(self, session: ArchiveSession):
        self.session = session

    @classmethod
    def from_crawler(cls, crawler):
        return cls(ArchiveSession.for_crawler(crawler))

    def process_request(self, request, spider=None):
        # WARC-Date is when the capture began; a retry or a redirect hop is a new capture with its
        # own date. Meta is copied from hop to hop, so the date is tied to this request object.
        request.meta["warc_date"] = warc_date()
        request.meta["warc_date_for"] = id(request)
        return None

    @staticmethod
    def start_date(request) -> str:
        """When this request's capture began; a request refused before download (robots, the
        loopback guard) never passed process_request and gets the present moment."""
        if request.meta.get("warc_date_for") != id(request):
            request.meta["warc_date"] = warc_date()
            request.meta["warc_date_for"] = id(request)
        return request.meta["warc_date"]

    def process_response(self, request, response, spider=None):
        if "cached" in response.flags:
            return response
        headers = request_header_list(request.headers)
        headers.append(("Host", urlsplit(request.url).netloc))
        exchange = HttpExchange(
            url=request.url, method=request.method, request_target=request_target(request.url),
            request_headers=headers, request_body=request.body or b"", status=response.status,
            response_headers=header_list(response.headers), body=response.body,
            ip_address=str(response.ip_address) if response.ip_address else None,
            date=self.start_date(request), protocol=response.protocol or "HTTP/1.1")
        written, _request_record = self.session.writer.write_exchange(exchange)
        content_type = response.headers.get(b"Content-Type")
        mime = _text(content_type).split(";")[0].strip().lower() if content_type else None
        location = response.headers.get(b"Location")
        self.session.index_capture(written, status=response.status, mime=mime,
                                   location=_text(location) if location else None)
        request.meta["warc_record_id"] = written.record_id  # the capture, for what the spider indexes about it
        return response

    def process_exception(self, request, exception, spider=None):
        reason = failure_reason(exception)
        date = self.start_date(request)
        payload = (f"fetch-error: {reason}\r\nurl: {request.url}\r\nmethod: {request.method}\r\n").encode("utf-8")
        # warc-fields metadata: never indexed for replay, so it cannot shadow a real capture.
        written = self.session.writer.write_metadata(request.url, payload, "application/warc-fields", date=date)
        self.session.index_capture(written, status=None, mime=None, error=reason)
        request.meta["warc_record_id"] = written.record_id  # what the spider's records about it refer to
        request.meta["fetch_error"] = reason
        return None
