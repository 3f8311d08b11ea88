"""CDXJ lines as pywb and cdxj-indexer write them: `<surt> <14-digit timestamp> <json>`."""
from __future__ import annotations

import heapq
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable
from contextlib import ExitStack
from itertools import islice
from pathlib import Path
from urllib.parse import quote_from_bytes, unquote_to_bytes

from surt import surt
from warcio.archiveiterator import ArchiveIterator

from ..urls import PLAIN_HOST_PORT, PLAIN_QUERY

# Record types that get a line; warc-fields metadata/resource are skipped, as cdxj-indexer does.
INDEXED_TYPES = ("response", "revisit", "resource", "metadata")


# A URL whose SURT needs no session-id stripping or path clean-up: a plain host and port, a path
# of unreserved characters and a plain query (its escapes treated as surt does, in _surt_query);
# checked further in plain_surt.
_PLAIN_URL = re.compile(rf"(https?)://{PLAIN_HOST_PORT}(/[\w.~/-]*)?(?:\?({PLAIN_QUERY}))?", re.ASCII | re.IGNORECASE)
# What surt leaves as it is when it escapes a query (after decoding it): printable ASCII but '#' and '%'
_SURT_QUERY_SAFE = b"""!"$&'()*+,-./:;<=>?@[\\]^_`{|}~"""
# The index's own URNs (urn:embed-archiver:post:twitter:1901...): surt only lowercases them (but
# an upper-case "URN:", which it leaves as it is)
_PLAIN_URN = re.compile(r"urn:[\w.:-]*", re.ASCII)
_WWW = re.compile(r"www[0-9]*\.")
_SESSION_WORDS = ("sid", "sessionid", "cfid")  # surt strips session ids (jsessionid=, sid=, ...) from queries
_DEFAULT_PORT = {"http": "80", "https": "443"}


def plain_surt(url: str) -> str | None:
    """The surt package's key for a plain URL (tests/test_url_keys.py compares the two), by string
    operations: surt parses and canonicalises each URL in several passes (24 us a URL, 3% of a
    crawl's CPU; this takes 5). None for any other URL."""
    if _PLAIN_URN.fullmatch(url):
        return url.lower()
    m = _PLAIN_URL.fullmatch(url)
    if m is None:
        return None
    scheme, host, port, path, query = m.groups()
    path = (path or "/").lower()
    query = query or ""
    if "%" in query:
        query = _surt_query(query)
    query = query.lower()
    if (scheme != scheme.lower() or int(port or 0) > 65535 or "//" in path or "/." in path
            or any(word in query for word in _SESSION_WORDS)):
        return None
    host = host.lower()
    www = _WWW.match(host)
    if www:
        host = host[www.end():]
    key = ",".join(reversed(host.split(".")))
    if port and port != _DEFAULT_PORT[scheme]:
        key += ":" + port
    key += ")" + (path[:-1] if len(path) > 1 and path.endswith("/") else path)
    if query:
        params = query.split("&")
        if "" in params:
            return None
        key += "?" + "&".join("=".join(pair) for pair in sorted(tuple(p.split("=", 1)) for p in params))
    return key


def _surt_query(query: str) -> str:
    """surt's form of a query before it is lowercased and sorted: percent escapes decoded until
    none is left, then the bytes surt does not keep escaped once."""
    data = query.encode("ascii")
    while (decoded := unquote_to_bytes(data)) != data:
        data = decoded
    return quote_from_bytes(data, safe=_SURT_QUERY_SAFE)


def key_for(url: str) -> str:
    """SURT key, for every URI (urn:... too, lowercased, as pywb and cdxj-indexer key them)."""
    key = plain_surt(url)
    if key is not None:
        return key
    try:
        return surt(url)
    except Exception:  # surt raises assorted errors on odd URLs; the raw URL still sorts fine
        return url


def timestamp14(warc_date: str) -> str:
    """2025-03-16T12:00:01.123456Z -> 20250316120001"""
    return "".join(ch for ch in warc_date if ch.isdigit())[:14]


