"""`archiver reindex WARC...`: the citation index rebuilt from WARC files alone.

The index is a fast view of the WARCs. Reindexing reads every record in WARC order (fastwarc) and
makes the calls the crawl made when it wrote that record:

- `response`, `revisit`, `resource` records and failure records (`metadata`,
  `application/warc-fields`, `fetch-error: ...`) -> `add_capture`, as the recorder does (status,
  MIME type and Location from the recorded HTTP headers, the last value of each as Scrapy reads
  them).
- `urn:embed-archiver:references:<url>` -> `add_article` (status and capture from the record it
  refers to, `fetched_at` its WARC-Date), then, as `follow_references` does, `add_copy` for each
  link to an archived copy; its unresolved embeds wait for their short links.
- a capture of a waiting short link with a Location -> `resolve_embed`, or the next hop waits
  (at most MAX_RESOLVE_HOPS), as `parse_resolve` does.
- `urn:embed-archiver:post:<platform>:<id>` -> `add_post`; `urn:embed-archiver:check:...` ->
  `add_check`.
- answers of the Wayback Machine (availability, Save Page Now, its status polls) -> `add_copy`, as
  `parse_wayback`, `parse_save` and `parse_save_status` do. An answer with a status Scrapy retries
  (RETRIED_STATUSES) counts only if no later capture of the same URL in the same crawl retried it.
- `warcinfo` -> the crawl its file belongs to (`embed-archiver-crawl-key`, else the 8 hex digits
  of the default `isPartOf`, else `isPartOf`); a crawl row is made when its first capture is
  indexed (a `verify` file holds none).

Records are read by reindex_read.py (in a process of its own, beside the indexing, where the
platform can fork) and replayed in its chunks: a chunk's captures first, in one `add_captures`
call when the index has it (else one `add_capture` each), then every other call in WARC order,
consecutive `add_post` calls as one `add_posts` call; with `Index.batch()`, each file is one
transaction, and a new index is filled with `Index.bulk_load()`.
(Captures never depend on the other tables, so indexing them a few records early changes nothing.)

Files are read oldest first (by the date of their first record, then by name), whatever order they
are given in. Files still being written (`.open`) and files that are not WARCs are refused before
anything is indexed; a file damaged further on (truncated, corrupt) is indexed up to its last
whole record, the other files are indexed in full, and a WarcError names each damaged file and
offset at the end.

What the WARC does not hold, the rebuilt index cannot hold (see `NOT_FROM_WARC`).
"""
from __future__ import annotations

import inspect
import json
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from fastwarc.warc import ArchiveIterator, WarcHeader, WarcRecordType

from . import platforms, wayback
from .errors import InputError, WarcError
from .index import Index
from .index.store import shown_url
from .model import RETRIED_STATUSES, ArticleRefs, PostSnapshot
from .reindex_read import (F_SEEDS, F_STARTED, Endpoints, Record, RecordReader, crawl_key, events_of,
                           read_events, warc_fields)
from .warc.reader import decode_content
from .warc.writer import OPEN_SUFFIX

MAX_RESOLVE_HOPS = 5  # spiders.articles.MAX_RESOLVE_HOPS (not imported: that module loads Scrapy)

URN = "urn:embed-archiver:"
REFERENCES, POST, CHECK = URN + "references:", URN + "post:", URN + "check:"
# Columns a rebuilt index cannot take from the WARCs, and why.
NOT_FROM_WARC = {
    "crawls.finished": "written when the crawl closes; no record marks it (left NULL)",
}


def _accepts(method: Callable, name: str) -> bool:
    return name in inspect.signature(method).parameters


