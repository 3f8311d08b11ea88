"""A crawl frontier shared by many workers, in Redis (`crawl --redis`): scrapy-redis's scheduler
and duplicate filter, with what they lack for archiving added around them.

- One crawl at a time per key prefix: the first worker (or `archiver seed`) creates its crawl key
  in Redis; every worker joins that crawl, so the index holds one crawl however many workers ran.
- Nothing is lost when a worker dies. scrapy-redis pops a request and forgets it. Here the pop is a
  Lua script that also files the request under the worker's *pending* hash; the request leaves it
  once its callback (or errback) has finished, i.e. once its records are written, its items indexed
  and the requests it led to are queued. Workers keep a heartbeat key with a TTL: the pending
  requests of a worker whose heartbeat has expired are put back in the queue, marked `requeued`,
  and the spider reconciles them with the index (an article indexed in this crawl is not
  extracted twice; its references are followed again, which the duplicate filter makes cheap).
- Claims: a set per kind (articles extracted, pages requested, ...) that makes "once per crawl"
  hold across workers, where a single process keeps a Python set.
- A worker stops when the whole crawl is quiet: no queued request, no seed waiting, nothing
  pending in any live worker. Until then an idle worker keeps polling (other workers' responses
  may still bring work).

Requests are pickled into Redis (scrapy-redis's default serializer): the Redis server must be as
trusted as the workers themselves.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

from scrapy import signals
from twisted.internet import task
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Request
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from .claims import PENDING, REQUEUED, RedisClaims, frontier_of, set_frontier

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "embed-archiver"
HEARTBEAT_EVERY = 5.0          # seconds between a worker's heartbeats
ERRORS_KEPT = 200              # the most recent errors `archiver status` can show
# a pending entry while the worker's own seeds are not all queued: until then the crawl is not quiet
STARTING = "starting"

# Pop the best request and file it as pending, in one step: no moment where it is in neither.
_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
if not item then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('HSET', KEYS[2], ARGV[1], item)
return item
"""
# Take over a dead worker's pending hash (into the taker's own, so a second death loses nothing).
_ADOPT = """
local items = redis.call('HGETALL', KEYS[1])
for i = 1, #items, 2 do redis.call('HSET', KEYS[2], items[i], items[i + 1]) end
redis.call('DEL', KEYS[1])
return items
"""
# Is the whole crawl quiet? Nothing queued, no seed waiting, nothing pending in any worker.
_QUIET = """
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('LLEN', KEYS[2]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HLEN', ARGV[1] .. worker) > 0 then return 0 end
end
return 1
"""
# Forget the current crawl key only if it is still ours.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


