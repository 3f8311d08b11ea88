"""Find the article body region once; every detector asks it whether an element is in the body.

Order of evidence: schema.org `itemprop=articleBody`, then the body classes of common CMSs, then
the `<article>` element, then the block holding the most paragraph text. Page chrome (nav,
footer, aside, share/related/newsletter/comment boxes) is never part of the body.
"""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

from .parse import in_document_order, text_of

# Words that mark a class or id as chrome when a token starts or ends with them
# ("related-articles", "c-sidebar", "site-footer"); layout wrappers such as "l-sidebar-fixed"
# or "pg-rail-tall__body" hold the article too, so inner words do not count.
CHROME_WORDS = frozenset({
    "sidebar", "rail", "related", "share", "sharing", "shares", "sharebar", "social", "newsletter",
    "newsletters", "comment", "comments", "footer", "breadcrumb", "breadcrumbs", "menu", "navbar", "nav",
    "navigation", "promo", "promos", "advert", "advertisement", "ad", "ads", "outbrain", "taboola",
    "recommended", "recommendations", "recirculation", "recirc", "popular", "trending", "subscribe",
    "subscription", "signup", "teaser", "teasers", "cookie", "cookies", "consent", "toolbar", "masthead",
    "disqus", "paywall", "sharetools", "widget-area", "more-stories", "readmore", "read-more",
    "further-reading", "author-bio", "skip-link", "tags-list", "pagination",
})
_TOKEN_SPLIT = re.compile(r"__|--|[-_]")
CHROME_TAGS = frozenset({"nav", "aside", "footer", "form", "button", "select"})


@lru_cache(maxsize=8192)
def _chrome_token(token: str) -> bool:
    # cached: a page repeats its class names hundreds of times
    token = token.lower()
    if token in CHROME_WORDS:
        return True
    words = [w for w in _TOKEN_SPLIT.split(token) if w]
    if not words:
        return False
    return words[0] in CHROME_WORDS or words[-1] in CHROME_WORDS or "-".join(words[:2]) in CHROME_WORDS


# Body containers of common CMSs and news sites (class tokens).
BODY_CLASSES = (
    "entry-content", "article-body", "article__body", "articleBody", "article-content",
    "article__content", "articlebody", "story-body", "story-content", "story__body",
    "story-text", "post-content", "post-body", "post__content", "post-entry", "c-entry-content",
    "the-content", "body-text", "article-text", "articletext", "article__text", "content-body",
    "td-post-content", "field-name-body", "field--name-body", "article-body-text",
    "articulo-contenido", "article-main-body", "main-article-body", "node__content",
    "single-content", "entry-body", "blog-post-body", "rich-text-article-body", "article-entry",
)
_BODY_CLASS_SET = frozenset(BODY_CLASSES)
# These XPaths select attribute nodes and unions of simple steps: libxml2 evaluates a predicate
# such as //*[@a='x' or @b='x'] per element, several times slower than the attribute axis.
_ITEMPROP = etree.XPath("//@itemprop[.='articleBody']/.. | //@property[.='articleBody']/..")
_ARTICLES = etree.XPath("//article")
# Paragraphs: <p>, and divs whose own first text runs over 60 characters once its spaces are
# normalised (sites that write paragraphs as divs). A predicate such as
# //div[string-length(normalize-space(text())) > 60] is evaluated on every div, which cost most of
# the body search; the divs' long text nodes are selected instead and their divs checked in Python.
_P_AND_LONG_DIV_TEXT = etree.XPath("//p | //div/text()[string-length() > 60]")
_SUB_P_AND_LONG_DIV_TEXT = etree.XPath(".//p | .//div/text()[string-length() > 60]")
_XML_SPACE = re.compile(r"[ \t\r\n]+")


def _paragraphs(found: list) -> list:
    """The <p> and paragraph divs among an XPath result of <p> elements and long div text nodes."""
    out = []
    divs: set = set()
    for item in found:
        if not isinstance(item, str):
            out.append(item)
            continue
        div = item.getparent() if item.is_text else item.getparent().getparent()
        if div is None or div in divs:
            continue
        divs.add(div)
        first = div.text if div.text is not None else next((c.tail for c in div if c.tail is not None), "")
        if len(_XML_SPACE.sub(" ", first).strip(" \t\r\n")) > 60:  # XPath's normalize-space
            out.append(div)
    return out


