"""Decode and parse a page once; small helpers every detector shares.

Everything here is pure and cheap: one decode, one lxml parse, no network, no re-parsing.
"""
from __future__ import annotations

import codecs
import re

from lxml import etree

# <meta charset=…> or <meta http-equiv content="…; charset=…"> in the first few KB.
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]{2,40})", re.I)
_XML_ENCODING = re.compile(rb"^<\?xml[^>]{0,100}encoding=[\"']([A-Za-z0-9_.\-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# Binary formats that are certainly not HTML (saves parsing megabytes of noise).
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b", b"WARC/")

# Plain etree elements (no lxml.html class lookup per node: that lookup costs more than the parse).
_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True,
                           collect_ids=False, default_doctype=False)
# UTF-8 pages (nearly all) go to libxml2 as bytes: decoding to str first makes lxml encode it back.
# Invalid sequences become U+FFFD, as bytes.decode("utf-8", "replace") would make them.
_UTF8_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True,
                                collect_ids=False, default_doctype=False)
_STRING = etree.XPath("string()", smart_strings=False)  # a plain str: no back-reference to the element
# libxml2 returns a node-set in document order: sorting a few dozen elements this way costs far
# less than walking the tree in Python to number them
_IN_DOCUMENT_ORDER = etree.XPath("$elements | $elements")


def in_document_order(root, elements: list) -> list:
    """Distinct elements of root's tree, sorted in document order."""
    if len(elements) < 2:
        return list(elements)
    return _IN_DOCUMENT_ORDER(root, elements=list({id(el): el for el in elements}.values()))


def text_of(el) -> str:
    """All text under an element (what lxml.html's text_content() gives, without its class)."""
    return _STRING(el)


def fragment(markup: str):
    """Parse an HTML snippet (srcdoc, embed HTML in JSON) into a <div> wrapper, or None."""
    try:
        root = etree.fromstring("<div>" + markup + "</div>", _PARSER)
    except (etree.ParserError, ValueError, TypeError):
        return None
    if root is None:
        return None
    body = root.find("body")
    return body if body is not None else root


def sniff_encoding(data: bytes) -> tuple[str, int]:
    """(encoding, bytes to skip): BOM first, then a declared charset, else utf-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    head = data[:4096]
    found = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if found:
        name = found.group(1).decode("ascii", "ignore").lower()
        try:
            name = codecs.lookup(name).name
        except LookupError:
            name = "utf-8"
        # pages declaring latin-1 are nearly always cp1252 (the WHATWG rule)
        if name in ("latin-1", "iso8859-1", "ascii"):
            name = "cp1252"
        return name, 0
    return "utf-8", 0


def decode(data: bytes) -> str:
    encoding, skip = sniff_encoding(data)
    body = data[skip:]
    if encoding in ("utf-8", "utf-8-sig"):
        return body.decode("utf-8", "replace")
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        # a wrong declaration: utf-8 is the most likely truth
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body.decode(encoding if encoding != "utf-16" else "utf-8", "replace")


def may_contain(data: bytes, word: bytes, *, within: int | None = None, any_case: bool = False) -> bool:
    """Whether a page's text may hold `word` (ASCII), in its first `within` bytes: a test that
    saves a parse or a decode. False only when the page's encoding writes ASCII as ASCII (UTF-8,
    cp1252, ...) and the bytes do not hold the word; UTF-16 and the like are a maybe."""
    encoding, _ = sniff_encoding(data)
    if "a".encode(encoding, "ignore") != b"a":
        return True
    head = data[:within] if within is not None else data
    return word in (head.lower() if any_case else head)


def looks_binary(data: bytes) -> bool:
    if data.startswith(_BINARY_MAGIC):
        return True
    head = data[:1024]
    # HTML has almost no NUL bytes (utf-16 pages were caught by their BOM)
    return head.count(b"\x00") > len(head) // 10


def parse(data: bytes | str):
    """The document root (lxml.html element), or None for empty / non-HTML input."""
    parser = _PARSER
    if isinstance(data, str):
        text = data
    else:
        has_bom = data.startswith(tuple(bom for bom, _ in _BOMS))
        if not data or (not has_bom and looks_binary(data)):
            return None
        encoding, skip = sniff_encoding(data)
        if encoding in ("utf-8", "utf-8-sig"):
            text, parser = data[skip:] if skip else data, _UTF8_PARSER
        else:
            text = decode(data)
    if not text.strip():
        return None
    if isinstance(text, str) and text.startswith("<?xml"):
        text = text.split("?>", 1)[-1]  # a str with an XML declaration is refused by lxml
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, ValueError, TypeError):
        return None
    if root is None or not isinstance(root.tag, str):
        return None
    return root


def _squashed(text: str) -> bool:
    """True when text has no whitespace to collapse: every whitespace character str.split() knows,
    except the ASCII space, is unprintable, and no space is doubled or at an end. Two scans in C,
    several times cheaper than splitting and joining a paragraph."""
    return text.isprintable() and "  " not in text and text[0] != " " and text[-1] != " "


def squash(text: str | None) -> str:
    """Whitespace collapsed to single spaces."""
    if not text:
        return ""
    if _squashed(text):
        return str(text)  # str(): a plain str even from an lxml string result
    return " ".join(text.split())  # str.split knows Unicode spaces; faster than re


def squash_keep_lines(text: str | None) -> str:
    """Spaces collapsed, newlines kept (a tweet's <br> are part of its text)."""
    if not text:
        return ""
    if "\n" not in text:
        return squash(text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip("\n")




def text_with_breaks(el) -> str:
    """Text of an element with <br> as newline (scripts and styles skipped), tree untouched."""
    out: list[str] = []
    stack = [(el, False)]
    while stack:
        node, done = stack.pop()
        if done:
            if node is not el and node.tail:
                out.append(node.tail.replace("\n", " "))
            continue
        tag = node.tag
        stack.append((node, True))
        if tag == "br":
            out.append("\n")
            continue
        if not isinstance(tag, str) or tag in ("script", "style", "svg", "template"):
            continue
        if tag in ("p", "div", "li") and node is not el and out and not out[-1].endswith("\n"):
            out.append("\n")
        if node.text:
            out.append(node.text.replace("\n", " "))  # source newlines are spaces; only <br> breaks
        for child in reversed(node):
            stack.append((child, False))
    return "".join(out)
