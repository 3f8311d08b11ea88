"""Reindex speed: `archiver.reindex.reindex()` MB/s of WARC, next to `cdxj-indexer` on the same files.

Issue 7 wants reindex at 2x or more the MB/s of cdxj-indexer. The archive is generated here with
the crawl's own WarcWriter, in the proportions of a news crawl: per article, its page (~100 KB of
HTML, gzip-encoded as most sites send it; bench/extract_speed.py's generator) and its extraction
result (archiver.extract on that page); per embed, the platform's JSON answer, an oEmbed answer,
the post snapshot and one photo (incompressible, like a JPEG); per link (at most 20), the cited page
(~30 KB gzip-encoded), one in ten behind a redirect, one in twenty a 404, one in thirty a refused
connection. `--demo N` reindexes N crawls of the bundled sample site instead (small records, many
revisits: the worst case for reindex, whose cost is per record and per index row).

Both run in this process (no interpreter start-up counted), best of --repeat, wall clock:
reindex into a fresh SQLite file, cdxj-indexer (its write_cdx_index, what its command runs) into a
file. The ratio is reindex MB/s / cdxj-indexer MB/s.

    .venv/bin/python bench/reindex_speed.py [--articles 150] [--repeat 3] [--keep DIR]
    .venv/bin/python bench/reindex_speed.py --demo 10
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from extract_speed import page, sentence  # noqa: E402

from archiver.extract import extract  # noqa: E402
from archiver.index import open_index  # noqa: E402
from archiver.model import PostSnapshot  # noqa: E402
from archiver.reindex import reindex  # noqa: E402
from archiver.warc.writer import HttpExchange, WarcWriter, warc_date  # noqa: E402

HTML = "text/html; charset=utf-8"


def exchange(writer: WarcWriter, url: str, body: bytes, *, status: int = 200, mime: str = HTML,
             encode: bool = False, headers: tuple = ()):
    response_headers = [("Content-Type", mime), ("Server", "bench"), *headers]
    if encode:
        body = gzip.compress(body, 6)
        response_headers.append(("Content-Encoding", "gzip"))
    response_headers.insert(0, ("Content-Length", str(len(body))))
    return writer.write_exchange(HttpExchange(
        url=url, method="GET", request_target="/" + url.split("/", 3)[-1],
        request_headers=[("Accept", "text/html,*/*"), ("User-Agent", "embed-archiver/0.1"),
                         ("Accept-Encoding", "gzip, deflate, br"), ("Host", url.split("/")[2])],
        request_body=b"", status=status, response_headers=response_headers, body=body,
        ip_address="192.0.2.1", date=warc_date()))[0]


def json_record(writer: WarcWriter, uri: str, data: dict, refers_to: str, date: str):
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return writer.write_metadata(uri, payload, "application/json", refers_to=refers_to, concurrent_to=refers_to,
                                 date=date)


def cited_page(rng: random.Random, size_kb: int = 30) -> bytes:
    text = "".join(f"<p>{sentence(rng)} {sentence(rng)}</p>" for _ in range(size_kb * 1024 // 300))
    return f"<!DOCTYPE html><html><head><title>{sentence(rng, 6)}</title></head><body>{text}</body></html>".encode()


def synthesise(out: Path, articles: int, size_kb: int) -> list[Path]:
    rng = random.Random(7)
    writer = WarcWriter(out / "warcs", out / "indexes", info={"isPartOf": "crawl-bench0000"},
                        max_size=100 * 1024 * 1024)
    for n in range(articles):
        url = f"https://news{n % 7}.example.com/2025/03/{n}/story.html"
        html = page(n, size_kb)
        response = exchange(writer, url, html, encode=True)
        refs = extract(html, url)
        json_record(writer, f"urn:embed-archiver:references:{url}", refs.to_json(), response.record_id, response.date)
        for e, embed in enumerate(refs.embeds):
            post_id = embed.post_id or f"{n}{e}"
            api = f"https://api.{embed.platform}.example/post?id={post_id}"
            answer = {"id": post_id, "text": sentence(rng, 40), "user": {"name": "Some One", "handle": embed.handle},
                      "created_at": "2025-03-16T10:00:00Z", "counts": {"likes": rng.randint(0, 10**5)},
                      "entities": [{"url": f"https://t.co/{rng.randint(0, 10**9)}", "text": sentence(rng, 12)}
                                   for _ in range(12)]}
            answered = exchange(writer, api, json.dumps(answer).encode(), mime="application/json")
            exchange(writer, f"https://{embed.platform}.example/oembed?url={post_id}",
                     json.dumps({"html": sentence(rng, 60), "author_name": "Some One"}).encode(),
                     mime="application/json")
            photo = f"https://media.{embed.platform}.example/{post_id}.jpg"
            snapshot = PostSnapshot(embed.platform, post_id, embed.url or photo, "ok", api, handle=embed.handle,
                                    author="Some One", text=answer["text"], created_at="2025-03-16T10:00:00Z",
                                    media=(photo,), counts=tuple(answer["counts"].items()))
            json_record(writer, f"urn:embed-archiver:post:{embed.platform}:{post_id}", snapshot.to_json(),
                        answered.record_id, answered.date)
            exchange(writer, photo, rng.randbytes(rng.randint(30, 80) * 1024), mime="image/jpeg")
        for k, link in enumerate(refs.links[:20]):
            roll = rng.random()
            if roll < 1 / 30:
                payload = f"fetch-error: connection refused\r\nurl: {link.url}\r\nmethod: GET\r\n".encode()
                writer.write_metadata(link.url, payload, "application/warc-fields", date=warc_date())
            elif roll < 0.08:
                exchange(writer, link.url, b"<html>Not Found</html>", status=404)
            elif roll < 0.18:
                target = link.url.rstrip("/") + "/moved"
                exchange(writer, link.url, b"", status=301, headers=(("Location", target),))
                exchange(writer, target, cited_page(rng), encode=True)
            else:
                exchange(writer, link.url, cited_page(rng), encode=True)
    writer.close()
    return sorted((out / "warcs").glob("*.warc.gz"))


def demo_crawls(out: Path, crawls: int) -> list[Path]:
    from archiver.demo import DemoSite
    from tests.conftest import endpoint_args, run_json

    with DemoSite() as site:
        for n in range(crawls):
            again = ["--recapture-after", "0"] if n else []
            run_json("crawl", "--sitemap", site.sitemap_url, "--out", str(out), "--loopback-only",
                     "--allow-private", *again, *endpoint_args(site))
    return sorted((out / "warcs").glob("*.warc.gz"))


def time_reindex(warcs: list[Path], work: Path, run: int) -> tuple[float, dict]:
    db = work / f"reindex-{run}.sqlite"
    index = open_index(db)
    try:
        started = time.perf_counter()
        stats = reindex(warcs, index)
        return time.perf_counter() - started, stats
    finally:
        index.close()


def time_cdxj(warcs: list[Path], work: Path) -> float:
    from cdxj_indexer.main import write_cdx_index

    started = time.perf_counter()
    write_cdx_index(str(work / "cdxj.out"), [str(p) for p in warcs], {})
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=150, help="articles in the generated archive")
    ap.add_argument("--size", type=int, default=100, help="article page size in KB")
    ap.add_argument("--demo", type=int, default=0, metavar="N", help="N crawls of the sample site instead")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="write the archive here and keep it (reused if it has WARCs)")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="reindex-bench-"))
    out = args.keep or work / "archive"
    try:
        warcs = sorted((out / "warcs").glob("*.warc.gz")) if args.keep else []
        if not warcs:
            started = time.perf_counter()
            warcs = demo_crawls(out, args.demo) if args.demo else synthesise(out, args.articles, args.size)
            print(f"archive written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        mb = sum(p.stat().st_size for p in warcs) / 1e6
        ours, stats = min(time_reindex(warcs, work, n) for n in range(args.repeat))
        theirs = min(time_cdxj(warcs, work) for _ in range(args.repeat))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    source = f"{args.demo} demo crawls" if args.demo else f"{args.articles} generated articles"
    print(f"archive: {source}, {len(warcs)} WARC files, {mb:.1f} MB, {stats['records']} records, "
          f"{stats['captures']} captures, {stats['articles']} articles, {stats['posts']} posts")
    print(f"reindex       {ours:7.2f} s  {mb / ours:7.1f} MB/s  {stats['records'] / ours:8.0f} records/s")
    print(f"cdxj-indexer  {theirs:7.2f} s  {mb / theirs:7.1f} MB/s  {stats['records'] / theirs:8.0f} records/s")
    print(f"ratio reindex/cdxj-indexer: {theirs / ours:.2f}x (target: 2x)")
    print("\nREADME:")
    print(f"| {source} | {mb:.0f} MB | {mb / ours:.1f} MB/s | {mb / theirs:.1f} MB/s | {theirs / ours:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
