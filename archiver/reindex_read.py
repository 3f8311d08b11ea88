"""What `archiver reindex` reads of each WARC record (fastwarc), file by file, in chunks.

`RecordReader.events(path)` gives, in the file's order: ("records", [Record, ...]) chunks (of every
record but requests: the index reads one request only, a Save Page Now form, which is given),
("warcinfo", Record) where one begins a crawl's records, and last ("end", (problem, count)): what
is wrong with the file (None if nothing) and how many records were read. A record is given once the
next one has been read (so it is whole, and its length known).

`read_events(paths, ...)` reads the files one after the other, in a process of its own where the
platform can fork: reading (a third of reindex's time) then runs beside indexing. Records cross
as plain tuples (pickling dataclass instances cost ten times more)."""
from __future__ import annotations

import json
import multiprocessing
import queue
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from operator import attrgetter
from pathlib import Path
from typing import Any

from fastwarc.warc import ArchiveIterator, WarcHeader, WarcRecordType

from . import wayback
from .model import CaptureInfo, WarcLocation
from .urls import sort_key
from .warc.members import member_end

FETCH_ERROR = b"fetch-error: "
CHUNK = 250  # records given together (their captures reach the index in one call): small, so the index starts soon

# warcinfo fields the crawl writes (archiver/session.py): its key, start, seeds and options. WARCs
# from before they existed are still read: the crawl row then has only what warcinfo held.
F_CRAWL_KEY = "embed-archiver-crawl-key"
F_STARTED = "embed-archiver-started"
F_SEEDS = "embed-archiver-seeds"
F_OPTIONS = "embed-archiver-options"


@dataclass(slots=True)
class Record:
    """What one WARC record tells the index, copied out before the iterator moves on."""

    kind: str
    pos: int
    url: str
    end: int | None = None                # offset just past it: known once the next record is read
    record_id: str | None = None
    date: str = ""
    refers_to: str | None = None
    concurrent_to: str | None = None
    payload_digest: str | None = None
    content_type: str | None = None
    capture: bool = False                 # a row of the captures table
    status: int | None = None
    mime: str | None = None
    location: str | None = None
    error: str | None = None
    http_headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None
    url_key: str | None = None            # of a capture: its sort_key, worked out beside the indexing

    def capture_info(self, filename: str) -> CaptureInfo:
        return CaptureInfo(url=self.url, date=self.date, status=self.status, mime=self.mime,
                           location=WarcLocation(filename, self.pos, self.end - self.pos, self.record_id),
                           payload_digest=self.payload_digest, record_type=self.kind, refers_to=self.refers_to,
                           error=self.error, redirect_to=self.location, url_key=self.url_key)


_AS_TUPLE = attrgetter(*(f.name for f in fields(Record)))


def warc_fields(body: bytes) -> dict[str, str]:
    found = {}
    for line in body.decode("utf-8", "replace").splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            found[name.strip()] = value.strip()
    return found


def crawl_key(info: dict[str, str]) -> str | None:
    """The crawl a warcinfo record's file belongs to: `embed-archiver-crawl-key`, else the 8 hex
    digits of the default `isPartOf` (crawl-<the key's first 8>), else `isPartOf`."""
    key = info.get(F_CRAWL_KEY)
    if key is None and info.get("isPartOf"):
        name = info["isPartOf"]
        key = name[len("crawl-"):] if re.fullmatch(r"crawl-[0-9a-f]{8}", name) else name
    return key


class Endpoints:
    """A crawl's --endpoint map, read backwards: the URL the spider asked for, from the one fetched."""

    def __init__(self, endpoints: dict[str, str], info: dict[str, str]):
        options = json.loads(info[F_OPTIONS]) if F_OPTIONS in info else None
        self.options = options
        endpoints = {**endpoints, **((options or {}).get("ARCHIVER_ENDPOINTS") or {})}
        # (mapped prefix, production base), longest prefix first
        self.table = sorted(((t.rstrip("/"), b.rstrip("/")) for b, t in endpoints.items()),
                            key=lambda pair: -len(pair[0]))

    def unmap(self, url: str) -> str:
        for target, base in self.table:
            if url.startswith(target) and (len(url) == len(target) or url[len(target)] in "/?#"):
                return base + (url[len(target):] or "/")
        return url

    def wayback_kind(self, url: str) -> str | None:
        """Which answer of the Wayback Machine a fetched URL is, if any."""
        if "archive.org" not in url and not self.table:
            return None
        url = self.unmap(url)
        if url.startswith(wayback.AVAILABILITY + "?"):
            return "availability"
        if url.startswith(wayback.SAVE_STATUS):
            return "status"
        if url == wayback.SAVE:
            return "save"
        return None


