"""Exports of the citation index: what articles cite, with the evidence for each citation.

Formats:

* `jsonl`, `csv` — one row per citation (an article's reference): the article, the reference
  (kind, position, post / link / outlet), the claim the article shows, its status, the capture
  that is its evidence and where that capture lies in the WARCs, and the latest verdict on it.
* `csl-json` — a CSL-JSON array with one item per cited source, for Zotero and other reference
  managers: posts as `post` (videos as `motion_picture`), linked pages as `webpage`, outlets
  credited by name without a link as `article-newspaper` (the outlet as container, no URL: the
  article does not say which report). Unnamed sources and embeds whose post was never identified
  are left out: there is nothing to cite.
* `html` — a self-contained "sources card" per article: inline CSS, no script, no external
  resource; every value escaped.

What is exported: every article, or the articles given, or those of one crawl, or the
citations a lookup query finds (a post URL, @handle, outlet, domain, words — as `archiver lookup`).
"""
from __future__ import annotations

import csv
import hashlib
import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from . import __version__
from .errors import NotFound, UsageError

FORMATS = ("jsonl", "csv", "csl-json", "html")

# One row per citation; the same keys in JSONL as the CSV header.
COLUMNS = (
    "article_url", "article_title", "article_published",
    "position", "kind", "in_body",
    "platform", "post_id", "handle", "url", "link_kind", "outlet", "domain", "surface",
    "anchor_text", "sentence", "claim_text", "claim_author", "claim_date", "post_created_at",
    "status",
    "capture_url", "capture_date", "capture_status", "capture_record_type",
    "warc_filename", "warc_offset", "warc_length", "warc_record_id", "payload_digest",
    "verdict", "verdict_flags", "checked_at",
)

PLATFORM_NAMES = {
    "twitter": "X (Twitter)", "telegram": "Telegram", "bluesky": "Bluesky", "mastodon": "Mastodon",
    "truthsocial": "Truth Social", "reddit": "Reddit", "youtube": "YouTube", "vimeo": "Vimeo",
    "dailymotion": "Dailymotion", "tiktok": "TikTok", "spotify": "Spotify", "soundcloud": "SoundCloud",
    "instagram": "Instagram", "facebook": "Facebook", "threads": "Threads", "linkedin": "LinkedIn", "vk": "VK",
}
CSL_TYPES = {"youtube": "motion_picture", "vimeo": "motion_picture", "dailymotion": "motion_picture",
             "spotify": "song", "soundcloud": "song"}


# -- what is exported ------------------------------------------------------------------------------

def select(index, *, articles: list[str] | None = None, crawl: str | None = None,
           query: str | None = None) -> list[tuple[str, set[int] | None]]:
    """(article URL, positions to export or None for all) of each article to export, in order.
    Filters combine: articles ∩ crawl's articles, narrowed to the citations `query` finds."""
    if articles:
        chosen = []
        for url in articles:
            found = index.article(url)
            if found is None:
                raise NotFound(f"article not in the index: {url}")
            chosen.append(found["url"])
    else:
        chosen = [a["url"] for a in index.list_articles()]
    if crawl is not None:
        of_crawl = index.crawl_article_urls(crawl)
        if of_crawl is None:
            raise NotFound(f"no crawl matches {crawl!r} (give its number or the start of its key)")
        keep = set(of_crawl)
        chosen = [u for u in chosen if u in keep]
    chosen = list(dict.fromkeys(chosen))
    if query is None:
        return [(u, None) for u in chosen]
    positions: dict[str, set[int]] = {}
    for hit in index.lookup(query):
        positions.setdefault(hit["article_url"], set()).add(hit["position"])
    return [(u, positions[u]) for u in chosen if u in positions]


def _article_citations(index, url: str,
                       positions: set[int] | None) -> tuple[dict, list[tuple[dict, dict | None]]] | None:
    found = index.sources(url)
    if found is None:
        return None
    article = found["article"]
    refs = []
    for ref in found["references"]:
        if positions is not None and ref["position"] not in positions:
            continue
        history = index.checks_of(article["url"], ref["position"]) if ref["kind"] == "embed" else []
        refs.append((ref, history[-1] if history else None))
    return article, refs


def citations(index, selection: list[tuple[str, set[int] | None]]) -> Iterator[tuple[dict, dict, dict | None]]:
    """(article, reference as Index.sources gives it, latest check or None) for each citation."""
    for url, positions in selection:
        found = _article_citations(index, url, positions)
        if found is not None:
            article, refs = found
            for ref, check in refs:
                yield article, ref, check


