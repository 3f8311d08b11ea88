"""Does what an article shows of a post still stand? The claim (the text and date the article
shows), the post as captured and, with a recheck, the post as it is now are compared; the verdict
is kept in the index and written into the WARC as a check record, so the evidence survives
without the database.

The comparison is pure (`compare`); `verify_articles` reads the index and writes the checks.
"""
from __future__ import annotations

import difflib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

VERDICTS = ("unchanged", "edited", "deleted", "suspended", "protected", "unavailable", "needs_auth",
            "not_captured")
# post status -> verdict, for a post that is not there to compare
GONE = {"deleted": "deleted", "not_found": "deleted", "suspended": "suspended", "protected": "protected",
        "age_restricted": "protected", "unavailable": "unavailable", "needs_auth": "needs_auth",
        "error": "not_captured"}
DATE_TOLERANCE_DAYS = 1  # the article shows the date in some time zone; the post's time is UTC

# What embedding does to a post's text, undone before comparing: links (t.co, pic.twitter.com,
# shortened display URLs), media placeholders, emoji (widgets render them as images with or
# without alt text), HTML entities, typographic quotes, whitespace, standalone punctuation, and
# a trailing ellipsis (truncation).
# (NFKC has made "…" into "...": a shortened display URL ends in three dots)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b(?:pic\.(?:twitter|x)\.com|t\.co)/\S+|\b[\w-]+(?:\.[\w-]+)+/\S*?\.\.\.", re.I)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-"})
_ELLIPSIS = re.compile(r"(?:…|\.\.\.)\s*$")
# placeholders embed snippets put where the post has media (Bluesky's blockquote)
_PLACEHOLDERS = re.compile(r"\[image or embed\]", re.I)


def _is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) in ("So", "Sk", "Cs") or ch in "\u200d\ufe0f\ufe0e" or 0x1F000 <= ord(ch) <= 0x1FAFF


def normalise(text: str | None) -> tuple[list[str], bool]:
    """(words, truncated): the text as comparable words, and whether it ended in an ellipsis."""
    if not text:
        return [], False
    text = unicodedata.normalize("NFKC", html.unescape(text)).translate(_QUOTES)
    text = _PLACEHOLDERS.sub(" ", _URL.sub(" ", text))
    truncated = bool(_ELLIPSIS.search(text.rstrip()))
    text = _ELLIPSIS.sub("", text.rstrip())
    text = "".join(" " if _is_emoji(ch) else ch for ch in text)
    # punctuation standing alone ("—" before a byline, "•") is layout, not words
    return [w for w in text.split() if any(ch.isalnum() for ch in w)], truncated


def word_diff(old: list[str], new: list[str]) -> str:
    """A word-level diff: unchanged words as they are, removed ones as [-...-], added ones as {+...+}."""
    out: list[str] = []
    for op, a0, a1, b0, b1 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            out.extend(old[a0:a1])
            continue
        if a1 > a0:
            out.append("[-" + " ".join(old[a0:a1]) + "-]")
        if b1 > b0:
            out.append("{+" + " ".join(new[b0:b1]) + "+}")
    return " ".join(out)


def same_text(shown: str | None, actual: str | None) -> tuple[bool, str | None]:
    """(the texts agree, word diff when they do not). A shown text cut with an ellipsis agrees
    with any text it is the beginning of (its last, cut word may be partial)."""
    a, truncated = normalise(shown)
    b, _ = normalise(actual)
    if a == b:
        return True, None
    if truncated and a:
        head, last = a[:-1], a[-1]
        if b[:len(head)] == head and len(b) > len(head) and b[len(head)].startswith(last):
            return True, None
    return False, word_diff(a, b)


_MONTHS = {m: i for i, names in enumerate((
    ("jan", "january", "januar", "janvier", "enero"), ("feb", "february", "februar", "février", "fevrier", "febrero"),
    ("mar", "march", "märz", "marz", "mars", "marzo"), ("apr", "april", "avril", "abril"),
    ("may", "mai", "mayo"), ("jun", "june", "juni", "juin", "junio"), ("jul", "july", "juli", "juillet", "julio"),
    ("aug", "august", "août", "aout", "agosto"), ("sep", "sept", "september", "septembre", "septiembre"),
    ("oct", "october", "oktober", "octobre", "octubre"), ("nov", "november", "novembre", "noviembre"),
    ("dec", "december", "dezember", "décembre", "decembre", "diciembre")), start=1) for m in names}
_MDY = re.compile(r"(?P<month>[^\W\d_]+)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{4})")
_DMY = re.compile(r"(?P<day>\d{1,2})\.?\s+(?:de\s+)?(?P<month>[^\W\d_]+)\.?\s+(?:de\s+)?(?P<year>\d{4})")
_ISO = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")


def parse_claim_date(text: str | None) -> date | None:
    """The date an article shows under an embed ("March 16, 2025", "16. März 2025", "2025-03-16")."""
    if not text:
        return None
    for pattern in (_ISO, _MDY, _DMY):
        found = pattern.search(text)
        if not found:
            continue
        month = found["month"]
        month_no = int(month) if month.isdigit() else _MONTHS.get(month.lower())
        try:
            return date(int(found["year"]), month_no, int(found["day"])) if month_no else None
        except ValueError:
            return None
    return None