def _body_classed(el) -> bool:
    return not _BODY_CLASS_SET.isdisjoint((el.get("class") or "").split())


def is_chrome(el) -> bool:
    tag = el.tag
    if tag in CHROME_TAGS:
        return True
    # A paragraph is running text even when classed "related-link" or "read-more": an inline
    # "Read: <link>" line in the body is a citation. Chrome is boxes (div, section, ul, ...).
    if not isinstance(tag, str) or tag in ("html", "body", "article", "main", "p"):
        return False
    attr = el.get("class")
    ident = el.get("id")
    if attr and _chrome_class(attr):
        return True
    return bool(ident) and _chrome_token(ident)


def _site_header(node) -> bool:
    return node.tag == "header" and not any(a.tag in ("article", "main") for a in node.iterancestors())


class Chrome:
    """Chrome test for one page. A box named like chrome ("article-and-sidebar", "pg-side-of-rail")
    that holds most of the page's paragraphs is a layout wrapper, not chrome."""

    def __init__(self, total: float, pt=None):
        self.total = total
        self.pt = pt or _ptext

    def _is_big(self, node) -> bool:
        return self.total > 0 and self.pt(node) >= 0.4 * self.total

    def ancestor(self, el, stop=None) -> bool:
        """True when el or an ancestor below `stop` is chrome (site header counts, article header not)."""
        node = el
        while node is not None and node is not stop:
            if (is_chrome(node) or _site_header(node)) and not self._is_big(node):
                return True
            node = node.getparent()
        return False


@lru_cache(maxsize=8192)
def _chrome_class(attr: str) -> bool:
    # cached whole: a page repeats the same class attributes hundreds of times
    return any(_chrome_token(t) for t in attr.split())


_NOT_CHROME_TAGS = frozenset({"html", "body", "article", "main", "p"})
# (these include the region's own attributes: the region itself is left out below)
_CLASS_VALUES = etree.XPath(".//@class")
_ID_VALUES = etree.XPath(".//@id")


def chrome_inside(region) -> set:
    """Chrome boxes nested inside a region (share bars, related boxes inside the body): the
    elements below it for which is_chrome holds, among those with a class or id and the
    nav/aside/footer/form elements. The attribute values are tested first (their strings know
    their element); only the few chrome-named ones are looked at as elements."""
    boxes = set()
    for value in _CLASS_VALUES(region):
        if value and _chrome_class(value):
            el = value.getparent()
            if el.tag not in _NOT_CHROME_TAGS and el is not region:
                boxes.add(el)
    for value in _ID_VALUES(region):
        if value and _chrome_token(value):
            el = value.getparent()
            if el.tag not in _NOT_CHROME_TAGS and el is not region:
                boxes.add(el)
    for el in region.iter(*CHROME_TAGS):
        if el is not region and (el.tag not in ("button", "select") or el.get("class") is not None
                                 or el.get("id") is not None):
            boxes.add(el)
    return boxes


class _Text:
    """Paragraph text per element, summed once over each paragraph's ancestors (O(1) lookups
    afterwards instead of an XPath per question)."""

    def __init__(self, root):
        self.acc: dict = {}
        self.score: dict = {}
        self.total = 0
        self.texts: dict = {}  # paragraph -> text_of(paragraph), for the blocks to reuse
        acc, score, texts = self.acc, self.score, self.texts
        # paragraph text is summed on each paragraph and its parent first; the few distinct parents
        # then pass their sums up once (not one ancestor walk per paragraph)
        above: dict = {}
        for p in _paragraphs(_P_AND_LONG_DIV_TEXT(root)):
            text = texts[p] = text_of(p)
            n = len(text.strip())
            if not n:
                continue
            acc[p] = acc.get(p, 0) + n
            parent = p.getparent()
            if parent is not None:
                above[parent] = above.get(parent, 0) + n
            if n < 25:
                continue
            self.total += n
            if parent is None:
                continue
            score[parent] = score.get(parent, 0) + n
            grand = parent.getparent()
            if grand is not None:
                score[grand] = score.get(grand, 0) + n / 2
        for node, n in above.items():
            while node is not None:
                acc[node] = acc.get(node, 0) + n
                node = node.getparent()

    def __call__(self, el) -> int:
        return self.acc.get(el, 0) if el is not None else 0


