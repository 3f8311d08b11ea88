"""The archive one crawl writes into: its WARC writer and its index, shared by the recorder
middleware, the spider and the pipeline of that crawl, closed when the crawl ends."""
from __future__ import annotations

import json
import logging
import socket
import uuid
from pathlib import Path

from scrapy import signals
from scrapy.settings import BaseSettings
from twisted.internet import task

from . import __version__
from .errors import ArchiverError
from .index import open_index
from .index.store import now_iso
from .index.write_behind import FLUSH_SECONDS, WriteBehind
from .layout import crawl_lock_path, layout
from .locks import release, try_lock
from .model import CaptureInfo, WarcLocation
from .reindex import index_unindexed
from .warc.upload import start_uploader
from .warc.writer import WarcWriter, WrittenRecord, recover_open_files

logger = logging.getLogger(__name__)

_ATTR = "_embed_archiver_session"
# What a crawl is, kept with it in the index so that `crawl --resume` can run it again (secrets,
# such as ARCHIVER_TOKENS, are never stored: the user gives them again).
RESUMABLE_SETTINGS = (
    "ARCHIVER_SEEDS", "ARCHIVER_SEED_FILE", "ARCHIVER_SITEMAPS", "ARCHIVER_FEEDS", "ARCHIVER_POST_SEEDS",
    "ARCHIVER_DEPTH", "ROBOTSTXT_OBEY", "ARCHIVER_CAPTURE_LINKS", "ARCHIVER_CAPTURE_POSTS", "ARCHIVER_FETCH_MEDIA",
    "ARCHIVER_MEDIA_DOWNLOAD", "ARCHIVER_REQUISITES", "ARCHIVER_RECAPTURE_AFTER", "ARCHIVER_WAYBACK",
    "ARCHIVER_WAYBACK_WITHIN", "ARCHIVER_ENDPOINTS", "ARCHIVER_LOOPBACK_ONLY", "ARCHIVER_ALLOW_PRIVATE",
    "DOWNLOAD_MAXSIZE", "DOWNLOAD_TIMEOUT", "REDIRECT_MAX_TIMES", "RETRY_TIMES", "RETRY_MAX_WAIT", "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS_PER_DOMAIN", "CONCURRENT_REQUESTS", "ARCHIVER_STORE")


def _plain(value):
    """A setting as plain JSON-able data (Scrapy keeps dict settings as Settings objects)."""
    return value.copy_to_dict() if isinstance(value, BaseSettings) else value


