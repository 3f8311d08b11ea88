"""Where things are in an archive folder. Apart from session.py, so that the commands that only
read an archive (lookup, sources, reindex, ...) do not import Scrapy and Twisted (~0.5 s)."""
from __future__ import annotations

from pathlib import Path


def layout(out: str | Path) -> dict[str, Path]:
    """The folder layout of an archive: WARCs, CDXJ indexes and the SQLite index."""
    root = Path(out)
    return {"root": root, "warcs": root / "warcs", "indexes": root / "indexes",
            "db": root / "index.sqlite"}


def crawl_lock_path(root: Path, crawl_key: str) -> Path:
    return Path(root) / f".crawl-{crawl_key}.lock"