class _Crawl:
    """One crawl's state while its records are replayed."""

    def __init__(self, key: str | None, info: dict[str, str], endpoints: dict[str, str]):
        self.key = key
        self.info = info
        self.crawl_id: int | None = None
        self.last_date: str | None = None
        self.endpoints = Endpoints(endpoints, info)
        self.options = self.endpoints.options
        self.unmap = self.endpoints.unmap  # the URL the spider asked for, from the one fetched
        self.resolving: dict[str, tuple[str, int]] = {}   # URL to follow -> (short link, hops)
        self.jobs: dict[str, str] = {}                   # Save Page Now job -> cited URL
        self.held: dict[str, Callable[[], None]] = {}    # answer URL -> its add_copy, unless retried
        self.save_answer: Record | None = None           # a Save Page Now answer awaiting its request


class _PostRuns:
    """The index, with each run of add_post calls sent as one add_posts call (a post per embed, three
    statements each: a fifth of reindex's time). Any other use of the index sends the run first, so
    the index sees every call in WARC order."""

    def __init__(self, index: Index):
        self._index = index
        self._run: list[dict[str, Any]] = []

    def add_post(self, snap: PostSnapshot, **kw) -> None:
        self._run.append({"snap": snap, **kw})

    def send(self) -> None:
        run, self._run = self._run, []
        if not run:
            return
        if hasattr(self._index, "add_posts"):
            self._index.add_posts(run)
        else:
            for call in run:
                self._index.add_post(**call)

    def __getattr__(self, name: str):  # every other attribute: the index's, once the run is sent
        self.send()
        return getattr(self._index, name)


