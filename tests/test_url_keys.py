"""The fast paths of the URL keys give the libraries' answers: `sort_key` w3lib's canonicalize_url
(of the canonical form), `cdxj.key_for` the surt package's SURT (what pywb and cdxj-indexer look up),
`host_of` urlsplit's host name.
URLs are put together from parts chosen to sit on both sides of each fast path's conditions."""
from __future__ import annotations

from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st
from surt import surt
from w3lib.url import canonicalize_url

from archiver.urls import canonical, host_of, sort_key
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
              "http://127.0.0.2:40123/twitter.com/wartranslated/status/1901000000000000001"]
    import archiver.urls
    import archiver.warc.cdxj

    for url in common:
        assert archiver.urls._PLAIN_KEY.fullmatch(canonical(url)), url
        assert archiver.warc.cdxj.plain_surt(url) is not None, url
        assert archiver.urls._PLAIN_HOST.match(url), url
