"""`archiver demo`: serve the bundled sample site on loopback, crawl it into a fresh folder, and
show what was archived and three lookups, exactly as a user would run them."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

from .errors import InputError

MARKER = ".embed-archiver-demo"  # only a folder carrying this is ever wiped


def serve_only(port: int) -> None:
    from .demo import serve_forever
    serve_forever(port=port)


def fresh_folder(out: str) -> Path:
    path = Path(out)
    if path.exists():
        if not (path / MARKER).exists():
            raise InputError(f"{out} exists and is not a demo archive; pass another --out")
        shutil.rmtree(path)
    path.mkdir(parents=True)
    (path / MARKER).write_text("made by `archiver demo`; wiped by the next demo run\n")
    return path


def run_demo(out: str, port: int) -> None:
    from .cli import print_crawl_report, run_and_report
    from .demo import DemoSite

    folder = fresh_folder(out)
    started = time.monotonic()
    with DemoSite(port=port) as site:
        print(f"Sample site: {site.front_page_url} (platform endpoints and cited pages at {site.ext_url})")
        overrides = {
            "ARCHIVER_SITEMAPS": [site.sitemap_url], "ARCHIVER_OUT": str(folder),
            "ARCHIVER_ENDPOINTS": site.endpoint_map(), "ARCHIVER_LOOPBACK_ONLY": True,
            "ARCHIVER_ALLOW_PRIVATE": True, "EXTENSIONS": {"archiver.progress.CrawlProgress": 500},
        }
        report = run_and_report(overrides, str(folder), None)
        seed = site.seed_article_urls[0]
    print_crawl_report(report)
    print(f"Crawl took {time.monotonic() - started:.1f} s.\n")
    for title, argv in (
        ("archiver lookup @wartranslated", ["lookup", "@wartranslated"]),
        (f"archiver sources {seed}", ["sources", seed]),
        ('archiver cited-by "The Guardian"', ["cited-by", "The Guardian"]),
    ):
        print(f"$ {title} --out {folder}")
        _run_cli(argv + ["--out", str(folder)])
        print()
    print(f"Try more: archiver show {seed} --out {folder}")


def _run_cli(argv: list[str]) -> None:
    from .cli import cli
    from .errors import ArchiverError

    try:
        cli.main(argv, standalone_mode=False)
    except ArchiverError as exc:
        print(f"archiver: {exc}")
