"""The project's two seed texts rendered as simple HTML; bad input; encodings; the module CLI."""
from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from archiver.extract import extract, extract_strict

from .conftest import FIXTURES, PAGE_URL


def test_seed1_plain_text_tweets_and_credits():
    refs = extract((FIXTURES / "seed1.html").read_bytes(), "https://seed.example/2025/03/16/a")
    tweets = [e for e in refs.embeds if e.platform == "twitter"]
    assert [e.handle for e in tweets] == ["wartranslated", "UkrReview"]
    for e in tweets:
        assert e.shape == "text" and e.url is None and e.post_id is None
        assert e.claim_date == "March 16, 2025"
    assert tweets[0].claim_author == "WarTranslated"
    assert tweets[0].resolve_url == "https://pic.twitter.com/gnQ2SJcZjv"
    assert tweets[0].claim_text.endswith("pic.twitter.com/gnQ2SJcZjv")
    assert tweets[1].resolve_url == "https://pic.twitter.com/lGWwoDFV5E"
    named = {m.name for m in refs.mentions if not m.unnamed}
    assert named == {"The Guardian", "The Times"}
    unnamed = [m.surface for m in refs.mentions if m.unnamed]
    assert unnamed == ["several French newspapers"]


def test_seed2_credits_cnn():
    refs = extract((FIXTURES / "seed2.html").read_bytes(), "https://seed.example/2025/03/16/b")
    assert [m.name for m in refs.mentions] == ["CNN"]
    assert refs.mentions[0].cue == "told"
    assert refs.embeds == ()


@pytest.mark.parametrize("data", [
    b"", b"   \n ", b"\x00\xff", b"\x00" * 1000, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
    b"\x89PNG\r\n\x1a\n\x00\x00", b"<<<>>>", b"<html", b"</p></div>", "plain text only".encode(),
    b"<?xml version='1.0' encoding='utf-8'?><rss><channel><item>x</item></channel></rss>",
], ids=["empty", "blank", "ff", "nuls", "pdf", "png", "brackets", "open-tag", "close-tags", "text", "xml"])
def test_garbage_input_gives_a_valid_result(data):
    refs = extract(data, PAGE_URL)
    assert refs.url == PAGE_URL
    assert refs.embeds == () and refs.mentions == ()
    json.dumps(refs.to_json())  # serialisable


def test_empty_and_binary_are_not_articles():
    assert extract(b"", PAGE_URL).metadata.is_article is False
    assert extract(b"%PDF-1.4 ...", PAGE_URL).metadata.is_article is False


def test_deeply_nested_divs_do_not_raise_or_hang():
    depth = 5 * 1024 * 1024 // 6 + 1
    html = b"<html><body>" + b"<div>x" * depth + b"</div>" * 10 + b"</body></html>"
    assert len(html) >= 5 * 1024 * 1024
    start = time.process_time()
    refs = extract_strict(html, PAGE_URL)
    assert time.process_time() - start < 30
    assert refs.embeds == () and refs.links == ()


def test_declared_charset_is_used():
    html = ('<html><head><meta charset="iso-8859-1"></head><body><article><p>'
            + "Le gouvernement prépare une réforme de l'école, selon Le Monde. " * 3
            + "</p></article></body></html>").encode("latin-1")
    refs = extract(html, PAGE_URL)
    assert {m.name for m in refs.mentions} == {"Le Monde"} and len(refs.mentions) == 3  # one per sentence
    assert "prépare" in refs.mentions[0].sentence


def test_utf16_bom_is_used():
    html = ("<html><body><article><p>" + "Die Regierung plant ein Gesetz, berichtet der Spiegel. " * 3
            + "</p></article></body></html>").encode("utf-16")
    assert {m.name for m in extract(html, PAGE_URL).mentions} == {"Der Spiegel"}


def test_invalid_utf8_is_replaced_not_fatal():
    html = b"<html><body><article><p>Caf\xe9 \xff\xfe news, according to Reuters, came today. " * 3 + b"</p></article></body></html>"
    refs = extract(html, PAGE_URL)
    assert {m.name for m in refs.mentions} == {"Reuters"}
    assert "\ufffd" in refs.mentions[0].sentence


def test_str_input_is_accepted():
    refs = extract("<html><body><article><p>Officials told the BBC it was over.</p></article></body></html>", PAGE_URL)
    assert [m.name for m in refs.mentions] == ["BBC"]


def test_module_cli_prints_json(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes((FIXTURES / "seed1.html").read_bytes())
    out = subprocess.run([sys.executable, "-m", "archiver.extract", str(page), "--url", "https://seed.example/a",
                          "--json"], capture_output=True, text=True, check=True)
    data = json.loads(out.stdout)
    assert set(data) >= {"embeds", "links", "mentions", "metadata", "unnamed_sources"}
    assert {m["name"] for m in data["mentions"]} == {"The Guardian", "The Times"}
    assert data["unnamed_sources"][0]["surface"] == "several French newspapers"
    assert [e["handle"] for e in data["embeds"]] == ["wartranslated", "UkrReview"]


def test_module_cli_reports_a_missing_file(tmp_path):
    out = subprocess.run([sys.executable, "-m", "archiver.extract", str(tmp_path / "nope.html"), "--url", "https://x.example/"],
                         capture_output=True, text=True)
    assert out.returncode == 1 and "cannot read" in out.stderr and "Traceback" not in out.stderr


def test_to_json_keeps_model_fields():
    refs = extract((FIXTURES / "seed2.html").read_bytes(), "https://seed.example/b")
    data = refs.to_json()
    assert data["mentions"][0]["kind"] == "mention" and data["mentions"][0]["surface"] == "CNN"
    assert data["metadata"]["title"] == "Seed 2"