def line(*, url: str, warc_date: str, record_type: str, mime: str | None, status: int | None,
         digest: str | None, length: int, offset: int, filename: str) -> str | None:
    if record_type not in INDEXED_TYPES:
        return None
    if record_type in ("metadata", "resource") and (mime or "").startswith("application/warc-fields"):
        return None
    fields: dict[str, str] = {"url": url}
    fields["mime"] = "warc/revisit" if record_type == "revisit" else (mime or "unk")
    if status is not None and record_type in ("response", "revisit"):
        fields["status"] = str(status)
    if digest:
        fields["digest"] = digest
    fields.update(length=str(length), offset=str(offset), filename=filename)
    return f"{key_for(url)} {timestamp14(warc_date)} {json.dumps(fields)}"


def line_of_record(data: bytes, filename: str, offset: int) -> str | None:
    """The line for one whole record (`data`, a gzip member or an uncompressed record), as the
    writer makes it at crawl time: for records a CDXJ does not list yet."""
    for record in ArchiveIterator(io.BytesIO(data)):
        headers = record.rec_headers
        rtype = record.rec_type
        if record.http_headers is not None and rtype in ("response", "revisit"):
            mime = record.http_headers.get_header("Content-Type")
            mime = mime.split(";")[0].strip().lower() if mime else None
            status = int(record.http_headers.get_statuscode() or 0) or None
        else:
            mime = (headers.get_header("Content-Type") or "").split(";")[0].strip() or None
            status = 200 if rtype == "resource" else None
        digest = headers.get_header("WARC-Payload-Digest") or (
            headers.get_header("WARC-Block-Digest") if rtype in ("metadata", "resource") else None)
        return line(url=strip_brackets(headers.get_header("WARC-Target-URI") or ""),
                    warc_date=headers.get_header("WARC-Date") or "", record_type=rtype, mime=mime,
                    status=status, digest=digest, length=len(data), offset=offset, filename=filename)
    return None


def strip_brackets(uri: str) -> str:
    """WARC 1.0 writers put the target URI in angle brackets."""
    return uri[1:-1] if uri.startswith("<") and uri.endswith(">") else uri


def write_sorted(lines: list[str], path: Path) -> None:
    """Byte-order sort (LC_ALL=C), written to a temporary name then renamed: never half a file."""
    _write_whole(sorted(s.encode("utf-8") for s in lines), Path(path))


# lines sorted in memory at a time by sort_file: a 30,000-line file took 15 MB 20,000 at a time
# (the peak of a 2,000-article crawl rose by 7 MB at its end), 5 MB 2,000 at a time, in the same 0.13 s
RUN_LINES = 2_000


def sort_file(src: Path, dest: Path, run_lines: int = RUN_LINES) -> None:
    """`write_sorted` of the lines of a file, in bounded memory however long the crawl: sorted
    runs of `run_lines` lines go to temporary files, then are merged."""
    dest = Path(dest)
    with open(src, "rb") as lines, ExitStack() as runs:
        sorted_runs = []
        while True:
            chunk = sorted(line.rstrip(b"\n") for line in islice(lines, run_lines) if line.strip())
            if not chunk:
                break
            run = runs.enter_context(tempfile.TemporaryFile(dir=dest.parent))
            run.writelines(line + b"\n" for line in chunk)
            run.seek(0)
            sorted_runs.append(line.rstrip(b"\n") for line in run)
        _write_whole(heapq.merge(*sorted_runs), dest)


def _write_whole(lines: Iterable[bytes], path: Path) -> None:
    """The lines to a temporary name, synced, then renamed to `path`."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        for line in lines:
            out.write(line + b"\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def read(path: Path) -> list[tuple[str, str, dict]]:
    """Parse a CDXJ file into (key, timestamp, fields)."""
    result = []
    for raw in Path(path).read_text("utf-8").splitlines():
        if raw.strip():
            key, ts, data = raw.split(" ", 2)
            result.append((key, ts, json.loads(data)))
    return result
