"""The demo site's two loopback HTTP servers.

``base`` serves the fictional news site; ``ext`` plays "the rest of the web": platform endpoints,
media CDNs, t.co and outlet pages, each under a path prefix named after the real host
(``/cdn.syndication.twimg.com/tweet-result?id=...``). ``endpoint_map()`` tells the crawler how to
rewrite real URLs onto it. Nothing here ever binds or contacts a non-loopback address.
"""
from __future__ import annotations

import collections
import gzip
import hashlib
import ipaddress
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .routes import HTML, Resource, Router, is_text

# Real platform bases the crawler may need; each is served under ext_url + "/" + host.
PLATFORM_HOSTS = (
    "cdn.syndication.twimg.com", "publish.twitter.com", "platform.twitter.com", "pbs.twimg.com",
    "video.twimg.com", "t.co", "twitter.com", "x.com",
    "t.me", "telegram.org", "cdn4.telesco.pe",
    "www.youtube.com", "i.ytimg.com",
    "public.api.bsky.app", "embed.bsky.app", "cdn.bsky.app", "bsky.app",
)

_CHUNK_SIZE = 1024  # small, so even a short page goes out as several chunks


def _check_loopback(host: str) -> None:
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(f"the demo site only binds loopback addresses, not {host!r}")


def _url(address: tuple) -> str:
    host, port = address[0], address[1]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # stop() must not wait for idle keep-alive connections

    def __init__(self, address: tuple[str, int], site: "DemoSite", kind: str) -> None:
        self.site = site
        self.kind = kind
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)

    def track(self, conn: socket.socket, add: bool) -> None:
        with self._conns_lock:
            (self._conns.add if add else self._conns.discard)(conn)

    def close_connections(self) -> None:
        with self._conns_lock:
            conns = list(self._conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MeridianDemo/1.0"
    timeout = 30  # an idle keep-alive connection does not hold a thread forever
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def version_string(self) -> str:
        return self.server_version  # without the Python version the stdlib appends

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass  # tests and `archiver demo` want a quiet stderr

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        site = self.server.site
        site._record_hit(self.server.kind, self.path)
        split = urlsplit(self.path)
        query = parse_qs(split.query, keep_blank_values=True)
        try:
            res = site.router.resolve(self.server.kind, unquote(split.path), query)
            body = res.read()
        except Exception:  # a broken fixture should show up as a 500, not a hung client
            res = Resource(500, body=b"Internal Server Error", transfer="identity")
            body = res.body or b""
        ctype = res.media_type()
        if is_text(ctype):
            body = site.substitute(body, res.subs)
        self._send(res, ctype, body, head)

    def _send(self, res: Resource, ctype: str, body: bytes, head: bool) -> None:
        accepts_gzip = "gzip" in self.headers.get("Accept-Encoding", "").lower()
        http11 = self.request_version == "HTTP/1.1"
        chunked = res.transfer.startswith("chunked") and http11
        html_page = self.server.kind == "base" and ctype == HTML
        if res.transfer == "auto":
            use_gzip = html_page and accepts_gzip
        else:
            use_gzip = res.transfer == "chunked+gzip" and accepts_gzip
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + ('-gzip"' if use_gzip else '"')

        if res.status == 200 and etag in self.headers.get("If-None-Match", ""):
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", res.last_modified)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return

        if use_gzip:
            body = gzip.compress(body, mtime=0)  # mtime=0: same bytes on every run
        self.send_response(res.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Last-Modified", res.last_modified)
        self.send_header("ETag", etag)
        if html_page or res.transfer.startswith("chunked"):
            self.send_header("Vary", "Accept-Encoding")
        if use_gzip:
            self.send_header("Content-Encoding", "gzip")
        for name, value in res.headers:
            self.send_header(name, self.server.site.substitute(value.encode()).decode())
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
            if not http11:
                self.close_connection = True
        self.end_headers()
        if head:
            return
        if chunked:
            for i in range(0, len(body), _CHUNK_SIZE):
                piece = body[i:i + _CHUNK_SIZE]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)


class DemoSite:
    """The bundled sample site: start it, crawl ``front_page_url``, rewrite with ``endpoint_map()``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, ext_host: str = "127.0.0.2",
                 ext_port: int = 0) -> None:
        _check_loopback(host)
        _check_loopback(ext_host)
        self.host, self.port, self.ext_host, self.ext_port = host, port, ext_host, ext_port
        self.router = Router()
        self.hits: collections.Counter[tuple[str, str]] = collections.Counter()
        self._hits_lock = threading.Lock()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "DemoSite":
        if self._servers:
            return self
        base = _Server((self.host, self.port), self, "base")
        try:
            ext = self._bind_ext()
        except OSError:
            base.server_close()
            raise
        self._servers = {"base": base, "ext": ext}
        for kind, srv in self._servers.items():
            t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05},
                                 name=f"demo-{kind}", daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def _bind_ext(self) -> _Server:
        try:
            return _Server((self.ext_host, self.ext_port), self, "ext")
        except OSError:
            # 127.0.0.2 is not configured everywhere (macOS): use another port on 127.0.0.1.
            try:
                return _Server(("127.0.0.1", self.ext_port), self, "ext")
            except OSError:
                return _Server(("127.0.0.1", 0), self, "ext")

    def stop(self) -> None:
        servers, self._servers = self._servers, {}
        for srv in servers.values():
            srv.shutdown()
            srv.close_connections()
            srv.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._threads = []

    def __enter__(self) -> "DemoSite":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses
    def _server(self, kind: str) -> _Server:
        if kind not in self._servers:
            raise RuntimeError("DemoSite is not running; call start() first")
        return self._servers[kind]

    @property
    def base_url(self) -> str:
        return _url(self._server("base").server_address)

    @property
    def ext_url(self) -> str:
        return _url(self._server("ext").server_address)

    @property
    def front_page_url(self) -> str:
        return self.base_url + "/"

    @property
    def sitemap_url(self) -> str:
        return self.base_url + "/sitemap.xml"

    @property
    def feed_url(self) -> str:
        return self.base_url + "/feed.xml"

    @property
    def article_urls(self) -> list[str]:
        return [self.base_url + a["path"] for a in self.router.articles]

    @property
    def seed_article_urls(self) -> list[str]:
        seeds = sorted((a for a in self.router.articles if a.get("seed") is not None), key=lambda a: a["seed"])
        return [self.base_url + a["path"] for a in seeds]

    def endpoint_map(self) -> dict[str, str]:
        ext = self.ext_url
        return {f"https://{host}": f"{ext}/{host}" for host in PLATFORM_HOSTS}

    # ------------------------------------------------------------------ helpers used by the handler
    def substitute(self, data: bytes, extra: tuple[tuple[str, str], ...] = ()) -> bytes:
        """Fill the {{BASE}}, {{BASE_ENC}} and {{EXT}} placeholders of a text body."""
        if b"{{" not in data:
            return data
        base, ext = self.base_url, self.ext_url
        pairs = (("{{BASE_ENC}}", quote(base, safe="")), ("{{BASE}}", base), ("{{EXT}}", ext)) + tuple(extra)
        for key, value in pairs:
            data = data.replace(key.encode(), value.encode())
        return data

    def _record_hit(self, kind: str, path: str) -> None:
        with self._hits_lock:
            self.hits[(kind, path)] += 1


def serve_forever(host: str = "127.0.0.1", port: int = 0) -> None:
    """Run the demo site until Ctrl-C or SIGTERM; the first stdout line is the front page URL."""
    stop = threading.Event()
    previous: dict[int, object] = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, lambda signum, frame: stop.set())
    try:
        with DemoSite(host, port) as site:
            print(site.front_page_url, flush=True)
            print(f"platform endpoints and outlets on {site.ext_url}; Ctrl-C to stop", file=sys.stderr, flush=True)
            try:
                while not stop.wait(0.2):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


if __name__ == "__main__":
    serve_forever()
