"""`archiver seed` and `archiver status`: the shared crawl of `crawl --redis` workers, seen from
outside (docs/scale-out.md)."""
from __future__ import annotations

from pathlib import Path

import click

from .cli import check_url, cli, emit_json, print_table, redis_options
from .errors import InputError, UsageError


def _connect(redis_url: str | None):
    from .frontier import connect

    if not redis_url:
        raise UsageError("--redis URL is needed (or ARCHIVER_REDIS_URL)")
    return connect(redis_url)


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--from-file", "from_file", type=click.Path(dir_okay=False), help="File of article URLs, one per line.")
@click.option("--sitemap", multiple=True, help="Sitemap URL whose pages are articles (repeatable).")
@click.option("--feed", multiple=True, help="RSS/Atom feed URL whose items are articles (repeatable).")
@redis_options()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def seed(urls, from_file, sitemap, feed, redis_url, redis_prefix, as_json):
    """Give article URLs (or sitemaps, feeds) to the workers of a shared crawl, without crawling."""
    from spiders.articles import read_seed_file

    from .frontier import push_seeds

    if from_file and not Path(from_file).is_file():
        raise InputError(f"no such file: {from_file}")
    articles = list(urls) + (read_seed_file(from_file) if from_file else [])
    seeds = [("article", u) for u in articles] + [("sitemap", u) for u in sitemap] + [("feed", u) for u in feed]
    if not seeds:
        raise UsageError("nothing to seed: give article URLs, --from-file, --sitemap or --feed")
    for _kind, url in seeds:
        check_url(url)
    crawl_key, pushed = push_seeds(_connect(redis_url), redis_prefix, seeds)
    if as_json:
        emit_json({"crawl_key": crawl_key, "seeds": pushed})
    else:
        click.echo(f"{pushed} seeds queued for crawl {crawl_key}; start workers with "
                   f"`archiver crawl --redis {redis_url} --db ...`")


@cli.command()
@redis_options()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def status(redis_url, redis_prefix, as_json):
    """The shared crawl now: queue length, work in flight per worker, workers alive, errors."""
    from .frontier import status as frontier_status

    report = frontier_status(_connect(redis_url), redis_prefix)
    if as_json:
        emit_json(report)
        return
    if report["crawl_key"] is None:
        click.echo("No shared crawl is running (seed one with `archiver seed`, or start `archiver crawl --redis`).")
        return
    click.echo(f"crawl {report['crawl_key']}: {report['queued']} queued, {report['seeds_waiting']} seeds waiting, "
               f"{report['in_flight']} in flight, {report['seen']} requests seen, {report['errors']} errors")
    print_table("Workers", ("worker", "alive", "in flight", "responses", "errors", "last seen"), (
        (w["worker"], "yes" if w["alive"] else "NO (its work will be requeued)", str(w["in_flight"]),
         str(w["responses"]), str(w["errors"]), w["last_seen"] or "") for w in report["workers"]))
    if report["recent_errors"]:
        print_table("Recent errors", ("when", "worker", "URL", "reason"), (
            (e["at"], e["worker"], e["url"], e["reason"]) for e in report["recent_errors"]))