class ArchiveSession:
    def __init__(self, settings):
        paths = layout(settings.get("ARCHIVER_OUT"))
        self.paths = paths
        paths["root"].mkdir(parents=True, exist_ok=True)
        self.index = open_index(settings.get("ARCHIVER_DB") or paths["db"])
        seeds = settings.getlist("ARCHIVER_SEEDS")
        options = {k: _plain(settings.get(k)) for k in RESUMABLE_SETTINGS}
        self.shared = bool(settings.get("ARCHIVER_REDIS_URL"))
        if self.shared:
            # one crawl, many workers: its key is in Redis, and whoever comes first creates its row
            # (start_crawl gives the others that row)
            from .frontier import connect, current_crawl
            key = current_crawl(connect(settings.get("ARCHIVER_REDIS_URL")), settings.get("ARCHIVER_REDIS_PREFIX"))
            self.index.start_crawl(key, seeds, options)
            resumed = self.index.crawl_by_key(key)
        else:
            resumed = self.index.crawl_by_key(settings.get("ARCHIVER_RESUME")) if settings.get("ARCHIVER_RESUME") else None
        # resumed (or joined): part of the crawl may be done already; the spider asks the index
        self.resumed = resumed is not None
        self.crawl_key = resumed["crawl_key"] if resumed else uuid.uuid4().hex
        # held for the crawl's life: `crawl --resume` tells a killed crawl from a running one (the
        # workers of a shared crawl have Redis heartbeats instead, and may share a folder)
        self._lock_path = crawl_lock_path(paths["root"], self.crawl_key)
        self._lock = None if self.shared else try_lock(self._lock_path)
        if self._lock is None and not self.shared:
            raise ArchiverError(f"crawl {self.crawl_key} is running in another process")
        started = resumed["started"] if resumed else now_iso()
        info = {
            "software": f"embed-archiver/{__version__} (Scrapy, warcio)",
            "isPartOf": settings.get("ARCHIVER_CRAWL_NAME") or f"crawl-{self.crawl_key[:8]}",
            "http-header-user-agent": settings.get("USER_AGENT"),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            # the limits a missing capture may be due to (archiver/limits.py, archiver/retry.py)
            "limits": (f"max-size={settings.getint('DOWNLOAD_MAXSIZE')} timeout={settings.getfloat('DOWNLOAD_TIMEOUT'):g} "
                       f"max-redirects={settings.getint('REDIRECT_MAX_TIMES')} retries={settings.getint('RETRY_TIMES')} "
                       f"max-wait={settings.getfloat('RETRY_MAX_WAIT'):g} delay={settings.getfloat('DOWNLOAD_DELAY'):g} "
                       f"site-concurrency={settings.getint('CONCURRENT_REQUESTS_PER_DOMAIN')}"),
            "description": "Articles with the posts they embed, the pages they link and the outlets they credit",
            # the crawl's row in the index, so that `archiver reindex` rebuilds it from the WARCs alone
            "embed-archiver-crawl-key": self.crawl_key,
            "embed-archiver-started": started,
            "embed-archiver-seeds": resumed["seeds"] if resumed else json.dumps(seeds),
            "embed-archiver-options": resumed["options"] if resumed else json.dumps(options, default=str),
        }
        if not settings.getbool("ARCHIVER_LOOPBACK_ONLY"):  # a DNS query: not in loopback-only mode
            try:
                info["ip"] = socket.gethostbyname(socket.gethostname())
            except OSError:
                pass
        # A crawl killed earlier left files open: close them whole before writing new ones.
        for name, end in recover_open_files(paths["warcs"], paths["indexes"]):
            dropped = self.index.drop_captures_beyond(name, end)
            added = index_unindexed(self.index, Path(paths["warcs"]) / name)
            logger.warning("Recovered %s from an interrupted crawl (%d index rows beyond its end dropped; "
                           "indexed what it had not: %d whole captures, %d articles, posts and checks)",
                           name, dropped, added["captures"], added["described"])
        # --store: each closed file goes to the store (what earlier sessions left here first)
        self.uploader = start_uploader(settings.get("ARCHIVER_STORE"), paths["warcs"], paths["indexes"],
                                       settings.get("ARCHIVER_S3_ENDPOINT"))
        self.writer = WarcWriter(
            paths["warcs"], paths["indexes"], prefix=settings.get("ARCHIVER_WARC_PREFIX"),
            max_size=settings.getint("ARCHIVER_WARC_MAX_SIZE"), gzip_level=settings.getint("ARCHIVER_GZIP_LEVEL"),
            info=info, dedup=self.index.find_payload, **(self.uploader.writer_options() if self.uploader else {}))
        if resumed:
            self.crawl_id = resumed["id"]
        else:
            self.crawl_id = self.index.start_crawl(self.crawl_key, seeds, options, started=started)
        self.crawl_started = started
        # the crawl's index writes, in batches (flushed by a timer, and at close). The workers of a
        # shared crawl divide the work by claims in Redis, which take effect at once; none of them
        # relies on seeing another's index rows within the batch's half second
        self.writes = WriteBehind(self.index, self.crawl_id)
        self._flusher = None
        self.closed = False

    @classmethod
    def for_crawler(cls, crawler) -> "ArchiveSession":
        session = getattr(crawler, _ATTR, None)
        if session is None:
            session = cls(crawler.settings)
            setattr(crawler, _ATTR, session)
            crawler.signals.connect(session.spider_closed, signal=signals.spider_closed)
            crawler.signals.connect(session.close, signal=signals.engine_stopped)
            crawler.signals.connect(session.start_flushing, signal=signals.engine_started)
        return session

    def start_flushing(self) -> None:
        """Index writes wait at most FLUSH_SECONDS (in a slow crawl, batches never fill up)."""
        self._flusher = task.LoopingCall(self.writes.flush)
        self._flusher.start(FLUSH_SECONDS, now=False)

    def index_capture(self, written: WrittenRecord, *, status: int | None, mime: str | None,
                      location: str | None = None, error: str | None = None) -> None:
        info = CaptureInfo(
            url=written.url, date=written.date, status=status, mime=mime,
            location=WarcLocation(written.filename, written.offset, written.length, written.record_id),
            payload_digest=written.payload_digest, record_type=written.record_type,
            refers_to=written.refers_to, error=error, redirect_to=location)
        self.writes.add_capture(info)

    def write_json_metadata(self, target_uri: str, data: dict, *, refers_to: str | None,
                            date: str | None = None) -> WrittenRecord:
        return self.writer.write_json_metadata(target_uri, data, refers_to=refers_to, concurrent_to=refers_to,
                                               date=date)

    def spider_closed(self, spider=None, reason: str = "") -> None:
        self.close_reason = reason

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._flusher is not None and self._flusher.running:
            self._flusher.stop()
        self.writes.flush()
        self.writer.close()
        if self.uploader is not None:
            self.uploader.close()  # waits for the uploads still going (the last file's among them)
        # only a crawl that ran out of work is finished; one stopped early (Ctrl-C, a shutdown)
        # stays open for `crawl --resume`
        if getattr(self, "close_reason", "finished") == "finished":
            self.index.finish_crawl(self.crawl_id)
        self.index.close()
        if self._lock is not None:
            release(self._lock, self._lock_path)
