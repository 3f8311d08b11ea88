"""Every setting of a crawl, Scrapy's and ours, with its default and why.

CLI flags map onto these names, and so do environment variables: ARCHIVER_FOO=... sets
ARCHIVER_FOO (JSON values are parsed: numbers, true/false, objects). `scrapy crawl articles`
in the project root reads this module through scrapy.cfg.
"""
import json
import os

from scrapy.settings import default_settings as scrapy_defaults

from .model import RETRIED_STATUSES

BOT_NAME = "embed-archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# --- Scrapy: politeness, limits, retries ---------------------------------------------------------
# An honest user agent: platforms and publishers should know who archives them.
USER_AGENT = "embed-archiver/0.1 (+https://github.com/embed-archiver/embed-archiver; citation archiving)"
ROBOTSTXT_OBEY = True                 # obey robots.txt; --ignore-robots turns it off (noted in warcinfo)
# Requests in flight overall (--concurrency). Scrapy counts a request waiting in its site's queue
# against this total: at 32, a busy site's backlog held the slots of sites that had room, and at
# 50 ms per response the crawl idled ~12% of the time (bench/README.md); the per-site limit below
# is what keeps a crawl polite.
CONCURRENT_REQUESTS = 64
CONCURRENT_REQUESTS_PER_DOMAIN = 8    # per site (--site-concurrency): platforms rate-limit bursts
DOWNLOAD_DELAY = 0                    # seconds between requests to one site (--delay)
DOWNLOAD_TIMEOUT = 30                 # seconds for a whole download, body included (--timeout)
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024   # bytes: bigger responses are cancelled (--max-size); also the most
                                      # a compressed body may expand to (a gzip bomb stops there)
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True      # a body cut short is a failure, not a capture
RETRY_ENABLED = True
RETRY_TIMES = 2                       # retries after the first attempt (--retries)
RETRY_HTTP_CODES = list(RETRIED_STATUSES)
RETRY_BACKOFF_BASE = 1.0              # seconds before retrying a 429/5xx, doubled for each next retry
RETRY_MAX_WAIT = 60                   # seconds: the longest wait, Retry-After included (--max-wait);
                                      # a server asking for more is not retried
REDIRECT_MAX_TIMES = 10               # longer chains are recorded as failures (--max-redirects)
# Scrapy starts CONCURRENT_ITEMS asyncio tasks for every callback's output (default 100: ~10% of
# the crawl's CPU in a profile); our pipeline is synchronous, so parallel item processing buys nothing
CONCURRENT_ITEMS = 1
HTTPERROR_ALLOW_ALL = True            # the spider sees 4xx/5xx: a dead citation is a finding
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False         # never open a port the user did not ask for
REMOTE_CONTROL_ENABLED = False        # nor Scrapy 2.19's HTTP control server (on by default there)
# Scrapy imports every extension it lists, even one set to None; the control server's module
# imports aiohttp (93 modules, ~9 MB of memory for a server that stays off): not listed at all
EXTENSIONS_BASE = {name: order for name, order in scrapy_defaults.EXTENSIONS_BASE.items()
                   if name != "scrapy.extensions.remote_control.RemoteControl"}
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
REQUEST_FINGERPRINTER_CLASS = "archiver.crawl.RequestFingerprints"  # Scrapy's fingerprints, made faster
FEED_EXPORT_ENCODING = "utf-8"

# keep-alive that holds up when a site is busy (archiver/http.py)
DOWNLOAD_HANDLERS = {"http": "archiver.http.KeepAliveHTTPHandler", "https": "archiver.http.KeepAliveHTTPHandler"}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,  # the spider sets no allowed_domains
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,  # no HTTPAUTH_* nor http_user is ever set
    # production platform hosts -> configured endpoints (demo/tests: loopback); before anything else
    "archiver.middlewares.EndpointMapMiddleware": 50,
    # with ARCHIVER_LOOPBACK_ONLY, refuse every non-loopback host before DNS
    "archiver.middlewares.LoopbackOnlyMiddleware": 60,
    # refuse loopback/private/link-local/multicast addresses unless ARCHIVER_ALLOW_PRIVATE (SSRF guard)
    "archiver.guard.AddressGuardMiddleware": 70,
    # above HttpCompression (590) and Redirect (600): sees raw bytes, every hop, every retry
    "archiver.warc.recorder.WarcRecorderMiddleware": 950,
    # process_response/process_exception run from high numbers to low: this words the reason of a
    # failed download (timeout, size, malformed) before the recorder writes it (archiver/limits.py)
    "archiver.limits.LimitReasonsMiddleware": 960,
    # Scrapy's, with the responses they refuse recorded as failures, redirect loops detected and
    # retries that wait (backoff, Retry-After): see archiver/limits.py and archiver/retry.py
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "archiver.retry.RetryAfterMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "archiver.limits.LimitedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "archiver.limits.DecompressionLimitMiddleware": 590,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "archiver.limits.LimitedRedirectMiddleware": 600,
}
# Scrapy's spider middlewares that have nothing to do here: each is one more async generator every
# request and item passes through
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": None,  # HTTPERROR_ALLOW_ALL: it lets all through
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,  # the spider counts depth itself (article_depth)
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,  # a spider developer's aid
    # production platform hosts -> configured endpoints as the requests leave for the queue; the
    # output reaches Referer (700) and UrlLength (800) first: they see the URL the spider asked for
    "archiver.middlewares.EndpointMapMiddleware": 20,
}
# new articles wait while the captures of earlier ones are queued: memory stays flat (archiver/crawl.py)
SCHEDULER = "archiver.crawl.CapturesFirstScheduler"
STATS_CLASS = "archiver.crawl.CrawlStats"   # Scrapy's, lighter (archiver/crawl.py)
ITEM_PIPELINES = {"archiver.pipelines.IndexPipeline": 300}
# Scrapy's resolver, refusing the answers the address guard refuses (see archiver/guard.py)
TWISTED_DNS_RESOLVER = "archiver.guard.GuardedResolver"