def connect(url: str):
    """A Redis client for a redis:// URL; fails early and clearly if the server is not there."""
    import redis

    from .errors import UsageError

    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=30)
        server.ping()
    except ValueError as exc:
        raise UsageError(f"not a Redis URL: {url!r} ({exc})") from None
    except redis.RedisError as exc:
        raise UsageError(f"cannot reach Redis at {url}: {exc}") from None
    return server


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one crawl."""
    prefix: str
    crawl: str

    def _k(self, name: str) -> str:
        return f"{self.prefix}:{self.crawl}:{name}"

    @property
    def requests(self) -> str:
        return self._k("requests")

    @property
    def dupefilter(self) -> str:
        return self._k("dupefilter")

    @property
    def seeds(self) -> str:
        return self._k("seeds")

    @property
    def workers(self) -> str:
        return self._k("workers")

    @property
    def pending_prefix(self) -> str:
        return self._k("pending:")

    def pending(self, worker: str) -> str:
        return self.pending_prefix + worker

    def heartbeat(self, worker: str) -> str:
        return self._k("alive:" + worker)

    def stats(self, worker: str) -> str:
        return self._k("stats:" + worker)

    @property
    def errors(self) -> str:
        return self._k("errors")

    @property
    def error_count(self) -> str:
        return self._k("errors:count")

    def claims(self, kind: str) -> str:
        return self._k("claims:" + kind)

    def all_keys(self, server) -> list:
        return list(server.scan_iter(match=f"{self.prefix}:{self.crawl}:*", count=500))


def current_key(prefix: str) -> str:
    return f"{prefix}:current"


def current_crawl(server, prefix: str = DEFAULT_PREFIX, create: bool = True) -> str | None:
    """The key of the crawl the workers share; a new one if none is running and `create`."""
    key = current_key(prefix)
    if create:
        server.set(key, uuid.uuid4().hex, nx=True)
    value = server.get(key)
    return value.decode() if isinstance(value, bytes) else value


def push_seeds(server, prefix: str, seeds: Iterable[tuple[str, str]]) -> tuple[str, int]:
    """Queue (kind, url) seeds for the workers of the current crawl; kind is article, sitemap
    or feed. Returns the crawl key and how many were pushed."""
    crawl = current_crawl(server, prefix)
    entries = [json.dumps({"kind": kind, "url": url}) for kind, url in seeds]
    if entries:
        server.rpush(Keys(prefix, crawl).seeds, *entries)
    return crawl, len(entries)


def worker_name() -> str:
    return f"{socket.gethostname().split('.')[0] or 'localhost'}-{os.getpid()}-{uuid.uuid4().hex[:4]}"


def status(server, prefix: str = DEFAULT_PREFIX) -> dict[str, Any]:
    """What `archiver status` shows: the queue, the work in flight per worker, the errors."""
    crawl = current_crawl(server, prefix, create=False)
    if crawl is None:
        return {"crawl_key": None, "queued": 0, "seeds_waiting": 0, "seen": 0, "in_flight": 0,
                "workers": [], "errors": 0, "recent_errors": []}
    keys = Keys(prefix, crawl)
    workers = []
    for raw in sorted(server.smembers(keys.workers)):
        name = raw.decode()
        stats = {k.decode(): v.decode() for k, v in server.hgetall(keys.stats(name)).items()}
        alive = server.exists(keys.heartbeat(name)) == 1
        workers.append({
            "worker": name, "alive": alive, "in_flight": server.hlen(keys.pending(name)),
            "started": stats.get("started"), "last_seen": stats.get("last_seen"),
            "responses": int(stats.get("responses", 0)), "errors": int(stats.get("errors", 0)),
        })
    recent = [json.loads(e) for e in server.lrange(keys.errors, 0, 19)]
    return {
        "crawl_key": crawl,
        "queued": server.zcard(keys.requests),
        "seeds_waiting": server.llen(keys.seeds),
        "seen": server.scard(keys.dupefilter),
        "in_flight": sum(w["in_flight"] for w in workers),
        "workers": workers,
        "errors": int(server.get(keys.error_count) or 0),
        "recent_errors": recent,
    }


class RedisFrontier(Scheduler):
    @classmethod
    def from_crawler(cls, crawler):
        settings = crawler.settings
        server = connect(settings.get("ARCHIVER_REDIS_URL"))
        prefix = settings.get("ARCHIVER_REDIS_PREFIX") or DEFAULT_PREFIX
        keys = Keys(prefix, current_crawl(server, prefix))
        frontier = cls(server=server, persist=True, queue_key=keys.requests,
                       dupefilter=RFPDupeFilter(server, keys.dupefilter, settings.getbool("DUPEFILTER_DEBUG")))
        frontier.stats = crawler.stats
        frontier.crawler = crawler
        frontier.keys = keys
        frontier.worker = worker_name()
        frontier.ttl = settings.getfloat("ARCHIVER_WORKER_TTL")
        frontier.idle_wait = settings.getfloat("ARCHIVER_REDIS_IDLE_WAIT")
        frontier._pop = server.register_script(_POP)
        frontier._adopt = server.register_script(_ADOPT)
        frontier._quiet = server.register_script(_QUIET)
        frontier._release = server.register_script(_RELEASE)
        frontier._quiet_since = None
        frontier.claims = RedisClaims(server, keys.claims)
        set_frontier(crawler, frontier)
        crawler.signals.connect(frontier.spider_idle, signal=signals.spider_idle)
        return frontier

    # -- life of a worker -------------------------------------------------------------------

    def open(self, spider):
        self.spider = spider
        self.queue = PriorityQueue(self.server, spider, self.queue_key)
        # alive before it is listed: a worker listed without a heartbeat is taken for dead
        self._heartbeat()
        self.server.hset(self.keys.pending(self.worker), STARTING, b"")
        self.server.sadd(self.keys.workers, self.worker)
        self.server.hset(self.keys.stats(self.worker), mapping={
            "started": _iso(time.time()), "host": socket.gethostname(), "pid": os.getpid()})
        self.beat()
        self._beat = task.LoopingCall(self.beat)
        self._beat.start(HEARTBEAT_EVERY, now=False)
        logger.info("Worker %s joined crawl %s (%d requests queued)", self.worker, self.keys.crawl, len(self))

    def beat(self) -> None:
        """The worker is alive; its counters for `archiver status`; and a look for dead ones."""
        stats = self.stats.get_stats() if self.stats else {}
        self._heartbeat()
        self.server.hset(self.keys.stats(self.worker), mapping={
            "last_seen": _iso(time.time()),
            "responses": stats.get("response_received_count", 0),
            "errors": stats.get("archiver/frontier_errors", 0)})
        self.requeue_dead()

    def _heartbeat(self) -> None:
        self.server.set(self.keys.heartbeat(self.worker), "1", px=int(self.ttl * 1000))

    def close(self, reason):
        if getattr(self, "_beat", None) is not None and self._beat.running:
            self._beat.stop()
        left = self.server.hgetall(self.keys.pending(self.worker))
        left.pop(STARTING.encode(), None)
        if left and reason == "finished":
            # the engine is idle: these callbacks raised, and would raise again
            logger.warning("%d requests whose callback failed are not retried", len(left))
        elif left:
            # stopped early (Ctrl-C, a shutdown): hand the unfinished work back now
            for data in left.values():
                self.queue.push(self._requeued(data))
            logger.warning("Worker stopping: %d unfinished requests put back in the queue", len(left))
        self.server.delete(self.keys.pending(self.worker), self.keys.heartbeat(self.worker))
        self.server.srem(self.keys.workers, self.worker)
        if reason == "finished" and self.quiet():
            # the crawl is over: the next `crawl --redis` or `seed` starts a new one; its
            # frontier keys go (the index holds the record of what was done)
            self._release(keys=[current_key(self.keys.prefix)], args=[self.keys.crawl])
            for key in self.keys.all_keys(self.server):
                self.server.expire(key, 3600)

    # -- requests -----------------------------------------------------------------------------

    def enqueue_request(self, request):
        # scrapy-redis's, without the `spider` argument Scrapy 2.14+ deprecates
        if not request.dont_filter and self.df.request_seen(request):
            # a redirect to a page already fetched: the chain ends here, and with it the pending
            # entry it inherited (else the crawl never looks quiet)
            self.ack(request.meta.get(PENDING))
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def started(self) -> None:
        """The worker's own seeds are all queued (the spider's start() is done)."""
        self.ack(STARTING)

    def next_request(self):
        fp = uuid.uuid4().hex
        data = self._pop(keys=[self.queue_key, self.keys.pending(self.worker)], args=[fp])
        if not data:
            return None
        request = self.queue._decode_request(data)
        inherited = request.meta.get(PENDING)
        if inherited:  # a redirect or retry of a request: it now stands in for that one
            self.ack(inherited)
        request.meta[PENDING] = fp
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def ack(self, fp: str | None) -> None:
        if fp:
            self.server.hdel(self.keys.pending(self.worker), fp)

    def report_error(self, url: str, reason: str) -> None:
        if self.stats:
            self.stats.inc_value("archiver/frontier_errors")
        entry = json.dumps({"worker": self.worker, "url": url, "reason": reason, "at": _iso(time.time())})
        self.server.incr(self.keys.error_count)
        self.server.lpush(self.keys.errors, entry)
        self.server.ltrim(self.keys.errors, 0, ERRORS_KEPT - 1)

    def _requeued(self, data: bytes) -> Request:
        request = self.queue._decode_request(data)
        request.meta.pop(PENDING, None)
        request.meta[REQUEUED] = True
        request.dont_filter = True  # its fingerprint is in the filter already
        return request

    def requeue_dead(self) -> int:
        """Put back in the queue what dead workers had taken and not finished."""
        moved = 0
        for raw in self.server.smembers(self.keys.workers):
            name = raw.decode()
            if name == self.worker or self.server.exists(self.keys.heartbeat(name)):
                continue
            items = self._adopt(keys=[self.keys.pending(name), self.keys.pending(self.worker)])
            for fp, data in zip(items[::2], items[1::2]):
                if fp == STARTING.encode():
                    continue
                self.queue.push(self._requeued(data))
                self.server.hdel(self.keys.pending(self.worker), fp)
                moved += 1
            self.server.srem(self.keys.workers, name)
            if items:
                logger.warning("Worker %s stopped answering: %d of its requests put back in the queue",
                               name, len(items) // 2)
                self.report_error("", f"worker {name} died; {len(items) // 2} requests requeued")
        if moved and self.stats:
            self.stats.inc_value("archiver/frontier_requeued", moved)
        return moved

    def quiet(self) -> bool:
        return bool(self._quiet(keys=[self.queue_key, self.keys.seeds, self.keys.workers],
                                args=[self.keys.pending_prefix]))

    def take_seeds(self, limit: int = 1000) -> list[tuple[str, str]]:
        seeds = []
        for _ in range(limit):
            raw = self.server.lpop(self.keys.seeds)
            if raw is None:
                break
            try:
                entry = json.loads(raw)
                seeds.append((entry.get("kind", "article"), entry["url"]))
            except (ValueError, KeyError, TypeError):
                logger.warning("Ignored a malformed seed in Redis: %r", raw[:200])
        return seeds

    def spider_idle(self, spider):
        """This worker has nothing to do: take seeds, rescue dead workers' work, and stop
        only when the whole crawl is quiet (and has been for ARCHIVER_REDIS_IDLE_WAIT)."""
        engine = self.crawler.engine
        # Idle means nothing of ours is downloading or being scraped: any entry still pending is a
        # request that ended where no acknowledgement reached (dropped by a filter or a signal).
        stale = [fp for fp in self.server.hkeys(self.keys.pending(self.worker)) if fp != STARTING.encode()]
        if stale:
            self.server.hdel(self.keys.pending(self.worker), *stale)
            logger.info("%d finished requests had no acknowledgement; released", len(stale))
        seeds = self.take_seeds()
        for kind, url in seeds:
            for request in spider.seed_requests(kind, url):
                engine.crawl(request)
        self.requeue_dead()
        if seeds or len(self) or not self.quiet():
            self._quiet_since = None
            raise DontCloseSpider
        self._quiet_since = self._quiet_since or time.monotonic()
        if time.monotonic() - self._quiet_since < self.idle_wait:
            raise DontCloseSpider


def _iso(moment: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment))


class FrontierAckMiddleware:
    """Spider middleware: a request leaves its worker's pending hash once its callback has run to
    the end (its items indexed, the requests it led to queued). The requests it yields must not
    carry its pending entry with them (a spider may copy response.meta)."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _strip(self, result):
        if isinstance(result, Request):
            result.meta.pop(PENDING, None)
            result.meta.pop(REQUEUED, None)
        return result

    def process_spider_output(self, response, result, spider=None):
        for item in result:
            yield self._strip(item)
        self._done(response)

    async def process_spider_output_async(self, response, result, spider=None):
        async for item in result:
            yield self._strip(item)
        self._done(response)

    def process_spider_exception(self, response, exception, spider=None):
        frontier = frontier_of(self.crawler)
        if frontier is not None:
            frontier.report_error(response.url, f"callback failed: {exception!r}")
            frontier.ack(response.meta.get(PENDING))
        return None

    def _done(self, response) -> None:
        frontier = frontier_of(self.crawler)
        if frontier is not None:
            frontier.ack(response.meta.get(PENDING))
