"""The `archiver` command: crawl, extract, lookup, sources, cited-by, show, demo.

Imports of Scrapy and the index happen inside commands, so that quick commands start quickly.
Every error the user can cause ends as one line on stderr and a non-zero exit status.
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from .errors import ArchiverError, InputError, NotFound, UsageError, WarcError

DEFAULT_OUT = os.environ.get("ARCHIVER_OUT", "archive")


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def console():
    from rich.console import Console
    return Console(highlight=False, soft_wrap=False, width=None if sys.stdout.isatty() else 160)


def print_table(title: str, columns: tuple[str, ...], rows) -> None:
    """One rich table: long cells fold instead of being cut (URLs must stay whole)."""
    from rich.table import Table

    table = Table(title=title)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console().print(table)


@contextmanager
def archive_index(out: str, db: str | None):
    """The index of an archive, closed on leaving; a clear error when there is none yet."""
    from .index import open_index
    from .layout import layout

    location = db or layout(out)["db"]
    if not db and not Path(location).exists():
        raise InputError(f"no index at {location}: crawl something first, or pass --out/--db")
    index = open_index(location)
    try:
        yield index
    finally:
        index.close()


def index_options(func):
    func = click.option("--db", default=lambda: os.environ.get("ARCHIVER_DB") or None,
                        help="SQLAlchemy URL of the index (default: OUT/index.sqlite).")(func)
    func = click.option("--out", default=DEFAULT_OUT, show_default=True, help="Archive folder.")(func)
    return click.option("--json", "as_json", is_flag=True, help="Print JSON.")(func)


def store_option(help: str = "Where the WARC files are: s3://BUCKET/PREFIX (any S3 API; endpoint from "
                             "ARCHIVER_S3_ENDPOINT) or a folder holding warcs/ (default: the archive folder OUT)."):
    return click.option("--store", default=lambda: os.environ.get("ARCHIVER_STORE") or None,
                        metavar="s3://BUCKET/PREFIX", help=help)


def open_warc_store(store: str | None, out: str):
    from .warc.store import open_store
    return open_store(store, out)


def checked_store(store: str | None, out: str) -> str:
    """--store of a crawl, checked before the crawl starts (a bad one is one clear line, not a
    traceback from inside Scrapy)."""
    if store:
        open_warc_store(store, out)
    return store or ""


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="embed-archiver")
def cli() -> None:
    """Archive news articles with the posts they embed, the pages they link and the outlets they
    credit, into WARC files with a citation index."""


# -- crawl ---------------------------------------------------------------------------------------

def redis_options(help: str = "Redis of the shared crawl (redis://HOST:PORT/DB; env ARCHIVER_REDIS_URL)."):
    """--redis and --redis-prefix: the shared crawl of `crawl --redis` workers (docs/scale-out.md)."""
    def apply(func):
        func = click.option("--redis-prefix", default="embed-archiver", show_default=True,
                            help="Redis key prefix of the shared crawl.")(func)
        return click.option("--redis", "redis_url", default=lambda: os.environ.get("ARCHIVER_REDIS_URL") or None,
                            metavar="URL", help=help)(func)
    return apply


def parse_endpoints(values: tuple[str, ...]) -> dict[str, str]:
    endpoints = {}
    for value in values:
        base, sep, target = value.partition("=")
        if not sep or not base.startswith(("http://", "https://")) or not target.startswith(("http://", "https://")):
            raise UsageError(f"--endpoint wants BASE=URL, e.g. https://t.me=http://127.0.0.1:8001/t.me (got {value!r})")
        endpoints[base.rstrip("/")] = target.rstrip("/")
    for base, target in endpoints.items():
        if any(target.startswith(other) for other in endpoints):
            raise UsageError(f"--endpoint {base}={target}: the target is itself a mapped base (a loop)")
    return endpoints


def parse_age(text: str) -> float:
    """Seconds in "90", "30m", "12h", "7d" (a bare number is seconds)."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    text = text.strip().lower()
    number, unit = (text[:-1], text[-1]) if text and text[-1] in units else (text, "s")
    try:
        value = float(number)
    except ValueError:
        raise UsageError(f"not an age: {text!r} (use e.g. 30m, 12h, 7d or 0)") from None
    if value < 0:
        raise UsageError(f"not an age: {text!r} (it cannot be negative)")
    return value * units[unit]