def row(article: dict[str, Any], ref: dict[str, Any], check: dict[str, Any] | None) -> dict[str, Any]:
    """One citation as a flat row (COLUMNS)."""
    cap = ref.get("capture") or {}
    return {
        "article_url": article["url"], "article_title": article.get("title"),
        "article_published": article.get("published"),
        "position": ref["position"], "kind": ref["kind"], "in_body": ref.get("in_body"),
        "platform": ref.get("platform"), "post_id": ref.get("post_id"), "handle": ref.get("handle"),
        "url": ref.get("url"), "link_kind": ref.get("link_kind"), "outlet": ref.get("outlet"),
        "domain": ref.get("domain"), "surface": ref.get("surface"),
        "anchor_text": ref.get("anchor_text"), "sentence": ref.get("sentence"),
        "claim_text": ref.get("claim_text"), "claim_author": ref.get("claim_author"),
        "claim_date": ref.get("claim_date"), "post_created_at": ref.get("post_created_at"),
        "status": ref.get("status"),
        "capture_url": cap.get("url"), "capture_date": cap.get("date"), "capture_status": cap.get("status"),
        "capture_record_type": cap.get("record_type"),
        "warc_filename": cap.get("filename"), "warc_offset": cap.get("offset"), "warc_length": cap.get("length"),
        "warc_record_id": cap.get("record_id"), "payload_digest": cap.get("payload_digest"),
        "verdict": check["verdict"] if check else None,
        "verdict_flags": list(check.get("flags") or []) if check else None,
        "checked_at": check["checked_at"] if check else None,
    }


# -- the formats -------------------------------------------------------------------------------------