def _ptext(el) -> int:
    return sum(len(text_of(p).strip()) for p in _paragraphs(_SUB_P_AND_LONG_DIV_TEXT(el)))


def _densest(root, pt: _Text):
    """(block holding most paragraph text, chrome test, CMS-classed ancestors of dense blocks)."""
    chrome = Chrome(pt.total, pt)
    ranked = sorted(pt.score.items(), key=lambda kv: -kv[1])
    best = None
    for el, _ in ranked:
        if el.tag in ("html", "body") or chrome.ancestor(el):
            continue
        best = el
        break
    # a CMS body container holds the paragraphs, so it is among the ancestors of the densest blocks
    # (walking up from them is far cheaper than testing every element's class)
    cms: list = []
    seen: set = set()
    for el, _ in ranked[:6]:
        node = el
        while node is not None and node not in seen:
            seen.add(node)
            if _body_classed(node):
                cms.append(node)
            node = node.getparent()
    return (_merge_siblings(best, pt) if best is not None else None), chrome, cms


def _merge_siblings(el, pt: _Text):
    """Live blogs and listicles split the text into repeated blocks: climb over wrappers that add
    no text, then take the parent when it holds several sibling blocks of the same class."""
    text = pt(el)
    node = el
    while True:
        parent = node.getparent()
        if parent is None or parent.tag in ("html", "body"):
            return el
        if pt(parent) > 1.1 * text:
            break
        node = parent
    cls = (node.get("class") or "").strip()
    if not cls:
        return el
    same = [sib for sib in parent if (sib.get("class") or "").strip() == cls and pt(sib) >= 100]
    if len(same) >= 2 and parent.tag not in ("html", "body"):
        return _merge_siblings(parent, pt)
    return el


def contains(outer, inner) -> bool:
    """Whether `inner` is `outer` or lies inside it."""
    node = inner
    while node is not None:
        if node is outer:
            return True
        node = node.getparent()
    return False


def _item_props(root, pt: _Text, dense) -> list:
    """The itemprop/property=articleBody elements, in document order. With paragraph text on the
    page, only those holding some can win, and they are among the paragraphs and their ancestors,
    which pt has listed: testing those is far cheaper than the XPath's walk of every attribute."""
    if dense is None:
        return _ITEMPROP(root)
    return in_document_order(root, [el for el in pt.acc if el.get("itemprop") == "articleBody"
                                    or el.get("property") == "articleBody"])


def find_body(root):
    """(element holding the article text, the page's chrome test). The element is never None
    for a parsed page: <body> at worst."""
    pt = _Text(root)
    dense, chrome, cms = _densest(root, pt)
    dense_text = pt(dense)
    for tier in (_item_props(root, pt, dense), cms):
        cands = [el for el in tier if not chrome.ancestor(el)]
        if not cands:
            continue
        scored = [(pt(el), el) for el in cands]
        best_text, best = max(scored, key=lambda x: x[0])
        # nested matches (a body class inside another): keep the outermost of equal text
        for t, el in scored:
            if el is not best and t >= best_text and contains(el, best):
                best = el
        if best_text >= 0.5 * dense_text or (dense is not None and contains(best, dense)):
            if best_text > 0 or dense is None:
                return best, chrome
    if dense is not None:
        # the <article> elements holding dense, outermost first (as //article lists them)
        arts = [*dense.iterancestors("article")][::-1] + ([dense] if dense.tag == "article" else [])
        for art in arts:
            if not chrome.ancestor(art):
                # the article wraps the text closely enough: use it (header media belong to it)
                if pt(art) <= 1.6 * dense_text:
                    return art, chrome
        return dense, chrome
    arts = _ARTICLES(root)
    if arts:
        return max(arts, key=pt), chrome
    body = root.find("body")
    return (body if body is not None else root), chrome