def parse_pairs(pairs, option: str) -> dict[str, str]:
    out = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip() or not value:
            raise UsageError(f"{option} wants NAME=VALUE, got {pair!r}")
        out[name.strip()] = value
    return out


def check_url(url: str, what: str = "URL") -> str:
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) {what}: {url!r}")
    return url


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--from-file", "from_file", type=click.Path(dir_okay=False), help="File of article URLs, one per line.")
@click.option("--sitemap", multiple=True, help="Sitemap URL whose pages are articles (repeatable).")
@click.option("--feed", multiple=True, help="RSS/Atom feed URL whose items are articles (repeatable).")
@click.option("--depth", default=0, show_default=True, type=click.IntRange(0, 10),
              help="Follow same-site links from articles this many levels deep.")
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Archive folder (warcs/, indexes/, index.sqlite).")
@click.option("--db", default=None, help="SQLAlchemy URL of the index (default: OUT/index.sqlite).")
@click.option("--allow-private", is_flag=True,
              help="Allow loopback, private and link-local addresses, which are refused by default (a page's "
                   "links must not reach into your network). For intranet archiving.")
@click.option("--ignore-robots", is_flag=True, help="Do not obey robots.txt (recorded in warcinfo).")
@click.option("--max-size", type=click.IntRange(1),
              help="Largest response to keep, in bytes, as sent and once decompressed (default 50 MB).")
@click.option("--timeout", type=click.FloatRange(0, min_open=True), metavar="SECONDS",
              help="Give up a download that takes longer, body included (default 30).")
@click.option("--max-redirects", type=click.IntRange(0), metavar="N",
              help="Follow at most N redirects per fetch (default 10); loops are stopped at once.")
@click.option("--retries", type=click.IntRange(0), metavar="N",
              help="Retry timeouts, lost connections, 429 and 5xx answers N times (default 2), with backoff.")
@click.option("--max-wait", type=click.FloatRange(0), metavar="SECONDS",
              help="Longest wait before a retry, Retry-After included (default 60); a server asking for "
                   "more is not retried.")
@click.option("--delay", type=click.FloatRange(0), metavar="SECONDS",
              help="Wait between two requests to one site (default 0).")
@click.option("--site-concurrency", type=click.IntRange(1), metavar="N",
              help="Requests in flight to one site at once (default 8).")
@click.option("--concurrency", type=click.IntRange(1), metavar="N",
              help="Requests in flight at once, all sites together (default 64).")
@click.option("--endpoint", "endpoints", multiple=True, metavar="BASE=URL",
              help="Fetch a platform's BASE (e.g. https://cdn.syndication.twimg.com) from URL instead.")
@click.option("--loopback-only", is_flag=True, help="Refuse every host that is not a loopback address.")
@click.option("--no-links", is_flag=True, help="Do not capture linked pages.")
@click.option("--no-posts", is_flag=True, help="Do not capture embedded posts.")
@click.option("--no-media", is_flag=True, help="Do not fetch post media (images, video files, --media).")
@click.option("--media", "media_download", is_flag=True,
              help="Also download the video or audio of YouTube, Vimeo, TikTok, ... posts with yt-dlp "
                   "(pip install 'embed-archiver[media]'), kept as WARC resource records.")
@click.option("--requisites", is_flag=True,
              help="Also fetch what articles and cited pages need to replay (images, CSS, scripts, icons).")
@click.option("--recapture-after", default="7d", show_default=True, metavar="AGE",
              help="Fetch a post again only when its last capture is older than AGE (30m, 12h, 7d; 0: always).")
@click.option("--token", "tokens", multiple=True, metavar="NAME=TOKEN",
              help="An API token a service needs: meta=APPID|CLIENT_TOKEN (Instagram, Facebook, Threads), "
                   "wayback=ACCESS:SECRET (Save Page Now).")
@click.option("--wayback", type=click.Choice(["lookup", "submit"]),
              help="lookup: record the Wayback Machine's closest copy of every cited URL; "
                   "submit: also submit the ones missing (or older than --wayback-within) to Save Page Now.")
@click.option("--wayback-within", default="30d", show_default=True, metavar="AGE",
              help="With --wayback submit: a copy younger than AGE is recent enough.")
@redis_options("Be one worker of a crawl shared through Redis (redis://HOST:PORT/DB): the workers share one "
               "queue and one duplicate filter; use one --db (PostgreSQL) for all. URLs are optional: "
               "`archiver seed` can give them. See docs/scale-out.md.")