# --- embed-archiver ------------------------------------------------------------------------------
ARCHIVER_OUT = "archive"              # output folder: warcs/, indexes/*.cdxj, index.sqlite
ARCHIVER_DB = ""                      # SQLAlchemy URL of the index; empty = ARCHIVER_OUT/index.sqlite
ARCHIVER_WARC_PREFIX = "archiver"     # WARC names: {prefix}-{timestamp}-{serial}-{host}.warc.gz ({host}-{token} with a store)
ARCHIVER_WARC_MAX_SIZE = 10**9        # bytes: rotate to a new WARC file past this (spec recommends 1 GB)
ARCHIVER_GZIP_LEVEL = 6               # per-record gzip level, 0-12 (libdeflate's; bench/gzip_levels.py has the trade-off)
ARCHIVER_STORE = ""                   # s3://bucket/prefix: closed WARCs (and their CDXJ) go there, local copies go (--store)
ARCHIVER_S3_ENDPOINT = ""             # the S3 API's URL (else boto3's AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, else AWS)
ARCHIVER_CRAWL_NAME = ""              # warcinfo isPartOf; default crawl-<id>
ARCHIVER_SEEDS = []                   # article URLs to crawl (the CLI fills this)
ARCHIVER_RESUME = ""                  # crawl key of an interrupted crawl to finish (crawl --resume)
ARCHIVER_POST_SEEDS = []               # post URLs captured on their own (verify --recheck)
ARCHIVER_SEED_FILE = ""               # a file of article URLs, one per line
ARCHIVER_SITEMAPS = []                # sitemap URLs whose pages are articles
ARCHIVER_FEEDS = []                   # RSS/Atom feed URLs whose items are articles
ARCHIVER_DEPTH = 0                    # follow same-site links from articles this many levels deep
ARCHIVER_CAPTURE_LINKS = True         # capture the pages an article links to (outbound and internal)
ARCHIVER_CAPTURE_POSTS = True         # capture embedded posts through their platform endpoints
ARCHIVER_FETCH_MEDIA = True           # fetch media (photos, thumbnails) of captured posts
ARCHIVER_ENDPOINTS = {}               # {"https://cdn.syndication.twimg.com": "http://127.0.0.1:8000/..."}
ARCHIVER_RECAPTURE_AFTER = 7 * 86400  # seconds: a post captured more recently (any crawl) is not fetched again
ARCHIVER_MEDIA_DOWNLOAD = False       # also download posts' video and audio with yt-dlp (--media), as resource records
ARCHIVER_REQUISITES = False           # also fetch the images, CSS, scripts a page needs to replay (--requisites)
ARCHIVER_REQUISITES_MAX = 100         # per page
ARCHIVER_WAYBACK = ""                 # "lookup": record the Wayback Machine's closest copy of each cited URL;
                                      # "submit": also send missing ones to Save Page Now 2 (--token wayback=ACCESS:SECRET)
ARCHIVER_WAYBACK_WITHIN = 30 * 86400  # seconds: a Wayback copy younger than this is recent enough (not resubmitted)
ARCHIVER_WAYBACK_POLLS = 6            # Save Page Now status polls per job
ARCHIVER_WAYBACK_POLL_INTERVAL = 10.0 # seconds between polls
ARCHIVER_TOKENS = {}                  # API tokens by name, e.g. {"meta": "APPID|CLIENT_TOKEN"} for Instagram/Facebook/Threads oEmbed
ARCHIVER_LOOPBACK_ONLY = False        # refuse every non-loopback host (demo, tests)
ARCHIVER_ALLOW_PRIVATE = False        # connect to loopback/private/link-local addresses too (the guard is off)
ARCHIVER_ALLOW_ADDRESSES = []         # networks the guard lets through anyway, e.g. ["10.1.2.0/24"] (an intranet)
# many workers, one crawl (docs/scale-out.md): the shared frontier in Redis
ARCHIVER_REDIS_URL = ""               # redis://HOST:PORT/DB: the workers' shared queue (crawl --redis)
ARCHIVER_REDIS_PREFIX = "embed-archiver"  # Redis key prefix: one crawl at a time per prefix
ARCHIVER_WORKER_TTL = 30.0            # seconds without a heartbeat after which a worker's work is requeued
ARCHIVER_REDIS_IDLE_WAIT = 0.0        # seconds a worker waits for new seeds once the crawl is quiet
ARCHIVER_VERBOSE = False              # Scrapy's INFO logs (every request); otherwise warnings only


def _from_env() -> None:
    """ARCHIVER_* environment variables override the defaults above."""
    scope = globals()
    for name, value in os.environ.items():
        if name.startswith("ARCHIVER_") and name in scope:
            try:
                scope[name] = json.loads(value)
            except json.JSONDecodeError:
                scope[name] = value


_from_env()
