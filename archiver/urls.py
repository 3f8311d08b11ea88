"""URL helpers shared by extraction, capture and the index: one place for canonical forms."""
from __future__ import annotations

import functools
import ipaddress
import re
from urllib.parse import quote_from_bytes, unquote_to_bytes, urljoin, urlsplit, urlunsplit

import tldextract
from w3lib.url import canonicalize_url

# Query parameters that only track the reader; dropped from canonical URLs.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref_src", "ref_url",
    "cmpid", "ncid", "ocid", "_ga", "yclid", "guccounter", "at_medium",
    "at_campaign", "wt_mc", "utm", "twsrc", "spm", "si", "feature",
})

# The public suffix list bundled with tldextract, never fetched at run time. Private suffixes
# count (x.github.io and y.github.io are different sites); Scrapy's cookie middleware uses it too.
OFFLINE_SUFFIXES = tldextract.TLDExtract(suffix_list_urls=(), include_psl_private_domains=True, cache_dir=None)


@functools.lru_cache(maxsize=4096)
def _is_tracking(name: str) -> bool:
    # cached: pages repeat the same few parameter names
    name = name.lower()
    return name in TRACKING_PARAMS or name.startswith(("utm_", "__twitter", "at_"))


# Characters after which urljoin may not give an absolute URL back as it is: removed (\t\r\n),
# moved (; starts "params"), checked (brackets of IPv6 hosts) or NFKC-checked (non-ASCII hosts).
_JOIN_CHANGES = re.compile(r"[\t\r\n;\[\]]|[^\x00-\x7f]")


def _unchanged_by_join(url: str) -> bool:
    """True when urljoin(base, url) is url itself for an http(s) URL: it splits and re-joins such
    a URL, which changes nothing unless the host is empty, a '?' or '#' ends an empty part (it is
    dropped) or one of _JOIN_CHANGES occurs. Checking costs far less than urljoin."""
    rest = url[url.index("//") + 2:]
    if not rest or rest[0] in "/?#" or _JOIN_CHANGES.search(url):
        return False
    head, hash_, fragment = url.partition("#")
    if hash_ and not fragment:
        return False
    _, mark, query = head.partition("?")
    return not (mark and not query)


def absolute(href: str, base: str) -> str | None:
    """Resolve href against base; None for non-http(s) targets (mailto:, javascript:, ...)."""
    href = (href or "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    if href.startswith(("http://", "https://")) and _unchanged_by_join(href):
        return href
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None


_ODD_NETLOC = re.compile(r"[:@ \t\n\\]")  # a port, credentials or junk: urlsplit must read the host


def canonical(url: str) -> str:
    """Canonical form of a URL for de-duplication: tracking parameters and fragment dropped,
    host lowercased, default port dropped. Query order is kept (it can matter to servers)."""
    scheme, sep, rest = url.strip().partition("://")
    if sep and scheme in ("http", "https"):
        # the common case by string operations (urlsplit costs more than all the rest of a link):
        # a plain lowercase host (no port, credentials or trailing dot) followed by a path
        rest = rest.partition("#")[0]
        head, mark, query = rest.partition("?")
        netloc, slash, _ = head.partition("/")
        if slash and netloc.islower() and not _ODD_NETLOC.search(netloc) and not netloc.endswith("."):
            query = _clean_query(query)
            return f"{scheme}://{head}?{query}" if query else f"{scheme}://{head}"
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    if parts.scheme not in ("http", "https"):
        return url
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:  # "host:name" or a port out of range: no canonical form to give
        return url
    port = port if port and port != {"http": 80, "https": 443}[parts.scheme] else None
    netloc = f"[{host}]" if ":" in host else host
    if port:
        netloc += f":{port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", _clean_query(parts.query), ""))


def _clean_query(query: str) -> str:
    if not query:
        return query
    return "&".join(q for q in query.split("&") if q and not _is_tracking(q.split("=", 1)[0]))


# A host name with a letter first in its last label, or four decimal numbers: no IDNA, no IPv4 forms
# to normalise (127.1, 0x7f.0.0.1). Then a port written as a number. (Shared with warc/cdxj.py.)
_BYTE = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
PLAIN_HOST_PORT = rf"((?:[a-z0-9-]+\.)*[a-z][a-z0-9-]*|(?:{_BYTE}\.){{3}}{_BYTE})(?::([1-9][0-9]{{0,4}}))?"
# A query of unreserved characters, '+' and whole percent escapes: what platforms' API and oEmbed
# queries are made of. (Shared with warc/cdxj.py.)
PLAIN_QUERY = r"[\w.~=&+-]*(?:%[0-9A-Fa-f]{2}[\w.~=&+-]*)*"
# A URL that w3lib's canonicalize_url only reorders and re-escapes: a plain host, a path of
# unreserved characters and a plain query; checked further in w3lib_form.
_PLAIN_KEY = re.compile(rf"https?://{PLAIN_HOST_PORT}/[\w.~/-]*(?:\?{PLAIN_QUERY})?", re.ASCII)


def _unquote_plus(text: str) -> bytes:
    return unquote_to_bytes(text.replace("+", " "))


def _quote_plus(data: bytes) -> str:
    # urllib's quote_plus, in one call instead of three (a space is kept, then made a '+')
    return quote_from_bytes(data, " ").replace(" ", "+")


def w3lib_form(url: str) -> str:
    """w3lib's canonicalize_url(url) (fragment dropped), worked out by string operations for the
    URLs _PLAIN_KEY takes (w3lib takes 20-40 us a URL; tests/test_url_keys.py compares the two).
    Its query rule: the empty fields dropped, each name and value decoded ('+' is a space), the
    pairs sorted as bytes, then encoded again leaving only unreserved characters as they are."""
    plain = _PLAIN_KEY.fullmatch(url)
    if plain and "/." not in url and int(plain[2] or 0) <= 65535:  # no dot segment, a real port
        head, _, query = url.partition("?")
        pairs = sorted((_unquote_plus(name), _unquote_plus(value))
                       for name, _, value in (field.partition("=") for field in query.split("&") if field))
        if not pairs:
            return head
        return head + "?" + "&".join(f"{_quote_plus(name)}={_quote_plus(value)}" for name, value in pairs)
    try:
        return canonicalize_url(url, keep_fragments=False)
    except ValueError:  # w3lib refuses some hosts and ports; such a URL is its own key
        return url


@functools.lru_cache(maxsize=4096)
def sort_key(url: str) -> str:
    """A stricter key for matching URLs to captures: the canonical form with its query sorted and
    percent-encoding normalised (`watch?v=a` and `watch?v=b` stay apart; `?b=1&a=2` and `?a=2&b=1` meet).
    Cached: a URL is often keyed twice in a row (a link, then its capture; an answer, then its
    revisit)."""
    return w3lib_form(canonical(url))


# A plain host (no credentials or escapes), perhaps a port: urlsplit's host name is the host as it is
_PLAIN_HOST = re.compile(rf"https?://{PLAIN_HOST_PORT}(?=[/?#]|\Z)")


def host_of(url: str) -> str:
    plain = _PLAIN_HOST.match(url)
    if plain:
        return plain[1]
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


@functools.lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """example.co.uk for www.news.example.co.uk; the address itself for an IP or a bare name."""
    host = host.lower().strip(".")
    try:
        ipaddress.ip_address(host.strip("[]"))
        return host
    except ValueError:
        pass
    ext = OFFLINE_SUFFIXES(host)
    return ext.top_domain_under_public_suffix or host