@click.option("--idle-wait", type=click.FloatRange(0), default=0, metavar="SECONDS",
              help="With --redis: once the whole crawl is done, wait this long for new seeds before stopping.")
@store_option("Send each WARC file, once closed, with its CDXJ, to s3://BUCKET/PREFIX (any S3 API; endpoint "
              "from ARCHIVER_S3_ENDPOINT), then remove the local copies. A failed upload stays in OUT/warcs, "
              "with a warning, until the next crawl into OUT or `archiver upload`.")
@click.option("--resume", is_flag=True,
              help="Finish this archive's last interrupted crawl (killed, or stopped early), with its seeds and "
                   "options; what it captured is kept and not fetched again.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Log every request (Scrapy INFO logs).")
def crawl(urls, from_file, sitemap, feed, depth, out, db, allow_private, ignore_robots, max_size, timeout,
          max_redirects, retries, max_wait, delay, site_concurrency, concurrency, endpoints, loopback_only,
          no_links, no_posts, no_media, media_download, requisites, recapture_after, tokens, wayback,
          wayback_within, redis_url, redis_prefix, idle_wait, store, resume, as_json, verbose):
    """Crawl articles, capture what they embed and cite, and index it."""
    if resume:
        if redis_url:
            raise UsageError("--resume is for a crawl of one process; the workers of a --redis crawl resume "
                             "by themselves (start a worker again)")
        if urls or from_file or sitemap or feed:
            raise UsageError("--resume takes no URLs: it finishes the interrupted crawl with its own")
        overrides = resume_overrides(out, db, tokens, verbose)  # before anything is created
        overrides["ARCHIVER_STORE"] = checked_store(store, out)
        check_archive_location(out, db)
        show_crawl_report(run_and_report(overrides, out, db), as_json)
        return
    for url in (*urls, *sitemap, *feed):
        check_url(url)
    if from_file and not Path(from_file).is_file():
        raise InputError(f"no such file: {from_file}")
    if not (urls or from_file or sitemap or feed or redis_url):
        raise UsageError("nothing to crawl: give article URLs, --from-file, --sitemap or --feed")
    if redis_url:
        from .frontier import connect
        connect(redis_url).close()  # a clear error now, not a traceback from the scheduler
    overrides = {
        "ARCHIVER_SEEDS": list(urls), "ARCHIVER_SEED_FILE": from_file or "",
        "ARCHIVER_SITEMAPS": list(sitemap), "ARCHIVER_FEEDS": list(feed), "ARCHIVER_DEPTH": depth,
        "ARCHIVER_OUT": out, "ARCHIVER_DB": db or "", "ARCHIVER_ALLOW_PRIVATE": allow_private,
        "ROBOTSTXT_OBEY": not ignore_robots, "ARCHIVER_ENDPOINTS": parse_endpoints(endpoints),
        "ARCHIVER_LOOPBACK_ONLY": loopback_only, "ARCHIVER_CAPTURE_LINKS": not no_links,
        "ARCHIVER_CAPTURE_POSTS": not no_posts, "ARCHIVER_FETCH_MEDIA": not no_media,
        "ARCHIVER_VERBOSE": verbose, "EXTENSIONS": {"archiver.progress.CrawlProgress": 500},
        "ARCHIVER_RECAPTURE_AFTER": parse_age(recapture_after), "ARCHIVER_TOKENS": parse_pairs(tokens, "--token"),
        "ARCHIVER_WAYBACK": wayback or "", "ARCHIVER_WAYBACK_WITHIN": parse_age(wayback_within),
        "ARCHIVER_REQUISITES": requisites, "ARCHIVER_MEDIA_DOWNLOAD": media_download,
        "ARCHIVER_REDIS_URL": redis_url or "", "ARCHIVER_REDIS_PREFIX": redis_prefix,
        "ARCHIVER_REDIS_IDLE_WAIT": idle_wait,
        "ARCHIVER_STORE": checked_store(store, out),
    }
    limits = {"DOWNLOAD_MAXSIZE": max_size, "DOWNLOAD_TIMEOUT": timeout, "REDIRECT_MAX_TIMES": max_redirects,
              "RETRY_TIMES": retries, "RETRY_MAX_WAIT": max_wait, "DOWNLOAD_DELAY": delay,
              "CONCURRENT_REQUESTS_PER_DOMAIN": site_concurrency, "CONCURRENT_REQUESTS": concurrency}
    overrides.update({name: value for name, value in limits.items() if value is not None})
    check_archive_location(out, db)
    report = run_and_report(overrides, out, db)
    show_crawl_report(report, as_json)
    if not redis_url and not any(row["status"] and row["status"] < 400 for row in report["articles"]):
        raise ArchiverError("no article could be archived (see the failures above)")


