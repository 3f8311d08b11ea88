"""WACZ 1.1.1 packages of the archive: the whole archive, or the evidence of chosen articles.

A package holds `archive/*.warc.gz` (ZIP-stored, so byte ranges work), a zipnum CDXJ index
(`indexes/index.cdx.gz` stored + `indexes/index.idx`: what py-wacz writes, what ReplayWeb.page
loads on demand, and what `wb-manager add --unpack-wacz` picks up), `pages/pages.jsonl` (one
page per article), `datapackage.json` (every file with its sha256 and size) and
`datapackage-digest.json`.

Whole archive: the WARC files go in as they are, with the CDXJ written beside them at crawl time.
They are read from a store (archiver.warc.store): a local folder, or an S3 bucket, whose files
are streamed into the package one at a time.

Chosen articles (`articles=[...]`): only the records their evidence needs, copied as the raw gzip
members they are in our WARCs (one record per member), byte for byte, into one new WARC, so every
digest stays valid and offsets are rewritten only in the CDXJ. What an article's evidence is:

* from the index: the article's capture and its references record; for every reference its
  capture (with the redirect hops that led to it), the post's endpoint response and every
  snapshot of the post, the post's other endpoint answers (oEmbed, handle resolution) and media,
  the posts it quotes or replies to, archive-copy answers, and the checks of the embed;
* from the WARCs themselves, followed to a fixed point: the record a revisit repeats and what a
  metadata record describes (`WARC-Refers-To`), each response's request record
  (`WARC-Concurrent-To`), the post snapshots and media reports about included responses, and
  whatever was fetched *because of* an included page or post: the requests recorded with its URL
  as `Referer` (requisites, media, related posts, oEmbed discovery, redirect hops, archive
  lookups). Another article's page is a leaf: what it led to is its own evidence.
Plus the `warcinfo` record of each source file the records come from.
"""
from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from warcio.archiveiterator import ArchiveIterator

from .. import __version__
from ..errors import NotFound, WarcError
from ..model import PostRef
from . import cdxj
from .store import LocalStore, Store, local_copy

WACZ_VERSION = "1.1.1"
CDX_BLOCK_LINES = 1024          # lines per gzip block of index.cdx.gz (py-wacz / ArchiveWeb.page default)
_HEAD_BYTES = 1 << 16           # enough of each record for its WARC and HTTP header blocks
_CHUNK = 1 << 20              # copy buffer, and the most output one inflate call may give
_READ = 1 << 16               # read size when scanning (small: leftovers are copied per record)

# Metadata records about a response that are another article's business, not this one's:
# another article's extraction result, another article's verdict on a shared post.
_NOT_FOLLOWED = ("urn:embed-archiver:references:", "urn:embed-archiver:check:")


# -- reading the WARC files -------------------------------------------------------------------------

@dataclass(frozen=True)
class Member:
    """One record of a WARC file: one gzip member, at `offset`, `length` bytes long."""

    filename: str
    offset: int
    length: int
    record_type: str
    record_id: str
    target_uri: str
    date: str
    refers_to: str | None
    concurrent_to: tuple[str, ...]
    referer: str | None          # request records: the Referer the request was sent with


def _gzip_members(path: Path) -> Iterator[tuple[int, int, bytes, int]]:
    """(offset, length, first bytes, decompressed size) of each gzip member of a file."""
    with open(path, "rb") as fh:
        offset = 0
        pending = fh.read(_READ)
        while pending:
            if len(pending) < 2:
                pending += fh.read(_READ)
            if pending[:2] != b"\x1f\x8b":
                raise WarcError(f"{path}: not a WARC gzipped record by record (offset {offset})")
            inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
            head = bytearray()
            size = length = 0
            while True:
                try:
                    out = inflater.decompress(pending, _CHUNK)
                except zlib.error as exc:
                    raise WarcError(f"{path}: broken gzip member at offset {offset}: {exc}") from exc
                size += len(out)
                if len(head) < _HEAD_BYTES:
                    head += out[:_HEAD_BYTES - len(head)]
                rest = inflater.unconsumed_tail or inflater.unused_data
                length += len(pending) - len(rest)
                if inflater.eof:
                    pending = inflater.unused_data
                    break
                pending = inflater.unconsumed_tail or fh.read(_READ)
                if not pending:  # the end of the file: what zlib still holds must end the member
                    out = inflater.flush()
                    size += len(out)
                    if len(head) < _HEAD_BYTES:
                        head += out[:_HEAD_BYTES - len(head)]
                    if not inflater.eof:
                        raise WarcError(f"{path}: the record at offset {offset} is cut short")
                    pending = inflater.unused_data
                    break
            yield offset, length, bytes(head), size
            offset += length
            if not pending:
                pending = fh.read(_READ)


