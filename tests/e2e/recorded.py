"""A loopback server for the recorded platform responses of tests/platforms/recorded/*.json.

It serves one article per platform, linking every case's post, and answers each production
URL the platform modules ask for (mapped to /<host>/<path>?<query> here by --endpoint) with
its recorded responses in order, the last one repeating. The format is in recorded/README.md.
"""
from __future__ import annotations

import html
import json
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

RECORDED = Path(__file__).resolve().parent.parent / "platforms" / "recorded"


def load_cases() -> dict[str, list[dict]]:
    """{platform: [case, ...]} from every recorded file."""
    out: dict[str, list[dict]] = {}
    for path in sorted(RECORDED.glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        out[data["platform"]] = data["cases"]
    return out


def body_bytes(body) -> bytes:
    """A recorded body as sent: JSON for objects and lists, UTF-8 for text, bytes as they are."""
    if isinstance(body, (dict, list)):
        return json.dumps(body).encode()
    return body if isinstance(body, bytes) else str(body).encode()


class RecordedPlatforms:
    def __init__(self, cases: dict[str, list[dict]], pages: dict[str, str] | None = None):
        """`pages`: extra articles by name, served at /articles/<name>.html."""
        self.cases = cases
        self.pages = pages or {}
        self.extra_hosts: list[str] = []  # hosts mapped to this server beyond those recorded
        self.requests: list[tuple[str, str, dict, bytes]] = []  # (method, url, headers, body) received
        self.responses: dict[str, list[dict]] = {}
        for platform_cases in cases.values():
            for case in platform_cases:
                for url, answers in case["responses"].items():
                    if url in self.responses:
                        raise ValueError(f"{url} is recorded twice")
                    self.responses[url] = answers
        self.hits: Counter = Counter()
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def article_urls(self) -> list[str]:
        return [f"{self.base}/articles/{name}.html" for name in (*self.cases, *self.pages)]

    def endpoint_args(self) -> list[str]:
        hosts = {urlsplit(url).hostname for url in self.responses} | set(self.extra_hosts)
        hosts |= {urlsplit(c["post_url"]).hostname for cs in self.cases.values() for c in cs}
        return [arg for host in sorted(hosts) for arg in ("--endpoint", f"https://{host}={self.base}/{host}")]

    def __enter__(self) -> "RecordedPlatforms":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def article(self, platform: str) -> bytes:
        paras = "".join(
            f'<p>The {html.escape(c["name"])} case is <a href="{html.escape(c["post_url"])}">this post</a>, '
            "which the article cites as evidence of what was said at the time.</p>"
            for c in self.cases[platform] if c.get("linked", True))
        filler = "<p>" + "The council met on Tuesday to discuss the budget and the new school plan. " * 4 + "</p>"
        return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{platform} posts</title>"
                f"<meta property='og:type' content='article'></head><body><article><h1>{platform}</h1>"
                f"<div class='entry-content'>{filler}{paras}{filler}</div></article></body></html>").encode()

    def answer(self, url: str) -> dict | None:
        answers = self.responses.get(url)
        if not answers:
            return None
        with self._lock:
            n = self.hits[url]
            self.hits[url] += 1
        return answers[min(n, len(answers) - 1)]

    def _handler(self):
        recorded = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet test output
                pass

            def do_POST(self) -> None:  # noqa: N802 - a recorded answer does not depend on the body
                self.do_GET()

            def do_HEAD(self) -> None:  # noqa: N802 - the headers of the next answer, which stays next
                answers = recorded.responses.get("https://" + self.path.lstrip("/"))
                if not answers:
                    return self._send(404, {"Content-Type": "text/plain"}, b"", head=True)
                answer = answers[min(recorded.hits["https://" + self.path.lstrip("/")], len(answers) - 1)]
                self._send(int(answer.get("status", 200)), answer.get("headers") or {}, b"", head=True,
                           length=len(body_bytes(answer.get("body", ""))))

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                path = self.path
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                with recorded._lock:
                    recorded.requests.append((self.command, "https://" + path.lstrip("/"), dict(self.headers), body))
                if path.startswith("/articles/") and path.endswith(".html"):
                    name = path[len("/articles/"):-len(".html")]
                    if name in recorded.cases:
                        return self._send(200, {"Content-Type": "text/html; charset=utf-8"}, recorded.article(name))
                    if name in recorded.pages:
                        return self._send(200, {"Content-Type": "text/html; charset=utf-8"},
                                          recorded.pages[name].encode("utf-8"))
                answer = recorded.answer("https://" + path.lstrip("/"))
                if answer is None:
                    return self._send(404, {"Content-Type": "text/plain"}, b"not recorded")
                body = answer.get("body", "")
                data = body_bytes(body)
                headers = {"Content-Type": "application/json" if isinstance(body, (dict, list)) else "text/html"}
                headers.update(answer.get("headers") or {})
                self._send(int(answer.get("status", 200)), headers, data)

            def _send(self, status: int, headers: dict, body: bytes, head: bool = False, length: int = 0) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(length if head else len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

        return Handler
