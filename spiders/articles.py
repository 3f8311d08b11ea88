"""ArticleSpider: fetch each article, extract what it references, follow every reference.

Seeds come from settings (the CLI fills them): URLs, a URL file, sitemaps, feeds. Each article
is extracted (archiver.extract), its extraction result written to the WARC as a metadata record,
and then every embed is captured through its platform, every linked page as a page, and
same-site links are followed as articles up to ARCHIVER_DEPTH.
"""
from __future__ import annotations

import asyncio
import gzip
import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import scrapy
from lxml import etree
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import threads

from archiver import media_download, platforms, requisites, wayback
from archiver.claims import PENDING, REQUEUED, LocalClaims, frontier_of
from archiver.errors import InputError
from archiver.extract import extract
from archiver.items import ArticleItem, PostItem, ResolvedEmbedItem
from archiver.middlewares import map_endpoint
from archiver.model import ArticleMeta, ArticleRefs, PostRef, PostSnapshot
from archiver.session import ArchiveSession
from archiver.urls import sort_key
from archiver.warc.writer import warc_date

logger = logging.getLogger(__name__)
MAX_RESOLVE_HOPS = 5
_XML = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)


def _age_seconds(timestamp: str | None) -> float:
    """Seconds since a 14-digit archive timestamp (infinite when unknown)."""
    try:
        moment = datetime.strptime((timestamp or "").ljust(14, "0")[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return float("inf")
    return (datetime.now(UTC) - moment).total_seconds()


def _page_url(response) -> str:
    """The URL a page's relative links resolve against: the one asked for, not the endpoint that
    stood in for its host (ARCHIVER_ENDPOINTS)."""
    return response.meta.get("original_url") or response.url


def _is_html(response) -> bool:
    content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
    return "html" in content_type or (not content_type and b"<html" in response.body[:2048].lower())


def read_seed_file(path: str) -> list[str]:
    try:
        lines = Path(path).read_text("utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read the URL file {path}: {exc.strerror}") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _xml_root(body: bytes):
    if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz served without Content-Encoding
        body = gzip.decompress(body)
    try:
        return etree.fromstring(body, _XML)
    except etree.XMLSyntaxError:
        return None


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class ArticleSpider(scrapy.Spider):
    name = "articles"

    def __init__(self, *args, urls: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_urls = [u for u in urls.split(",") if u]  # `scrapy crawl articles -a urls=A,B`
        # Once per crawl (archiver/claims.py), by sort_key: "article" extracted (a page fetched
        # twice, a seed another article also links to, is indexed once and its references followed
        # once), "page" cited pages requested, "wayback" URLs whose archive copies were looked up,
        # "seed" seeds queued (workers of a shared crawl may all be given the same seeds).
        self._claims = None

    @property
    def claims(self):
        if self._claims is None:
            self._claims = self.frontier.claims if self.frontier is not None else LocalClaims()
        return self._claims

    @property
    def frontier(self):
        """The shared Redis frontier of a `crawl --redis` worker, else None."""
        return frontier_of(self.crawler)

    @property
    def session(self) -> ArchiveSession:
        return ArchiveSession.for_crawler(self.crawler)

    # -- seeds ----------------------------------------------------------------------------------

    async def start(self):
        settings = self.crawler.settings
        seeds = list(settings.getlist("ARCHIVER_SEEDS")) + self.extra_urls
        if settings.get("ARCHIVER_SEED_FILE"):
            seeds += read_seed_file(settings.get("ARCHIVER_SEED_FILE"))
        self.seed_urls = seeds
        self.session  # open the archive before the first response arrives
        for url in seeds:
            for request in self.seed_requests("article", url):
                yield request
        for url in settings.getlist("ARCHIVER_SITEMAPS"):
            for request in self.seed_requests("sitemap", url):
                yield request
        for url in settings.getlist("ARCHIVER_FEEDS"):
            for request in self.seed_requests("feed", url):
                yield request
        # posts to capture by themselves (`archiver verify --recheck`): no article around them
        for url in settings.getlist("ARCHIVER_POST_SEEDS"):
            post = platforms.match_url(url)
            if post is not None and post.post_id:
                for request in self.post_requests(post):
                    yield request
            else:
                logger.warning("Not a post URL any platform recognises: %s", url)
        if self.frontier is not None:
            self.frontier.started()

    def seed_requests(self, kind: str, url: str):
        """The first requests of a seed: an article URL, a sitemap or a feed (also what
        `archiver seed` pushes to the workers of a shared crawl)."""
        if kind == "article":
            yield from self.article_request(url, depth=0, explicit=True)
        elif self.claims.claim("seed", f"{kind} {sort_key(url)}"):
            callback = self.parse_sitemap if kind == "sitemap" else self.parse_feed
            yield scrapy.Request(url, callback=callback, errback=self.on_error, dont_filter=True)

    def article_request(self, url: str, depth: int, explicit: bool = False):
        # Seeds are never dropped as duplicates: a seed also linked from another article is
        # still extracted as an article (the second fetch becomes a revisit record).
        # `explicit`: the user named this URL, so it is indexed as an article whatever it looks like;
        # pages found through sitemaps, feeds or links are indexed only if they look like articles.
        if depth == 0 and self.frontier is not None:
            if not self.claims.claim("seed", f"article {sort_key(url)}"):
                return  # another worker of the shared crawl has queued it
            # and its capture is its capture as a cited page: another worker that finds it cited
            # must not fetch it again (the index, written in batches, may not show it yet)
            self.claims.claim("page", sort_key(url))
        if self.session.resumed:
            done = self.session.index.article_refs_in_crawl(url, self.session.crawl_id)
            if done is not None:
                # fetched and indexed before the interruption (or by another worker): follow what
                # the index holds
                if self.claims.claim("article", sort_key(url)):
                    yield from self.follow_references(done, depth)
                return
        yield scrapy.Request(url, callback=self.parse_article, errback=self.on_article_error,
                             dont_filter=depth == 0, meta={"article_depth": depth, "explicit_seed": explicit})

    def parse_sitemap(self, response):
        root = _xml_root(response.body)
        if root is None:
            logger.warning("Not a sitemap: %s", response.url)
            return
        nested = _local(root.tag) == "sitemapindex"
        for loc in root.iter("{*}loc"):
            url = (loc.text or "").strip()
            if not url:
                continue
            if nested:
                yield scrapy.Request(url, callback=self.parse_sitemap, errback=self.on_error)
            else:
                yield from self.article_request(url, depth=0)

    def parse_feed(self, response):
        root = _xml_root(response.body)
        if root is None:
            logger.warning("Not a feed: %s", response.url)
            return
        for item in root.iter("{*}item", "{*}entry"):
            link = next((el for el in item if _local(el.tag) == "link"), None)
            if link is None:
                continue
            url = (link.get("href") or link.text or "").strip()
            if url:
                yield from self.article_request(urljoin(response.url, url), depth=0)

    # -- articles -------------------------------------------------------------------------------

    def parse_article(self, response):
        meta = response.meta
        depth = meta.get("article_depth", 0)
        fetched_at = meta.get("warc_date") or warc_date()
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if response.status >= 400 or not _is_html(response):
            reason = f"HTTP {response.status}" if response.status >= 400 else f"not HTML ({content_type or 'no type'})"
            logger.warning("Not extracted: %s (%s)", response.url, reason)
            yield self.failed_article(response.url, meta, response.status, fetched_at)
            return
        if meta.get(REQUEUED):
            # taken by a worker that died: what the index holds of it is what that worker finished
            done = self.session.index.article_refs_in_crawl(response.url, self.session.crawl_id)
            if done is not None:
                self.claims.claim("article", sort_key(response.url))
                yield from self.follow_references(done, depth)
                return
        elif not self.claims.claim("article", sort_key(response.url)):
            return
        refs = extract(response.body, response.url)
        if not refs.metadata.is_article and not meta.get("explicit_seed"):
            logger.info("Captured, not indexed as an article (no article markup): %s", response.url)
            return
        record = self.session.write_json_metadata(
            f"urn:embed-archiver:references:{response.url}", refs.to_json(),
            refers_to=meta.get("warc_record_id"), date=fetched_at)
        yield ArticleItem(refs, meta.get("warc_record_id"), response.status, fetched_at, record.record_id)
        yield from self.follow_references(refs, depth, checked_at=fetched_at)
        yield from self.requisite_requests(response)

    def failed_article(self, url: str, meta, status: int | None, fetched_at: str) -> ArticleItem:
        """An article that could not be extracted is indexed too, with its evidence: a references
        record that names no reference, referring to the error response or the failure record."""
        refs = ArticleRefs(url, ArticleMeta(url, is_article=False))
        record = self.session.write_json_metadata(f"urn:embed-archiver:references:{url}", refs.to_json(),
                                                  refers_to=meta.get("warc_record_id"), date=fetched_at)
        return ArticleItem(refs, meta.get("warc_record_id"), status, fetched_at, record.record_id)

    def follow_references(self, refs: ArticleRefs, depth: int, checked_at: str | None = None):
        settings = self.crawler.settings
        if settings.getbool("ARCHIVER_CAPTURE_POSTS"):
            for embed in refs.embeds:
                if embed.post_id and embed.url:
                    yield from self.post_requests(PostRef(embed.platform, embed.url, embed.post_id, embed.handle))
                elif embed.resolve_url:
                    yield self.resolve_request(embed.resolve_url, embed.resolve_url, hops=0)
        max_depth = settings.getint("ARCHIVER_DEPTH")
        for embed in refs.embeds:
            if embed.url:
                yield from self.wayback_requests(embed.url)
        for link in refs.links:
            archived = wayback.copy_of(link.url)
            if archived is not None:
                # the article cites an archived copy: the copy belongs to the original URL
                self.session.writes.add_copy(archived, checked_at=checked_at)
            elif link.link_kind != "internal":
                yield from self.wayback_requests(link.url)
            if link.link_kind == "post":
                post = platforms.match_url(link.url)
                if post and post.post_id and settings.getbool("ARCHIVER_CAPTURE_POSTS"):
                    yield from self.post_requests(post)
                    continue
            if link.link_kind == "internal" and depth < max_depth:
                yield from self.article_request(link.url, depth + 1)
            elif settings.getbool("ARCHIVER_CAPTURE_LINKS") and link.in_body:
                yield from self.page_request(link.url)

    # -- posts ----------------------------------------------------------------------------------

    def post_requests(self, post: PostRef, related_depth: int = 0):
        platform = platforms.get(post.platform)
        if not platforms.can_capture(post.platform):
            # No public endpoint: the post's own page is the best evidence there is.
            yield from self.page_request(post.url)
            return
        if self.captured_recently(post):
            return
        for capture in platform.capture_requests(post, self.crawler.settings.getdict("ARCHIVER_TOKENS")):
            callback = self.parse_post if capture.role == "post" else self.parse_capture
            yield scrapy.Request(capture.url, callback=callback, errback=self.on_post_error,
                                 headers=capture.headers or None,
                                 meta={"post_ref": post, "role": capture.role, "related_depth": related_depth})

    def captured_recently(self, post: PostRef) -> bool:
        """Capture once, cite many: a post whose last snapshot (this crawl or an earlier one) is
        younger than ARCHIVER_RECAPTURE_AFTER is not fetched again; its citations point at that
        snapshot. A snapshot that only recorded a passing failure (rate limit, server error,
        unreadable answer) does not count."""
        max_age = self.crawler.settings.getfloat("ARCHIVER_RECAPTURE_AFTER")
        if not post.post_id or (max_age <= 0 and not self.session.resumed):
            return False
        last = self.session.index.post(post.platform, post.post_id)
        if not last or last["status"] in ("unavailable", "error") or not last["captured_at"]:
            return False
        if self.session.resumed and last["captured_at"] >= self.session.crawl_started:
            return True  # captured by this crawl before the interruption
        try:
            age = (datetime.now(UTC) - datetime.fromisoformat(last["captured_at"])).total_seconds()
        except ValueError:
            return False
        if age >= max_age:
            return False
        logger.info("Not fetched again: %s %s was captured %s", post.platform, post.post_id, last["captured_at"])
        self.crawler.stats.inc_value("archiver/posts_not_recaptured")
        return True

    async def parse_post(self, response):
        post: PostRef = response.meta["post_ref"]
        settings = self.crawler.settings
        if response.meta.get(REQUEUED) and self.captured_recently(post):
            return  # a worker that died had captured it after all
        snapshot = platforms.get(post.platform).parse(post, response.url, response.status, response.body)
        for item in self.post_item(snapshot, response.meta):
            yield item
        if snapshot.status == "ok" and response.meta.get("related_depth", 0) == 0:
            # the quoted / replied-to / embedded post, one level deep: its context is evidence too
            for _relation, url in snapshot.related:
                # on the platform of the post itself: a Mastodon reply lives on an instance the
                # registry may not list
                related = platforms.match_url(url) or platforms.match_url_on(snapshot.platform, url)
                if related is not None and related.post_id:
                    for request in self.post_requests(related, related_depth=1):
                        yield request
        if settings.getbool("ARCHIVER_FETCH_MEDIA"):
            for url in snapshot.media:
                yield scrapy.Request(url, callback=self.parse_capture, errback=self.on_error,
                                     meta={"role": "media", "post_ref": post})
            if settings.getbool("ARCHIVER_MEDIA_DOWNLOAD") and snapshot.status == "ok" \
                    and post.platform in media_download.MEDIA_PLATFORMS:
                await self.download_media(post)

    async def download_media(self, post: PostRef) -> None:
        """The post's video or audio through yt-dlp (--media), as resource records."""
        settings = self.crawler.settings
        url = map_endpoint(post.url, settings.getdict("ARCHIVER_ENDPOINTS"))
        date = warc_date()
        try:
            found = await maybe_deferred_to_future(threads.deferToThread(
                media_download.download, url, max_bytes=settings.getint("DOWNLOAD_MAXSIZE"),
                loopback_only=settings.getbool("ARCHIVER_LOOPBACK_ONLY")))
        except media_download.MediaError as exc:
            logger.warning("No media downloaded for %s: %s", post.url, exc)
            payload = f"fetch-error: yt-dlp: {exc}\r\nurl: {post.url}\r\n".encode("utf-8")
            written = self.session.writer.write_metadata(post.url, payload, "application/warc-fields", date=date)
            self.session.index_capture(written, status=None, mime=None, error=f"yt-dlp: {exc}")
            return
        for item in found:
            resource = self.session.writer.write_resource(item.url, item.data, item.mime, date=date)
            self.session.index_capture(resource, status=200, mime=item.mime)
            self.session.write_json_metadata(
                f"urn:embed-archiver:media:{post.platform}:{post.post_id}",
                {"post_url": post.url, "tool": "yt-dlp", **item.info}, refers_to=resource.record_id, date=date)
            self.crawler.stats.inc_value("archiver/media_downloaded")

    def post_item(self, snapshot: PostSnapshot, meta):
        captured_at = meta.get("warc_date") or warc_date()
        record = self.session.write_json_metadata(
            f"urn:embed-archiver:post:{snapshot.platform}:{snapshot.post_id}", snapshot.to_json(),
            refers_to=meta.get("warc_record_id"), date=captured_at)
        yield PostItem(snapshot, meta.get("warc_record_id"), captured_at, record.record_id)

    def parse_capture(self, response):
        """oEmbed answers and media: recorded by the recorder; nothing more to index."""
        return []

    def resolve_request(self, url: str, original: str, hops: int) -> scrapy.Request:
        # Redirects are read here, not followed: the target is a post to capture through its
        # platform's endpoints, not a page to fetch.
        return scrapy.Request(url, callback=self.parse_resolve, errback=self.on_error,
                              meta={"dont_redirect": True, "handle_httpstatus_all": True,
                                    "resolve_original": original, "resolve_hops": hops})

    def parse_resolve(self, response):
        location = response.headers.get(b"Location")
        original = response.meta["resolve_original"]
        if not location:
            logger.warning("Could not resolve %s: HTTP %s without a redirect", original, response.status)
            return
        # the Location is relative to the URL the article showed, not to a mapped endpoint
        target = urljoin(response.meta.get("original_url") or response.url, location.decode("latin-1"))
        post = platforms.match_url(target)
        if post and post.post_id:
            yield ResolvedEmbedItem(original, post)
            yield from self.post_requests(post)
        elif response.meta["resolve_hops"] < MAX_RESOLVE_HOPS:
            yield self.resolve_request(target, original, response.meta["resolve_hops"] + 1)

    # -- existing archive copies (--wayback lookup / submit) --------------------------------------

    def wayback_requests(self, url: str):
        """Ask the Wayback Machine for its closest copy of a cited URL (once per URL per crawl)."""
        if not self.crawler.settings.get("ARCHIVER_WAYBACK") or not self.claims.claim("wayback", sort_key(url)):
            return
        yield scrapy.Request(wayback.availability_url(url), callback=self.parse_wayback, errback=self.on_error,
                             meta={"wayback_url": url})

    def parse_wayback(self, response):
        settings = self.crawler.settings
        url = response.meta["wayback_url"]
        found = wayback.parse_availability(url, response.status, response.body)
        self.session.writes.add_copy(found, capture_record_id=response.meta.get("warc_record_id"),
                                     checked_at=response.meta.get("warc_date"))
        if settings.get("ARCHIVER_WAYBACK") != "submit" or found.status == "error":
            return
        within = settings.getfloat("ARCHIVER_WAYBACK_WITHIN")
        if found.status == "available" and _age_seconds(found.timestamp) < within:
            return
        keys = settings.getdict("ARCHIVER_TOKENS").get("wayback")
        if not keys:
            logger.warning("Not submitted to Save Page Now (no --token wayback=ACCESS:SECRET): %s", url)
            return
        target, headers, body = wayback.save_request(url, keys, f"{max(1, int(within // 3600))}h")
        yield scrapy.Request(target, method="POST", headers=headers, body=body, callback=self.parse_save,
                             errback=self.on_error, dont_filter=True, meta={"wayback_url": url})

    async def parse_save(self, response):
        url = response.meta["wayback_url"]
        found, job = wayback.parse_save(url, response.status, response.body)
        self.session.writes.add_copy(found, capture_record_id=response.meta.get("warc_record_id"),
                                     checked_at=response.meta.get("warc_date"))
        if job:
            async for request in self.poll_save(url, job, 0):
                yield request

    async def parse_save_status(self, response):
        url = response.meta["wayback_url"]
        found = wayback.parse_save_status(url, response.status, response.body)
        self.session.writes.add_copy(found, capture_record_id=response.meta.get("warc_record_id"),
                                     checked_at=response.meta.get("warc_date"))
        if found.status == "submitted":
            async for request in self.poll_save(url, response.meta["wayback_job"], response.meta["wayback_poll"] + 1):
                yield request

    async def poll_save(self, url: str, job: str, poll: int):
        settings = self.crawler.settings
        if poll >= settings.getint("ARCHIVER_WAYBACK_POLLS"):
            logger.warning("Save Page Now still working on %s after %d polls (job %s)", url, poll, job)
            return
        await asyncio.sleep(settings.getfloat("ARCHIVER_WAYBACK_POLL_INTERVAL"))
        yield scrapy.Request(wayback.SAVE_STATUS + job, callback=self.parse_save_status, errback=self.on_error,
                             headers={"Accept": "application/json"}, dont_filter=True,
                             meta={"wayback_url": url, "wayback_job": job, "wayback_poll": poll})

    # -- cited pages ----------------------------------------------------------------------------

    def page_request(self, url: str):
        """A cited page: recorded (every redirect hop too) and indexed as captures, which is all
        its citation needs; the index follows the recorded redirects to report where it led.
        Fetched once per crawl under its canonical form: articles citing it with other tracking
        parameters share the capture (Scrapy's fingerprint keeps utm_* apart)."""
        if not self.claims.claim("page", sort_key(url)):
            return
        if self.session.resumed and self.session.index.captured_in_crawl(url, self.session.crawl_id):
            return  # captured before the interruption
        yield scrapy.Request(url, callback=self.parse_cited_page, errback=self.on_error)

    def parse_cited_page(self, response):
        """A cited page's oEmbed discovery link (the publisher's own description of it) and, with
        --requisites, what it needs to replay."""
        if response.status != 200 or not _is_html(response):
            return
        for url in requisites.oembed_links(response.body, _page_url(response)):
            yield scrapy.Request(url, callback=self.parse_capture, errback=self.on_error, meta={"role": "oembed"})
        yield from self.requisite_requests(response)

    def requisite_requests(self, response):
        settings = self.crawler.settings
        if not settings.getbool("ARCHIVER_REQUISITES") or response.status != 200:
            return
        for url in requisites.requisites(response.body, _page_url(response), settings.getint("ARCHIVER_REQUISITES_MAX")):
            # after the evidence itself: requisites only make the replay look right
            yield scrapy.Request(url, callback=self.parse_capture, errback=self.on_error, priority=-10,
                                 meta={"role": "requisite"})

    # -- failures: recorded by the recorder; here they reach the index ----------------------------

    def on_error(self, failure):
        self.log_failure(failure)
        self.finished(failure.request)

    def log_failure(self, failure) -> None:
        reason = failure.request.meta.get("fetch_error") or failure.getErrorMessage()
        logger.warning("Failed: %s (%s)", failure.request.url, reason)
        if self.frontier is not None:
            self.frontier.report_error(failure.request.url, reason)

    def finished(self, request) -> None:
        """An errback has done all it will: the request leaves its worker's pending work (a
        callback's request leaves it through archiver.frontier.FrontierAckMiddleware)."""
        if self.frontier is not None:
            self.frontier.ack(request.meta.get(PENDING))

    def on_article_error(self, failure):
        self.log_failure(failure)
        request = failure.request
        yield self.failed_article(request.url, request.meta, None, request.meta.get("warc_date") or warc_date())
        self.finished(request)

    def on_post_error(self, failure):
        self.log_failure(failure)
        meta = failure.request.meta
        if meta.get("role") == "post":
            post: PostRef = meta["post_ref"]
            reason = meta.get("fetch_error") or failure.getErrorMessage()
            snapshot = PostSnapshot(post.platform, post.post_id, post.url, "unavailable", failure.request.url,
                                    handle=post.handle, detail=reason)
            yield from self.post_item(snapshot, meta)  # its snapshot record refers to the failure record
        self.finished(failure.request)
