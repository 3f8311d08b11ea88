"""The address guard on real crawls: by default nothing is fetched from loopback or private
addresses, whether named by IP, by a name that resolves there, or reached through a redirect;
each refusal is recorded with its reason. (Every server here is on loopback: 127.0.0.2 plays
the public site, let through with ARCHIVER_ALLOW_ADDRESSES.)"""
from __future__ import annotations

import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from warcio.archiveiterator import ArchiveIterator

from ..conftest import run_cli

ARTICLE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story</title>
<meta property="og:type" content="article"></head><body><article><div class="entry-content">
<p>Officials described a quiet night in the capital after a week of strikes on the power grid, and the
council met on Tuesday to discuss the repairs <a href="{go}">according to the published plan</a>.</p>
<p>A second document <a href="{direct}">is also linked here</a> for completeness of the record.</p>
</div></article></body></html>"""


def serve(host: str, routes: dict, hits: Counter):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            hits[self.path] += 1
            status, headers, body = routes.get(self.path, (404, {}, b"no"))
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer((host, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def servers():
    inside_hits, outside_hits = Counter(), Counter()
    inside = serve("127.0.0.1", {"/secret": (200, {"Content-Type": "text/plain"}, b"internal data")}, inside_hits)
    secret = f"http://127.0.0.1:{inside.server_address[1]}/secret"
    outside_routes = {"/go": (302, {"Location": secret + "?via=redirect"}, b"")}
    outside = serve("127.0.0.2", outside_routes, outside_hits)
    base = f"http://127.0.0.2:{outside.server_address[1]}"
    outside_routes["/article.html"] = (200, {"Content-Type": "text/html; charset=utf-8"},
                                       ARTICLE.format(go=f"{base}/go", direct=secret).encode())
    yield base, inside_hits, outside_hits, inside.server_address[1]
    inside.shutdown()
    outside.shutdown()


def failures(out) -> list[str]:
    found = []
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type == "metadata" and record.rec_headers.get_header("Content-Type") == "application/warc-fields":
                    found.append(record.content_stream().read().decode())
    return found


def test_a_redirect_or_a_link_into_loopback_is_refused_and_recorded(servers, tmp_path, monkeypatch):
    base, inside_hits, outside_hits, _ = servers
    monkeypatch.setenv("ARCHIVER_ALLOW_ADDRESSES", '["127.0.0.2/32"]')
    proc = run_cli("crawl", f"{base}/article.html", "--out", str(tmp_path), "--ignore-robots")
    assert outside_hits["/article.html"] == 1 and outside_hits["/go"] == 1  # the allowed site was crawled
    assert sum(inside_hits.values()) == 0, "a request reached the loopback server"
    refused = [f for f in failures(tmp_path) if "fetch-error: refused" in f]
    assert len(refused) == 2 and all("127.0.0.1 is a loopback address" in f for f in refused)
    assert b"Refused" in proc.stderr and b"--allow-private" in proc.stderr


def test_a_name_that_resolves_to_loopback_is_refused(servers, tmp_path):
    _, inside_hits, _, port = servers
    proc = run_cli("crawl", f"http://localhost:{port}/secret", "--out", str(tmp_path), "--ignore-robots", check=False)
    assert proc.returncode == 1  # nothing could be archived, and the user is told why
    assert sum(inside_hits.values()) == 0
    assert any("localhost: 127.0.0.1 is a loopback address" in f for f in failures(tmp_path))


def test_allow_private_turns_the_guard_off(servers, tmp_path):
    _, inside_hits, _, port = servers
    before = inside_hits["/secret"]
    run_cli("crawl", f"http://127.0.0.1:{port}/secret", "--out", str(tmp_path), "--ignore-robots", "--allow-private")
    assert inside_hits["/secret"] == before + 1