class Reindexer:
    """`read_beside`: run() reads the files in a process of its own (reindex_read.read_events)."""

    def __init__(self, index: Index, endpoints: dict[str, str] | None = None, *, read_beside: bool = True):
        self.index = _PostRuns(index)
        self.endpoints = dict(endpoints or {})
        self.reader = RecordReader(self.endpoints)   # files read here: run_store, index_unindexed
        self.read_beside = read_beside
        self.stats = {"files": 0, "records": 0, "captures": 0, "articles": 0, "posts": 0, "checks": 0,
                      "copies": 0, "bytes": 0, "seconds": 0.0}
        self.crawl = _Crawl(None, {}, self.endpoints)
        self.crawls: dict[str, _Crawl] = {}   # by key: a crawl's files may come apart (resumed, concurrent)
        self.captures: dict[str, tuple[int, int | None]] = {}   # record id -> (capture id, status)
        self.answers: dict[str, bytes] = {}                     # record id -> Wayback answer body
        self.paths: dict[str, Path] = {}
        self.store = None                                       # run_store: where the files are
        self._size = 0
        self._started_kw = _accepts(index.start_crawl, "started")
        self._finished_kw = _accepts(index.finish_crawl, "finished")
        self._checked_kw = _accepts(index.add_copy, "checked_at")
        # index_unindexed: records whose article, post or check the index holds are passed over
        self.recovering = False
        self.checked: set[str] = set()        # the chunk's check records the index holds
        self.positions: dict[str, int] = {}   # the file's article and post records: record id -> offset

    # -- files ----------------------------------------------------------------------------------

    def run(self, paths: list[Path], progress: Callable[[Path, dict], None] | None = None) -> dict[str, Any]:
        ordered = _checked_and_ordered(paths)
        self.paths = {p.name: p for p in ordered}
        self._check_empty()
        events = read_events(ordered, self.endpoints, beside=self.read_beside)
        try:
            return self._run([nullcontext(p) for p in ordered], progress, events)
        finally:
            events.close()  # the reading process ends with the indexing, whatever ended it

    def run_store(self, store, progress: Callable[[Path, dict], None] | None = None) -> dict[str, Any]:
        """Every WARC of a store (archiver.warc.store), oldest first: one file at a time on local
        disk; a revisit's original in another file is read with one ranged read."""
        from .warc.store import local_copy

        self.store = store
        heads = {name: store.read_range(name, 0, min(store.size(name), _HEAD)) for name in store.names()}
        bad = [name for name, head in heads.items() if _date_in(head) is None]
        if bad:
            raise WarcError(f"not a WARC file: {', '.join(f'{store.url}/{n}' for n in bad)} (nothing was indexed)")
        ordered = sorted(heads, key=lambda name: (_date_in(heads[name]), name))
        if not ordered:
            raise InputError(f"no WARC files in {store.url}")
        self._check_empty()
        return self._run([local_copy(store, name) for name in ordered], progress)

    def _check_empty(self) -> None:
        summary = self.index.summary()
        if any(summary.values()):
            raise InputError(f"the index at {shown_url(self.index.url)} is not empty ({summary['captures']} captures, "
                             f"{summary['articles']} articles): reindex builds a new index")

    def _run(self, files: list, progress, events: Iterator[tuple[Path, str, Any]] | None = None) -> dict[str, Any]:
        """`files`: context managers, each giving one file as a local path, in reading order;
        `events`: read_events' for them (else each is read when its turn comes)."""
        started = time.monotonic()
        problems = []
        batch = getattr(self.index, "batch", None) or nullcontext  # one transaction per file, if it can
        with (getattr(self.index, "bulk_load", None) or nullcontext)():  # a new index: built faster
            for local in files:
                with local as path, batch():
                    problem = self.read_file(path, events)
                if problem:
                    problems.append(problem)
                self.stats["files"] += 1
                self.stats["bytes"] += self._size
                if progress is not None:
                    progress(path, dict(self.stats))
            self.release_held()
            for crawl in self.crawls.values():
                if crawl.crawl_id is not None and self._finished_kw and crawl.last_date:
                    self.index.finish_crawl(crawl.crawl_id, finished=crawl.last_date)
        self.stats["seconds"] = round(time.monotonic() - started, 3)
        if problems:
            error = WarcError(f"{len(problems)} of {len(files)} WARC files could not be read to the end "
                              "(what precedes each offset is indexed, and the other files in full): "
                              + "; ".join(problems))
            error.stats = dict(self.stats)
            raise error
        return dict(self.stats)

    def read_file(self, path: Path, events: Iterator[tuple[Path, str, Any]] | None = None) -> str | None:
        """Index one file; returns what is wrong with it, or None. `events`: read_events' for every
        file being indexed, at this file's first; else the file is read here. Records come in
        chunks: first the chunk's captures are indexed, in one call, then every record's other
        calls, in order."""
        self.captures.clear()
        self._size = path.stat().st_size
        if events is None:
            events = events_of(self.reader, [path])
        for _, event, data in events:
            if event == "records":
                self.replay(data, path.name)
            elif event == "warcinfo":
                self.warcinfo(data)  # now: the records after it are replayed in its crawl's light
            else:
                problem, records = data
                self.stats["records"] += records
                return problem
        raise AssertionError(f"no end to the records of {path}")

    # -- records, in WARC order ------------------------------------------------------------------

    def replay(self, chunk: list[Record], filename: str) -> None:
        if self.recovering:
            self.checked = self.index.check_record_ids(
                [rec.record_id for rec in chunk if rec.kind == "metadata" and rec.url.startswith(CHECK)])
        captured = [rec for rec in chunk if rec.capture]
        if captured:
            infos = [rec.capture_info(filename) for rec in captured]
            crawl_id = self.crawl_id()
            bulk = getattr(self.index, "add_captures", None)
            ids = bulk(infos, crawl_id) if bulk else [self.index.add_capture(info, crawl_id) for info in infos]
            for rec, capture_id in zip(captured, ids):
                self.captures[rec.record_id] = (capture_id, rec.status)
            self.stats["captures"] += len(captured)
        for rec in chunk:
            self.record(rec)
        self.index.send()  # within the file's transaction

    def record(self, rec: Record) -> None:
        crawl = self.crawl
        if rec.capture:
            if crawl.last_date is None or rec.date > crawl.last_date:
                crawl.last_date = rec.date
            if rec.error is not None:
                # a failed fetch of a Wayback URL was retried, or ends in on_error: nothing indexed
                crawl.held.pop(crawl.unmap(rec.url), None)
            elif rec.kind != "resource":
                self.answered(rec)
        elif rec.kind == "request":
            if crawl.save_answer is not None:
                self.save_request(rec)
        elif rec.kind == "metadata" and rec.url.startswith(URN):
            self.description(rec)

    def warcinfo(self, rec: Record) -> None:
        info = warc_fields(rec.body or b"")
        key = crawl_key(info)
        if key != self.crawl.key or key is None:
            self.release_held()
            self.crawl = self.crawls.get(key) or _Crawl(key, info, self.endpoints)
            if key is not None:
                self.crawls[key] = self.crawl

    def crawl_id(self) -> int | None:
        crawl = self.crawl
        if crawl.key is None:
            return None
        if crawl.crawl_id is None:
            info = crawl.info
            seeds = json.loads(info[F_SEEDS]) if F_SEEDS in info else None
            extra = {"started": info[F_STARTED]} if self._started_kw and F_STARTED in info else {}
            options = {"warcinfo": info} if crawl.options is None else crawl.options
            crawl.crawl_id = self.index.start_crawl(crawl.key, seeds, options, **extra)
        return crawl.crawl_id

    def release_held(self) -> None:
        """The held answers of the crawl being left: no retry came, so the spider read them."""
        for apply in list(self.crawl.held.values()):
            apply()
        self.crawl.held.clear()

    def capture_of(self, record_id: str | None) -> tuple[int | None, int | None]:
        if not record_id:
            return None, None
        found = self.captures.get(record_id)
        if found is None:
            row = self.index.capture_by_record(record_id)
            found = (row["id"], row["status"]) if row else (None, None)
        return found

    # -- the spider's metadata records -------------------------------------------------------------

    def description(self, rec: Record) -> None:
        url = rec.url
        if url.startswith(REFERENCES):
            self.article(rec, json.loads(rec.body))
        elif url.startswith(POST):
            snap = PostSnapshot.from_json(json.loads(rec.body))
            if self.recovering and self._indexed_later(self.index.post(snap.platform, snap.post_id or snap.url),
                                                       "snapshot_record_id", rec):
                return
            capture_id, _ = self.capture_of(rec.refers_to)
            self.index.add_post(snap, capture_id=capture_id, captured_at=rec.date, snapshot_record_id=rec.record_id)
            self.stats["posts"] += 1
        elif url.startswith(CHECK) and not (self.recovering and rec.record_id in self.checked):
            if self.index.add_check(json.loads(rec.body), rec.record_id) is not None:
                self.stats["checks"] += 1

    def article(self, rec: Record, data: dict) -> None:
        refs = ArticleRefs.from_json(data)
        if self.recovering and self._indexed_later(self.index.article(refs.url), "refs_record_id", rec):
            return
        capture_id, status = self.capture_of(rec.refers_to)
        self.index.add_article(refs, capture_id=capture_id, fetched_at=rec.date, status=status,
                               refs_record_id=rec.record_id)
        self.stats["articles"] += 1
        for embed in refs.embeds:  # follow_references: the short links of unresolved embeds
            if not (embed.post_id and embed.url) and embed.resolve_url:
                self.crawl.resolving.setdefault(embed.resolve_url, (embed.resolve_url, 0))
        for link in refs.links:   # a link to an archived copy is a copy of its original
            archived = wayback.copy_of(link.url)
            if archived is not None:
                self.add_copy(archived, None, rec.date)

    def _indexed_later(self, row: dict | None, record_column: str, rec: Record) -> bool:
        """(Recovering a file.) Whether the index's row of this article or post comes from a
        record at or after this one in the file: the crawl indexed them in the file's order, so
        this record's turn is past, and replaying it would put an older state back."""
        named = row.get(record_column) if row else None
        return named is not None and self.positions.get(named, -1) >= rec.pos

    # -- answers the spider read: short links, the Wayback Machine ---------------------------------

    def answered(self, rec: Record) -> None:
        crawl = self.crawl
        url = crawl.unmap(rec.url)
        if rec.location and url in crawl.resolving:
            original, hops = crawl.resolving.pop(url)
            target = urljoin(url, rec.location)
            post = platforms.match_url(target)
            if post and post.post_id:
                self.index.resolve_embed(original, post)
            elif hops < MAX_RESOLVE_HOPS:
                crawl.resolving.setdefault(target, (original, hops + 1))
        kind = crawl.endpoints.wayback_kind(rec.url)
        if kind is None:
            return
        crawl.held.pop(url, None)  # an earlier answer of this URL was retried
        if kind == "save":
            crawl.save_answer = rec  # the cited URL is in the request record that follows
            return
        if kind == "availability":
            cited = (parse_qs(urlsplit(url).query).get("url") or [None])[0]
        else:
            cited = crawl.jobs.get(url[len(wayback.SAVE_STATUS):])
        if cited:
            self.hold_or_apply(url, rec, kind, cited)

    def save_request(self, rec: Record) -> None:
        answer, self.crawl.save_answer = self.crawl.save_answer, None
        if rec.concurrent_to != answer.record_id:
            return
        form = (rec.body or b"").split(b"\r\n\r\n", 1)[-1].decode("utf-8", "replace")
        cited = (parse_qs(form).get("url") or [None])[0]
        if cited:
            self.hold_or_apply(self.crawl.unmap(answer.url), answer, "save", cited)

    def hold_or_apply(self, url: str, rec: Record, kind: str, cited: str) -> None:
        capture_id, _ = self.capture_of(rec.record_id)
        body = self.answer_body(rec)

        def apply() -> None:
            if kind == "availability":
                self.add_copy(wayback.parse_availability(cited, rec.status, body), capture_id, rec.date)
            elif kind == "save":
                found, job = wayback.parse_save(cited, rec.status, body)
                self.add_copy(found, capture_id, rec.date)
                if job:
                    self.crawl.jobs[job] = cited
            else:
                self.add_copy(wayback.parse_save_status(cited, rec.status, body), capture_id, rec.date)

        if rec.status in RETRIED_STATUSES:
            self.crawl.held[url] = apply  # Scrapy retries these: it counts only if no retry follows
        else:
            apply()

    def answer_body(self, rec: Record) -> bytes:
        """The answer as the spider read it: content coding removed; a revisit's from its original."""
        if rec.kind == "revisit":
            body = self.answers.get(rec.refers_to or "")
            if body is None:
                body = self._read_original(rec.refers_to)
        else:
            body = decode_content(rec.body or b"", list(rec.http_headers))
        self.answers[rec.record_id] = body
        return body

    def _read_original(self, record_id: str | None) -> bytes:
        from .warc.reader import read_from, read_record

        row = self.index.capture_by_record(record_id) if record_id else None
        if row and self.store is not None:
            return read_from(self.store, row["filename"], row["offset"], row["length"]).content
        path = self.paths.get(row["filename"]) if row else None
        if path is None:
            return b""
        return read_record(path, row["offset"], row["length"]).content

    def add_copy(self, found: wayback.Copy, capture_id: int | None, date: str) -> None:
        extra = {"checked_at": date} if self._checked_kw else {}
        self.index.add_copy(found, capture_id=capture_id, **extra)
        self.stats["copies"] += 1


