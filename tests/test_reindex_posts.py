"""Reindex sends each run of add_post calls as one `Index.add_posts` call (archiver.reindex._PostRuns):
add_posts must write what the add_post calls would, row for row and id for id, full-text rows
included, on both back-ends; and the run must reach the index before any other call does."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from archiver.index import open_index
from archiver.model import PostSnapshot
from archiver.reindex import _PostRuns
from tests.servers.postgres import postgres_server, postgres_url  # noqa: F401


def snap(post_id: str | None, words: str) -> PostSnapshot:
    url = f"https://twitter.com/someone/status/{post_id or 'gone'}"
    return PostSnapshot("twitter", post_id, url, "ok", "https://api.example/post", handle="someone",
                        author="Some One", text=words, media=(url + "/photo.jpg",), counts=(("likes", len(words)),))


def call(post_id: str | None, words: str, n: int) -> dict:
    return {"snap": snap(post_id, words), "capture_id": None, "captured_at": f"2025-03-16T10:00:0{n}Z",
            "snapshot_record_id": f"<urn:uuid:{n}>"}


# A post indexed before the run (0) comes again in it, one comes twice in the run (1), one has no id
# (its URL is its key): each is replaced in its turn, the new ones around them inserted in order.
BEFORE = [call("0", "indexed before the run", 0)]
RUN = [call("1", "first words", 1), call("2", "second post", 2), call("1", "first words, edited", 3),
       call(None, "a post without an id", 4), call("0", "indexed before, seen again", 5), call("3", "third", 6),
       call("4", "fourth", 7), call("4", "fourth, again", 8)]


@pytest.fixture(params=["sqlite", "postgresql"])
def two_urls(request, tmp_path):
    """Two new, empty indexes on the same back-end."""
    if request.param == "sqlite":
        yield str(tmp_path / "one.sqlite"), str(tmp_path / "two.sqlite")
        return
    server = request.getfixturevalue("postgres_server")
    first = request.getfixturevalue("postgres_url")
    name = "test_" + uuid.uuid4().hex[:12]
    with server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield first, server.url(name)
    with server.admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def rows(index) -> dict[str, list]:
    """The posts and their full-text rows, with their ids (SQLite: the FTS rowid too)."""
    order = "rowid" if index.engine.dialect.name == "sqlite" else "doc_type, doc_id"
    fts_id = "rowid, " if index.engine.dialect.name == "sqlite" else ""
    with index.engine.connect() as conn:
        return {"posts": [tuple(r) for r in conn.execute(text("SELECT * FROM posts ORDER BY id"))],
                "fts": [tuple(r) for r in conn.execute(text(f"SELECT {fts_id}doc_type, doc_id, body FROM fts "
                                                            f"ORDER BY {order}"))]}


def test_add_posts_writes_what_add_post_would(two_urls):
    one, two = (open_index(url) for url in two_urls)
    try:
        for index in (one, two):
            for c in BEFORE:
                index.add_post(**c)
        expected_ids = [one.add_post(**c) for c in RUN]
        with two.batch():  # as reindex calls it: inside the file's transaction
            assert two.add_posts(RUN) == expected_ids
        assert rows(two) == rows(one)
        assert len(rows(one)["posts"]) == 6
    finally:
        one.close()
        two.close()


def test_a_run_of_posts_reaches_the_index_before_any_other_call():
    calls = []

    class Recorder:
        def add_posts(self, run):
            calls.append(("add_posts", [c["snap"].post_id for c in run]))

        def add_article(self, *args, **kw):
            calls.append(("add_article",))

    index = _PostRuns(Recorder())
    index.add_post(snap("1", "a"), capture_id=None, captured_at="t", snapshot_record_id=None)
    index.add_post(snap("2", "b"), capture_id=None, captured_at="t", snapshot_record_id=None)
    assert calls == []
    index.add_article()
    index.add_post(snap("3", "c"), capture_id=None, captured_at="t", snapshot_record_id=None)
    index.send()
    index.send()  # nothing left to send
    assert calls == [("add_posts", ["1", "2"]), ("add_article",), ("add_posts", ["3"])]


def test_an_index_without_add_posts_gets_add_post_calls():
    calls = []

    class Older:
        def add_post(self, snap, **kw):
            calls.append(snap.post_id)

    index = _PostRuns(Older())
    for post_id in ("1", "2"):
        index.add_post(snap(post_id, "a"), capture_id=None, captured_at="t", snapshot_record_id=None)
    index.send()
    assert calls == ["1", "2"]
