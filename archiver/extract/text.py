"""The body's readable text as blocks and sentences, plus the plain-text tweet residue.

Blocks are the outermost paragraph-like elements of the body (p, li, headings, quotes, cells)
and divs carrying their own text, minus embeds, chrome and captions. Mentions and the residue
detector both read these blocks, so the text is gathered once.
"""
from __future__ import annotations

import re
from bisect import bisect_right

from lxml import etree

from .parse import squash, squash_keep_lines, text_with_breaks, text_of

_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "td", "dd", "dt", "pre")
_BLOCK_SET = frozenset(_BLOCK_TAGS)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "figcaption", "template", "svg", "button", "select"})
_INLINE = frozenset({"a", "b", "i", "em", "strong", "span", "u", "small", "sup", "sub", "abbr", "cite",
                     "q", "mark", "time", "font", "s", "code", "bdi", "bdo", "ins", "del", "var"})
# starts with a character class (no lookbehind) so the regex engine can skip ahead quickly
SENTENCE_END = re.compile(r"([.!?…][\"”’)»]*)\s+(?=[\"“‘(«¿¡„]?[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ0-9])|\n+")


class Block:
    __slots__ = ("element", "text", "_sentences")

    def __init__(self, element, text: str):
        self.element = element
        self.text = text
        self._sentences = None

    def sentences(self) -> list[tuple[int, int]]:
        """(start, end) offsets of the sentences of this block."""
        if self._sentences is None:
            spans, start = [], 0
            for m in SENTENCE_END.finditer(self.text):
                end = m.end(1) if m.group(1) else m.start()
                if end > start:
                    spans.append((start, end))
                start = m.end()
            if start < len(self.text):
                spans.append((start, len(self.text)))
            self._sentences = spans
        return self._sentences

    def sentence_at(self, offset: int) -> str:
        """The sentence holding offset (the block is split once, however many links it holds)."""
        text = self.text
        if len(text) <= 200:
            return text.strip()
        spans = self.sentences()
        i = max(0, bisect_right(spans, (offset, len(text) + 1)) - 1)
        start, end = spans[i] if spans else (0, len(text))
        return text[start:end].strip()


def _div_own_text(div) -> str:
    """A div's own text: its text, inline children and tails; block children are blocks of their own."""
    parts = [div.text or ""]
    for child in div:
        if isinstance(child.tag, str):
            if child.tag in _INLINE:
                parts.append(text_of(child))
            elif child.tag == "br":
                parts.append("\n")
            else:
                parts.append("\n")
        parts.append(child.tail or "")
    return "".join(parts)


def blocks(body, excluded: set) -> list[Block]:
    """Readable blocks of the body in document order; `excluded` elements (and their text) dropped.

    One walk: an element whose parent is already taken (a block, a skipped box or an excluded
    embed) is covered by it; captions and credits are skipped (photo credits are not citations)."""
    covered: set = set()
    found = []
    for el in body.iter():
        tag = el.tag
        if el is body:
            continue
        if el.getparent() in covered:
            covered.add(el)
            continue
        if not isinstance(tag, str):
            continue
        cls = el.get("class")
        if el in excluded or tag in _SKIP_TAGS or (cls and ("caption" in cls or "credit" in cls)):
            covered.add(el)
            continue
        if tag in _BLOCK_SET:
            covered.add(el)
            found.append(el)
        elif tag == "div" and el.text and el.text.strip():
            found.append(el)  # its own text only; child blocks are found on their own
        elif tag == "div" and any((c.tail or "").strip() for c in el):
            found.append(el)
    out: list[Block] = []
    for el in found:
        if el.tag == "div":
            raw = _div_own_text(el)
        elif any(True for _ in el.iter("script", "style", "figcaption", "br")):
            raw = text_with_breaks(el)
        else:
            raw = text_of(el)
        text = squash_keep_lines(raw)
        if text:
            out.append(Block(el, text))
    return out


# --- plain-text residue of a tweet (A.1) ------------------------------------------------------

RESIDUE = re.compile(
    r"(?:^|\s)[—–]\s*(?P<name>[^\n()—–]{1,80}?)\s*\(@(?P<handle>[A-Za-z0-9_]{1,15})\)\s*"
    r"(?P<date>(?:[A-Z][a-z]{2,9}\.? \d{1,2}, \d{4})|(?:\d{1,2}\.? [A-Za-zäéû]{3,9}\.? \d{4}))")
PIC_LINK = re.compile(r"(?:https?://)?(?:pic\.twitter\.com|pic\.x\.com|t\.co)/[A-Za-z0-9]+")


class Residue:
    __slots__ = ("block", "claim_text", "name", "handle", "date", "media", "claim_blocks")

    def __init__(self, block, claim_text, name, handle, date, media, claim_blocks):
        self.block, self.claim_text, self.name, self.handle = block, claim_text, name, handle
        self.date, self.media, self.claim_blocks = date, media, claim_blocks


def residues(blocks_: list[Block]) -> list[Residue]:
    """`Tweet text pic.twitter.com/x — Name (@handle) March 16, 2025` left as plain text."""
    out: list[Residue] = []
    for i, block in enumerate(blocks_):
        if "(@" not in block.text:
            continue
        for m in RESIDUE.finditer(block.text):
            before = block.text[:m.start()].strip()
            claim_blocks = [block]
            if not before and i > 0:
                # the byline is its own paragraph: the tweet text is the paragraph above
                before = blocks_[i - 1].text
                claim_blocks.append(blocks_[i - 1])
            media = [_full(u) for u in PIC_LINK.findall(before)]
            if not media and i + 1 < len(blocks_) and not RESIDUE.search(blocks_[i + 1].text):
                # a thread's continuation (or the media link) can follow the byline
                after = [_full(u) for u in PIC_LINK.findall(blocks_[i + 1].text)]
                if after:
                    media = after
                    claim_blocks.append(blocks_[i + 1])
            out.append(Residue(block, before or None, squash(m.group("name")), m.group("handle"),
                               m.group("date"), tuple(dict.fromkeys(media)), claim_blocks))
    return out


def _full(link: str) -> str:
    return link if link.startswith("http") else "https://" + link
