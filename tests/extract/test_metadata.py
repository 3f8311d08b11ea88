"""Article metadata (ArticleMeta): JSON-LD (plain, @graph, Yoast @id references), OpenGraph only,
meta tags, <time> fallbacks, language and canonical URL."""
from __future__ import annotations

import json

import pytest

from archiver.extract import extract_strict

URL = "https://news.example.com/2025/03/16/story.html?utm_source=twitter"
TEXT = "<p>" + "The council met on Tuesday to discuss the budget and the new school plan. " * 6 + "</p>"


def meta_of(head: str, body: str = TEXT, html_attrs: str = "") -> object:
    html = f"<!DOCTYPE html><html{html_attrs}><head><meta charset='utf-8'>{head}</head><body><article>{body}</article></body></html>"
    return extract_strict(html.encode("utf-8"), URL).metadata


def ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def test_json_ld_news_article_with_person_list():
    m = meta_of('<title>Budget approved | Example News</title>' + ld({
        "@context": "https://schema.org", "@type": "NewsArticle", "headline": "Council approves the budget",
        "datePublished": "2025-03-16T09:30:00+01:00", "dateModified": "2025-03-16T14:05:00+01:00",
        "author": [{"@type": "Person", "name": "Ann Writer", "url": "https://news.example.com/authors/ann"},
                   {"@type": "Person", "name": "Bo Reporter"}],
        "publisher": {"@type": "NewsMediaOrganization", "name": "Example News"},
        "inLanguage": "en-GB"}) + '<link rel="canonical" href="https://news.example.com/2025/03/16/story.html">')
    assert m.title == "Council approves the budget"
    assert m.authors == ("Ann Writer", "Bo Reporter")
    assert m.published == "2025-03-16T09:30:00+01:00"
    assert m.modified == "2025-03-16T14:05:00+01:00"
    assert m.site_name == "Example News"          # from the publisher: no og:site_name on the page
    assert m.language == "en-GB"                  # from inLanguage: no <html lang>
    assert m.canonical_url == "https://news.example.com/2025/03/16/story.html"
    assert m.url == URL and m.is_article is True


def test_json_ld_graph_with_single_person_and_type_list():
    m = meta_of(ld({"@context": "https://schema.org", "@graph": [
        {"@type": "Organization", "@id": "https://news.example.com/#org", "name": "Example News Ltd"},
        {"@type": "WebPage", "@id": URL, "name": "Web page name"},
        {"@type": ["NewsArticle", "Article"], "headline": "Graph headline", "author": {"@type": "Person", "name": "Cy Author"},
         "datePublished": "2025-03-16T08:00:00Z", "dateModified": "2025-03-17T08:00:00Z"}]}),
        html_attrs=' lang="en"')
    assert m.title == "Graph headline"
    assert m.authors == ("Cy Author",)
    assert (m.published, m.modified) == ("2025-03-16T08:00:00Z", "2025-03-17T08:00:00Z")
    assert m.language == "en"


def test_json_ld_graph_authors_by_id_reference():
    """Yoast SEO (WordPress) writes the author as {"@id": ...} pointing to a Person node of the graph."""
    person = "https://news.example.com/#/schema/person/5f1e2d"
    m = meta_of(ld({"@context": "https://schema.org", "@graph": [
        {"@type": "NewsArticle", "@id": URL + "#article", "headline": "Yoast headline",
         "author": {"@id": person},
         "datePublished": "2025-03-16T07:00:00+00:00", "publisher": {"@id": "https://news.example.com/#organization"}},
        {"@type": "Organization", "@id": "https://news.example.com/#organization", "name": "Example News"},
        {"@type": "Person", "@id": person, "name": "Dee Journalist"}]}))
    assert m.title == "Yoast headline"
    assert m.authors == ("Dee Journalist",)
    assert m.site_name == "Example News"


def test_json_ld_author_as_string_and_broken_script_ignored():
    m = meta_of('<script type="application/ld+json">{"@type": "NewsArticle", broken</script>'
                + ld({"@type": "ReportageNewsArticle", "headline": "Second script", "author": "Eve Columnist",
                      "datePublished": "2025-01-02"}))
    assert (m.title, m.authors, m.published) == ("Second script", ("Eve Columnist",), "2025-01-02")