def export(index, fmt: str, *, articles: list[str] | None = None, crawl: str | None = None,
           query: str | None = None, out: TextIO, warc_dir: Path | None = None, store=None) -> dict[str, Any]:
    """Write the selected citations to `out` in `fmt`; returns counts of what was written.
    `warc_dir` or `store` (csl-json): where the WARCs are (a folder, or an archiver.warc.store
    store), to title linked pages with the <title> they were captured with rather than the
    article's anchor text."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r} (one of: {', '.join(FORMATS)})")
    selection = select(index, articles=articles, crawl=crawl, query=query)
    if fmt == "jsonl":
        n = 0
        for cited in citations(index, selection):
            out.write(json.dumps(row(*cited), ensure_ascii=False) + "\n")
            n += 1
        return {"format": fmt, "articles": len(selection), "rows": n}
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        n = 0
        for cited in citations(index, selection):
            values = row(*cited)
            values["verdict_flags"] = ";".join(values["verdict_flags"]) if values["verdict_flags"] else None
            writer.writerow({k: "" if v is None else v for k, v in values.items()})
            n += 1
        return {"format": fmt, "articles": len(selection), "rows": n}
    if fmt == "csl-json":
        items = csl_items(index, selection, warc_dir=warc_dir, store=store)
        json.dump(items, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return {"format": fmt, "articles": len(selection), "items": len(items)}
    cards = write_html(index, selection, out)
    return {"format": fmt, "articles": cards}


# -- CSL-JSON ----------------------------------------------------------------------------------------

def _date_parts(value: str | None) -> dict[str, Any] | None:
    """An ISO date(-time) as CSL date-parts (to the day); None when it is not one."""
    found = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not found:
        return None
    return {"date-parts": [[int(found[1]), int(found[2]), int(found[3])]]}


def _csl_id(*parts: str) -> str:
    text = "-".join(parts)
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-")
    return slug if len(slug) <= 60 and slug == text else f"{slug[:40]}-{hashlib.sha1(text.encode()).hexdigest()[:10]}"


def _shorten(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1].rstrip(" …") + "…"


def _verdict_note(check: dict[str, Any] | None) -> str | None:
    if not check:
        return None
    flags = f" ({', '.join(check['flags'])})" if check.get("flags") else ""
    return f"Verdict: {check['verdict']}{flags}, checked {check['checked_at']}"


def _evidence_notes(ref: dict[str, Any]) -> list[str]:
    cap = ref.get("capture") or {}
    notes = [f"Status: {ref.get('status')}"]
    if cap.get("filename"):
        notes.append(f"Captured {cap.get('date')} by embed-archiver: {cap['filename']}#{cap.get('offset')} "
                     f"(record {cap.get('record_id')}, HTTP {cap['status'] if cap.get('status') is not None else '-'})")
        if cap.get("payload_digest"):
            notes.append(f"Payload digest: {cap['payload_digest']}")
        if cap.get("url") and cap["url"] != ref.get("url"):
            notes.append(f"Captured from: {cap['url']}")
    return notes


def _archive_fields(ref: dict[str, Any]) -> dict[str, Any]:
    cap = ref.get("capture") or {}
    fields: dict[str, Any] = {}
    if cap.get("filename"):
        fields["archive"] = "embed-archiver"
        fields["archive_location"] = f"{cap['filename']}#{cap['offset']}"
        accessed = _date_parts(cap.get("date"))
        if accessed:
            fields["accessed"] = accessed
    return fields


def csl_items(index, selection: list[tuple[str, set[int] | None]], *,
              warc_dir: Path | None = None, store=None) -> list[dict[str, Any]]:
    """One CSL-JSON item per cited source (a post or page cited several times is one item, its
    note naming every article that cites it)."""
    if store is None and warc_dir is not None:
        from .warc.store import LocalStore
        store = LocalStore(Path(warc_dir).parent, warc_dir=Path(warc_dir))
    items: dict[str, dict[str, Any]] = {}
    notes: dict[str, list[str]] = {}
    by_article: dict[str, list[tuple[dict, dict, dict | None]]] = {}
    for cited in citations(index, selection):
        by_article.setdefault(cited[0]["url"], []).append(cited)
    for article_url, cited in by_article.items():
        linked_domains = {ref.get("domain") for _, ref, _ in cited if ref["kind"] == "link" and ref.get("domain")}
        outlets = {ref["domain"]: ref["outlet"] for _, ref, _ in cited
                   if ref["kind"] == "mention" and ref.get("outlet") and ref.get("domain")}
        for article, ref, check in cited:
            made = _csl_item(index, article, ref, check, linked_domains, outlets, store)
            if made is None:
                continue
            item, extra = made
            where = f"Cited in: {article.get('title') or article['url']} <{article['url']}> (#{ref['position']})"
            if item["id"] not in items:
                items[item["id"]] = item
                notes[item["id"]] = extra
            notes[item["id"]].append(where)
            verdict = _verdict_note(check)
            if verdict and verdict not in notes[item["id"]]:
                notes[item["id"]].append(verdict)
    for key, item in items.items():
        item["note"] = "\n".join(notes[key])
    return list(items.values())


def _csl_item(index, article, ref, check, linked_domains, outlets, store) -> tuple[dict[str, Any], list[str]] | None:
    kind = ref["kind"]
    if ref.get("platform") and ref.get("post_id"):
        platform = ref["platform"]
        post = index.post(platform, ref["post_id"]) or {}
        text = post.get("text") or ref.get("post_text") or ref.get("claim_text") or ""
        author = post.get("author") or ref.get("claim_author")
        handle = post.get("handle") or ref.get("handle")
        item: dict[str, Any] = {
            "id": _csl_id(platform, ref["post_id"]),
            "type": CSL_TYPES.get(platform, "post"),
            "title": _shorten(text) if text else f"{PLATFORM_NAMES.get(platform, platform)} post {ref['post_id']}",
            "container-title": PLATFORM_NAMES.get(platform, platform.title()),
            "URL": ref.get("url") or post.get("url"),
        }
        if author or handle:
            name = author or f"@{handle}"
            item["author"] = [{"literal": f"{name} (@{handle})" if author and handle else name}]
        if text:
            item["abstract"] = text
        issued = _date_parts(post.get("created_at") or ref.get("post_created_at"))
        if issued is None and ref.get("claim_date"):
            issued = {"raw": ref["claim_date"]}
        if issued:
            item["issued"] = issued
        item.update(_archive_fields(ref))
        extra = _evidence_notes(ref)
        if handle:
            extra.insert(0, f"Handle: @{handle}")
        return item, extra
    if kind == "link":
        url = ref.get("url")
        if not url:
            return None
        cited_article = index.article(url)
        title = ((cited_article or {}).get("title") or _captured_title(index, store, ref.get("capture"))
                 or ref.get("anchor_text") or url)
        item = {"id": _csl_id("page", hashlib.sha1(url.encode()).hexdigest()[:12]), "type": "webpage",
                "title": " ".join(title.split()), "URL": url}
        # the outlet the article credits by name for this domain names the site best
        site = (cited_article or {}).get("site") or outlets.get(ref.get("domain")) or ref.get("domain")
        if site:
            item["container-title"] = site
        issued = _date_parts((cited_article or {}).get("published"))
        if issued:
            item["issued"] = issued
        item.update(_archive_fields(ref))
        extra = _evidence_notes(ref)
        if ref.get("copy_of"):
            extra.append(f"An archived copy of: {ref['copy_of']}")
        return item, extra
    if kind == "mention" and ref.get("outlet") and not ref.get("unnamed"):
        if ref.get("domain") and ref["domain"] in linked_domains:
            return None  # the article links the outlet's page: that item is the citation
        item = {"id": _csl_id("outlet", str(article["id"]), ref.get("outlet") or ""),
                "type": "article-newspaper", "container-title": ref["outlet"]}
        extra = [f"Credited by name, without a link: “{' '.join((ref.get('sentence') or '').split())}”",
                 "No capture: the article does not say which report it means."]
        if ref.get("domain"):
            extra.append(f"Outlet domain: {ref['domain']}")
        return item, extra
    return None  # an unnamed source, or an embed whose post was never identified


def _captured_title(index, store, cap: dict[str, Any] | None) -> str | None:
    """The <title> of a page as captured (a revisit: of the payload it repeats), read from the
    store with one ranged read."""
    if store is None or not cap or cap.get("status") != 200 \
            or cap.get("mime") not in ("text/html", "application/xhtml+xml"):
        return None
    if cap.get("record_type") == "revisit":
        full = index.capture_by_record(cap["record_id"]) or {}
        cap = (index.capture_by_record(full["refers_to"]) if full.get("refers_to") else None) or cap
    if not cap.get("filename"):
        return None
    from lxml import html as lxml_html

    from .errors import WarcError
    from .warc.reader import read_from
    try:
        record = read_from(store, cap["filename"], cap["offset"], cap["length"])
        found = lxml_html.fromstring(record.content[:1 << 20]).findtext(".//title")
    except (WarcError, ValueError, TypeError):
        return None
    return " ".join(found.split()) or None if found else None


# -- HTML sources card -------------------------------------------------------------------------------

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d232a;background:#f4f5f7;
margin:0;padding:24px}
.card{background:#fff;border:1px solid #d8dce1;border-radius:8px;max-width:1100px;margin:0 auto 28px;padding:20px 24px}
.card h1{font-size:1.3em;margin:0 0 4px}
.meta{color:#5b6570;font-size:.9em;margin:0 0 14px;word-break:break-all}
table{border-collapse:collapse;width:100%;font-size:.92em}
caption{text-align:left;font-weight:600;padding:6px 0}
th,td{border-top:1px solid #e3e6ea;padding:7px 8px;text-align:left;vertical-align:top}
th{background:#f0f2f5;font-weight:600}
td.source{word-break:break-word;max-width:420px}
.claim{color:#4a545e;font-size:.92em;margin-top:4px;padding-left:8px;border-left:3px solid #d8dce1}
code,.loc{font:12px/1.3 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;word-break:break-all;color:#3d4650}
.status{display:inline-block;border-radius:10px;padding:1px 8px;font-size:.85em;background:#eceff3}
.status.ok,.verdict.unchanged{background:#dff3e4;color:#14532d}
.status.bad,.verdict.bad{background:#fde2e1;color:#7f1d1d}
.verdict{display:inline-block;border-radius:10px;padding:1px 8px;font-size:.85em;background:#eceff3}
.none{color:#8a939c}
footer{max-width:1100px;margin:0 auto;color:#6b747d;font-size:.85em}
""".strip()

