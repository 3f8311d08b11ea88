"""Property-based tests (hypothesis): extraction and the WARC reader take whatever they are
given, mutated pages and damaged records included, and answer without an exception escaping."""
from __future__ import annotations

import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archiver.errors import WarcError
from archiver.extract import extract
from archiver.model import ArticleRefs
from archiver.urls import canonical, sort_key
from archiver.warc.reader import read_record
from archiver.warc.writer import HttpExchange, WarcWriter

SEED = (Path(__file__).parent / "extract" / "fixtures" / "seed1.html").read_bytes()
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TAGS = ["p", "div", "article", "blockquote", "iframe", "a", "script", "amp-twitter", "figure", "noscript", "time"]
ATTRS = ["class", "href", "src", "data-src", "data-tweet-id", "cite", "srcdoc", "itemprop", "datetime", "id"]
VALUES = st.sampled_from(["twitter-tweet", "instagram-media", "https://twitter.com/a/status/1700000000000000001",
                          "https://t.co/x", "//www.youtube.com/embed/dQw4w9WgXcQ", "articleBody", "",
                          "javascript:alert(1)", "https://[::1", "\x00", "ü" * 3, "a" * 300])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


@st.composite
def markup(draw, depth=0):
    if depth > 3 or draw(st.booleans()):
        return draw(TEXT).replace("<", "&lt;")
    tag = draw(st.sampled_from(TAGS))
    attrs = " ".join(f'{draw(st.sampled_from(ATTRS))}="{draw(VALUES)}"' for _ in range(draw(st.integers(0, 3))))
    inner = "".join(draw(markup(depth + 1)) for _ in range(draw(st.integers(0, 3))))
    close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}"]))  # well-formed, unclosed, broken
    return f"<{tag} {attrs}>{inner}{close}"


@FAST
@given(st.binary(max_size=4096))
def test_extract_takes_any_bytes(data):
    assert isinstance(extract(data, "https://news.example.com/a"), ArticleRefs)


@FAST
@given(st.lists(markup(), max_size=8))
def test_extract_takes_any_markup(parts):
    page = "<html><body><article>" + "".join(parts) + "</article></body></html>"
    refs = extract(page.encode("utf-8", "surrogatepass"), "https://news.example.com/a")
    assert isinstance(refs, ArticleRefs)
    assert len({(e.platform, e.post_id) for e in refs.embeds if e.post_id}) == len([e for e in refs.embeds if e.post_id])


@FAST
@given(st.integers(0, len(SEED) - 1), st.binary(min_size=1, max_size=64), st.integers(0, 3))
def test_extract_takes_a_mutated_real_page(at, junk, how):
    if how == 0:
        page = SEED[:at] + junk + SEED[at:]          # inserted
    elif how == 1:
        page = SEED[:at] + junk + SEED[at + len(junk):]  # overwritten
    elif how == 2:
        page = SEED[:at]                                # truncated
    else:
        page = SEED[:at] + SEED[at + 200:]              # a slice cut out
    assert isinstance(extract(page, "https://news.example.com/a"), ArticleRefs)


@FAST
@given(st.text(max_size=200))
def test_url_helpers_take_any_string(text):
    assert isinstance(canonical(text), str)
    for url in ("https://example.com/" + text, "http://" + text, "https://host:" + text + "/x"):
        assert isinstance(canonical(url), str)
        assert isinstance(sort_key(url), str)  # every URL a page links to must get an index key


def one_record(tmp_path_factory) -> tuple[bytes, Path]:
    folder = tmp_path_factory.mktemp("rec")
    writer = WarcWriter(folder / "warcs", folder / "idx")
    exchange = HttpExchange(url="https://example.com/p", method="GET", request_target="/p",
                            request_headers=[("Host", "example.com")], request_body=b"", status=200,
                            response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                            body=__import__("gzip").compress(b"<p>hello</p>" * 50), ip_address="127.0.0.1",
                            date="2025-03-16T10:00:00.000000Z", protocol="HTTP/1.1")
    written, _ = writer.write_exchange(exchange)
    path = writer.close()
    data = path.read_bytes()
    return data[written.offset:written.offset + written.length], folder


RECORD = None


@FAST
@given(st.integers(0, 10_000), st.binary(min_size=1, max_size=32), st.booleans())
def test_the_reader_answers_a_damaged_record_with_a_clear_error(tmp_path_factory, at, junk, truncate):
    global RECORD
    if RECORD is None:
        RECORD = one_record(tmp_path_factory)
    record, folder = RECORD
    at %= len(record)
    damaged = record[:at] if truncate else record[:at] + junk + record[at + len(junk):]
    path = folder / "damaged.warc.gz"
    path.write_bytes(damaged)
    try:
        stored = read_record(path, 0, len(damaged))
    except WarcError as exc:
        assert str(exc)  # one clear line for the user
    else:
        assert stored.record_type
