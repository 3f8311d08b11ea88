"""Outbound links of the body, and article metadata."""
from __future__ import annotations

from archiver.extract import extract_strict

from .conftest import PAGE_URL

TWEET = ('<blockquote class="twitter-tweet"><p>Look <a href="https://t.co/inside1">https://t.co/inside1</a></p>'
         '&mdash; A (@a_user) <a href="https://twitter.com/a_user/status/1700000000000000009">May 1, 2024</a></blockquote>')


def test_body_links_are_absolute_as_written_deduplicated_by_canonical_form_and_classified(run):
    refs = run(
        '<p>The report (<a href="https://www.gov.example/report.pdf?utm_source=tw">PDF</a>) was '
        '<a href="https://www.bbc.co.uk/news/world-1?utm_medium=social&amp;id=7#section">covered widely</a>. '
        'See also <a href="/2025/03/15/earlier.html">our earlier story</a> and '
        '<a href="https://twitter.com/someone/status/1700000000000000001?ref_src=twsrc%5Etfw">this post</a>.</p>'
        '<p>Again <a href="https://www.bbc.co.uk/news/world-1?id=7">the BBC piece</a>.</p>')
    by_canonical = {link.canonical: link for link in refs.links}
    assert len(refs.links) == 4  # the BBC piece twice, under other tracking parameters: one link
    assert set(by_canonical) == {
        "https://www.gov.example/report.pdf",
        "https://www.bbc.co.uk/news/world-1?id=7",
        "https://news.example.com/2025/03/15/earlier.html",
        "https://twitter.com/someone/status/1700000000000000001",
    }
    pdf = by_canonical["https://www.gov.example/report.pdf"]
    bbc = by_canonical["https://www.bbc.co.uk/news/world-1?id=7"]
    # the URL a reader's click requests (fragment dropped) is kept: that is what replay looks up
    assert pdf.url == "https://www.gov.example/report.pdf?utm_source=tw"
    assert bbc.url == "https://www.bbc.co.uk/news/world-1?utm_medium=social&id=7"
    assert by_canonical["https://news.example.com/2025/03/15/earlier.html"].url == \
        "https://news.example.com/2025/03/15/earlier.html"
    assert pdf.link_kind == "document"
    assert bbc.link_kind == "page"
    assert bbc.anchor_text == "covered widely"
    assert "covered widely" in bbc.sentence
    assert by_canonical["https://news.example.com/2025/03/15/earlier.html"].link_kind == "internal"
    assert by_canonical["https://twitter.com/someone/status/1700000000000000001"].link_kind == "post"
    positions = [link.position for link in refs.links]
    assert positions == sorted(positions)


def test_base_href_is_respected():
    html = b"""<html><head><base href="https://cdn.example.net/articles/"></head><body><article>
    <p>Some words of text to make this the body of the article, long enough to count here.
    <a href="sources/list.html">sources</a></p></article></body></html>"""
    refs = extract_strict(html, PAGE_URL)
    assert [link.url for link in refs.links] == ["https://cdn.example.net/articles/sources/list.html"]


def test_share_links_chrome_and_embed_links_are_excluded(run):
    refs = run(
        '<p>Read <a href="https://www.example.org/study">the study</a>.</p>' + TWEET +
        '<div class="share-buttons"><a href="https://www.facebook.com/sharer/sharer.php?u=x">Share</a>'
        '<a href="https://www.example.org/share-box-link">Box</a></div>'
        '<p><a href="https://twitter.com/intent/tweet?url=x">Tweet this</a> '
        '<a href="mailto:desk@news.example.com">Mail us</a> <a href="https://t.me/share/url?url=x">Telegram</a> '
        '<a href="https://www.linkedin.com/shareArticle?url=x">LinkedIn</a> '
        '<a href="https://reddit.com/submit?url=x">Reddit</a> <a href="https://wa.me/?text=x">WhatsApp</a></p>'
        '<aside class="related-stories"><a href="https://www.example.org/related">Related</a></aside>')
    urls = [link.url for link in refs.links]
    assert urls == ["https://www.example.org/study"]


