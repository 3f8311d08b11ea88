"""Lookup speed on a large citation index: `lookup`, `sources` and `cited-by` at the 50th and
99th percentile, on an index of (by default) one million references built synthetically through
the same Index API a crawl uses.

    .venv/bin/python bench/lookup_speed.py [--refs 1000000] [--db /tmp/lookup-bench.sqlite] [--queries 300]

The index is built once and reused by later runs with the same --refs (delete the file to
rebuild). Queries are drawn from what the index holds: handles, post URLs, post ids, outlets,
domains, linked pages and article URLs, a quarter of them misses; the percentiles are also given
per kind of query, so that a slow kind shows. Each command is first run on a warm-up round of as
many queries, drawn alike with another seed (its figures, a fresh process's, are printed too).
"""
from __future__ import annotations

import argparse
import gc
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
    pos = 0
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
    """{command: [(kind of query, query)]}, drawn the way the index was built (same seed)."""
    build_rng = random.Random(7)
    arts = [article(i, build_rng) for i in range(min(200, n_refs // REFS_PER_ARTICLE))]
    embeds = [e for a in arts for e in a.embeds]
    links = [link for a in arts for link in a.links]
    out: dict[str, list[tuple[str, str]]] = {"lookup": [], "sources": [], "cited-by": []}
    for _ in range(count):
        e, link, a = rng.choice(embeds), rng.choice(links), rng.choice(arts)
        name, domain = rng.choice(OUTLETS)
        out["lookup"].append(rng.choice([("handle", "@" + e.handle), ("post url", e.url), ("post id", e.post_id),
                                         ("outlet", name), ("domain", domain), ("page", link.url),
                                         ("miss: handle", "@nobody_at_all"),
                                         ("miss: url", "https://nowhere.example/x")]))
        out["sources"].append(rng.choice([("article", a.url), ("miss: article", "https://nowhere.example/story.html")]))
        out["cited-by"].append(rng.choice([("handle", "@" + e.handle), ("post url", e.url), ("domain", domain),
                                           ("page", link.url), ("miss: handle", "@nobody_at_all")]))
    return out


def percentile(times: list[float], p: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * p))]


def report(title: str, call, qs: list[tuple[str, str]], by_kind: bool) -> None:
    """Times `call` on every query; prints p50 and p99, and per kind of query if asked."""
    times, slowest, kinds = [], ("", 0.0), {}
    for kind, q in qs:
        t = time.perf_counter()
        call(q)
        dt = time.perf_counter() - t
        times.append(dt)
        kinds.setdefault(kind, []).append(dt)
        if dt > slowest[1]:
            slowest = (q, dt)
    print(f"{title:9s} p50 {statistics.median(times) * 1000:7.2f} ms   p99 {percentile(times, 0.99) * 1000:7.2f} ms   "
          f"(slowest: {slowest[1] * 1000:.1f} ms for {slowest[0]!r})")
    for kind, ts in sorted(kinds.items()) if by_kind else ():  # few queries per kind: p99 is about their slowest
        print(f"  {kind:16s} n {len(ts):3d}   p50 {statistics.median(ts) * 1000:7.2f} ms   "
              f"p99 {percentile(ts, 0.99) * 1000:7.2f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--refs", type=int, default=1_000_000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--queries", type=int, default=300)
    args = ap.parse_args()
    db = args.db or Path(f"/tmp/lookup-bench-{args.refs}.sqlite")
    if not db.exists():
        build(db, args.refs)
    index = open_index(db, for_queries=True)  # (a long-running process answering queries)
    rng = random.Random(11)
    print(f"index: {db} ({db.stat().st_size / 2**20:.0f} MB), {index.summary()}")
    drawn = queries(args.refs, args.queries, rng)
    # The warm-up is a round of its own, drawn the same way with another seed: a process that has
    # answered queries holds the pages of the much-cited targets in its page cache. (The OS holds
    # little of the file here: this VM's kernel reclaims its page cache within seconds.) Its
    # figures are printed too: they are those of a fresh process.
    warm_up = queries(args.refs, args.queries, random.Random(13))
    # What was set up stays: a full collection of it (tens of ms, at a moment that depends on
    # everything allocated before) is no query's time (a long-running server can freeze it too).
    gc.collect()
    gc.freeze()
    for command, qs in drawn.items():
        call = {"lookup": index.lookup, "sources": index.sources, "cited-by": index.cited_by}[command]
        report(f"{command} (warm-up, a fresh process)", call, warm_up[command], by_kind=False)
        report(command, call, qs, by_kind=True)
    index.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