def _header_block(data: bytes, start: int = 0) -> tuple[list[tuple[str, str]], int]:
    end = data.find(b"\r\n\r\n", start)
    if end < 0:
        raise ValueError("header block does not end")
    lines = data[start:end].decode("utf-8", "replace").split("\r\n")
    headers = []
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers.append((name.strip().lower(), value.strip()))
    return [("", lines[0])] + headers, end + 4


def scan(path: Path) -> Iterator[Member]:
    """Every record of a per-record gzipped WARC file, read from its headers."""
    path = Path(path)
    for offset, length, head, size in _gzip_members(path):
        try:
            warc, body_start = _header_block(head)
        except ValueError as exc:
            raise WarcError(f"{path}: no WARC record at offset {offset}") from exc
        if not warc[0][1].startswith("WARC/"):
            raise WarcError(f"{path}: no WARC record at offset {offset}")
        fields = dict(warc[1:])
        if size > body_start + int(fields.get("content-length") or 0) + 4:
            raise WarcError(f"{path}: more than one record in the gzip member at offset {offset}")
        referer = None
        if fields.get("warc-type") == "request" and "application/http" in fields.get("content-type", ""):
            try:
                http, _ = _header_block(head, body_start)
                referer = next((v for k, v in http[1:] if k == "referer"), None)
            except ValueError:
                referer = None
        yield Member(
            filename=path.name, offset=offset, length=length, record_type=fields.get("warc-type", ""),
            record_id=fields.get("warc-record-id", ""), target_uri=cdxj.strip_brackets(fields.get("warc-target-uri", "")),
            date=fields.get("warc-date", ""), refers_to=fields.get("warc-refers-to"),
            concurrent_to=tuple(v for k, v in warc[1:] if k == "warc-concurrent-to"), referer=referer)


def _no_fragment(url: str) -> str:
    return url.split("#", 1)[0]


class ArchiveMap:
    """Every record of a set of WARC files, and the links between records."""

    def __init__(self, warc_files: Iterable[Path]):
        self.files: dict[str, Path] = {}
        self.by_id: dict[str, Member] = {}
        self.by_uri: dict[str, list[str]] = defaultdict(list)
        self.warcinfo: dict[str, list[str]] = defaultdict(list)
        self.requests_for: dict[str, list[str]] = defaultdict(list)   # response id -> request ids
        self.describing: dict[str, list[str]] = defaultdict(list)     # record id -> metadata about it
        self.fetched_from: dict[str, list[str]] = defaultdict(list)   # page URL -> responses it led to
        self.referer_of: dict[str, str] = {}                          # response id -> its request's Referer
        for path in warc_files:
            self.files[path.name] = path
            for m in scan(path):
                self.by_id[m.record_id] = m
                self.by_uri[m.target_uri].append(m.record_id)
                if m.record_type == "warcinfo":
                    self.warcinfo[m.filename].append(m.record_id)
                elif m.record_type == "request":
                    for target in m.concurrent_to:
                        self.requests_for[target].append(m.record_id)
                        if m.referer:
                            self.fetched_from[_no_fragment(m.referer)].append(target)
                            self.referer_of[target] = _no_fragment(m.referer)
                elif m.refers_to and m.record_type in ("metadata", "resource"):
                    self.describing[m.refers_to].append(m.record_id)

    def read(self, record_id: str) -> bytes:
        m = self.by_id[record_id]
        with open(self.files[m.filename], "rb") as fh:
            fh.seek(m.offset)
            return fh.read(m.length)


# -- what an article's evidence is ----------------------------------------------------------------------

def _newest_chain(index, url: str, max_hops: int = 10) -> list[dict[str, Any]]:
    """The newest capture of a URL and, when it redirected, of each hop after it."""
    chain: list[dict[str, Any]] = []
    seen = {url}
    for _ in range(max_hops + 1):
        found = index.captures_of(url)
        if not found:
            break
        cap = found[0]
        chain.append(cap)
        if not (cap.get("status") and 300 <= cap["status"] < 400 and cap.get("location")):
            break
        url = urljoin(cap["url"], cap["location"])
        if url in seen:
            break
        seen.add(url)
    return chain