def show_crawl_report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        emit_json(report)
    else:
        print_crawl_report(report)


def resume_overrides(out: str, db: str | None, tokens, verbose: bool) -> dict[str, Any]:
    """The settings of the archive's last interrupted crawl, to run it again to the end."""
    from .layout import crawl_lock_path
    from .locks import held_by_other

    with archive_index(out, db) as index:
        crawl = index.unfinished_crawl()
    if crawl is None:
        raise InputError(f"no interrupted crawl to resume in {out}")
    if held_by_other(crawl_lock_path(Path(out), crawl["crawl_key"])):
        raise InputError(f"the last crawl in {out} is still running (started {crawl['started']})")
    return {**crawl["options"], "ARCHIVER_RESUME": crawl["crawl_key"], "ARCHIVER_OUT": out, "ARCHIVER_DB": db or "",
            "ARCHIVER_TOKENS": parse_pairs(tokens, "--token"), "ARCHIVER_VERBOSE": verbose,
            "EXTENSIONS": {"archiver.progress.CrawlProgress": 500}}


def check_archive_location(out: str, db: str | None) -> None:
    """Fail before the crawl starts, with one line, when the archive cannot be written."""
    from .index import open_index
    from .layout import layout

    try:
        Path(out).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the archive folder {out}: {exc.strerror}") from exc
    open_index(db or layout(out)["db"]).close()


def run_and_report(overrides: dict[str, Any], out: str, db: str | None) -> dict[str, Any]:
    from .crawl import run_crawl
    from .layout import layout

    stats = run_crawl(overrides)
    with archive_index(out, db) as index:
        paths = layout(out)
        return {
            "articles": [_article_row(a) for a in index.list_articles()],
            "summary": index.summary(),
            "warcs": sorted(str(p) for p in paths["warcs"].glob("*.warc.gz")),
            "cdxj": sorted(str(p) for p in paths["indexes"].glob("*.cdxj")),
            **stored_warcs(overrides.get("ARCHIVER_STORE"), out),
            "index": db or str(paths["db"]),
            "spider_errors": stats.get("spider_exceptions/count", 0) if stats else 0,
        }


def stored_warcs(store: str | None, out: str) -> dict[str, Any]:
    """With --store: the store, and the WARC files it holds (those left locally failed to go)."""
    if not store:
        return {}
    try:
        found = open_warc_store(store, out)
        return {"store": found.url, "stored": found.names()}
    except WarcError as exc:
        return {"store": store, "stored": [], "store_error": str(exc)}


def _article_row(article: dict[str, Any]) -> dict[str, Any]:
    counts = article["counts"]
    return {"url": article["url"], "title": article.get("title"), "status": article.get("status"),
            "embeds": counts["embed"], "platforms": counts["platforms"], "links": counts["link"],
            "mentions": counts["mention"]}


def print_crawl_report(report: dict[str, Any]) -> None:
    def platforms(row):
        return ", ".join(f"{p} {n}" for p, n in sorted(row["platforms"].items()))

    print_table("Articles crawled", ("article", "HTTP", "embeds (by platform)", "links", "outlets"), (
        (row["title"] or row["url"], str(row["status"] or "failed"),
         f"{row['embeds']} ({platforms(row)})" if row["embeds"] else "0", str(row["links"]), str(row["mentions"]))
        for row in report["articles"]))
    out = console()
    s = report["summary"]
    out.print(f"Captured: {s['captures'] - s['captures_failed']} ok, {s['captures_failed']} failed or 4xx/5xx "
              f"of {s['captures']} exchanges; posts: {s['posts_ok']} ok of {s['posts']}")
    if "store" in report:
        out.print(f"Stored: {len(report['stored'])} WARC files in {report['store']}")
    out.print(f"WARC files: {len(report['warcs'])} in {Path(report['warcs'][0]).parent if report['warcs'] else '-'}")
    for path in report["warcs"]:
        out.print(f"  {path}")
    out.print(f"Index: {report['index']}")


# -- extract -------------------------------------------------------------------------------------

