"""A web server on loopback that misbehaves on purpose, one way per path: too big, gzip bomb,
slow drip, reset mid-body, broken headers, wrong charset, binary as HTML, endless redirects,
rate limits and passing outages. It writes raw bytes on raw sockets, since a polite HTTP library
will not send most of this.

    with HostileServer() as server:
        server.url("/gzip-bomb")   # http://127.0.0.1:PORT/gzip-bomb
        server.hits["/rate-limited"]

Nothing here holds a big body in memory: the oversize bodies and the 1 GB gzip bomb are
written as they are generated, and stop when the client hangs up.
"""
from __future__ import annotations

import random
import socket
import socketserver
import threading
import time
import zlib
from collections import Counter, defaultdict
from functools import cache

MiB = 1 << 20
BOMB_SIZE = 1 << 30            # what the gzip bomb expands to
OVERSIZE = 4 * MiB             # what the oversize paths send (more than the test's --max-size)
DRIP_INTERVAL = 0.25           # seconds between two bytes of the slow drip
RETRY_AFTER = 1                # seconds the rate-limited path asks the client to wait
COUNTED = 3                    # pages /counted.html links, /counted/0 ...

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:type" content="article"></head><body><article><div class="entry-content">
<p>Officials described a quiet night in the capital after a week of strikes on the power grid, and the
council met on Tuesday to discuss the repairs. {intro}</p>
{links}
</div></article></body></html>"""

NORMAL = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>The plan</title></head>
<body><h1>Repair plan</h1><p>The published repair plan, in full: substations first, then lines.</p></body></html>"""

# path -> what it does; the article links every one of them, in this order
MISBEHAVIOURS = {
    "/normal.html": "a normal page",
    "/private/report.html": "disallowed by robots.txt",
    "/oversize": f"{OVERSIZE} bytes, announced in Content-Length",
    "/oversize-stream": "endless bytes, no Content-Length (ends when the client hangs up)",
    "/gzip-bomb": f"about 1 MB of gzip expanding to {BOMB_SIZE} bytes",
    "/bad-gzip": "Content-Encoding: gzip on bytes that are not gzip",
    "/slow-drip": f"one byte every {DRIP_INTERVAL} s, for ever",
    "/reset-mid-body": "closes the connection after half its Content-Length",
    "/garbage-headers": "header lines with no colon, binary junk among them, then a normal page",
    "/bad-header-name": "a header line with an empty name (': no name')",
    "/bad-content-length": "Content-Length: twelve",
    "/utf8-as-latin1": "declares utf-8, serves latin-1",
    "/latin1-as-utf8": "declares iso-8859-1, serves utf-8",
    "/binary-as-html": "random bytes served as text/html",
    "/loop-a": "redirects to /loop-b, which redirects back",
    "/chain/0": "redirects to /chain/1, which redirects to /chain/2, ... for ever",
    "/rate-limited": f"429 with Retry-After: {RETRY_AFTER} until that long after the first request, then 200",
    "/rate-limited-long": "429 with Retry-After: 3600, always",
    "/unavailable": "503 once, then 200",
}

TEXT = "Déclaration du ministère: « réparations » — état des lieux, coût estimé 12 € par foyer."


@cache
def bomb_parts(block: int = MiB) -> tuple[bytes, bytes, bytes]:
    """A gzip member of BOMB_SIZE zero bytes as (head, segment, end): the body is head, then
    BOMB_SIZE // block times the segment, then end and the trailer. Each segment is `block`
    zeros deflated then fully flushed, so all segments are the same bytes and the bomb can be
    streamed without compressing a gigabyte."""
    head = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"       # gzip, deflate, no name, max compression
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = deflate.compress(bytes(block)) + deflate.flush(zlib.Z_FULL_FLUSH)
    return head, segment, deflate.flush(zlib.Z_FINISH)


