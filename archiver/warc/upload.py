"""Closed WARC files leave the crawler's disk for the store (`--store s3://bucket/prefix`).

Files are written and rotated locally as ever; each one closed is uploaded with its CDXJ, and
the local copies are removed only once the store holds them (size checked). When an upload
fails, the file stays where it is with a warning: the next crawl on that archive folder, or
`archiver upload`, sends it. Nothing is lost, and nothing in the store is overwritten.
"""
from __future__ import annotations

import logging
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..locks import release, try_lock
from .store import CDXJ_SUFFIX, WARC_SUFFIX, LocalStore, Store, open_store

logger = logging.getLogger(__name__)

UPLOAD_LOCK_SUFFIX = ".upload.lock"


class Uploader:
    """Uploads closed files of WARC_DIR (with their CDXJ from CDXJ_DIR) to a store. `submit`
    queues one for a background thread, so a crawl does not wait while a big file goes up;
    `close` waits for what is queued."""

    def __init__(self, store: Store, warc_dir: Path, cdxj_dir: Path):
        self.store = store
        self.warc_dir = Path(warc_dir)
        self.cdxj_dir = Path(cdxj_dir)
        self._pool: ThreadPoolExecutor | None = None
        self._pending: list[tuple[str, Future]] = []

    def upload(self, name: str) -> str:
        """Upload one closed WARC; returns "uploaded", "present" (already stored), "skipped" (another
        process is uploading it, or it is gone) or "failed" (kept locally, with a warning)."""
        warc = self.warc_dir / name
        lock_path = self.warc_dir / (name + UPLOAD_LOCK_SUFFIX)
        lock = try_lock(lock_path)  # two sessions sweeping one folder send each file once
        if lock is None:
            return "skipped"
        try:
            if not warc.exists():
                return "skipped"
            outcome = self.store.put(warc, name)
            cdxj = self.cdxj_dir / (name + CDXJ_SUFFIX)
            if cdxj.exists():  # after the WARC: an index in the store always has its WARC
                self.store.put_index(cdxj, name)
            # the store holds both: the local copies can go
            warc.unlink(missing_ok=True)
            cdxj.unlink(missing_ok=True)
            logger.info("Stored %s in %s", name, self.store.url)
            return outcome
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, the file stays and is sent later
            logger.warning("Could not upload %s to %s (%s): it stays in %s, and the next crawl into this "
                           "archive (or `archiver upload`) uploads it", name, self.store.url, exc, self.warc_dir)
            return "failed"
        finally:
            release(lock, lock_path)

    def leftovers(self) -> list[str]:
        """Closed WARCs still on local disk (a failed upload, a killed crawl)."""
        return sorted(p.name for p in self.warc_dir.glob("*" + WARC_SUFFIX) if p.is_file())

    def upload_all(self) -> dict[str, str]:
        return {name: self.upload(name) for name in self.leftovers()}

    def submit(self, path: Path) -> None:
        """Queue a just-closed WARC (WarcWriter's on_close)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-upload")
        name = Path(path).name
        self._pending.append((name, self._pool.submit(self.upload, name)))

    def sweep(self) -> None:
        """Queue what earlier sessions left behind."""
        for name in self.leftovers():
            self.submit(self.warc_dir / name)

    def close(self) -> dict[str, str]:
        """Wait for the queued uploads; returns each file's outcome."""
        if self._pool is None:
            return {}
        self._pool.shutdown(wait=True)
        self._pool = None
        done, self._pending = self._pending, []
        return {name: future.result() for name, future in done}

    def writer_options(self) -> dict:
        """What a WarcWriter needs to feed this uploader: each closed file, and a token that
        keeps its names apart from other workers' in the shared store."""
        return {"token": uuid.uuid4().hex[:8], "on_close": self.submit}


def start_uploader(spec: str | None, warc_dir: Path, cdxj_dir: Path, endpoint: str | None = None) -> Uploader | None:
    """The uploader of a crawl with --store (None without one, or when the store is this very
    folder), with what earlier sessions left behind already queued."""
    if not spec:
        return None
    store = open_store(spec, endpoint=endpoint or None)
    if isinstance(store, LocalStore) and store.warc_dir.resolve() == Path(warc_dir).resolve():
        return None  # the files are where they belong
    uploader = Uploader(store, warc_dir, cdxj_dir)
    uploader.sweep()
    return uploader