@cli.command()
@click.argument("source")
@click.option("--url", help="The page's URL (for a file: resolves links, decides what is internal).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (embeds, links, mentions, metadata).")
@click.option("--allow-private", is_flag=True, help="Fetching a URL: allow loopback and private addresses.")
def extract(source, url, as_json, allow_private):
    """Print what an article references, without archiving anything (FILE or URL)."""
    from .extract import extract as run_extract

    if source.startswith(("http://", "https://")):
        from .crawl import fetch_page
        final_url, body = fetch_page(check_url(source), allow_private)
        url = url or final_url
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"no such file: {source}")
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read {source}: {exc.strerror}") from exc
        url = check_url(url) if url else path.resolve().as_uri()
    from .extract.parse import parse as parse_page
    if parse_page(body) is None:
        raise InputError(f"not an HTML page: {source}")
    result = run_extract(body, url)
    if as_json:
        click.echo(json.dumps(result.to_json(), ensure_ascii=False))
        return
    print_extraction(result)


def print_extraction(result) -> None:
    meta = result.metadata
    console().print(f"[bold]{meta.title or result.url}[/bold]  {meta.site_name or ''}  {meta.published or ''}")
    print_table(f"{len(result.embeds)} embeds", ("#", "platform", "post", "handle", "claim date", "in body"), (
        (str(e.position), e.platform, e.url or f"unresolved ({e.resolve_url or 'no link'})", e.handle or "",
         e.claim_date or "", "yes" if e.in_body else "no") for e in result.embeds))
    print_table(f"{len(result.links)} links", ("#", "kind", "url", "anchor"), (
        (str(link.position), link.link_kind, link.url, link.anchor_text) for link in result.links))
    print_table(f"{len(result.mentions)} credited sources", ("#", "outlet", "as written", "sentence"), (
        (str(m.position), m.name or "(unnamed source)", m.surface, m.sentence) for m in result.mentions))


# -- lookups -------------------------------------------------------------------------------------

@cli.command()
@click.argument("query")
@index_options
def lookup(query, as_json, out, db):
    """Find citations by post URL, article URL, @handle, outlet name or domain, post id, or words."""
    with archive_index(out, db) as index:
        rows = index.lookup(query)
    if as_json:
        emit_json({"query": query, "results": rows})
        return
    if not rows:
        raise NotFound(f"no citation matches {query!r}")
    print_table(f"{len(rows)} citations matching {query!r}", ("article", "kind", "cites", "as shown"), (
        (r.get("article_title") or r["article_url"], r["kind"], _target(r), _shown(r)) for r in rows))


def _target(row: dict[str, Any]) -> str:
    if row["kind"] == "embed":
        who = f"@{row['handle']} " if row.get("handle") else ""
        status = f" [{row['post_status']}]" if row.get("post_status") else ""
        return f"{row.get('platform')} {who}{row.get('url') or '(unresolved)'}{status}"
    if row["kind"] == "link":
        return row.get("url", "")
    return row.get("outlet") or f"(unnamed) {row.get('surface', '')}"


def _shown(row: dict[str, Any]) -> str:
    text = row.get("claim_text") or row.get("anchor_text") or row.get("surface") or ""
    text = " ".join(text.split())
    return text if len(text) <= 120 else text[:117] + "..."


@cli.command()
@click.argument("article_url")
@index_options
def sources(article_url, as_json, out, db):
    """List what an article cites, with each capture's status and WARC location."""
    with archive_index(out, db) as index:
        result = index.sources(article_url)
    if result is None:
        raise NotFound(f"article not in the index: {article_url}")
    if as_json:
        emit_json(result)
        return
    def where(cap):
        return f"{cap['filename']}:{cap['offset']}+{cap['length']}" if cap.get("filename") else "-"

    art = result["article"]
    print_table(f"{art.get('title') or art['url']} cites {len(result['references'])} sources",
                ("#", "kind", "source", "status", "captured", "WARC location"), (
                    (str(r["position"]), r["kind"], _target(r), r["status"], (r.get("capture") or {}).get("date", "-"),
                     where(r.get("capture") or {})) for r in result["references"]))


@cli.command("cited-by")
@click.argument("target")
@index_options
def cited_by(target, as_json, out, db):
    """List the articles that cite a post, @handle, outlet (name or domain) or page."""
    with archive_index(out, db) as index:
        rows = index.cited_by(target)
    if as_json:
        emit_json({"target": target, "articles": rows})
        return
    if not rows:
        raise NotFound(f"no article cites {target!r}")
    def how(r):
        return ", ".join(f"{n} {k}{'s' if n > 1 else ''}" for k, n in sorted(r["kinds"].items()))

    print_table(f"{len(rows)} articles cite {target!r}", ("article", "published", "how"), (
        (r.get("title") or r["article_url"], r.get("published") or "", how(r)) for r in rows))