def _path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


class _Evidence:
    def __init__(self, index, amap: ArchiveMap, other_articles: set[str]):
        self.index = index
        self.amap = amap
        self.other_articles = other_articles
        self.seeds: list[str] = []
        self.posts_done: set[tuple[str, str]] = set()

    def add_capture(self, cap: dict[str, Any] | None) -> None:
        if cap and cap.get("record_id"):
            self.seeds.append(cap["record_id"])

    def add_capture_id(self, capture_id: int | None) -> None:
        if capture_id:
            self.add_capture(self.index.capture(capture_id))

    def add_url(self, url: str | None) -> None:
        if url:
            for cap in _newest_chain(self.index, url):
                self.add_capture(cap)

    def add_post(self, platform: str, post_id: str, depth: int = 0) -> None:
        from .. import platforms

        if (platform, post_id) in self.posts_done:
            return
        self.posts_done.add((platform, post_id))
        post = self.index.post(platform, post_id)
        if post is None:
            return
        self.add_capture_id(post.get("capture_id"))
        if post.get("snapshot_record_id"):
            self.seeds.append(post["snapshot_record_id"])
        # every snapshot of the post (a recapture keeps the earlier ones) and its media reports
        for prefix in ("urn:embed-archiver:post:", "urn:embed-archiver:media:"):
            self.seeds += self.amap.by_uri.get(f"{prefix}{platform}:{post_id}", [])
        self.add_url(post.get("url"))
        for url in json.loads(post.get("media") or "[]"):
            self.add_url(url)
        # the post's other endpoint answers: by URL, or (endpoint mapped elsewhere) as the requests
        # made from the same page as the post's endpoint request, ending the same way
        try:
            ref = PostRef(platform, post["url"], post_id, post.get("handle"))
            wanted = platforms.get(platform).capture_requests(ref)
        except Exception:  # a platform without endpoints, or one that cannot build them for this post
            wanted = []
        endpoint = self.index.capture(post["capture_id"]) if post.get("capture_id") else None
        referer = self.amap.referer_of.get(endpoint["record_id"]) if endpoint else None
        siblings = self.amap.fetched_from.get(referer, []) if referer else []
        for request in wanted:
            self.add_url(request.url)
            tail = _path_and_query(request.url)
            self.seeds += [s for s in siblings if s in self.amap.by_id
                           and (self.amap.by_id[s].target_uri == request.url
                                or (len(tail) > 1 and self.amap.by_id[s].target_uri.endswith(tail)))]
        if depth == 0 and post.get("snapshot_record_id") in self.amap.by_id:
            for url in self._related(post["snapshot_record_id"]):
                found = platforms.match_url(url)
                if found is not None and found.post_id:
                    self.add_post(found.platform, found.post_id, depth + 1)

    def _related(self, snapshot_id: str) -> list[str]:
        try:
            for record in ArchiveIterator(io.BytesIO(self.amap.read(snapshot_id))):
                data = json.loads(record.content_stream().read().decode("utf-8"))
                pairs = data.get("related") or []
                return [pair[1] for pair in pairs if isinstance(pair, (list, tuple)) and len(pair) == 2]
        except (ValueError, KeyError, OSError):
            return []
        return []

    def add_article(self, article: dict[str, Any], sources: dict[str, Any]) -> None:
        self.add_capture_id(article.get("capture_id"))
        if article.get("refs_record_id"):
            self.seeds.append(article["refs_record_id"])
        for ref in sources["references"]:
            self.add_capture(ref.get("capture"))
            if ref.get("platform") and ref.get("post_id"):
                self.add_post(ref["platform"], ref["post_id"])
            if ref["kind"] != "mention":
                self.add_url(ref.get("url"))
            for url in filter(None, (ref.get("url"), ref.get("copy_of"))):
                for copy in self.index.copies_of(url):
                    self.add_capture_id(copy.get("capture_id"))
            for check in self.index.checks_of(article["url"], ref["position"]):
                if check.get("record_id"):
                    self.seeds.append(check["record_id"])
                for capture_id in check.get("capture_ids") or []:
                    self.add_capture_id(capture_id)

    def closure(self) -> tuple[set[str], set[str]]:
        """The records the seeds lead to (see the module docstring); and the seeds not found."""
        amap, chosen, missing = self.amap, set(), set()
        queue = list(self.seeds)
        while queue:
            rid = queue.pop()
            if rid in chosen or rid in missing:
                continue
            m = amap.by_id.get(rid)
            if m is None:
                missing.add(rid)
                continue
            chosen.add(rid)
            if m.refers_to:
                queue.append(m.refers_to)
            queue += amap.requests_for.get(rid, [])
            queue += [d for d in amap.describing.get(rid, []) if not amap.by_id[d].target_uri.startswith(_NOT_FOLLOWED)]
            url = _no_fragment(m.target_uri)
            if m.record_type in ("response", "revisit", "resource") and url not in self.other_articles:
                queue += amap.fetched_from.get(url, [])
        return chosen, missing