@cache
def bomb_trailer() -> bytes:
    crc = 0
    zeros = bytes(MiB)
    for _ in range(BOMB_SIZE // MiB):
        crc = zlib.crc32(zeros, crc)
    return crc.to_bytes(4, "little") + (BOMB_SIZE % (1 << 32)).to_bytes(4, "little")


class HostileServer:
    """Threaded raw-socket HTTP server on 127.0.0.1 (a free port). `hits` counts requests per
    path, `times` keeps when they came, `max_in_flight` the most requests served at once."""

    def __init__(self, host: str = "127.0.0.1"):
        self.hits: Counter[str] = Counter()
        self.counted_in_flight = 0     # requests to /counted/* being answered
        self.counted_max_in_flight = 0
        self.times: dict[str, list[float]] = defaultdict(list)
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        owner = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                owner._handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server((host, 0), Handler)
        self.host, self.port = self._server.server_address[:2]
        self.base = f"http://{host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> "HostileServer":
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # -- one connection, one request ---------------------------------------------------------------

    def _handle(self, sock: socket.socket) -> None:
        sock.settimeout(10)
        try:
            head = b""
            while b"\r\n\r\n" not in head and len(head) < 65536:
                data = sock.recv(4096)
                if not data:
                    return
                head += data
            path = head.split(b" ", 2)[1].decode("latin-1")
        except (OSError, IndexError):
            return
        with self._lock:
            self.hits[path] += 1
            self.times[path].append(time.monotonic())
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            hit = self.hits[path]
        try:
            self._respond(sock, path, hit)
        except OSError:
            pass  # the client hung up: expected for most of these
        finally:
            with self._lock:
                self.in_flight -= 1
            try:
                sock.close()
            except OSError:
                pass

    def _respond(self, sock: socket.socket, path: str, hit: int) -> None:
        def send(status: str, headers: list[tuple[str, str]] | list[bytes], body: bytes = b"", *, length=True):
            lines = [f"HTTP/1.1 {status}".encode()]
            for header in headers:
                lines.append(header if isinstance(header, bytes) else f"{header[0]}: {header[1]}".encode("latin-1"))
            if length:
                lines.append(f"Content-Length: {len(body)}".encode())
            lines.append(b"Connection: close")
            sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)

        html = ("Content-Type", "text/html; charset=utf-8")
        if path == "/robots.txt":
            send("200 OK", [("Content-Type", "text/plain")], b"User-agent: *\nDisallow: /private/\n")
        elif path == "/article.html":
            links = "\n".join(f'<p>The record shows {what}, <a href="{self.url(p)}">as documented here</a>.</p>'
                              for p, what in MISBEHAVIOURS.items())
            body = ARTICLE.format(title="Hostile servers", intro="Every source below misbehaves.", links=links)
            send("200 OK", [html], body.encode())
        elif path == "/article-latin1.html":  # an article declaring utf-8, served latin-1
            body = ARTICLE.format(title="Réparations", intro=TEXT, links="")
            send("200 OK", [html], body.encode("latin-1", "replace"))
        elif path == "/normal.html":
            send("200 OK", [html], NORMAL.encode())
        elif path.startswith("/private/"):
            send("200 OK", [html], b"<p>robots.txt said no</p>")
        elif path == "/oversize":
            send("200 OK", [("Content-Type", "application/octet-stream"), ("Content-Length", str(OVERSIZE))],
                 length=False)
            self._stream(sock, OVERSIZE)
        elif path == "/oversize-stream":
            send("200 OK", [("Content-Type", "application/octet-stream")], length=False)
            self._stream(sock, 64 * OVERSIZE)  # close-delimited
        elif path == "/gzip-bomb":
            head, segment, end = bomb_parts()
            send("200 OK", [html, ("Content-Encoding", "gzip")], length=False)
            sock.sendall(head)
            for _ in range(BOMB_SIZE // MiB):
                if self._stop.is_set():
                    return
                sock.sendall(segment)
            sock.sendall(end + bomb_trailer())
        elif path == "/bad-gzip":
            send("200 OK", [html, ("Content-Encoding", "gzip")], b"<p>this is not gzip at all</p>")
        elif path == "/slow-drip":
            send("200 OK", [html, ("Content-Length", "10000")], length=False)
            while not self._stop.wait(DRIP_INTERVAL):
                sock.sendall(b"x")
        elif path == "/reset-mid-body":
            body = NORMAL.encode() * 20
            send("200 OK", [html, ("Content-Length", str(len(body)))], body[:len(body) // 2], length=False)
        elif path == "/garbage-headers":
            send("200 OK", [b"this line is not a header", b"\x01\x02\xfe\xff binary junk", b"X-Fine: yes",
                            b"Content-Type: text/html; charset=utf-8"], NORMAL.encode())
        elif path == "/bad-header-name":
            send("200 OK", [b": no name", b"Content-Type: text/html; charset=utf-8"], NORMAL.encode())
        elif path == "/bad-content-length":
            send("200 OK", [html, ("Content-Length", "twelve")], NORMAL.encode(), length=False)
        elif path == "/utf8-as-latin1":
            send("200 OK", [html], f"<html><body><p>{TEXT}</p></body></html>".encode("latin-1", "replace"))
        elif path == "/latin1-as-utf8":
            send("200 OK", [("Content-Type", "text/html; charset=iso-8859-1")],
                 f"<html><body><p>{TEXT}</p></body></html>".encode())
        elif path == "/binary-as-html":
            send("200 OK", [html], random.Random(6).randbytes(50_000))
        elif path == "/loop-a":
            send("302 Found", [("Location", "/loop-b")])
        elif path == "/loop-b":
            send("302 Found", [("Location", self.url("/loop-a"))])
        elif path.startswith("/chain/"):
            send("302 Found", [("Location", f"/chain/{int(path.rsplit('/', 1)[1]) + 1}")])
        elif path == "/rate-limited":
            if time.monotonic() - self.times[path][0] < RETRY_AFTER:
                send("429 Too Many Requests", [("Retry-After", str(RETRY_AFTER)), ("Content-Type", "text/plain")],
                     b"slow down")
            else:
                send("200 OK", [html], NORMAL.encode())
        elif path == "/rate-limited-long":
            send("429 Too Many Requests", [("Retry-After", "3600"), ("Content-Type", "text/plain")], b"come back later")
        elif path.startswith("/counted/"):  # a normal page, answered after a moment; see counted_max_in_flight
            with self._lock:
                self.counted_in_flight += 1
                self.counted_max_in_flight = max(self.counted_max_in_flight, self.counted_in_flight)
            time.sleep(0.1)
            with self._lock:
                self.counted_in_flight -= 1  # before answering: the client cannot be on to the next one yet
            send("200 OK", [html], NORMAL.encode())
        elif path == "/counted.html":  # an article linking /counted/0 ... /counted/{COUNTED - 1}
            links = "\n".join(f'<p>Part {i} of the plan <a href="{self.url(f"/counted/{i}")}">is here</a>.</p>'
                              for i in range(COUNTED))
            send("200 OK", [html], ARTICLE.format(title="Counted", intro="", links=links).encode())
        elif path == "/unavailable":
            if hit == 1:
                send("503 Service Unavailable", [("Content-Type", "text/plain")], b"down for a moment")
            else:
                send("200 OK", [html], NORMAL.encode())
        else:
            send("404 Not Found", [("Content-Type", "text/plain")], b"no such page")

    def _stream(self, sock: socket.socket, size: int) -> None:
        chunk = b"\0" * 65536
        sent = 0
        while sent < size and not self._stop.is_set():
            sock.sendall(chunk)
            sent += len(chunk)


if __name__ == "__main__":  # serve by hand: python -m tests.e2e.hostile
    with HostileServer() as server:
        print(server.url("/article.html"), flush=True)
        threading.Event().wait()