@cli.command()
@click.argument("url")
@click.option("--headers-only", is_flag=True, help="Print the HTTP headers only.")
@click.option("--raw", is_flag=True, help="Print the body as stored (still content-encoded).")
@store_option()
@index_options
def show(url, headers_only, raw, store, as_json, out, db):
    """Print the archived copy of a URL (its newest capture), read back from the WARC (from a
    store: with one ranged read)."""
    from .warc.reader import read_from

    with archive_index(out, db) as index:
        caps = [c for c in index.captures_of(url) if c.get("filename")]
        if not caps:
            from .platforms import match_url
            post = match_url(url)
            row = index.post(post.platform, post.post_id) if post and post.post_id else None
            cap = index.capture(row["capture_id"]) if row and row.get("capture_id") else None
            caps = [cap] if cap and cap.get("filename") else []
        original = index.capture_by_record(caps[0]["refers_to"]) if caps and caps[0].get("refers_to") else None
    if not caps:
        raise NotFound(f"no capture of {url} in the archive")
    cap = caps[0]
    if cap.get("record_type") == "revisit" and original and original.get("filename"):
        cap = original  # a revisit holds headers only: show the payload it repeats (one read, not two)
    warcs = open_warc_store(store, out)
    record = read_from(warcs, cap["filename"], cap["offset"], cap["length"])
    body = record.payload if raw else record.content
    if as_json:
        emit_json({"url": cap["url"], "date": cap["date"], "status": cap["status"],
                   "warc": {"filename": cap["filename"], "offset": cap["offset"], "length": cap["length"],
                            "record_id": cap["record_id"]},
                   "status_line": record.status_line, "headers": record.http_headers,
                   "body": body.decode("utf-8", "replace") if not headers_only else None})
        return
    click.echo(f"{cap['url']}  captured {cap['date']}  ({cap['filename']} @ {cap['offset']})", err=True)
    if record.status_line:
        click.echo(record.status_line)
    for name, value in record.http_headers:
        click.echo(f"{name}: {value}")
    if not headers_only:
        click.echo("")
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()


# -- verification --------------------------------------------------------------------------------

@cli.command()
@click.argument("article_urls", nargs=-1)
@click.option("--all", "all_articles", is_flag=True, help="Verify every article in the archive.")
@click.option("--recheck", is_flag=True, help="Capture each embedded post again now and compare that too.")
@click.option("--endpoint", "endpoints", multiple=True, metavar="BASE=URL",
              help="With --recheck: fetch a platform's BASE from URL instead (as for crawl).")
