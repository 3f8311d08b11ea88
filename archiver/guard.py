"""The address guard: a crawler that follows links an article (or an attacker) chose must not
become a way into the user's own network.

By default every connection to a loopback, private, link-local (cloud metadata), shared,
multicast, reserved or unspecified address is refused, IPv4 and IPv6 alike, including IPv4
addresses wrapped in IPv6 (::ffff:10.0.0.1, 6to4, Teredo). Two layers, both on the address
actually used:
- a downloader middleware checks every request (seeds, links, redirect hops: each passes through
  it) on its IP literal or on what the name resolves to, and refuses it with a clear reason,
  which the recorder writes into the WARC like any other failure;
- the DNS resolver Scrapy connects through refuses the same answers, so a connection can never
  reach an address the middleware would have refused.
`--allow-private` (ARCHIVER_ALLOW_PRIVATE) turns the guard off; `--loopback-only` (the demo, the
tests) allows loopback and nothing else; ARCHIVER_ALLOW_ADDRESSES lets named networks through.
"""
from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.error import DNSLookupError

logger = logging.getLogger(__name__)

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
HINT = "(--allow-private allows it)"


class AddressRefused(IgnoreRequest):
    """A request refused by the address guard (the message says which address and why)."""


class RefusedAnswer(DNSLookupError):
    """The resolver's refusal of a DNS answer; `reason` says which address and why."""

    def __init__(self, name: str, reason: str):
        super().__init__(f"{name}: refused, {reason} {HINT}")
        self.reason = reason


def _kind(ip: Address) -> str | None:
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local (cloud metadata lives here)"
    if ip.is_multicast:
        return "multicast"
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "reserved or shared"
    return None


def _embedded_ipv4(ip: Address) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip.sixtofour:
            return ip.sixtofour
        if ip.teredo:
            return ip.teredo[1]
    return None


def refusal(address: str, *, allow_loopback: bool = False,
            allowed: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()) -> str | None:
    """Why a connection to `address` is refused, or None when it may go ahead."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%", 1)[0])
    except ValueError:
        return f"{address} is not an IP address"
    # an IPv4 address wrapped in IPv6 is judged as the IPv4 address it leads to (the wrappers'
    # own ranges, ::ffff:0:0/96 and 2002::/16, say nothing about where the traffic goes)
    candidate = _embedded_ipv4(ip) or ip
    if any(candidate in net for net in allowed):
        return None
    kind = _kind(candidate)
    if kind is None or (kind == "loopback" and allow_loopback):
        return None
    shown = f"{ip} ({candidate})" if candidate is not ip else str(ip)
    return f"{shown} is a {kind} address"


def _networks(values) -> tuple:
    return tuple(ipaddress.ip_network(v, strict=False) for v in values or ())


def _guard_settings(settings) -> dict | None:
    """The guard's options, or None when it is off."""
    if settings.getbool("ARCHIVER_ALLOW_PRIVATE"):
        return None
    return {"allow_loopback": settings.getbool("ARCHIVER_LOOPBACK_ONLY"),
            "allowed": _networks(settings.getlist("ARCHIVER_ALLOW_ADDRESSES"))}


class AddressGuardMiddleware:
    """Refuses a request whose host is, or resolves to, an address the guard does not allow."""

    def __init__(self, options: dict, crawler):
        self.options = options
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        options = _guard_settings(crawler.settings)
        if options is None:
            raise NotConfigured
        return cls(options, crawler)

    async def process_request(self, request, spider=None):
        host = urlsplit(request.url).hostname or ""
        try:
            addresses = [str(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            from twisted.internet import reactor
            try:
                addresses = [await maybe_deferred_to_future(reactor.resolve(host))]
            except RefusedAnswer as exc:  # the guarded resolver already judged the answer
                self._refuse(request, f"{host}: {exc.reason}")
            except Exception:  # noqa: BLE001 - the download itself reports a failed lookup
                return None
        for address in addresses:
            reason = refusal(address, **self.options)
            if reason:
                self._refuse(request, reason if address == host.strip("[]") else f"{host}: {reason}")
        return None

    def _refuse(self, request, reason: str):
        logger.warning("Refused %s: %s %s", request.url, reason, HINT)
        self.crawler.stats.inc_value("archiver/address_refused")
        raise AddressRefused(f"{reason} {HINT}")


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's resolver, refusing the answers the guard refuses: connections go where the
    middleware looked, whatever the DNS says by then."""

    def __init__(self, reactor, cache_size, timeout, options: dict | None = None):
        super().__init__(reactor, cache_size, timeout)
        self.options = options

    @classmethod
    def from_crawler(cls, crawler, reactor):
        resolver = super().from_crawler(crawler, reactor)
        resolver.options = _guard_settings(crawler.settings)
        return resolver

    def getHostByName(self, name, timeout=()):  # noqa: N802 - Twisted's interface
        deferred = super().getHostByName(name, timeout)
        if self.options is None:
            return deferred

        def check(address):
            reason = refusal(address, **self.options)
            if reason:
                raise RefusedAnswer(name, reason)
            return address

        return deferred.addCallback(check)
