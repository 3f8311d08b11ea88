"""Shared fixtures: the bundled sample site on loopback, and one real crawl of it per test session
(run through the CLI in a subprocess: Twisted's reactor cannot restart inside one process)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.demo import DemoSite

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, cwd: Path | None = None, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run `archiver ARGS...` as a user would; returns the completed process."""
    proc = subprocess.run([sys.executable, "-m", "archiver", *args], capture_output=True, cwd=cwd,
                          timeout=timeout, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if check and proc.returncode != 0:
        raise AssertionError(f"archiver {' '.join(args)} exited {proc.returncode}:\n"
                             f"{proc.stderr.decode(errors='replace')[-3000:]}")
    return proc


def run_json(*args: str, **kw):
    return json.loads(run_cli(*args, "--json", **kw).stdout)


def warc_capture_ids(paths: list[Path]) -> set[str]:
    """Record ids of the records of these WARCs that are captures, so rows of the captures table:
    exchanges, media, and failures (warc-fields metadata)."""
    found = set()
    for path in paths:
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                h = record.rec_headers
                if record.rec_type in ("response", "revisit", "resource") or (
                        record.rec_type == "metadata" and h.get_header("Content-Type") == "application/warc-fields"):
                    found.add(h.get_header("WARC-Record-ID"))
    return found


def endpoint_args(site: DemoSite) -> list[str]:
    return [arg for base, target in site.endpoint_map().items() for arg in ("--endpoint", f"{base}={target}")]


@dataclass
class Crawl:
    site: DemoSite
    out: Path
    report: dict

    @property
    def warcs(self) -> list[Path]:
        return sorted((self.out / "warcs").glob("*.warc.gz"))

    @property
    def cdxj_files(self) -> list[Path]:
        return sorted((self.out / "indexes").glob("*.cdxj"))

    def cli(self, *args: str, **kw):
        return run_cli(*args, "--out", str(self.out), **kw)

    def json(self, *args: str, **kw):
        return run_json(*args, "--out", str(self.out), **kw)


@pytest.fixture(scope="session")
def demo_site():
    with DemoSite() as site:
        yield site


@pytest.fixture(scope="session")
def crawl(demo_site, tmp_path_factory) -> Crawl:
    """The sample site crawled from its sitemap, with platform endpoints on loopback."""
    out = tmp_path_factory.mktemp("archive")
    report = run_json("crawl", "--sitemap", demo_site.sitemap_url, "--out", str(out), "--loopback-only",
                      "--allow-private", *endpoint_args(demo_site))
    return Crawl(demo_site, out, report)
