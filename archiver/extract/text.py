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
# A sentence ends at terminal punctuation (and closing quotes) before a space and a capital or
# digit, or at a line break. The pattern starts with one character class and the branches
# decide by lookbehind: the regex engine then skips in C to the next [.!?…\n] instead of trying
# every position (5x faster). The empty group marks where the sentence's text ends.
SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=[.!?…])[\"”’)»]*()\s+(?=[\"“‘(«¿¡„]?[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ0-9])"
                          r"|(?<=\n)\n*)")


# SENTENCE_END for a text without [!?…\n]: the same branch, with the same group 1
_DOT_END = re.compile(r"\.[\"”’)»]*()\s+(?=[\"“‘(«¿¡„]?[A-ZÀ-ÖØ-ÞА-ЯЁІЇЄҐ0-9])")


def sentence_end(m) -> int:
    """Where the sentence ended by SENTENCE_END match m stops (after its punctuation, before a line break)."""
    end = m.end(1)
    return end if end >= 0 else m.start()


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
            text = self.text
            # most paragraphs end sentences with "." only: then the regex that starts with a literal
            # "." finds the same matches (every match starts at one of [.!?…\n]) several times faster
            ends = SENTENCE_END if "!" in text or "?" in text or "…" in text or "\n" in text else _DOT_END
            for m in ends.finditer(text):
                end = sentence_end(m)
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


def blocks(body, excluded: set, texts: dict | None = None) -> list[Block]:
    """Readable blocks of the body in document order. `excluded` holds the roots of subtrees to drop
    (embeds, chrome boxes), with their text; `texts` may hold text_of() of some elements already.

    One walk in document order that does not enter what is taken: a block (its text is read
    whole), a skipped box, an excluded subtree, a caption or credit (photo credits are not
    citations). A div with text of its own is a block and is entered too (its child blocks are
    blocks of their own)."""
    if body in excluded or any(a in excluded for a in body.iterancestors()):
        return []
    found = []
    stack = list(body)
    stack.reverse()
    while stack:
        el = stack.pop()
        tag = el.tag
        if not isinstance(tag, str):
            continue
        cls = el.get("class")
        if el in excluded or tag in _SKIP_TAGS or (cls and ("caption" in cls or "credit" in cls)):
            continue
        if tag in _BLOCK_SET:
            found.append(el)
            continue
        if tag == "div" and ((el.text and el.text.strip()) or any((c.tail or "").strip() for c in el)):
            found.append(el)  # its own text only; child blocks are found on their own
        if len(el):
            children = list(el)
            children.reverse()
            stack.extend(children)
    # elements holding a script, style, caption or <br> (their text is read by text_with_breaks):
    # the few such elements mark their ancestors once, instead of a search under every block
    marked: set = set()
    for special in body.iter("script", "style", "figcaption", "br"):
        node = special.getparent()
        while node is not None and node not in marked:
            marked.add(node)
            if node is body:
                break
            node = node.getparent()
    texts = texts or {}
    out: list[Block] = []
    for el in found:
        if el.tag == "div":
            raw = _div_own_text(el)
        elif el in marked:
            raw = text_with_breaks(el)
        else:
            raw = texts.get(el)
            if raw is None:
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
