"""Lookup speed on a large citation index: `lookup`, `sources` and `cited-by` at the 50th and
99th percentile, on an index of (by default) one million references built synthetically through
the same Index API a crawl uses.

    .venv/bin/python bench/lookup_speed.py [--refs 1000000] [--db /tmp/lookup-bench.sqlite] [--queries 300]

The index is built once and reused by later runs with the same --refs (delete the file to
rebuild). Queries are drawn from what the index holds: handles, post URLs, post ids, outlets,
domains, linked pages and article URLs, a quarter of them misses.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archiver.index import open_index  # noqa: E402
from archiver.model import ArticleMeta, ArticleRefs, Embed, Link, Mention  # noqa: E402

REFS_PER_ARTICLE = 100  # 20 embeds, 60 links, 20 mentions
OUTLETS = [("Reuters", "reuters.com"), ("Associated Press", "apnews.com"), ("The Guardian", "theguardian.com"),
           ("BBC News", "bbc.co.uk"), ("Kyiv Independent", "kyivindependent.com"), ("TASS", "tass.com"),
           ("Der Spiegel", "spiegel.de"), ("Le Monde", "lemonde.fr"), ("El País", "elpais.com")]
SITES = [f"site{i}.example" for i in range(2000)]


def article(i: int, rng: random.Random) -> ArticleRefs:
    url = f"https://news{i % 50}.example.com/2025/03/{1 + i % 28:02d}/story-{i}.html"
    refs, pos = [], 0
    embeds, links, mentions = [], [], []
    for _ in range(20):
        handle = f"user{rng.randrange(50_000)}"
        post_id = str(1_900_000_000_000_000_000 + rng.randrange(200_000))
        embeds.append(Embed("twitter", f"https://twitter.com/{handle}/status/{post_id}", post_id, handle, "snippet",
                            pos, True, claim_text=f"post {post_id} says something about talks {i}",
                            claim_date="March 16, 2025"))
        pos += 1
    for _ in range(60):
        site = rng.choice(SITES)
        links.append(Link(f"https://www.{site}/a/{rng.randrange(100_000)}", "the report", "A sentence with a link.",
                          pos, True, "page"))
        pos += 1
    for _ in range(20):
        name, domain = rng.choice(OUTLETS)
        mentions.append(Mention(name, name, domain, "According to the outlet, talks resumed.", pos, True, "according to"))
        pos += 1
    meta = ArticleMeta(url=url, title=f"Story {i}", site_name=f"News {i % 50}", published="2025-03-16T10:00:00Z")
    return ArticleRefs(url=url, metadata=meta, embeds=tuple(embeds), links=tuple(links), mentions=tuple(mentions))


def build(db: Path, n_refs: int) -> None:
    index = open_index(db)
    rng = random.Random(7)
    n_articles = n_refs // REFS_PER_ARTICLE
    start = time.perf_counter()
    for i in range(n_articles):
        index.add_article(article(i, rng), capture_id=None, fetched_at="2025-03-16T10:00:00Z", status=200,
                          refs_record_id=None)
        if i and i % 1000 == 0:
            print(f"  {i * REFS_PER_ARTICLE:,} references ({time.perf_counter() - start:.0f} s)", flush=True)
    index.close()
    print(f"built {n_refs:,} references in {time.perf_counter() - start:.0f} s")


def queries(n_refs: int, count: int, rng: random.Random) -> dict[str, list[tuple[str, str]]]:
    """{kind: [(command, query)]}, drawn the way the index was built (same seed)."""
    build_rng = random.Random(7)
    arts = [article(i, build_rng) for i in range(min(200, n_refs // REFS_PER_ARTICLE))]
    embeds = [e for a in arts for e in a.embeds]
    links = [link for a in arts for link in a.links]
    out: dict[str, list[tuple[str, str]]] = {"lookup": [], "sources": [], "cited-by": []}
    for _ in range(count):
        e, link, a = rng.choice(embeds), rng.choice(links), rng.choice(arts)
        name, domain = rng.choice(OUTLETS)
        out["lookup"].append(rng.choice([("lookup", "@" + e.handle), ("lookup", e.url), ("lookup", e.post_id),
                                         ("lookup", name), ("lookup", domain), ("lookup", link.url),
                                         ("lookup", "@nobody_at_all"), ("lookup", "https://nowhere.example/x")]))
        out["sources"].append(rng.choice([("sources", a.url), ("sources", "https://nowhere.example/story.html")]))
        out["cited-by"].append(rng.choice([("cited-by", "@" + e.handle), ("cited-by", e.url), ("cited-by", domain),
                                           ("cited-by", link.url), ("cited-by", "@nobody_at_all")]))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refs", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    db = args.db or Path(f"/tmp/lookup-bench-{args.refs}.sqlite")
    if not db.exists():
        build(db, args.refs)
    index = open_index(db)
    rng = random.Random(11)
    print(f"index: {db} ({db.stat().st_size / 2**20:.0f} MB), {index.summary()}")
    for command, qs in queries(args.refs, args.queries, rng).items():
        call = {"lookup": index.lookup, "sources": index.sources, "cited-by": index.cited_by}[command]
        for _, q in qs[:5]:
            call(q)  # warm the page cache
        times, slowest = [], ("", 0.0)
        for _, q in qs:
            t = time.perf_counter()
            call(q)
            dt = time.perf_counter() - t
            times.append(dt)
            if dt > slowest[1]:
                slowest = (q, dt)
        times.sort()
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        print(f"{command:9s} p50 {statistics.median(times) * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms   "
              f"(slowest: {slowest[1] * 1000:.1f} ms for {slowest[0]!r})")
    index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
