"""Once per crawl: the first to claim a key (an article, a cited page, a Wayback lookup) does the
work. One process keeps a set; the workers of a shared crawl ask Redis (archiver/frontier.py)."""
from __future__ import annotations

# request.meta: the pending entry (in its worker's Redis hash) that a request stands for
PENDING = "frontier_fp"
# request.meta of a request a dead worker had taken and another put back in the queue: the spider
# reconciles it with the index instead of trusting the claims (the dead worker holds them)
REQUEUED = "frontier_requeued"
# where a `crawl --redis` worker keeps its frontier (archiver/frontier.py) on the crawler
_FRONTIER_ATTR = "_embed_archiver_frontier"


def frontier_of(crawler):
    """The crawl's shared Redis frontier, or None for a crawl of one process."""
    return getattr(crawler, _FRONTIER_ATTR, None)


def set_frontier(crawler, frontier) -> None:
    setattr(crawler, _FRONTIER_ATTR, frontier)


class LocalClaims:
    def __init__(self):
        self._seen: dict[str, set[str]] = {}

    def claim(self, kind: str, key: str) -> bool:
        seen = self._seen.setdefault(kind, set())
        if key in seen:
            return False
        seen.add(key)
        return True


class RedisClaims:
    """SADD answers who was first, across every worker of the crawl."""

    def __init__(self, server, key_of_kind):
        self.server, self.key_of_kind = server, key_of_kind

    def claim(self, kind: str, key: str) -> bool:
        return self.server.sadd(self.key_of_kind(kind), key) == 1