def test_opengraph_only():
    m = meta_of('<title>Page title | Example News</title>'
                '<meta property="og:type" content="article">'
                '<meta property="og:title" content="OG headline">'
                '<meta property="og:site_name" content="Example News">'
                '<meta property="og:url" content="https://news.example.com/2025/03/16/story.html">'
                '<meta property="og:locale" content="uk_UA">'
                '<meta property="article:published_time" content="2025-03-16T10:00:00+02:00">'
                '<meta property="article:modified_time" content="2025-03-16T11:30:00+02:00">'
                '<meta property="article:author" content="https://www.facebook.com/ann.writer">',
                body="<p>Short.</p>")
    assert m.title == "OG headline"
    assert m.site_name == "Example News"
    assert m.canonical_url == "https://news.example.com/2025/03/16/story.html"   # og:url when no <link rel=canonical>
    assert m.language == "uk-UA"
    assert m.published == "2025-03-16T10:00:00+02:00"
    assert m.modified == "2025-03-16T11:30:00+02:00"
    assert m.authors == ()                      # article:author is a profile URL, not a name
    assert m.is_article is True                 # og:type article


def test_meta_name_author_and_dates():
    m = meta_of('<title>Meta title</title><meta name="author" content="Ann Writer and Bo Reporter">'
                '<meta name="article:published_time" content="2024-12-01T06:00:00Z">'
                '<meta name="article:modified_time" content="2024-12-02T06:00:00Z">')
    assert m.title == "Meta title"
    assert m.authors == ("Ann Writer", "Bo Reporter")
    assert (m.published, m.modified) == ("2024-12-01T06:00:00Z", "2024-12-02T06:00:00Z")


def test_json_ld_wins_over_meta_tags():
    m = meta_of('<meta name="author" content="Meta Person"><meta property="og:title" content="OG title">'
                '<meta property="article:published_time" content="2020-01-01T00:00:00Z">'
                + ld({"@type": "NewsArticle", "headline": "LD title", "author": {"@type": "Person", "name": "LD Person"},
                      "datePublished": "2025-03-16T10:00:00Z"}))
    assert (m.title, m.authors, m.published) == ("LD title", ("LD Person",), "2025-03-16T10:00:00Z")


def test_time_datetime_fallback_for_published():
    m = meta_of("<title>T</title>", body='<p class="byline">By Ann Writer, <time datetime="2025-03-16T09:00:00Z">'
                'March 16, 2025</time></p>' + TEXT)
    assert m.published == "2025-03-16T09:00:00Z"
    assert m.modified is None


def test_time_elements_for_published_and_modified():
    m = meta_of("<title>T</title>", body=(
        '<p class="dateline">Updated <time itemprop="dateModified" datetime="2025-03-17T12:00:00Z">March 17</time> · '
        'Published <time itemprop="datePublished" datetime="2025-03-16T09:00:00Z">March 16</time></p>' + TEXT))
    assert m.published == "2025-03-16T09:00:00Z"
    assert m.modified == "2025-03-17T12:00:00Z"


@pytest.mark.parametrize("html_attrs,head,expected", [
    pytest.param(' lang="en-GB"', "", "en-GB", id="html-lang"),
    pytest.param(' lang="de"', '<meta property="og:locale" content="fr_FR">', "de", id="html-lang-wins-over-og-locale"),
    pytest.param("", '<meta property="og:locale" content="fr_FR">', "fr-FR", id="og-locale"),
    pytest.param("", '<meta http-equiv="content-language" content="es-ES">', "es-ES", id="content-language"),
    pytest.param("", "", None, id="none"),
])
def test_language(html_attrs, head, expected):
    assert meta_of(head, html_attrs=html_attrs).language == expected


@pytest.mark.parametrize("head,expected", [
    pytest.param('<link rel="canonical" href="/2025/03/16/story.html">', "https://news.example.com/2025/03/16/story.html",
                 id="relative"),
    pytest.param('<link rel="Canonical" href="https://news.example.com/canon.html">', "https://news.example.com/canon.html",
                 id="case-insensitive-rel"),
    pytest.param('<link rel="canonical" href="https://news.example.com/canon.html">'
                 '<meta property="og:url" content="https://news.example.com/og.html">', "https://news.example.com/canon.html",
                 id="link-wins-over-og-url"),
    pytest.param("", None, id="none"),
])
def test_canonical_url(head, expected):
    assert meta_of(head).canonical_url == expected


def test_site_name_sources():
    assert meta_of('<meta property="og:site_name" content="OG Site">').site_name == "OG Site"
    assert meta_of('<meta name="application-name" content="App Name">').site_name == "App Name"
    assert meta_of("").site_name is None


def test_title_fallbacks():
    assert meta_of("<title>  Spaced   title </title>").title == "Spaced title"
    assert meta_of('<meta name="twitter:title" content="Card title">').title == "Card title"
    assert meta_of("", body="<h1>Only an h1</h1>" + TEXT).title == "Only an h1"