def reindex(paths: Iterable[Path], index: Index, progress: Callable[[Path, dict], None] | None = None,
            *, endpoints: dict[str, str] | None = None, store=None) -> dict[str, Any]:
    """Rebuild `index` (which must be empty) from WARC files; returns counts: files, records,
    captures, articles, posts, checks, copies, bytes, seconds. `progress(path, stats)` is called
    after each file. `endpoints`: the crawl's --endpoint map (BASE -> URL), for archives whose
    warcinfo does not record it, so answers fetched through a mapped endpoint are recognised.
    Raises InputError/WarcError, with the file and offset, on what cannot be read.
    `store` (archiver.warc.store), when no paths are given: every WARC of that store."""
    if store is not None and not paths:
        return Reindexer(index, endpoints).run_store(store, progress)
    return Reindexer(index, endpoints).run([Path(p) for p in paths], progress)


def index_unindexed(index: Index, path: Path) -> dict[str, int]:
    """What a killed crawl wrote whole into a WARC it left open (after `recover_open_files`) and
    never indexed (the crawl indexes in batches, archiver/index/write_behind.py, and a kill loses
    the batch still waiting): indexed now, in the crawl the file's warcinfo names, so the index
    agrees with the WARCs. The file is replayed as `reindex` replays it; what the index holds
    already keeps its rows (captures by record id; an article, post or check whose row names the
    record or one after it in the file). Returns how many captures and records were added."""
    before = len(index.indexed_record_ids(path.name))
    reader = Reindexer(index)
    reader.recovering = True
    reader.positions = {record.headers.get(WarcHeader.WARC_RECORD_ID): record.stream_pos
                        for record in ArchiveIterator(str(path), parse_http=False, fsspec_args=False,
                                                      record_types=WarcRecordType.metadata)
                        if (record.headers.get(WarcHeader.WARC_TARGET_URI) or "").startswith((REFERENCES, POST))}
    with index.batch():
        problem = reader.read_file(path)
        reader.release_held()
    if problem:  # recovery cut the file after its last whole record: nothing should be wrong
        raise WarcError(problem)
    return {"captures": len(index.indexed_record_ids(path.name)) - before,
            "described": reader.stats["articles"] + reader.stats["posts"] + reader.stats["checks"]}