_GOOD_STATUSES = {"ok", "credited"}
_BAD_VERDICTS = {"deleted", "suspended", "protected", "unavailable", "needs_auth", "not_captured", "edited"}


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _link(url: str | None, text: str | None = None) -> str:
    if not url:
        return _e(text or "")
    label = _e(text or url)
    if not re.match(r"https?://", url, re.I):
        return label  # only web links are made clickable
    return f'<a href="{_e(url)}" rel="noopener noreferrer">{label}</a>'


def _when(date: str | None) -> str:
    if not date:
        return '<span class="none">not captured</span>'
    shown = date[:19].replace("T", " ") + " UTC" if len(date) >= 19 else date
    return f'<time datetime="{_e(date)}">{_e(shown)}</time>'


def _source_cell(ref: dict[str, Any]) -> str:
    kind = ref["kind"]
    if kind == "embed" or ref.get("post_id"):
        who = f"@{ref['handle']} · " if ref.get("handle") else ""
        head = f"{_e(PLATFORM_NAMES.get(ref.get('platform') or '', ref.get('platform') or ''))} {_e(who)}"
        body = _link(ref.get("url")) if ref.get("url") else '<span class="none">post not identified</span>'
        claim = ref.get("claim_text")
    elif kind == "link":
        head = ""
        body = _link(ref.get("url"))
        claim = ref.get("anchor_text")
    else:
        head = ""
        body = _e(ref.get("outlet") or ref.get("surface") or "")
        if ref.get("unnamed"):
            body += ' <span class="none">(unnamed source)</span>'
        claim = ref.get("sentence")
    out = f"{head}{body}"
    if claim:
        out += f'<div class="claim">{_e(_shorten(claim, 280))}</div>'
    return out


