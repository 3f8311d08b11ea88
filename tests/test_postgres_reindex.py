"""Moving an existing SQLite archive into PostgreSQL: `archiver reindex WARC... --db postgresql+psycopg://…`
rebuilds the index from the archive's WARC files, and then every lookup, sources and cited-by
answers as it does on the archive's own SQLite index (row ids aside: each database numbers its
rows). The session's crawl of the sample site; a throw-away PostgreSQL server."""
from __future__ import annotations

import json

from click.testing import CliRunner

from archiver.cli import cli
from archiver.index import open_index
from tests.servers.postgres import postgres_server, postgres_url  # noqa: F401

from .conftest import run_cli, run_json

IDS = {"id", "article_id", "capture_id", "crawl_id", "post_row_id", "ref_id"}


def without_ids(value):
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in IDS}
    if isinstance(value, list):
        return [without_ids(v) for v in value]
    return value


def answer(db: str, *args: str):
    """`archiver ARGS --db DB --json`, in this process (hundreds of them: a subprocess each is slow)."""
    result = CliRunner().invoke(cli, [*args, "--db", db, "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return without_ids(json.loads(result.stdout))


def questions(db: str) -> tuple[list[str], list[str]]:
    """The archive's articles, and what can be asked about what they cite: handles, post URLs and
    ids, linked pages and domains, outlets, and words of the claims."""
    index = open_index(db)
    try:
        urls = [a["url"] for a in index.list_articles()]
        targets = set()
        for url in urls:
            for r in index.lookup(url):
                targets |= {r.get("url"), r.get("post_id"), r.get("domain"), r.get("outlet"), r.get("surface")}
                if r.get("handle"):
                    targets.add("@" + r["handle"])
                if r.get("claim_text"):
                    targets.add(" ".join(r["claim_text"].split()[:3]))
    finally:
        index.close()
    return urls, sorted(t for t in targets if t and t.strip())


def test_a_sqlite_archive_moved_into_postgresql_answers_the_same(crawl, postgres_url):
    sqlite_db = str(crawl.out / "index.sqlite")
    stats = run_json("reindex", *map(str, crawl.warcs), "--db", postgres_url)
    assert stats["files"] == len(crawl.warcs) and stats["articles"] > 5

    moved, kept = open_index(postgres_url), open_index(sqlite_db)
    try:
        assert moved.summary() == kept.summary()
    finally:
        moved.close()
        kept.close()

    urls, targets = questions(sqlite_db)
    assert len(urls) > 5 and len(targets) > 20
    for url in urls:
        assert answer(postgres_url, "sources", url) == answer(sqlite_db, "sources", url), url
    found = 0
    for target in targets:
        looked_up = answer(postgres_url, "lookup", target)
        assert looked_up == answer(sqlite_db, "lookup", target), target
        assert answer(postgres_url, "cited-by", target) == answer(sqlite_db, "cited-by", target), target
        found += bool(looked_up["results"])
    assert found > len(targets) * 0.8  # answers, not empty lists compared

    # as a user runs it: another process, the URL given once
    assert without_ids(run_json("lookup", "@wartranslated", "--db", postgres_url)) == answer(
        sqlite_db, "lookup", "@wartranslated")
    again = run_cli("reindex", *map(str, crawl.warcs), "--db", postgres_url, check=False)
    assert again.returncode == 1 and b"is not empty" in again.stderr
