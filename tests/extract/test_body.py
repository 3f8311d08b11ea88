"""The body region: paragraphs found without per-element XPath predicates, articleBody and <article>
found from the paragraphs' ancestors, with the same answers as the plain XPath forms."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from archiver.extract import body as body_mod
from archiver.extract.parse import parse

# what the paragraph search must equal: every <p>, and every div whose first text node is over
# 60 characters once XPath has normalised its spaces
ORACLE = etree.XPath("//p | //div[string-length(normalize-space(text())) > 60]")
LONG = "A sentence of article text that runs well past sixty characters in all."


def paragraphs(root) -> list:
    return body_mod._paragraphs(body_mod._P_AND_LONG_DIV_TEXT(root))


def test_a_div_is_a_paragraph_by_its_first_text_node_only():
    root = parse(f"""<html><body>
      <div id="own">{LONG}</div>
      <div id="after-child"><b>Bold</b> {LONG}</div>
      <div id="short-first">Short <b>x</b> {LONG}</div>
      <div id="spaces">{"   ".join(["word"] * 11)}</div>
      <div id="two-long">{LONG}<br>{LONG}</div>
      <p id="p">short</p></body></html>""")
    found = [el.get("id") for el in paragraphs(root)]
    assert found == [el.get("id") for el in ORACLE(root)]
    assert found == ["own", "after-child", "two-long", "p"]


# markup made of nested divs and paragraphs with text of every length, spaces and tails
_TEXT = st.sampled_from(["", " ", "\n  ", "short", LONG, "  " + LONG[:58] + "  ", "x" * 61, "y  " * 25])


@st.composite
def _markup(draw, depth=0):
    tag = draw(st.sampled_from(["div", "p", "span", "section"]))
    children = draw(st.lists(_markup(depth + 1), max_size=3)) if depth < 3 else []
    tails = draw(st.lists(_TEXT, min_size=len(children), max_size=len(children)))
    inner = "".join(c + t for c, t in zip(children, tails))
    return f"<{tag}>{draw(_TEXT)}{inner}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_markup(), min_size=1, max_size=4))
def test_the_paragraph_search_equals_the_xpath_predicate(parts):
    root = parse("<html><body>" + "".join(parts) + "</body></html>")
    found = paragraphs(root)
    assert len(found) == len(set(found))
    assert set(found) == set(ORACLE(root))


def test_articlebody_by_itemprop_or_property_is_the_body():
    story = "".join(f"<p>{LONG} Paragraph {i}.</p>" for i in range(4))
    for attr in ('itemprop="articleBody"', 'property="articleBody"'):
        root = parse(f"""<html><body><main><div class="layout">
          <h1>Title</h1><div {attr} id="story">{story}</div>
          <div class="byline"><p>{LONG}</p></div></div></main></body></html>""")
        body, _ = body_mod.find_body(root)
        assert body.get("id") == "story", attr


def test_an_empty_articlebody_marker_does_not_beat_the_text():
    story = "".join(f"<p>{LONG} Paragraph {i}.</p>" for i in range(4))
    root = parse(f"""<html><body><span itemprop="articleBody"></span>
      <div id="text">{story}</div></body></html>""")
    body, _ = body_mod.find_body(root)
    assert body.get("id") == "text"


def test_the_article_wrapping_the_text_closely_is_the_body_outermost_first():
    story = "".join(f"<p>{LONG} Paragraph {i}.</p>" for i in range(4))
    root = parse(f"""<html><body><article id="outer"><header><h1>T</h1></header>
      <article id="inner"><div class="text">{story}</div></article></article>
      <article id="other"><p>{LONG}</p></article></body></html>""")
    body, _ = body_mod.find_body(root)
    assert body.get("id") == "outer"
