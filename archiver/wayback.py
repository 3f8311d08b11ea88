"""Existing archive copies of cited URLs: the Wayback Machine and archive.today (reference B.10, B.11).

Pure helpers: request URLs and parsers. The spider sends the requests (so the answers are
recorded in the WARC like any other evidence) and the index keeps the copies found.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

AVAILABILITY = "https://archive.org/wayback/available"
SAVE = "https://web.archive.org/save"
SAVE_STATUS = "https://web.archive.org/save/status/"

# web.archive.org/web/20250316081245/https://... (with an optional id_/im_/if_ ... flag)
_WAYBACK_COPY = re.compile(r"^https?://(?:web\.)?archive\.org/web/(?P<ts>\d{1,14})(?:[a-z]{2}_)?/(?P<url>.+)$", re.I)
# archive.today's long form carries the original: archive.ph/2025.03.16-081245/https://...,
# archive.ph/20250316081245/https://..., archive.ph/newest/https://...; short ids (archive.ph/AbC12) do not.
_ARCHIVE_TODAY = re.compile(
    r"^https?://(?:www\.)?archive\.(?:ph|today|is|li|vn|fo|md)/(?P<ts>\d{4}\.?\d{2}\.?\d{2}-?\d{0,6}|newest|oldest)"
    r"/(?P<url>https?://.+)$", re.I)


@dataclass(frozen=True)
class Copy:
    """An archived copy of `url` held by an archive service."""

    url: str               # the original URL
    service: str           # "wayback" or "archive.today"
    copy_url: str | None   # where the copy is; None when the service has none
    timestamp: str | None  # 14-digit capture time at the service
    status: str            # "available", "missing", "submitted", "error", "cited"
    detail: str | None = None


def copy_of(url: str) -> Copy | None:
    """The original URL of a link that points at an archived copy, else None."""
    found = _WAYBACK_COPY.match(url)
    if found:
        original = _full(found["url"])
        return Copy(original, "wayback", url, found["ts"], "cited")
    found = _ARCHIVE_TODAY.match(url)
    if found:
        stamp = re.sub(r"\D", "", found["ts"]) or None
        return Copy(_full(found["url"]), "archive.today", url, stamp, "cited")
    return None


def _full(url: str) -> str:
    # the Wayback Machine writes "https:/x" after collapsing slashes, and drops the scheme sometimes
    url = re.sub(r"^(https?):/(?!/)", r"\1://", url)
    return url if re.match(r"^https?://", url) else "http://" + url


def availability_url(url: str, timestamp: str | None = None) -> str:
    params = {"url": url}
    if timestamp:
        params["timestamp"] = timestamp
    return f"{AVAILABILITY}?{urlencode(params, quote_via=quote)}"


def parse_availability(url: str, status: int, body: bytes) -> Copy:
    """The closest Wayback copy from an availability answer (any HTTP outcome)."""
    if status != 200:
        return Copy(url, "wayback", None, None, "error", f"HTTP {status}")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return Copy(url, "wayback", None, None, "error", f"malformed JSON: {exc}")
    closest = ((data or {}).get("archived_snapshots") or {}).get("closest") if isinstance(data, dict) else None
    if not isinstance(closest, dict) or not closest.get("url"):
        return Copy(url, "wayback", None, None, "missing")
    copy_url = re.sub(r"^http://", "https://", closest["url"])  # the API answers with http:// links
    detail = None if str(closest.get("status")) == "200" else f"the closest copy has HTTP status {closest.get('status')}"
    return Copy(url, "wayback", copy_url, closest.get("timestamp"), "available", detail)


def save_request(url: str, keys: str, if_not_archived_within: str = "30d") -> tuple[str, dict[str, str], bytes]:
    """(URL, headers, form body) of a Save Page Now 2 submission with the user's "ACCESS:SECRET" keys."""
    form = urlencode({"url": url, "if_not_archived_within": if_not_archived_within, "skip_first_archive": "1"})
    headers = {"Accept": "application/json", "Authorization": f"LOW {keys}",
               "Content-Type": "application/x-www-form-urlencoded"}
    return SAVE, headers, form.encode("ascii")


def parse_save(url: str, status: int, body: bytes) -> tuple[Copy, str | None]:
    """(what the submission says, the job id to poll or None)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if status != 200 or not isinstance(data, dict):
        reason = data.get("message") if isinstance(data, dict) else None
        return Copy(url, "wayback", None, None, "error", reason or f"HTTP {status}"), None
    if data.get("job_id"):
        return Copy(url, "wayback", None, None, "submitted", f"job {data['job_id']}"), data["job_id"]
    return Copy(url, "wayback", None, None, "error", data.get("message") or "no job id in the answer"), None


def parse_save_status(url: str, status: int, body: bytes) -> Copy:
    """A Save Page Now 2 job's state: available (with the copy), submitted (pending) or error."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return Copy(url, "wayback", None, None, "error", f"malformed JSON: {exc}")
    if status != 200 or not isinstance(data, dict):
        return Copy(url, "wayback", None, None, "error", f"HTTP {status}")
    state = data.get("status")
    if state == "success" and data.get("timestamp"):
        original = data.get("original_url") or url
        return Copy(url, "wayback", f"https://web.archive.org/web/{data['timestamp']}/{original}",
                    data["timestamp"], "available")
    if state == "pending":
        return Copy(url, "wayback", None, None, "submitted", f"job {data.get('job_id')} pending")
    return Copy(url, "wayback", None, None, "error", data.get("status_ext") or data.get("message") or str(state))