class RecordReader:
    """Reads files in order; a crawl's --endpoint map (from its warcinfo, else `endpoints`) tells
    which answers are the Wayback Machine's, whose bodies the index needs."""

    def __init__(self, endpoints: dict[str, str]):
        self.endpoints = endpoints
        self.current = Endpoints(endpoints, {})
        self.by_crawl: dict[str, Endpoints] = {}   # as the index replays them: a crawl keeps its first map

    def events(self, path: Path) -> Iterator[tuple[str, Any]]:
        chunk: list[Record] = []
        prev: Record | None = None
        problem = None
        count = 0
        try:
            for record in ArchiveIterator(str(path), parse_http=False, fsspec_args=False):
                current = self.copy_out(record)
                count += 1
                if prev is not None:
                    prev.end = current.pos
                    if prev.kind != "request" or prev.body is not None:  # (the one request the index reads)
                        chunk.append(prev)
                if current.kind == "warcinfo" or len(chunk) >= CHUNK:
                    yield "records", chunk
                    chunk = []
                if current.kind == "warcinfo":
                    self.warcinfo(current)
                    yield "warcinfo", current  # now: the records after it are read in its crawl's light
                prev = current
        except (OSError, ValueError) as exc:
            # what fastwarc says, at the record it could not read past
            reason = str(exc).strip() or type(exc).__name__
            if prev is None:
                yield "end", (f"{path}: not readable as WARC at offset 0 ({reason})", count)
                return
            prev.end = _member_end(path, prev.pos)
            if prev.end is None:
                problem = f"{path}: record at offset {prev.pos} is damaged ({reason})"
            else:
                problem = f"{path}: unreadable from offset {prev.end} ({reason})"
        else:
            if prev is None:
                yield "end", (f"{path}: no WARC record in it", count)
                return
            size = path.stat().st_size
            prev.end = _member_end(path, prev.pos) if _is_gzip(path) else size
            if prev.end is None:
                problem = f"{path}: the last record, at offset {prev.pos}, is cut short (truncated file)"
            elif prev.end != size:
                problem = (f"{path}: {size - prev.end} bytes after the last whole record, from offset {prev.end}, "
                           "are not a WARC record")
        if prev.end is not None and prev.kind != "warcinfo":
            chunk.append(prev)
        yield "records", chunk
        yield "end", (problem, count)

    def warcinfo(self, rec: Record) -> None:
        info = warc_fields(rec.body or b"")
        key = crawl_key(info)
        self.current = self.by_crawl.get(key) or Endpoints(self.endpoints, info)
        if key is not None:
            self.by_crawl.setdefault(key, self.current)

    def copy_out(self, rec) -> Record:
        """What the index needs of a record, read before the iterator moves on. (WARC headers are
        looked up by WarcHeader: ten times faster than by name, for the same answer.)"""
        h = rec.headers
        rtype = rec.record_type
        out = Record(kind=str(rtype), pos=rec.stream_pos, url=h.get(WarcHeader.WARC_TARGET_URI) or "")
        if rtype == WarcRecordType.request:  # half the records; one matters (a Save Page Now form)
            if self.current.wayback_kind(out.url) == "save":
                out.record_id = h.get(WarcHeader.WARC_RECORD_ID)
                out.concurrent_to = h.get(WarcHeader.WARC_CONCURRENT_TO)
                out.body = rec.reader.read()
            return out
        out.record_id, out.date = h.get(WarcHeader.WARC_RECORD_ID), h.get(WarcHeader.WARC_DATE) or ""
        out.refers_to, out.content_type = h.get(WarcHeader.WARC_REFERS_TO), h.get(WarcHeader.CONTENT_TYPE)
        if rtype & (WarcRecordType.response | WarcRecordType.revisit):
            out.capture, out.url_key = True, sort_key(out.url)
            out.payload_digest = h.get(WarcHeader.WARC_PAYLOAD_DIGEST)
            rec.parse_http()
            hh = rec.http_headers
            if hh is None:  # no HTTP block: a record cut short (found out when the next is read)
                return out
            out.status = hh.status_code
            types = hh.get_multiple("Content-Type")
            # the recorder reads them as Scrapy gives them: the last value of a repeated header
            out.mime = types[-1].split(";")[0].strip().lower() if types and types[-1] else None
            locations = hh.get_multiple("Location")
            out.location = locations[-1] if locations and locations[-1] else None
            if self.current.wayback_kind(out.url) is not None:
                out.http_headers = hh.to_tuples()
                out.body = rec.reader.read()
        elif rtype == WarcRecordType.resource:  # yt-dlp's media: indexed as status 200, its own type
            out.capture, out.status, out.mime, out.url_key = True, 200, out.content_type, sort_key(out.url)
            out.payload_digest = h.get(WarcHeader.WARC_PAYLOAD_DIGEST)
        elif rtype & (WarcRecordType.metadata | WarcRecordType.warcinfo):
            out.body = rec.reader.read()
            if (rtype == WarcRecordType.metadata and out.body.startswith(FETCH_ERROR)
                    and (out.content_type or "").startswith("application/warc-fields")):
                text = out.body.decode("utf-8", "replace")  # fetch-error: REASON\r\nurl: ...
                cut = text.rfind("\r\nurl: ")
                out.capture, out.error = True, text[len(FETCH_ERROR):cut if cut > 0 else None].strip()
                out.payload_digest = h.get(WarcHeader.WARC_PAYLOAD_DIGEST)
        return out


