"""pywb, the reference replay tool, replays what we captured: `wb-manager add` indexes our WARCs
and `wayback` on 127.0.0.1 serves the article with `id_` exactly as the site served it.

pywb lives in its own virtualenv (.venv-pywb, made by `make test`): it pins redis<3, which the
project's own dependencies must not be held to. PYWB_BIN overrides where its commands are."""
from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYWB_BIN = Path(os.environ.get("PYWB_BIN", ROOT / ".venv-pywb" / "bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@contextmanager
def pywb(home: Path, collection: str, warcs: list[Path]):
    """pywb's `wayback` on a free loopback port, serving `warcs` as `collection`; yields its base URL."""
    if not (PYWB_BIN / "wb-manager").exists():
        pytest.fail(f"pywb is not installed at {PYWB_BIN}: run `make test` (it creates .venv-pywb)")
    subprocess.run([PYWB_BIN / "wb-manager", "init", collection], cwd=home, check=True, capture_output=True)
    subprocess.run([PYWB_BIN / "wb-manager", "add", collection, *map(str, warcs)], cwd=home, check=True,
                   capture_output=True)
    port = free_port()
    server = subprocess.Popen([PYWB_BIN / "wayback", "-p", str(port), "-b", "127.0.0.1"], cwd=home,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                if get(f"{base}/{collection}/cdx?url=x", timeout=2)[0] in (200, 404):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            pytest.fail("wayback did not start on 127.0.0.1")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture(scope="module")
def wayback(crawl, tmp_path_factory):
    with pywb(tmp_path_factory.mktemp("pywb"), "demo", crawl.warcs) as base:
        yield base


def capture_timestamp(base: str, url: str) -> str:
    status, _, body = get(f"{base}/demo/cdx?url={urllib.request.quote(url, safe='')}&output=json")
    assert status == 200, body
    rows = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
    assert rows, f"pywb has no capture of {url}"
    # our extraction metadata lives at its own urn: address, never under the page's key
    assert all(r["url"] == url for r in rows), rows
    return rows[0]["timestamp"]


def test_pywb_replays_the_article_byte_for_byte(crawl, wayback):
    url = crawl.site.seed_article_urls[0]
    stamp = capture_timestamp(wayback, url)
    status, headers, body = get(f"{wayback}/demo/{stamp}id_/{url}")
    assert status == 200
    if headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    _, _, served = get(url)
    assert body == served


def test_pywb_replays_a_captured_post_endpoint(crawl, wayback):
    post = crawl.json("show", "https://twitter.com/wartranslated/status/1901199946615513871")
    stamp = capture_timestamp(wayback, post["url"])
    status, _, body = get(f"{wayback}/demo/{stamp}id_/{post['url']}")
    assert status == 200 and json.loads(body)["id_str"] == "1901199946615513871"