@click.option("--loopback-only", is_flag=True, help="With --recheck: refuse every host that is not loopback.")
@click.option("--allow-private", is_flag=True, help="With --recheck: allow loopback and private addresses.")
@click.option("--token", "tokens", multiple=True, metavar="NAME=TOKEN", help="With --recheck: an API token (as for crawl).")
@store_option("Send the WARC files verify writes (verdicts, rechecks) to s3://BUCKET/PREFIX, as crawl --store does.")
@index_options
def verify(article_urls, all_articles, recheck, endpoints, loopback_only, allow_private, tokens, store, as_json, out,
           db):
    """Compare what articles show of each embedded post with the post as captured (and, with
    --recheck, as it is now). Exit status 0 whatever the verdicts."""
    from .layout import layout
    from .verify import snapshots, verify_articles
    from .warc.upload import start_uploader
    from .warc.writer import WarcWriter

    if not article_urls and not all_articles:
        raise UsageError("give article URLs, or --all")
    with archive_index(out, db) as index:
        urls = [a["url"] for a in index.list_articles()] if all_articles else list(article_urls)
        for url in urls:
            if index.article(url) is None:
                raise NotFound(f"article not in the index: {url}")
        urls = [index.article(url)["url"] for url in urls]
        before = snapshots(index, urls) if recheck else None
        post_urls = sorted({r["url"] for u in urls for r in (index.sources(u) or {}).get("references", [])
                            if r["kind"] == "embed" and r.get("post_id") and r.get("url")})
    if recheck and post_urls:
        from .crawl import run_crawl
        run_crawl({"ARCHIVER_POST_SEEDS": post_urls, "ARCHIVER_OUT": out, "ARCHIVER_DB": db or "",
                   "ARCHIVER_RECAPTURE_AFTER": 0, "ARCHIVER_CAPTURE_LINKS": False,
                   "ARCHIVER_ENDPOINTS": parse_endpoints(endpoints), "ARCHIVER_LOOPBACK_ONLY": loopback_only,
                   "ARCHIVER_ALLOW_PRIVATE": allow_private, "ARCHIVER_TOKENS": parse_pairs(tokens, "--token"),
                   "ARCHIVER_STORE": checked_store(store, out)})
    paths = layout(out)
    uploader = start_uploader(checked_store(store, out), paths["warcs"], paths["indexes"])
    writer = WarcWriter(paths["warcs"], paths["indexes"], info={
        "software": "embed-archiver (verify)", "isPartOf": "verify",
        "description": "Verdicts on embedded posts: what articles show, against the posts as captured"},
        **(uploader.writer_options() if uploader else {}))
    try:
        with archive_index(out, db) as index:
            results = verify_articles(index, writer, urls, before=before)
    finally:
        writer.close()
        if uploader is not None:
            uploader.close()
    if as_json:
        emit_json({"articles": urls, "rechecked": recheck, "checks": results})
        return
    by_article: dict[str, dict[str, int]] = {}
    for r in results:
        counts = by_article.setdefault(r["article_url"], {})
        counts[r["verdict"]] = counts.get(r["verdict"], 0) + 1
    print_table(f"{len(urls)} articles verified", ("article", "embeds", "verdicts"), (
        (url, str(sum(by_article.get(url, {}).values())),
         ", ".join(f"{n} {v}" for v, n in sorted(by_article.get(url, {}).items())) or "no embeds")
        for url in urls))
    print_table(f"{len(results)} embeds", ("#", "post", "verdict", "why"), (
        (str(r["position"]), f"{r['platform']} {'@' + r['handle'] + ' ' if r.get('handle') else ''}{r.get('post_url') or ''}",
         r["verdict"] + "".join(f" + {f}" for f in r["flags"]), r.get("diff") or r["reason"]) for r in results))


# -- evidence for others ---------------------------------------------------------------------------

@cli.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "csl-json", "html"]), default="jsonl",
              show_default=True, help="jsonl/csv: one row per citation; csl-json: for Zotero and reference "
                                      "managers; html: a self-contained sources card per article.")
@click.option("--article", "articles", multiple=True, metavar="URL", help="Only this article (repeatable).")
@click.option("--crawl", help="Only the articles of this crawl (its number or the start of its key).")
@click.option("--query", help="Only the citations a lookup finds (a post URL, @handle, outlet, domain, words).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file (default: stdout).")
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Archive folder.")
@click.option("--db", default=None, help="SQLAlchemy URL of the index (default: OUT/index.sqlite).")
@store_option()
def export_command(fmt, articles, crawl, query, output, out, db, store):
    """Export citations with their capture locations, digests and verdicts."""
    from .export import export

    warcs = open_warc_store(store, out)
    with archive_index(out, db) as index:
        if output:
            try:
                stream = open(output, "w", encoding="utf-8", newline="" if fmt == "csv" else None)
            except OSError as exc:
                raise InputError(f"cannot write {output}: {exc.strerror}") from exc
            with stream:
                counts = export(index, fmt, articles=list(articles) or None, crawl=crawl, query=query, out=stream,
                                store=warcs)
            click.echo(f"wrote {output}: " + ", ".join(f"{v} {k}" for k, v in counts.items() if k != "format"), err=True)
        else:
            export(index, fmt, articles=list(articles) or None, crawl=crawl, query=query, out=sys.stdout,
                   store=warcs)


@cli.command()
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--article", "articles", multiple=True, metavar="URL",
              help="Package only this article's evidence (repeatable); default: the whole archive.")
@click.option("--title", help="The package's title.")
@store_option()
@index_options
def wacz(output, articles, title, store, as_json, out, db):
    """Package the archive (or some articles' evidence) as a WACZ 1.1.1 file for ReplayWeb.page."""
    from .warc.wacz import write_wacz

    if not output.endswith(".wacz"):
        raise UsageError(f"a WACZ file name ends in .wacz: {output}")
    with archive_index(out, db) as index:
        result = write_wacz(Path(output), index, open_warc_store(store, out), articles=list(articles) or None,
                            title=title)
    if as_json:
        emit_json(result)
    else:
        click.echo(f"wrote {output}: " + ", ".join(f"{len(v) if isinstance(v, (list, tuple)) else v} {k}"
                                                    for k, v in result.items() if k not in ("path",)))