def evidence_records(index, amap: ArchiveMap, article_urls: list[str]) -> tuple[set[str], set[str]]:
    """Record ids of everything the articles' evidence needs (warcinfo not included), and the ids
    the index names that no WARC file holds."""
    all_articles = {a["url"] for a in index.list_articles()}
    chosen: set[str] = set()
    missing: set[str] = set()
    for url in article_urls:
        article = index.article(url)
        sources = index.sources(article["url"])
        evidence = _Evidence(index, amap, all_articles - {article["url"]})
        evidence.add_article(article, sources)
        found, lost = evidence.closure()
        chosen |= found
        missing |= lost
    return chosen, missing


# -- CDXJ --------------------------------------------------------------------------------------------

def _source_cdxj(store: Store, filename: str) -> dict[int, tuple[str, str, dict]] | None:
    """The CDXJ written beside a WARC at crawl time, by offset (None when there is none)."""
    text = store.read_index(filename)
    if text is None:
        return None
    found = {}
    for raw in text.splitlines():
        if raw.strip():
            key, ts, data = raw.split(" ", 2)
            fields = json.loads(data)
            found[int(fields["offset"])] = (key, ts, fields)
    return found


def _cdxj_line(key: str, ts: str, fields: dict) -> str:
    return f"{key} {ts} {json.dumps(fields)}"


def _zipnum(lines: list[str]) -> tuple[bytes, bytes]:
    """index.cdx.gz (gzip blocks of CDX_BLOCK_LINES sorted lines) and index.idx (one line per block)."""
    data = sorted(line.encode("utf-8") for line in lines)
    cdx, idx = io.BytesIO(), io.StringIO()
    idx.write("!meta 0 " + json.dumps({"format": "cdxj-gzip-1.0", "filename": "index.cdx.gz"}) + "\n")
    for start in range(0, len(data), CDX_BLOCK_LINES):
        block = data[start:start + CDX_BLOCK_LINES]
        packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        member = packer.compress(b"".join(line + b"\n" for line in block)) + packer.flush()
        key, ts, _ = block[0].decode("utf-8").split(" ", 2)
        idx.write(f"{key} {ts} " + json.dumps({"offset": cdx.tell(), "length": len(member),
                                               "digest": "sha256:" + hashlib.sha256(member).hexdigest()}) + "\n")
        cdx.write(member)
    return cdx.getvalue(), idx.getvalue().encode("utf-8")


# -- the package -------------------------------------------------------------------------------------

def _rfc3339(warc_date: str) -> str:
    """2026-11-22T10:08:55.977689Z -> 2026-11-22T10:08:55Z (whole seconds, as py-wacz writes them)."""
    return warc_date[:19] + "Z" if len(warc_date) >= 19 else warc_date


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _Package:
    """A WACZ being written: entries with their sha256 and size, for datapackage.json."""

    def __init__(self, path: Path):
        self.zip = zipfile.ZipFile(path, "w", allowZip64=True)
        self.resources: list[dict[str, Any]] = []
        self.stamp = datetime.now().timetuple()[:6]

    def add_bytes(self, name: str, data: bytes, *, deflate: bool, listed: bool = True) -> None:
        info = zipfile.ZipInfo(name, self.stamp)
        info.compress_type = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
        self.zip.writestr(info, data)
        if listed:
            self._listed(name, hashlib.sha256(data).hexdigest(), len(data))

    def add_file(self, name: str, source: Path) -> None:
        """A file stored as it is (WARCs: already compressed), hashed as it is copied."""
        with open(source, "rb") as src:
            self.add_stream(name, src, source.stat().st_size)

    def add_stream(self, name: str, src, size_hint: int) -> None:
        """The bytes of a readable stream (a file, an S3 GET), stored as they are."""
        info = zipfile.ZipInfo(name, self.stamp)
        info.compress_type = zipfile.ZIP_STORED
        info.file_size = size_hint  # lets zipfile pick ZIP64 headers up front for big files
        digest, size = hashlib.sha256(), 0
        with self.zip.open(info, "w") as dest:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dest.write(chunk)
                size += len(chunk)
        self._listed(name, digest.hexdigest(), size)

    def _listed(self, name: str, sha256: str, size: int) -> None:
        self.resources.append({"name": Path(name).name.lower(), "path": name, "hash": f"sha256:{sha256}",
                               "bytes": size})

    def close(self) -> None:
        self.zip.close()


