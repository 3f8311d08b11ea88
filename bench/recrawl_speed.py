"""Re-crawl speed: how long `Index.add_article` takes to replace the references of an article that
is indexed already (a re-crawl: `--recapture-after`), in an index of many references.

The old references' full-text rows are removed with them. FTS5 keeps their doc_id unindexed, so a
delete reads the whole full-text table: this measures that cost as the index grows.

    .venv/bin/python bench/recrawl_speed.py [--articles 2000] [--links 50] [--recrawls 20]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archiver.index import open_index  # noqa: E402
from archiver.model import ArticleMeta, ArticleRefs, Link  # noqa: E402


def article(n: int, links: int, version: int = 0) -> ArticleRefs:
    url = f"https://news.example/{n}.html"
    return ArticleRefs(url=url, metadata=ArticleMeta(url, title=f"Story {n}, version {version}"), links=tuple(
        Link(f"https://cited{k}.example/{n}/{k}", f"anchor {k} of story {n}",
             f"The sentence number {k} of story {n} says something worth citing.", k, True, "page")
        for k in range(links)))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--links", type=int, default=50, help="references per article")
    ap.add_argument("--recrawls", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="recrawl-bench-") as work:
        index = open_index(Path(work) / "index.sqlite")
        try:
            with index.batch():
                for n in range(args.articles):
                    index.add_article(article(n, args.links), capture_id=None, fetched_at="t", status=200,
                                      refs_record_id=None)
            started = time.perf_counter()
            for n in range(args.recrawls):
                index.add_article(article(n, args.links, 1), capture_id=None, fetched_at="t2", status=200,
                                  refs_record_id=None)
            per = (time.perf_counter() - started) / args.recrawls
        finally:
            index.close()
    print(f"re-crawl of one article ({args.links} references) in an index of {args.articles} articles "
          f"({args.articles * args.links} references): {per * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