# -- helpers -------------------------------------------------------------------------------------

def _checked_and_ordered(paths: list[Path]) -> list[Path]:
    """Refuse, before anything is indexed, what cannot be a closed WARC; order the rest by date."""
    unique: dict[Path, Path] = {}
    for path in paths:
        if path.name.endswith(OPEN_SUFFIX):
            raise WarcError(f"{path} is still open: a crawl is writing it, or was killed before closing it "
                            "(the next `archiver crawl` into that archive closes it whole); "
                            "reindex reads closed WARC files only")
        if not path.is_file():
            raise InputError(f"no such WARC file: {path}")
        unique.setdefault(path.resolve(), path)
    dated, bad = [], []
    for path in unique.values():
        first = _first_date(path)
        if first is None:
            bad.append(str(path))
        else:
            dated.append((first, path.name, path))
    if bad:
        raise WarcError(f"not a WARC file: {', '.join(bad)} (nothing was indexed)")
    return [path for _, _, path in sorted(dated)]


def _first_date(path: Path) -> str | None:
    """The WARC-Date of the file's first record; None when the file does not begin as a WARC."""
    with open(path, "rb") as fh:
        head = fh.read(5)
    if head[:2] != b"\x1f\x8b" and head != b"WARC/":
        return None
    try:
        for record in ArchiveIterator(str(path), parse_http=False, fsspec_args=False):
            return record.headers.get("WARC-Date") or ""
    except (OSError, ValueError):
        return None
    return None


_HEAD = 64 * 1024  # bytes read of each stored file to date it: a warcinfo record fits


def _date_in(head: bytes) -> str | None:
    """The WARC-Date of the first record in the first bytes of a file; None if it is no WARC."""
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(zlib.MAX_WBITS | 16).decompress(head, 1 << 20)
        except zlib.error:
            return None
    if not head.startswith(b"WARC/"):
        return None
    block = head.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
    return next((line.split(":", 1)[1].strip() for line in block.split("\r\n")[1:]
                 if line.lower().startswith("warc-date:")), "")
