"""The fast paths of the URL keys give the libraries' answers: `sort_key` w3lib's canonicalize_url
(of the canonical form), `w3lib_form` canonicalize_url itself, `cdxj.key_for` the surt package's
SURT (what pywb and cdxj-indexer look up), `host_of` urlsplit's host name, and the crawl's request
fingerprints Scrapy's.
URLs are put together from parts chosen to sit on both sides of each fast path's conditions."""
from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.utils.request import fingerprint
from surt import surt
from w3lib.url import canonicalize_url

from archiver.crawl import RequestFingerprints
from archiver.urls import canonical, host_of, sort_key, w3lib_form
from archiver.warc.cdxj import key_for

MANY = settings(max_examples=3000, deadline=None)

HOSTS = st.sampled_from([
    "example.com", "www.example.com", "www2.News.example.co.uk", "wwwx.example.com", "news0.example.com",
    "a-b.example", "-a.example", "a--b.example", "xn--bcher-kva.example", "EXAMPLE.COM", "example.com.",
    "127.0.0.1", "127.0.0.2", "127.1", "0x7f.0.0.1", "010.1.2.3", "256.1.1.1", "1.2.3.4.5", "1e3.example",
    "[::1]", "user:pw@example.com", "bücher.example", "a..b.example", "", "example", "9gag.com",
])
PORTS = st.sampled_from(["", ":80", ":443", ":8080", ":0", ":080", ":65535", ":99999", ":x"])
SEGMENTS = st.sampled_from([
    "a", "A", "story.html", "2025", "", ".", "..", ".well-known", "a_b", "a~b", "a-b", "a%20b", "a%2fb", "a b",
    "ü", "a;jsessionid=0123456789abcdef0123456789ABCDEF", "(S(abcdefghijklmnopqrstuvwx))", "x.aspx",
    "a+b", "a:b", "a@b", "a,b", "a'b", "a*b", "a!b", "a$b", "a(b)", "a=b",
])
PARAMS = st.sampled_from([
    "a=1", "b=2", "A=1", "a=B", "a", "a=", "=1", "", "a=1=2", "v=dQw4w9WgXcQ", "utm_source=x", "fbclid=1",
    "sid=0123456789abcdef0123456789abcdef", "jsessionid=0123456789abcdef0123456789abcdef", "sid=1",
    "PHPSESSID=0123456789abcdef0123456789abcdef", "cfid=1&cftoken=2", "q=a+b", "q=a%20b", "q=%41", "q=a b",
    "q=ü", "q=a?b", "q=/", "q=a.b_c~d-e", "x=1;y=2", "q=a:b",
    # percent escapes as platforms' API and oEmbed queries have them, and their odd cases
    "url=https%3A%2F%2Ftwitter.com%2Fa%2Fstatus%2F1", "features=a%3A%3Bb%3Atrue%3B", "q=%7e%7E", "q=%2525",
    "q=%26b%3D1", "q=%e2%82%AC", "q=%C3", "q=%23", "q=%25", "q=%2B+%20", "a%3Db=1", "q=%zz", "q=%4", "%3D=%3d",
    "x=%73id%3D0123456789abcdef0123456789abcdef", "Q=%2F",
])


@st.composite
def urls(draw):
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "ftp"]))
    path = "/".join(draw(st.lists(SEGMENTS, max_size=5)))
    path = draw(st.sampled_from(["/", "//", ""])) + path + draw(st.sampled_from(["", "/"]))
    query = "&".join(draw(st.lists(PARAMS, max_size=5)))
    mark = draw(st.sampled_from(["?", "?", ""])) if query else draw(st.sampled_from(["?", ""]))
    fragment = draw(st.sampled_from(["", "#", "#top"]))
    around = draw(st.sampled_from(["", "", " ", "\n", "\t"]))
    return f"{scheme}://{draw(HOSTS)}{draw(PORTS)}{path}{mark}{query}{fragment}{around}"


@st.composite
def urns(draw):
    # the index's own URNs (posts, an article's references) and near misses
    scheme = draw(st.sampled_from(["urn", "URN", "urn"]))
    parts = draw(st.lists(st.sampled_from([
        "embed-archiver", "post", "twitter", "1901000000000000001", "Bluesky", "3la-04ijp_26g", "war_monitor/10006",
        "references", "http", "//127.0.0.1", "43437/news/2025/a.html", "a.b", "", "a b", "a%41", "a?b=1", "a#b",
    ]), min_size=1, max_size=6))
    return scheme + ":" + ":".join(parts)


def w3lib_key(url: str) -> str:
    key = canonical(url)
    try:
        return canonicalize_url(key, keep_fragments=False)
    except ValueError:
        return key


def surt_key(url: str) -> str:
    try:
        return surt(url)
    except Exception:
        return url


@MANY
@given(urls())
def test_sort_key_is_w3lib_canonical_form(url):
    assert sort_key(url) == w3lib_key(url)


@MANY
@given(urls())
def test_key_for_is_surt(url):
    assert key_for(url) == surt_key(url)


@MANY
@given(urns())
def test_key_for_is_surt_for_urns(urn):
    assert key_for(urn) == surt_key(urn)


@MANY
@given(urls())
def test_w3lib_form_is_canonicalize_url(url):
    # as Scrapy's request fingerprint canonicalises a URL: not put in canonical form first
    try:
        expected = canonicalize_url(url, keep_fragments=False)
    except ValueError:
        expected = url
    assert w3lib_form(url) == expected


@MANY
@given(urls())
def test_host_of_is_urlsplits_host(url):
    try:
        expected = (urlsplit(url).hostname or "").lower()
    except ValueError:
        expected = ""
    assert host_of(url) == expected


def test_the_fast_paths_take_the_common_urls():
    # the forms a crawl writes most (a page, a platform's API with its query, an endpoint with a
    # port): had the fast paths' conditions become too strict, these would still pass the tests above
    common = ["https://www.example.com/2025/03/16/story-1.html",
              "https://cdn.syndication.twimg.com/tweet-result?id=1901000000000000001&token=a1b2",
              "http://127.0.0.2:40123/twitter.com/wartranslated/status/1901000000000000001",
              "https://publish.twitter.com/oembed?url=https%3A%2F%2Ftwitter.com%2Fa%2Fstatus%2F1&omit_script=1",
              "https://www.youtube.com/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3Dv0&format=json"]
    import archiver.urls
    import archiver.warc.cdxj

    for url in common:
        assert archiver.urls._PLAIN_KEY.fullmatch(canonical(url)), url
        assert archiver.warc.cdxj.plain_surt(url) is not None, url
        assert archiver.urls._PLAIN_HOST.match(url), url
    assert archiver.warc.cdxj.plain_surt("urn:embed-archiver:post:twitter:1901000000000000001") is not None


@MANY
@given(urls(), st.sampled_from(["GET", "POST", "HEAD"]), st.sampled_from([b"", b"a=1", b"\x00\xff"]),
       st.booleans())
def test_request_fingerprints_are_scrapys(url, method, body, verbatim):
    # the duplicate filter's (and a shared frontier's) fingerprints, computed faster, are Scrapy's
    try:
        request = Request(url.strip(), method=method, body=body, meta={"verbatim_url": True} if verbatim else {})
    except ValueError:  # Scrapy refuses the URL (no scheme it knows): nothing to fingerprint
        return
    assert RequestFingerprints().fingerprint(request) == fingerprint(request)
