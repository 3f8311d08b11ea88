"""The WARC 1.1 writer: one open file at a time, gzip per record, `.open` until closed,
rotation at a size, revisit records for repeated payloads, and CDXJ as records are written.

warcio builds the records (headers, digests); this module owns the file: it gzips each record
itself (so the level is ours to choose and offsets are exact), flushes every record whole, and
renames `<name>.warc.gz.open` to `<name>.warc.gz` only when the file is complete.
"""
from __future__ import annotations

import io
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import BinaryIO

import deflate
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ..errors import UsageError
from ..locks import release, try_lock
from ..urls import sort_key
from .members import member_ends
from . import cdxj

OPEN_SUFFIX = ".open"
LOCK_SUFFIX = ".lock"
WARC_1_1 = "1.1"
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
SEEN_CACHE = 4096  # captures a writer remembers for revisits without asking the index


def gzip_member(data: bytes, level: int) -> bytes:
    """`data` as one gzip member (one per record: a reader can start at any record's offset).
    libdeflate, not zlib: a record is compressed whole, in one call, which is what libdeflate is
    made for; at level 6 it took 0.54x zlib's CPU for 0.984x its bytes on a crawl's records
    (bench/gzip_levels.py). Levels 0-12."""
    return deflate.gzip_compress(data, level)