# -- reading beside indexing -----------------------------------------------------------------------

AHEAD = 16  # chunks read ahead of the index at most (memory: a chunk holds its metadata bodies)


def read_events(paths: list[Path], endpoints: dict[str, str], *,
                beside: bool = True) -> Iterator[tuple[Path, str, Any]]:
    """(path, event, data) for every file in turn, as RecordReader.events gives them; read by a
    forked process when `beside` and the platform can fork, else here."""
    if not beside or "fork" not in multiprocessing.get_all_start_methods():
        yield from events_of(RecordReader(endpoints), paths)
        return
    context = multiprocessing.get_context("fork")  # the records' reader needs nothing set up again
    events = context.Queue(AHEAD)
    child = context.Process(target=_read_beside, args=(paths, endpoints, events), daemon=True,
                            name="archiver-reindex-reader")
    child.start()
    try:
        for path in paths:
            while True:
                event, data = _next(events, child)
                if event == "failed":
                    raise RuntimeError(f"reading {path} failed: {data}")
                if event == "records":
                    data = [Record(*values) for values in data]
                elif event == "warcinfo":
                    data = Record(*data)
                yield path, event, data
                if event == "end":
                    break
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        events.close()


def events_of(reader: RecordReader, paths: list[Path]) -> Iterator[tuple[Path, str, Any]]:
    for path in paths:
        for event, data in reader.events(path):
            yield path, event, data


def _read_beside(paths: list[Path], endpoints: dict[str, str], events) -> None:
    try:
        for _, event, data in events_of(RecordReader(endpoints), paths):
            if event == "records":
                data = [_AS_TUPLE(rec) for rec in data]
            elif event == "warcinfo":
                data = _AS_TUPLE(data)
            events.put((event, data))
    except BaseException as exc:  # told to the indexing process, which stops with it
        events.put(("failed", f"{type(exc).__name__}: {exc}"))


def _next(events, child) -> tuple[str, Any]:
    while True:
        try:
            return events.get(timeout=1.0)
        except queue.Empty:
            if not child.is_alive() and events.empty():
                raise RuntimeError(f"the WARC reader process ended unexpectedly (exit code {child.exitcode})") from None


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def _member_end(path: Path, offset: int) -> int | None:
    """Offset just past the whole gzip member that starts at `offset`; None if it is cut short."""
    with open(path, "rb") as fh:
        return member_end(fh, offset)