# -- rebuilding the index ---------------------------------------------------------------------------

@cli.command("reindex")
@click.argument("warcs", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--endpoint", "endpoints", multiple=True, metavar="BASE=URL",
              help="The --endpoint map of the crawl, for WARCs whose warcinfo does not record it.")
@store_option("Without WARCS: every WARC file of this store, s3://BUCKET/PREFIX or a folder holding warcs/.")
@index_options
def reindex_command(warcs, endpoints, store, as_json, out, db):
    """Rebuild the whole citation index from WARC files alone (WARCS, or those of --store), into a
    new index (OUT/index.sqlite or --db)."""
    from .index import open_index
    from .reindex import reindex
    from .layout import layout

    if not warcs and not store:
        raise UsageError("Missing argument 'WARCS...': give WARC files, or --store s3://BUCKET/PREFIX")
    source = open_warc_store(store, out) if not warcs else None

    target = db or layout(out)["db"]
    if not db:
        Path(out).mkdir(parents=True, exist_ok=True)
    index = open_index(target)
    try:
        def progress(path, stats):
            if not as_json:
                click.echo(f"{path.name}: {stats['records']} records so far, {stats['captures']} captures", err=True)

        try:
            stats = reindex([Path(w) for w in warcs], index, progress, endpoints=parse_endpoints(endpoints) or None,
                            store=source)
        except WarcError as exc:
            if getattr(exc, "stats", None):
                click.echo(f"indexed what could be read: {exc.stats}", err=True)
            raise
    finally:
        index.close()
    if as_json:
        emit_json(stats)
    else:
        click.echo(f"rebuilt {target}: " + ", ".join(f"{v} {k}" for k, v in stats.items()
                                                      if k not in ("seconds", "bytes")) + f" in {stats['seconds']:.1f} s")


@cli.command()
@store_option("Where to send them: s3://BUCKET/PREFIX (any S3 API; endpoint from ARCHIVER_S3_ENDPOINT).")
@click.option("--out", default=DEFAULT_OUT, show_default=True, help="Archive folder whose warcs/ to empty.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def upload(store, out, as_json):
    """Send the closed WARC files left in OUT/warcs (their upload failed during a crawl) to the
    store, with their CDXJ; each local copy is removed once the store holds it."""
    from .layout import layout
    from .warc.store import LocalStore
    from .warc.upload import Uploader

    if not store:
        raise UsageError("give --store s3://BUCKET/PREFIX (or set ARCHIVER_STORE)")
    target, paths = open_warc_store(store, out), layout(out)
    if isinstance(target, LocalStore) and target.warc_dir.resolve() == paths["warcs"].resolve():
        raise UsageError(f"--store {store} is the archive folder itself")
    outcomes = Uploader(target, paths["warcs"], paths["indexes"]).upload_all()
    failed = sorted(name for name, outcome in outcomes.items() if outcome == "failed")
    if as_json:
        emit_json({"store": target.url, "files": outcomes})
    else:
        for name, outcome in outcomes.items():
            click.echo(f"{name}: {outcome}")
        click.echo(f"{len(outcomes) - len(failed)} of {len(outcomes)} WARC files in {target.url}", err=True)
    if failed:
        raise ArchiverError(f"{len(failed)} WARC files could not be uploaded and stay in {paths['warcs']}")


# -- demo ----------------------------------------------------------------------------------------

@cli.command()
@click.option("--serve-only", is_flag=True, help="Only serve the sample site; print its URL first.")
@click.option("--out", default="demo-archive", show_default=True, help="Archive folder for the demo crawl.")
@click.option("--port", default=0, type=click.IntRange(0, 65535), help="Port of the sample site (0: a free one).")
def demo(serve_only, out, port):
    """Serve the bundled sample site on 127.0.0.1, crawl it, and show what was archived."""
    from .demo_run import run_demo, serve_only as serve

    if serve_only:
        serve(port)
    else:
        run_demo(out, port)


from . import cli_workers  # noqa: E402,F401 - registers `seed` and `status`


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("archiver: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ArchiverError as exc:
        click.echo(f"archiver: error: {exc}", err=True)
        sys.exit(getattr(exc, "exit_code", 1))
    except KeyboardInterrupt:
        click.echo("archiver: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