def warc_date(moment: datetime | None = None) -> str:
    """WARC-Date with microseconds, UTC (WARC 1.1)."""
    moment = (moment or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


@dataclass(frozen=True)
class WrittenRecord:
    """Where a record went, and what the index needs to know of it."""

    record_id: str
    record_type: str
    url: str
    date: str
    filename: str
    offset: int
    length: int
    payload_digest: str | None
    refers_to: str | None = None


@dataclass(frozen=True)
class HttpExchange:
    """One HTTP request and its response, as they went over the wire."""

    url: str
    method: str
    request_target: str                  # path?query as sent
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int
    response_headers: list[tuple[str, str]]
    body: bytes                          # transfer-decoded, still content-encoded
    ip_address: str | None
    date: str
    protocol: str = "HTTP/1.1"


# (payload digest, url) -> (record id, target uri, warc date) of an earlier identical capture
DedupLookup = Callable[[str, str], "tuple[str, str, str] | None"]


class _RecordBuilder(WARCWriter):
    """warcio's builder, used only to make records and their digests into a buffer.
    WARC 1.1 gives metadata records no payload, so no payload digest either. A resource record's
    payload is its whole block: the block digest already covers it, and the (optional) payload
    digest is one that `fastwarc check -p` wrongly fails on non-HTTP records, so it is left out."""

    NO_PAYLOAD_DIGEST_TYPES = ("warcinfo", "revisit", "metadata", "resource")

    def serialize(self, record) -> bytes:
        """The record's bytes, uncompressed. What write_record writes, without a writer made per
        record (warcio's asks the system for the host name each time: ~1% of a crawl's CPU)."""
        out = io.BytesIO()
        self._write_warc_record(out, record)
        return out.getvalue()


class WarcWriter:
    def __init__(self, warc_dir: Path, cdxj_dir: Path, *, prefix: str = "archiver",
                 max_size: int = 10**9, gzip_level: int = 6, info: dict[str, str] | None = None,
                 dedup: DedupLookup | None = None, host: str | None = None, token: str | None = None,
                 on_close: Callable[[Path], None] | None = None):
        """`token`: a short unique word added to every file name, for writers (processes,
        machines) that share one store, where folder locks cannot keep names apart.
        `on_close(path)`: called with each file once it is closed whole (the uploader)."""
        self.warc_dir = Path(warc_dir)
        self.cdxj_dir = Path(cdxj_dir)
        self.prefix = prefix
        self.max_size = max_size
        if not 0 <= gzip_level <= 12:
            raise UsageError(f"gzip level {gzip_level}: it must be 0 to 12 (ARCHIVER_GZIP_LEVEL)")
        self.gzip_level = gzip_level
        self.info = dict(info or {})
        self.dedup = dedup
        self.host = host or socket.gethostname().split(".")[0] or "localhost"
        self.token = token
        self.on_close = on_close
        self.warc_dir.mkdir(parents=True, exist_ok=True)
        self.cdxj_dir.mkdir(parents=True, exist_ok=True)
        self._serial = 0
        self._file = None
        self._lock: int | None = None
        self._name: str | None = None
        self._cdxj_open = None
        # (payload digest, URL key) -> first capture, for revisits within this session: the
        # latest SEEN_CACHE only (memory stays flat; older ones are in the index, `dedup`)
        self._seen: dict[tuple[str, str], tuple[str, str, str]] = {}
        self._builder = _RecordBuilder(io.BytesIO(), gzip=False, warc_version=WARC_1_1)  # builds, never writes
        self.closed_files: list[Path] = []

    # -- file lifecycle -------------------------------------------------------------------------

    @property
    def current_name(self) -> str | None:
        return self._name

    def _open(self) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        while True:
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{self.host}{'-' + self.token if self.token else ''}.warc.gz"
            self._serial += 1
            # the lock first: held while the file is open, so recovery leaves a live writer's file
            # alone, and two crawls starting in the same second never pick the same name
            lock = try_lock(self.warc_dir / (name + LOCK_SUFFIX))
            if lock is None:
                continue
            if (self.warc_dir / name).exists():
                release(lock, self.warc_dir / (name + LOCK_SUFFIX))
                continue
            try:
                self._file = open(self.warc_dir / (name + OPEN_SUFFIX), "xb")
            except FileExistsError:  # left by a killed crawl, not yet recovered
                release(lock, self.warc_dir / (name + LOCK_SUFFIX))
                continue
            break
        self._name = name
        self._lock = lock
        self._cdxj_open = open(self.cdxj_dir / (name + ".cdxj" + OPEN_SUFFIX), "w", encoding="utf-8")
        info = {
            "software": self.info.get("software", "embed-archiver"),
            "format": "WARC File Format 1.1",
            "conformsTo": CONFORMS_TO,
            "hostname": socket.gethostname(),
            **{k: v for k, v in self.info.items() if k != "software"},
        }
        self._write(self._builder.create_warcinfo_record(name, info), status=None, mime=None)

    def close(self) -> Path | None:
        """Finish the current file: sorted CDXJ beside it, then the rename that marks it whole."""
        if self._file is None:
            return None
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._cdxj_open.close()
        name = self._name
        # sorted from the file written as records came (not from a list kept in memory all along)
        cdxj.sort_file(self.cdxj_dir / (name + ".cdxj" + OPEN_SUFFIX), self.cdxj_dir / (name + ".cdxj"))
        os.remove(self.cdxj_dir / (name + ".cdxj" + OPEN_SUFFIX))
        final = self.warc_dir / name
        os.replace(self.warc_dir / (name + OPEN_SUFFIX), final)
        release(self._lock, self.warc_dir / (name + LOCK_SUFFIX))
        self._lock = None
        self._file = None
        self._name = None
        self.closed_files.append(final)
        if self.on_close is not None:
            self.on_close(final)
        return final

    def _ensure_open(self) -> None:
        if self._file is None:
            self._open()

    def _maybe_rotate(self) -> None:
        # Checked before each exchange, never between an exchange and the metadata the spider
        # writes about it later, so a capture and its description stay in one file.
        if self._file is not None and self._file.tell() >= self.max_size:
            self.close()

    # -- records --------------------------------------------------------------------------------

    def _write(self, record, *, status: int | None, mime: str | None) -> WrittenRecord:
        member = gzip_member(self._builder.serialize(record), self.gzip_level)
        offset = self._file.tell()
        self._file.write(member)
        self._file.flush()
        headers = record.rec_headers
        written = WrittenRecord(
            record_id=headers.get_header("WARC-Record-ID"),
            record_type=headers.get_header("WARC-Type"),
            url=headers.get_header("WARC-Target-URI") or "",
            date=headers.get_header("WARC-Date"),
            filename=self._name, offset=offset, length=len(member),
            payload_digest=headers.get_header("WARC-Payload-Digest"),
            refers_to=headers.get_header("WARC-Refers-To"),
        )
        # A metadata record has no payload digest; replay indexes give it the block's sha1.
        digest = written.payload_digest or (headers.get_header("WARC-Block-Digest")
                                            if written.record_type in ("metadata", "resource") else None)
        entry = cdxj.line(url=written.url, warc_date=written.date, record_type=written.record_type,
                          mime=mime, status=status, digest=digest,
                          length=written.length, offset=written.offset, filename=self._name)
        if entry:
            self._cdxj_open.write(entry + "\n")
            self._cdxj_open.flush()
        return written

    def write_exchange(self, exchange: HttpExchange) -> tuple[WrittenRecord, WrittenRecord]:
        """Response (or revisit) then request, linked by WARC-Concurrent-To, same WARC-Date."""
        self._maybe_rotate()
        self._ensure_open()
        builder = self._builder
        warc_headers = {"WARC-Date": exchange.date}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        if exchange.protocol and exchange.protocol.lower() not in ("http/1.1", "http/1.0"):
            warc_headers["WARC-Protocol"] = exchange.protocol.lower()
        http_headers = StatusAndHeaders(f"{exchange.status} {reason_phrase(exchange.status)}",
                                        list(exchange.response_headers), protocol="HTTP/1.1")
        response = builder.create_warc_record(
            exchange.url, "response", payload=io.BytesIO(exchange.body), length=len(exchange.body),
            http_headers=http_headers, warc_headers_dict=dict(warc_headers))
        digest = response.rec_headers.get_header("WARC-Payload-Digest")
        original = self._find_original(digest, exchange) if exchange.body else None
        if original is not None:
            refers_id, refers_uri, refers_date = original
            response = builder.create_revisit_record(
                exchange.url, digest, refers_uri, refers_date, http_headers=http_headers,
                warc_headers_dict=dict(warc_headers))
            response.rec_headers.add_header("WARC-Refers-To", refers_id)
        request = builder.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=StatusAndHeaders(f"{exchange.method} {exchange.request_target} HTTP/1.1",
                                          list(exchange.request_headers), is_http_request=True),
            warc_headers_dict=dict(warc_headers))
        request.rec_headers.add_header("WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))
        mime = _header(exchange.response_headers, "content-type")
        resp_written = self._write(response, status=exchange.status, mime=_bare_mime(mime))
        req_written = self._write(request, status=None, mime=None)
        if original is None and exchange.status == 200 and exchange.body:
            self._seen.setdefault((digest, sort_key(exchange.url)),
                                  (resp_written.record_id, exchange.url, exchange.date))
            if len(self._seen) > SEEN_CACHE:
                del self._seen[next(iter(self._seen))]  # the oldest (dicts keep insertion order)
        return resp_written, req_written

    def _find_original(self, digest: str, exchange: HttpExchange) -> tuple[str, str, str] | None:
        """An earlier 200 capture of the same URL with the same payload (this session first,
        then the archive's index): the same rule in both places."""
        if exchange.status != 200:
            return None
        seen = self._seen.get((digest, sort_key(exchange.url)))
        if seen is not None:
            return seen
        return self.dedup(digest, exchange.url) if self.dedup else None

    def write_metadata(self, target_uri: str, payload: bytes, content_type: str, *,
                       refers_to: str | None = None, concurrent_to: str | None = None,
                       date: str | None = None) -> WrittenRecord:
        """A metadata record about another record (extraction result, post snapshot, failure)."""
        self._ensure_open()
        builder = self._builder
        headers = {"WARC-Date": date or warc_date(), "Content-Type": content_type}
        if refers_to:
            headers["WARC-Refers-To"] = refers_to
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        record = builder.create_warc_record(target_uri, "metadata", payload=io.BytesIO(payload),
                                            length=len(payload), warc_content_type=content_type,
                                            warc_headers_dict=headers)
        return self._write(record, status=None, mime=content_type.split(";")[0].strip())


    def write_json_metadata(self, target_uri: str, data: dict, *, refers_to: str | None = None,
                            concurrent_to: str | None = None, date: str | None = None) -> WrittenRecord:
        """A metadata record holding JSON (an extraction result, a post snapshot, a check)."""
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return self.write_metadata(target_uri, payload, "application/json", refers_to=refers_to,
                                   concurrent_to=concurrent_to, date=date)

    def write_resource(self, target_uri: str, payload: bytes, content_type: str, *, date: str | None = None,
                       concurrent_to: str | None = None) -> WrittenRecord:
        """A resource record: content fetched outside an HTTP exchange we could record (yt-dlp media)."""
        self._maybe_rotate()
        self._ensure_open()
        headers = {"WARC-Date": date or warc_date(), "Content-Type": content_type}
        if concurrent_to:
            headers["WARC-Concurrent-To"] = concurrent_to
        record = self._builder.create_warc_record(target_uri, "resource", payload=io.BytesIO(payload),
                                                  length=len(payload), warc_content_type=content_type,
                                                  warc_headers_dict=headers)
        return self._write(record, status=200, mime=content_type.split(";")[0].strip())


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _bare_mime(value: str | None) -> str | None:
    return value.split(";")[0].strip().lower() if value else None


def recover_open_files(warc_dir: Path, cdxj_dir: Path) -> list[tuple[str, int]]:
    """Close what a killed crawl left open: each `.warc.gz.open` is cut after its last whole
    record and renamed to its final name, with its CDXJ sorted beside it (a line for every whole
    record, those the kill kept out of the `.cdxj.open` computed from the record). Returns
    (final name, whole length) of each, so the index can drop what lies beyond."""
    recovered = []
    for leftover in sorted(Path(warc_dir).glob("*.warc.gz" + OPEN_SUFFIX)):
        name = leftover.name[: -len(OPEN_SUFFIX)]
        lock_path = Path(warc_dir) / (name + LOCK_SUFFIX)
        lock = try_lock(lock_path)
        if lock is None:
            continue  # another crawl, alive, is writing it
        if not leftover.exists():  # another worker recovered it between our glob and our lock
            release(lock, lock_path)
            continue
        with open(leftover, "r+b") as fh:
            ends = list(member_ends(fh))
            end = ends[-1] if ends else 0
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
            lines = _recovered_cdxj(fh, name, ends, Path(cdxj_dir) / (name + ".cdxj" + OPEN_SUFFIX))
        cdxj.write_sorted(lines, Path(cdxj_dir) / (name + ".cdxj"))
        os.replace(leftover, Path(warc_dir) / name)
        release(lock, lock_path)
        recovered.append((name, end))
    return recovered


def _recovered_cdxj(fh: BinaryIO, name: str, ends: list[int], open_cdxj: Path) -> list[str]:
    """The lines of the `.cdxj.open` that point at whole records, plus a line computed for each
    whole record it misses (written to the WARC, then the process died before its line was)."""
    listed: dict[int, str] = {}
    if open_cdxj.exists():
        for raw in open_cdxj.read_text("utf-8", errors="replace").splitlines():
            try:
                listed[int(json.loads(raw.split(" ", 2)[2])["offset"])] = raw
            except (IndexError, ValueError, KeyError):
                continue  # a line cut short by the kill
        open_cdxj.unlink()
    lines = []
    for start, stop in zip([0, *ends], ends):
        if start in listed:
            lines.append(listed[start])
        else:
            fh.seek(start)
            computed = cdxj.line_of_record(fh.read(stop - start), name, start)
            if computed:
                lines.append(computed)
    return lines
