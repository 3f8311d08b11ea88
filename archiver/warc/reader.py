"""Read one record back from a WARC by its offset and length (one seek, one read)."""
from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..errors import WarcError
from .members import member_end
from .store import LocalStore


@dataclass
class StoredRecord:
    record_type: str
    warc_headers: list[tuple[str, str]]
    status_line: str | None                  # HTTP status line, for HTTP records
    http_headers: list[tuple[str, str]]
    payload: bytes                           # as stored (content-encoding kept)
    content: bytes                           # content-decoded (gzip, br, ... removed)


def read_record(path: str | Path, offset: int, length: int) -> StoredRecord:
    """A record of a WARC file on disk (or of the `.open` file a running crawl still writes)."""
    path = Path(path)
    return read_from(LocalStore(path.parent, warc_dir=path.parent), path.name, offset, length)


def read_from(store, name: str, offset: int, length: int) -> StoredRecord:
    """A record of a WARC in a store (archiver.warc.store): one ranged read, never the whole file."""
    return parse_record(store.read_range(name, offset, length), f"{store.url}/{name}", offset, length)


def parse_record(data: bytes, path: str | Path, offset: int, length: int) -> StoredRecord:
    """The record in `data`, the `length` bytes read at `offset` of `path` (named in errors)."""
    if len(data) != length:
        raise WarcError(f"{path} ends before the record at offset {offset} (truncated file?)")
    if data[:2] == b"\x1f\x8b" and member_end(io.BytesIO(data), 0) is None:
        raise WarcError(f"the record at {path}:{offset} is cut short or damaged (its gzip member does not end)")
    try:
        for record in ArchiveIterator(io.BytesIO(data)):
            raw = record.raw_stream.read()
            stored = StoredRecord(
                record_type=record.rec_type,
                warc_headers=list(record.rec_headers.headers),
                status_line=(f"{record.http_headers.protocol} {record.http_headers.statusline}"
                             if record.http_headers else None),
                http_headers=list(record.http_headers.headers) if record.http_headers else [],
                payload=raw, content=b"")
            if not stored.record_type:
                break
            stored.content = decode_content(raw, stored.http_headers)
            return stored
    except Exception as exc:  # noqa: BLE001 - on damaged input warcio also raises AttributeError, EOFError, ...
        reason = str(exc) if isinstance(exc, (ArchiveLoadFailed, ValueError, OSError)) else "damaged record"
        raise WarcError(f"no readable WARC record at {path}:{offset}: {reason}") from exc
    raise WarcError(f"no WARC record at {path}:{offset}")


def decode_content(payload: bytes, headers: list[tuple[str, str]]) -> bytes:
    """Undo Content-Encoding for display; the stored bytes stay as they came."""
    encoding = next((v.strip().lower() for k, v in headers if k.lower() == "content-encoding"), "")
    try:
        if encoding in ("gzip", "x-gzip"):
            import gzip
            return gzip.decompress(payload)
        if encoding == "deflate":
            try:
                return zlib.decompress(payload)
            except zlib.error:
                return zlib.decompress(payload, -zlib.MAX_WBITS)
        if encoding == "br":
            import brotli
            return brotli.decompress(payload)
    except Exception:  # a body that lies about its encoding is shown as stored
        return payload
    return payload