def _page(article: dict[str, Any], capture: dict[str, Any]) -> dict[str, Any]:
    ts = _rfc3339(capture["date"])
    page = {"id": hashlib.sha256(f"{ts} {article['url']}".encode()).hexdigest()[:20], "url": article["url"], "ts": ts}
    if article.get("title"):
        page["title"] = article["title"]
    return page


def write_wacz(out: Path, index, warcs: Path | Store, articles: list[str] | None = None,
               title: str | None = None) -> dict[str, Any]:
    """Write a WACZ 1.1.1 package of the archive (every WARC file, every article) or, with
    `articles`, of the evidence of those articles only. Returns what went in. `warcs`: a folder
    of WARC files (CDXJ in indexes/ beside it), or a store."""
    out = Path(out)
    store = LocalStore(Path(warcs).parent, warc_dir=Path(warcs)) if isinstance(warcs, (str, Path)) else warcs
    names = store.names()
    if not names:
        raise WarcError(f"no WARC files in {store.url}")

    if articles:
        chosen_articles = []
        for url in dict.fromkeys(articles):
            found = index.article(url)
            if found is None:
                raise NotFound(f"article not in the index: {url}")
            if found["url"] not in (a["url"] for a in chosen_articles):
                chosen_articles.append(found)
    else:
        chosen_articles = index.list_articles()

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp_out = out.with_name(out.name + ".tmp")
    package = _Package(tmp_out)
    summary: dict[str, Any] = {"path": str(out), "articles": [a["url"] for a in chosen_articles]}
    lines: list[str] = []
    try:
        if articles:
            # the evidence is picked across all files: each is needed whole, on local disk
            with ExitStack() as copies:
                paths = [copies.enter_context(local_copy(store, name, out.parent)) for name in names]
                made, records, missing = _add_evidence_warc(package, index, paths, store, chosen_articles, lines)
            summary.update(warcs=made, records=records, missing=sorted(missing))
        else:
            for name in names:
                source = _source_cdxj(store, name)
                if source is not None:  # streamed from the store straight into the package
                    lines += [_cdxj_line(key, ts, fields) for key, ts, fields in source.values()]
                    with closing(store.open(name)) as src:
                        package.add_stream(f"archive/{name}", src, store.size(name))
                    continue
                # no CDXJ beside this WARC: index it here, as the writer would have
                with local_copy(store, name, out.parent) as path, open(path, "rb") as fh:
                    for m in scan(path):
                        fh.seek(m.offset)
                        line = cdxj.line_of_record(fh.read(m.length), name, m.offset)
                        if line:
                            lines.append(line)
                    package.add_file(f"archive/{name}", path)
            summary.update(warcs=names)
        included = {r["path"][len("archive/"):] for r in package.resources}
        cdx_gz, idx = _zipnum(lines)
        package.add_bytes("indexes/index.cdx.gz", cdx_gz, deflate=False)
        package.add_bytes("indexes/index.idx", idx, deflate=True)

        pages = []
        for article in chosen_articles:
            capture = index.capture(article["capture_id"]) if article.get("capture_id") else None
            if capture and capture["record_type"] in ("response", "revisit") and (
                    articles or capture.get("filename") in included):
                pages.append(_page(article, capture))
        header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
        pages_jsonl = "".join(json.dumps(p, ensure_ascii=False) + "\n" for p in [header, *pages])
        package.add_bytes("pages/pages.jsonl", pages_jsonl.encode("utf-8"), deflate=True)

        created = _now()
        if title is None:
            title = (chosen_articles[0].get("title") or chosen_articles[0]["url"]) if len(chosen_articles) == 1 \
                else f"embed-archiver: {len(chosen_articles)} articles"
        datapackage: dict[str, Any] = {
            "profile": "data-package",
            "wacz_version": WACZ_VERSION,
            "title": title,
            "description": _description(chosen_articles, bool(articles)),
            "created": created,
            "modified": created,
            "software": f"embed-archiver {__version__}",
            "resources": package.resources,
        }
        if pages:
            datapackage["mainPageUrl"] = pages[0]["url"]
            datapackage["mainPageDate"] = pages[0]["ts"]
        data = json.dumps(datapackage, indent=2, ensure_ascii=False).encode("utf-8")
        package.add_bytes("datapackage.json", data, deflate=True, listed=False)
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
        package.add_bytes("datapackage-digest.json", json.dumps(digest, indent=2).encode("utf-8"),
                          deflate=True, listed=False)
        package.close()
        os.replace(tmp_out, out)
    except BaseException:
        package.close()
        tmp_out.unlink(missing_ok=True)
        raise
    summary.update(pages=len(pages), cdxj_lines=len(lines), bytes=out.stat().st_size)
    return summary