def test_nav_and_footer_links_are_not_body_links(run):
    refs = run('<p>Body <a href="https://www.example.org/cited">cited</a>.</p>')
    urls = [link.url for link in refs.links]
    assert "https://www.example.org/partner" not in urls  # nav
    assert "https://twitter.com/examplenews" not in urls  # footer
    assert urls == ["https://www.example.org/cited"]


def test_metadata_from_json_ld_and_meta_tags():
    html = """<html lang="de-DE"><head><title>Fallback title</title>
    <link rel="canonical" href="/2025/03/16/story.html">
    <meta property="og:site_name" content="Example News"><meta property="og:type" content="article">
    <meta name="parsely-pub-date" content="2025-01-01T00:00:00Z">
    <script type="application/ld+json">{"@context": "https://schema.org", "@graph": [
      {"@type": "WebSite", "name": "Example"},
      {"@type": "NewsArticle", "headline": "Real headline", "datePublished": "2025-03-16T10:00:00Z",
       "dateModified": "2025-03-16T12:00:00Z", "author": [{"@type": "Person", "name": "Ann Writer"},
       {"@type": "Person", "name": "Bo Reporter"}]}]}</script></head>
    <body><article><p>Text.</p></article></body></html>""".encode()
    meta = extract_strict(html, "https://news.example.com/x?utm_source=a").metadata
    assert meta.title == "Real headline"
    assert meta.canonical_url == "https://news.example.com/2025/03/16/story.html"
    assert meta.site_name == "Example News"
    assert meta.authors == ("Ann Writer", "Bo Reporter")
    assert meta.published == "2025-03-16T10:00:00Z" and meta.modified == "2025-03-16T12:00:00Z"
    assert meta.language == "de-DE" and meta.is_article


def test_metadata_fallbacks_and_non_article():
    html = b"""<html><head><title> Section front </title><meta property="og:locale" content="fr_FR">
    <meta name="author" content="Jean Dupont"></head><body><ul><li><a href="/a">A</a></li></ul>
    <time datetime="2025-02-01T08:00:00Z" pubdate>1 Feb</time></body></html>"""
    meta = extract_strict(html, "https://news.example.com/").metadata
    assert meta.title == "Section front"
    assert meta.language == "fr-FR" and meta.authors == ("Jean Dupont",)
    assert meta.published == "2025-02-01T08:00:00Z"
    assert meta.is_article is False


def test_an_inline_read_paragraph_in_the_body_is_a_citation_not_chrome():
    html = b"""<html><body><article><h1>T</h1><div itemprop="articleBody">
    <p>First paragraph of the story, long enough to be article text for any detector here.</p>
    <p class="related-link"><strong>Read:</strong> <a href="/news/older-story.html">An older story</a></p>
    <p>Second paragraph of the story, also long enough to count as real article text.</p>
    <div class="related-articles"><a href="/news/box-story.html">Boxed related story</a></div>
    </div></article></body></html>"""
    links = {link.url: link for link in extract_strict(html, "https://news.example/news/story.html").links}
    assert links["https://news.example/news/older-story.html"].link_kind == "internal"
    assert "https://news.example/news/box-story.html" not in links      # a related box is chrome


def test_the_articles_photos_enlarged_are_links_even_in_a_footer_box_but_not_inside_embeds(run):
    refs = run(
        '<p>Read <a href="https://www.example.org/study">the study</a>.</p>'
        '<div class="meta footer"><p>Click to enlarge</p><div class="attachments">'
        '<a class="lightbox" href="https://cdn.example-media.net/2025/03/market-full.jpg">'
        '<img src="https://cdn.example-media.net/2025/03/market-200x200.jpg" alt="The market"></a>'
        '<a href="https://www.example.org/footer-text-link">More from the desk</a>'
        '<a href="https://www.example.org/promo"><img src="/promo.png" alt="Promo"></a></div></div>'
        '<blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/Cabc123XYZ/">'
        '<a href="https://cdn.example-media.net/inside-post.jpg"><img src="/x.jpg"></a></blockquote>')
    kinds = {link.url: link.link_kind for link in refs.links}
    # the photo at full size is part of what the article shows: archived, as a file
    assert kinds == {"https://www.example.org/study": "page",
                     "https://cdn.example-media.net/2025/03/market-full.jpg": "document"}