def _card(article: dict[str, Any], refs: list[tuple[dict, dict | None]], article_capture: dict | None) -> str:
    title = article.get("title") or article["url"]
    meta = [_link(article["url"])]
    if article.get("site"):
        meta.append(_e(article["site"]))
    if article.get("published"):
        meta.append(f"published {_e(article['published'])}")
    if article_capture:
        meta.append(f"captured {_when(article_capture.get('date'))}"
                    + (f' <span class="loc">{_e(article_capture["filename"])}#{_e(article_capture["offset"])}</span>'
                       if article_capture.get("filename") else ""))
    rows = []
    for ref, check in refs:
        cap = ref.get("capture") or {}
        status = ref.get("status") or ""
        status_class = " ok" if status in _GOOD_STATUSES else (" bad" if status != "unnamed source" else "")
        digest = (f"<code>{_e(cap['payload_digest'])}</code>" if cap.get("payload_digest")
                  else '<span class="none">—</span>')
        location = (f'<div class="loc">{_e(cap["filename"])}#{_e(cap["offset"])}</div>' if cap.get("filename") else "")
        if check:
            verdict_class = " unchanged" if check["verdict"] == "unchanged" else (
                " bad" if check["verdict"] in _BAD_VERDICTS else "")
            flags = "".join(f' <span class="status">{_e(f)}</span>' for f in check.get("flags") or [])
            verdict = (f'<span class="verdict{verdict_class}">{_e(check["verdict"])}</span>{flags}'
                       f'<div class="loc">checked {_when(check.get("checked_at"))}</div>')
        else:
            verdict = '<span class="none">not checked</span>' if ref["kind"] == "embed" else \
                '<span class="none">—</span>'
        rows.append(
            f'<tr data-position="{_e(ref["position"])}" data-kind="{_e(ref["kind"])}">'
            f'<td>{_e(ref["position"])}</td><td>{_e(ref["kind"])}</td>'
            f'<td class="source">{_source_cell(ref)}</td>'
            f'<td><span class="status{status_class}">{_e(status)}</span></td>'
            f'<td class="captured">{_when(cap.get("date")) if cap else _when(None)}{location}</td>'
            f'<td class="digest">{digest}</td>'
            f'<td class="verdict-cell">{verdict}</td></tr>')
    body = "\n".join(rows) if rows else '<tr><td colspan="7" class="none">No cited sources.</td></tr>'
    return (f'<article class="card" data-article-url="{_e(article["url"])}">\n'
            f"<header><h1>{_e(title)}</h1>\n<p class=\"meta\">{' · '.join(meta)}</p></header>\n"
            f"<table>\n<caption>{len(refs)} cited source{'s' if len(refs) != 1 else ''}</caption>\n"
            "<thead><tr><th>#</th><th>Kind</th><th>Source</th><th>Status</th><th>Captured</th>"
            "<th>Digest</th><th>Verdict</th></tr></thead>\n"
            f"<tbody>\n{body}\n</tbody>\n</table>\n</article>")


def write_html(index, selection: list[tuple[str, set[int] | None]], out: TextIO) -> int:
    """One HTML5 document with a sources card per article; returns the number of cards."""
    grouped: dict[str, tuple[dict, list[tuple[dict, dict | None]]]] = {}
    for url, positions in selection:
        found = _article_citations(index, url, positions)
        if found is not None:
            grouped[url] = found
    cards = []
    for article, refs in grouped.values():
        capture = index.capture(article["capture_id"]) if article.get("capture_id") else None
        cards.append(_card(article, refs, capture))
    title = (f"Sources: {grouped[next(iter(grouped))][0].get('title') or next(iter(grouped))}"
             if len(grouped) == 1 else f"Sources of {len(grouped)} articles")
    made = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out.write("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              f"<title>{_e(title)}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n<main>\n")
    out.write("\n".join(cards) if cards else '<p class="none">No articles.</p>')
    out.write(f"\n</main>\n<footer>Made by embed-archiver {_e(__version__)} on "
              f"<time datetime=\"{made}\">{made}</time> from its citation index. Captures are WARC records; "
              "a digest is that of the payload as captured.</footer>\n</body>\n</html>\n")
    return len(cards)
