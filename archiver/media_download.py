"""A post's video or audio, downloaded with yt-dlp (`crawl --media`), for the WARC as a resource record.

yt-dlp does its own HTTP, outside Scrapy's downloader: what it fetched is recorded as one
`resource` record per file (the media URL it chose, its bytes) plus a `metadata` record with what
yt-dlp reported (extractor, format, title, uploader, duration), not as request/response pairs.
The same guards apply: loopback-only mode refuses any other host, and files over the size limit
are not kept. Runs in a worker thread: it blocks.
"""
from __future__ import annotations

import mimetypes
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ArchiverError

# Platforms whose posts are video or audio that their snapshot's media URLs do not already give
# (X's best MP4 and Reddit's fallback MP4 are fetched as plain media).
MEDIA_PLATFORMS = frozenset({"youtube", "vimeo", "dailymotion", "tiktok", "soundcloud", "bluesky", "facebook",
                             "instagram"})
# What yt-dlp reported that is worth keeping beside the bytes.
INFO_KEYS = ("id", "title", "uploader", "uploader_id", "channel", "timestamp", "upload_date", "duration",
             "webpage_url", "extractor", "format_id", "ext", "width", "height", "filesize", "url")


@dataclass
class Downloaded:
    url: str                      # the media URL yt-dlp fetched
    data: bytes
    mime: str
    info: dict[str, Any] = field(default_factory=dict)


class MediaError(ArchiverError):
    pass


class _Quiet:
    """yt-dlp logger that keeps messages for the error report instead of printing them."""

    def __init__(self):
        self.errors: list[str] = []

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        pass

    def error(self, msg: str) -> None:
        self.errors.append(msg)


def _loopback(url: str) -> bool:
    from .middlewares import is_loopback_host
    return is_loopback_host(urlsplit(url).hostname or "")


def download(url: str, *, max_bytes: int, loopback_only: bool) -> list[Downloaded]:
    """Download the media of the post at `url` (one file: the best single format, no merging,
    which would need ffmpeg). Raises MediaError with yt-dlp's reason."""
    try:
        import yt_dlp
    except ImportError as exc:
        raise MediaError("--media needs yt-dlp: pip install 'embed-archiver[media]'") from exc
    if loopback_only and not _loopback(url):
        raise MediaError(f"not a loopback address (loopback-only mode): {url}")
    log = _Quiet()
    with tempfile.TemporaryDirectory(prefix="archiver-media-") as tmp:
        params = {
            "outtmpl": str(Path(tmp) / "%(id).80s.%(ext)s"), "format": "best", "noplaylist": True,
            "max_filesize": max_bytes, "quiet": True, "no_warnings": True, "noprogress": True,
            "logger": log, "cachedir": False, "socket_timeout": 30, "retries": 1, "overwrites": True,
        }
        if loopback_only:
            params["proxy"] = ""  # a proxy from the environment would carry the request off the machine
        try:
            with yt_dlp.YoutubeDL(params) as ydl:
                info = ydl.extract_info(url, download=True)
        except yt_dlp.utils.DownloadError as exc:
            raise MediaError(_reason(str(exc), log)) from exc
        out = []
        for item in (info or {}).get("requested_downloads") or []:
            path = Path(item.get("filepath") or "")
            media_url = item.get("url") or (info or {}).get("url") or url
            if loopback_only and not _loopback(media_url):
                raise MediaError(f"yt-dlp went to a non-loopback address: {media_url}")
            if not path.is_file():
                continue  # over max_filesize: yt-dlp skipped it
            data = path.read_bytes()
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            kept = {k: (info or {}).get(k) for k in INFO_KEYS if (info or {}).get(k) is not None}
            out.append(Downloaded(media_url, data, mime, kept))
        if not out:
            raise MediaError(_reason("nothing downloaded (larger than the size limit?)", log))
        return out


def _reason(message: str, log: _Quiet) -> str:
    text = (log.errors[-1] if log.errors else message).replace("ERROR: ", "").strip()
    return " ".join(text.split())[:300]