def _created(value: str | None) -> date | None:
    try:
        return datetime.fromisoformat((value or "").replace("Z", "+00:00")).astimezone(UTC).date()
    except ValueError:
        return None


@dataclass
class Verdict:
    verdict: str
    flags: list[str] = field(default_factory=list)
    diff: str | None = None
    reason: str = ""


def compare(claim: dict[str, Any], captured: dict[str, Any] | None, live: dict[str, Any] | None = None) -> Verdict:
    """The verdict on one embed. `claim`: text, date (as the article shows them); `captured`,
    `live`: post snapshots as dicts (status, text, created_at), or None when there is none."""
    current = live or captured
    if current is None:
        return Verdict("not_captured", reason="the post was never captured")
    flags: list[str] = []
    shown_date, created = parse_claim_date(claim.get("date")), _created(current.get("created_at")
                                                                       or (captured or {}).get("created_at"))
    if shown_date and created and abs((shown_date - created).days) > DATE_TOLERANCE_DAYS:
        flags.append("date_mismatch")
    status = current.get("status")
    if status != "ok":
        return Verdict(GONE.get(status, "unavailable"), flags, reason=current.get("detail") or status or "")
    # what the article showed against the post now; failing a shown text, the capture against now
    if claim.get("text"):
        agree, diff = same_text(claim["text"], current.get("text"))
        if not agree:
            return Verdict("edited", flags, diff, "the post's text differs from what the article shows")
    if live is not None and captured is not None and captured.get("status") == "ok":
        agree, diff = same_text(captured.get("text"), live.get("text"))
        if not agree:
            return Verdict("edited", flags, diff, "the post changed since it was captured")
    reason = "the article shows the post's text" if claim.get("text") else "the article shows no text; the post exists"
    return Verdict("unchanged", flags, reason=reason)


# -- against an archive ------------------------------------------------------------------------

SNAPSHOT_KEYS = ("status", "text", "created_at", "detail", "captured_at", "snapshot_record_id", "capture_id")


def snapshots(index, article_urls: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """The indexed snapshot of every post the articles embed, by (platform, post id)."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for url in article_urls:
        for ref in _embeds(index, url):
            key = (ref["platform"], ref["post_id"])
            if ref.get("post_id") and key not in found:
                row = index.post(*key)
                if row is not None:
                    found[key] = {k: row.get(k) for k in SNAPSHOT_KEYS}
    return found


def _embeds(index, article_url: str) -> list[dict[str, Any]]:
    sources = index.sources(article_url)
    return [r for r in (sources or {}).get("references", []) if r["kind"] == "embed"]


def verify_articles(index, writer, article_urls: list[str], *, before: dict | None = None) -> list[dict[str, Any]]:
    """Verify every embed of the articles; each verdict is written as a check record and indexed.
    `before`: the snapshots as they were before a recheck (then the index holds the live ones)."""
    results = []
    for article_url in article_urls:
        for ref in _embeds(index, article_url):
            key = (ref.get("platform"), ref.get("post_id"))
            now = index.post(*key) if ref.get("post_id") else None
            now = {k: now.get(k) for k in SNAPSHOT_KEYS} if now else None
            captured, live = ((before or {}).get(key), now) if before is not None else (now, None)
            if live is not None and captured is not None and live.get("snapshot_record_id") == captured.get("snapshot_record_id"):
                live = None  # the recheck did not reach the post: nothing new to compare
            claim = {"text": ref.get("claim_text"), "date": ref.get("claim_date"), "author": ref.get("claim_author")}
            verdict = compare(claim, captured, live)
            if not ref.get("post_id"):
                verdict = Verdict("not_captured", reason="a plain-text embed whose post was never resolved")
            record_ids = [r for snap in (captured, live) if snap for r in (snap.get("snapshot_record_id"),
                                                                             _record_of(index, snap)) if r]
            check = {
                "article_url": article_url, "position": ref["position"], "platform": ref.get("platform"),
                "post_id": ref.get("post_id"), "post_url": ref.get("url"),
                "checked_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                "verdict": verdict.verdict, "flags": verdict.flags, "diff": verdict.diff, "reason": verdict.reason,
                "claim": claim, "captured": captured, "live": live, "capture_record_ids": record_ids,
            }
            record = writer.write_json_metadata(
                f"urn:embed-archiver:check:{ref.get('platform')}:{ref.get('post_id')}", check,
                refers_to=(live or captured or {}).get("snapshot_record_id"))
            index.add_check(check, record.record_id)
            results.append({**check, "record_id": record.record_id, "handle": ref.get("handle")})
    return results


def _record_of(index, snap: dict[str, Any]) -> str | None:
    capture = index.capture(snap["capture_id"]) if snap.get("capture_id") else None
    return capture["record_id"] if capture else None