def _description(articles: list[dict[str, Any]], evidence_only: bool) -> str:
    what = ("The evidence of these articles only: each article's capture and extraction result, and the "
            "captures of what it embeds, links and credits (posts through their platform endpoints, "
            "with media, snapshots and checks; linked pages with their redirects), copied byte for "
            "byte from the archive's WARC files.") if evidence_only else \
        "The whole archive: every WARC file as written by the crawl."
    listed = "\n".join(f"* [{_md(a.get('title') or a['url'])}]({a['url']})" for a in articles[:200])
    more = f"\n* … and {len(articles) - 200} more" if len(articles) > 200 else ""
    return f"Archived by embed-archiver. {what}\n\n{listed}{more}\n"


def _md(text: str) -> str:
    return re.sub(r"([\\\[\]()*_`])", r"\\\1", " ".join(text.split()))


def _add_evidence_warc(package: _Package, index, warcs: list[Path], store: Store,
                       chosen_articles: list[dict[str, Any]], lines: list[str]) -> tuple[list[str], int, set[str]]:
    """One new WARC holding the articles' evidence records (each source file's warcinfo first,
    then its records in their order), with its CDXJ lines."""
    amap = ArchiveMap(warcs)
    chosen, missing = evidence_records(index, amap, [a["url"] for a in chosen_articles])
    if not chosen:
        raise WarcError(f"no record of {'this article' if len(chosen_articles) == 1 else 'these articles'} "
                        f"is in the WARC files of {store.url}")
    by_file: dict[str, list[Member]] = defaultdict(list)
    for rid in chosen:
        m = amap.by_id[rid]
        by_file[m.filename].append(m)
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    name = f"embed-archiver-evidence-{stamp}.warc.gz"
    fd, tmp_name = tempfile.mkstemp(suffix=".warc.gz", dir=Path(package.zip.filename).parent)
    count = 0
    try:
        with os.fdopen(fd, "wb") as dest:
            for filename in sorted(by_file):
                members = [amap.by_id[r] for r in amap.warcinfo.get(filename, []) if r not in chosen]
                members += sorted(by_file[filename], key=lambda m: m.offset)
                source_lines = _source_cdxj(store, filename)
                with open(amap.files[filename], "rb") as src:
                    for m in members:
                        src.seek(m.offset)
                        data = src.read(m.length)
                        if len(data) != m.length:
                            raise WarcError(f"{filename} ends before the record at offset {m.offset}")
                        new_offset = dest.tell()
                        dest.write(data)
                        count += 1
                        if source_lines is not None:
                            found = source_lines.get(m.offset)
                            if found is not None:
                                key, ts, fields = found
                                lines.append(_cdxj_line(key, ts, {**fields, "offset": str(new_offset),
                                                                  "length": str(m.length), "filename": name}))
                        else:
                            line = cdxj.line_of_record(data, name, new_offset)
                            if line:
                                lines.append(line)
        package.add_file(f"archive/{name}", Path(tmp_name))
    finally:
        os.unlink(tmp_name)
    return [name], count, missing


def read_pages(wacz: Path) -> list[dict[str, Any]]:
    """The page list of a WACZ (header line first)."""
    with zipfile.ZipFile(wacz) as zf:
        return [json.loads(line) for line in zf.read("pages/pages.jsonl").decode("utf-8").splitlines() if line.strip()]


def read_cdxj(wacz: Path) -> list[str]:
    """The CDXJ lines of a WACZ's index.cdx.gz."""
    with zipfile.ZipFile(wacz) as zf:
        return gzip.decompress(zf.read("indexes/index.cdx.gz")).decode("utf-8").splitlines()
