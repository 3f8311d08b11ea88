"""Credited outlets named in the article text ("according to Reuters", "(FR mit dpa)", "laut Spiegel").

A gazetteer (data/outlets.json) gives names and aliases; an Aho-Corasick automaton finds every
alias in the article's text in a single pass, then an attribution cue must sit next to the match (before
it, after it, around it in parentheses, or shared with a neighbour in a list). Photo credits,
the publishing site itself and names that are part of a longer proper name are rejected.
"""
from __future__ import annotations

import json
import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlsplit

from ahocorasick_rs import AhoCorasick

from ..urls import registrable_domain
from .text import SENTENCE_END, sentence_end


@dataclass(frozen=True)
class Outlet:
    name: str
    domain: str
    country: str
    language: str
    ambiguous: bool = False


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    s = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    s = re.sub(r"[^a-z0-9 ]+", " ", s)
    s = re.sub(r"\s+", " ", s).strip()
    return re.sub(r"^the ", "", s)


@lru_cache(maxsize=1)
def gazetteer() -> dict[str, Outlet]:
    """alias -> Outlet, loaded once from the package data."""
    data = json.loads(resources.files(__package__).joinpath("data/outlets.json").read_text("utf-8"))
    by_alias: dict[str, Outlet] = {}
    for entry in data:
        outlet = Outlet(entry["name"], entry["domain"], entry.get("country", ""), entry.get("language", ""),
                        bool(entry.get("ambiguous")))
        for alias in [entry["name"], *entry.get("aliases", [])]:
            for form in {alias, alias.replace("'", "’")}:
                by_alias.setdefault(form, outlet)
                if len(form) >= 4 and form.upper() != form:
                    by_alias.setdefault(form.upper(), outlet)
    return by_alias


ARTICLE_BEFORE = re.compile(r"(?:\b(?:[Tt]he|THE)\s+)$")
_ART = r"(?:\s+(?:the|a|an|der|die|das|dem|den|des|einem|einer|le|la|les|l['’]|el|los|las|del|al|lo|il|i))?"
_CUES_BEFORE = (
    r"according\s+to(?:\s+(?:a|an|the)?\s*(?:new\s+|recent\s+)?(?:reports?|story|article|analysis|investigation"
    r"|review|interview|data|survey|poll|reporting)\s+(?:in|by|from|of|with|on))?"
    r"|told|tells|telling|said\s+to|says\s+to|confirmed\s+to|statements?\s+to|speaking\s+to|spoke\s+to"
    r"|speaking\s+with|spoke\s+with|talking\s+to|talked\s+to|interview\s+(?:with|on|to)|interviewed\s+by"
    r"|quoted\s+(?:by|in)|cited\s+(?:by|in)|reported\s+(?:by|in)|reporting\s+by|reports?\s+(?:by|from|in)"
    r"|first\s+reported\s+by|as\s+reported\s+by|published\s+(?:by|in)|wrote\s+in|writing\s+in|writes\s+in"
    r"|(?:op-ed|column|article|story|piece|report|investigation|analysis|editorial|interview|podcast)\s+(?:in|from|by|on|for)"
    r"|via|courtesy\s+of|reports|reported|obtained\s+by"
    r"|seen\s+by|revealed\s+by|broadcast\s+by|aired\s+on|appeared\s+on|appearing\s+on|found\s+via"
    r"|laut|zufolge|gegenüber|interview\s+(?:mit|bei)|im\s+gespräch\s+mit|recherchen?\s+(?:der|des|von)"
    r"|nach\s+(?:angaben|informationen)\s+(?:der|des|von)|berichtet(?:e)?|meldet(?:e)?|zitiert\s+von"
    r"|selon|d['’]après|a\s+rapporté|rapporte|a\s+indiqué\s+à|a\s+déclaré\s+à|a\s+confié\s+à|interrogée?\s+par"
    r"|citée?\s+par|rapporté\s+par|relayée?\s+par|au\s+micro\s+de|sur\s+l['’]antenne\s+de"
    r"|según|segun|de\s+acuerdo\s+con|informó|informa|publicó|citado\s+por|dijo\s+a|declaró\s+a"
    r"|en\s+declaraciones\s+a|en\s+entrevista\s+con|reportó|reporta"
    r"|podaje|podał|podała|podawał|podawała|według|informuje|poinformował[a]?|w\s+rozmowie\s+z"
    r"|secondo|riporta|ha\s+riferito\s+a"
)
_FILLER = r"(?:\s+[^\s,;:.!?()\"“”„«»]+)"


def _top_level(pattern: str) -> list[str]:
    """The top-level alternatives of a regex source (splits on | outside groups and classes)."""
    out, cur, depth, in_class, i = [], [], 0, False, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            cur.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == "|" and not depth:
            out.append("".join(cur))
            cur = []
            i += 1
            continue
        cur.append(c)
        i += 1
    out.append("".join(cur))
    return out


def _by_first_letter(pattern: str) -> str:
    """The same alternation with its alternatives grouped under their first letter, in their order:
    `told|tells|telling` -> `t(?:old|ells|elling)`. At each position the regex engine then tries
    one group instead of every alternative (3-4x faster over a window of text). A leading group
    `(?:x|y)rest` is first spread into `xrest|yrest`; both forms try the same candidates in the
    same order, so every match is the same."""
    alts: list[str] = []
    for alt in _top_level(pattern):
        if alt.startswith("(?:"):
            depth = 0
            for end, c in enumerate(alt):
                depth += (c == "(") - (c == ")")
                if not depth:
                    break
            alts.extend(x + alt[end + 1:] for x in _top_level(alt[3:end]))
        else:
            alts.append(alt)
    groups: dict[str, list[str]] = {}
    for alt in alts:
        # lower-case plain letters only: two groups can then never match the same character
        assert alt[:1].isalpha() and alt[:1].islower() and alt[1:2] not in ("?", "*", "+", "{"), alt
        groups.setdefault(alt[0], []).append(alt[1:])
    return "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())


CUE_WORDS = re.compile(rf"\b(?P<cue>{_by_first_letter(_CUES_BEFORE)})(?![\w-])", re.I)
# The same, case-sensitive, for lower-cased text (the cues are written in lower case): about 3x
# faster than re.I, which folds the case of every character it compares.
assert _CUES_BEFORE == _CUES_BEFORE.lower()
_CUE_WORDS_LOWER = re.compile(CUE_WORDS.pattern)
_REST = {n: re.compile(rf"{_ART}{_FILLER}{{0,{n}}}\s*", re.I) for n in (2, 4)}


class _CueBefore:
    """A cue followed by at most n filler words up to the end of the text. Linear: the last cue
    occurrence is found with finditer, then the rest must be short filler (no $-anchored search)."""

    def __init__(self, n: int):
        self.rest = _REST[n]

    def search(self, text: str):
        """The last cue match (its "cue" group in lower case when the window was lowered)."""
        window = text[-110:]
        words, scanned = CUE_WORDS, window
        low = window.lower()
        # On the lowered window the case-sensitive regex matches where re.I matches on the window,
        # unless lowering changed the length (İ) or the window holds ı or ſ (which re.I matches
        # to i and s although they do not lower to them).
        if len(low) == len(window) and "ı" not in low and "ſ" not in low:
            words, scanned = _CUE_WORDS_LOWER, low
        last = None
        for m in words.finditer(scanned):
            if self.rest.fullmatch(window, m.end()):
                last = m
        return last


CUE_BEFORE = _CueBefore(4)
CUE_BEFORE_TIGHT = _CueBefore(2)
PER_BEFORE = re.compile(r"\b(?P<cue>per)\s+(?:the\s+)?$", re.I)
# "…ridiculed this idea to the Washington Post": a speech verb, then "to <outlet>"
SPEECH_TO = re.compile(r"\b(?P<cue>said|says|saying|explained|confirmed|admitted|denied|described|ridiculed|insisted"
                       r"|added|stated|revealed|acknowledged|claimed|complained|wrote|declared|announced)\b"
                       r"[^.;:!?]{0,60}\bto(?:\s+the)?\s*$", re.I)
_CUES_AFTER = (
    r"reported|reports|reporting|said|says|wrote|writes|revealed|reveals|noted|notes|confirmed|confirms"
    r"|published|quoted|cited|obtained|learned|learnt|broke|understands|claimed|claims|first\s+reported"
    r"|via|berichtet|berichtete|berichten|berichteten|meldet|meldete|meldeten|schreibt|schrieb|zitiert"
    r"|zitierte|zufolge|erfuhr|rapporte|rapporté|rapportait|indique|indiqué|révèle|révélé|écrit|affirme"
    r"|informó|informa|publicó|publica|reveló|señaló|asegura|afirma|podaje|podał|podała|podawał|podawała"
    r"|informuje|pisze|napisał|napisała|twierdzi|riporta|scrive"
)
_AUX = (r"(?:(?:has|had|have|was|were|is|first|also|previously|originally|exclusively|earlier|recently|"
        r"hatte|hat|a|ha|on\s+\w+|on|late\s+\w+|last\s+\w+|this\s+\w+)\s+)*")
_CUES_AFTER_BY_LETTER = _by_first_letter(_CUES_AFTER)
CUE_AFTER = re.compile(
    rf"^(?:['’]s)?\s*,?\s*(?:\([^)]{{0,30}}\)\s*)?{_AUX}(?P<cue>{_CUES_AFTER_BY_LETTER})\b", re.I)
CUE_AFTER_GERMAN = re.compile(r"^\s+(?:über|von)\b[^.!?]{0,100}?\b(?P<cue>berichte(?:t|te|n|ten)?)\b")
CUE_AFTER_NOUN = re.compile(
    r"^(?:['’]s)?\s+(?:own\s+)?(?P<cue>report|reporting|investigation|analysis|interview|exclusive|story|article"
    r"|poll|survey|fact\s+checker|op-ed|column|editorial|piece|podcast|documentary)\b", re.I)
# "Sky reporter Becky Johnson said", "Recode editor Kara Swisher"
CUE_AFTER_STAFF = re.compile(r"^(?:['’]s)?\s+(?:[a-z-]+\s+)?(?P<cue>reporter|correspondent|journalist|editor"
                             r"|anchor|presenter|host|columnist|Korrespondent(?:in)?|Reporter(?:in)?|journaliste"
                             r"|periodista|corresponsal)\s+[A-Z]")
# the outlet is the subject of its sentence and a reporting verb follows in the same clause
CUE_AFTER_FAR = re.compile(rf"^[^.!?;]{{0,110}}?\b(?P<cue>{_CUES_AFTER_BY_LETTER})\b", re.I)
SUBJECT_START = re.compile(r"^\s*(?:[A-ZÄÖÜŁŚŻ][a-ząćęłńóśźżäöü]+\s+){0,2}$")
QUOTES = "\"'„“”«»‚‘’ "
PAREN_BEFORE = re.compile(r"\(\s*(?:[^()]{0,24}\s(?:mit|with|and|und|et|y|/)\s*)?$")
PAREN_AFTER = re.compile(r"^\s*(?:[/,;]\s*[^()]{0,24})?\)")
LIST_JOIN = re.compile(r"^(?:['’]s)?\s*(?:,|;|and|und|et|y|or|oder|ou|o|i|&|as\s+well\s+as|,\s*and|,\s*und)\s*"
                       r"(?:(?:the|die|der|das|le|la|el)\s+)?$", re.I)
PHOTO_BEFORE = re.compile(r"(?:photo(?:graph)?s?|images?|pictures?|pic|foto|bild|credits?|copyright|quelle|source"
                          r"|zdjęcie|©)\s*(?:by|:|/|-|–|\|)?\s*(?:[\w.' -]{0,40}/\s*)?$", re.I)
PHOTO_AFTER = re.compile(r"^(?:\s*(?:photo|images?|pictures?|via\s+getty|file|video|tv\s+still)\b|\s*/)", re.I)
# A capitalised neighbour makes the match part of a longer name ("Holiday Inn Express",
# "Times Square"); these capitalised words are fine next to an outlet name.
NEIGHBOUR_OK = frozenset("""Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March
April May June July August September October November December I According The Via Laut Selon Según
Yesterday Today Meanwhile Earlier Later Separately But And Also Now Still However Last Then In On At As When
While Both Only Even Previously Initially Since After Before Per Der Die Das Le La El Los Las Il Lo Les Un Une
Ein Eine Portal Agencja Dziennik Gazeta Telewizja Stacja Tygodnik Serwis Radio Nachdem Gegenüber Wie Jak
Zeitung Tageszeitung Wochenzeitung Nachrichtenagentur Agentur Nachrichtenportal Portal Sender Magazin
Nachrichtenmagazin Blatt Boulevardzeitung Sonntagszeitung Fernsehsender Radiosender Rundfunk""".split())
DESCRIPTOR_OK = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(?:zeitung|agentur|portal|sender|magazin|blatt|dienst)$")
WORD_BEFORE = re.compile(r"([^\W\d_][\w'’-]*+)\s+$")  # possessive: the same matches, no backtracking
WORD_AFTER = re.compile(r"^\s+([^\W\d_][\w'’-]*)")

UNNAMED = re.compile(
    r"\b(?:(?:several|some|many|multiple|various|numerous|local|state|state-run|state-owned|state-controlled|foreign"
    r"|national|international|regional|independent|other|pro-Kremlin|Russian|Ukrainian|French|German|British"
    r"|American|U\.?S\.?|Western|Israeli|Iranian|Chinese|Italian|Spanish|Polish|Japanese|Turkish|Arab|Indian"
    r"|European|Belarusian|Austrian|Swiss|Dutch|Belgian)(?:\s+(?:and|or)\s+[\w-]+)?\s+(?:[\w-]+\s+)?"
    r"(?:media(?:\s+outlets?|\s+reports?)?|newspapers?|outlets?|press|news\s+agenc(?:y|ies)|tabloids?"
    r"|broadcasters?|television|TV|dailies|publications)"
    r"|media\s+reports|press\s+reports|Medienberichte[n]?|mehrere\s+Medien|lokale\s+Medien|Staatsmedien"
    r"|plusieurs\s+(?:journaux|médias)|médias\s+locaux|la\s+presse\s+locale|medios\s+locales|varios\s+medios"
    r"|la\s+prensa\s+local)\b")
# Every UNNAMED match contains one of these; the regex runs only in windows around them (over a
# whole page it costs more than all the rest of mention finding: its leading \b cannot be skipped).
UNNAMED_HINTS = ("media", "newspaper", "outlet", "press", "agenc", "tabloid", "broadcaster", "TV", "television",
                 "dailies", "publications", "Medien", "medien", "journaux", "médias", "presse", "medios", "prensa")
UNNAMED_REACH = (110, 60)  # characters before and after a hint that a match can span
PHOTO_HINTS = ("photo", "image", "picture", "pic", "foto", "bild", "credit", "copyright", "quelle", "source",
               "zdjęcie", "©")


def _has_any(text: str, needles) -> bool:
    for needle in needles:  # a plain loop: cheaper than any() over a generator
        if needle in text:
            return True
    return False


def _own(url: str, site_name: str | None) -> tuple[str, set[str]]:
    host = ""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        pass
    names = {fold(site_name)} if site_name else set()
    own = gazetteer().get(site_name.strip()) if site_name else None
    if own is not None:  # og:site_name "BBC News" is an alias of the BBC
        names.add(fold(own.name))
    return registrable_domain(host) if host else "", names


def _self(outlet: Outlet, alias: str, own_domain: str, own_names: set[str]) -> bool:
    if own_domain and registrable_domain(outlet.domain) == own_domain:
        return True
    return bool(own_names & {fold(outlet.name), fold(alias)})


def _neighbour_blocks(before: str, after: str, surface_has_the: bool) -> bool:
    """True when a capitalised word touches the match (it is part of another name)."""
    if not surface_has_the:
        m = WORD_BEFORE.search(before[-40:])
        if m and m.end() == len(before[-40:]) and m.group(1)[0].isupper():
            word = m.group(1)
            if word not in NEIGHBOUR_OK and not DESCRIPTOR_OK.match(word) \
                    and not CUE_BEFORE.search(before[-60:]):
                return True
    m = WORD_AFTER.match(after)
    if m and m.group(1)[0].isupper() and m.group(1) not in NEIGHBOUR_OK:
        return True
    return False


def _cue(before: str, after: str, tight: bool) -> str | None:
    if PAREN_BEFORE.search(before) and PAREN_AFTER.match(after):
        return "(credit)"
    # PER_BEFORE ends at the end of the text with "per" or "the" and spaces: a cheap test first
    # (the regex itself tries every position of the sentence)
    m = PER_BEFORE.search(before) if before.rstrip()[-3:].lower() in ("per", "the") else None
    if m:
        return m.group("cue")
    m = (CUE_BEFORE_TIGHT if tight else CUE_BEFORE).search(before[-160:])
    if m:
        return m.group("cue").lower()
    if before.rstrip().endswith((" to", " to the")) and SPEECH_TO.search(before[-120:]):
        return "to"
    window = after[:120]
    m = CUE_AFTER.match(window) if not tight or not WORD_AFTER.match(window) or CUE_AFTER.match(window) else None
    if m:
        return m.group("cue").lower()
    m = CUE_AFTER_NOUN.match(window)
    if m and (before.rstrip().lower().endswith((" a", " an", " the")) or window.startswith(("'s", "’s"))):
        return m.group("cue").lower()
    m = CUE_AFTER_STAFF.match(window)
    if m:
        return m.group("cue").lower()
    if not tight:
        m = CUE_AFTER_GERMAN.match(after[:160])
        if m:
            return m.group("cue")
        if SUBJECT_START.match(before):
            m = CUE_AFTER_FAR.match(after[:160])
            if m:
                return m.group("cue").lower()
    return None


class _Joined:
    """All blocks as one text ("\n" between them): the alias scan and the sentence splitter each
    run once per page in C, and hits are mapped back to their block with a binary search."""

    def __init__(self, blocks):
        self.blocks = blocks
        self.starts: list[int] = []
        pos = 0
        for b in blocks:
            self.starts.append(pos)
            pos += len(b.text) + 1
        self.text = "\n".join([b.text for b in blocks])
        self._cache: dict = {}

    def block_at(self, pos: int):
        i = bisect_right(self.starts, pos) - 1
        return self.blocks[i], self.starts[i]

    def sentence(self, pos: int) -> tuple[int, int]:
        """(start, end) of the sentence holding pos, found by scanning only around it (sentences
        are capped at 400 characters each way)."""
        found = self._cache.get(pos)
        if found is None:
            text = self.text
            start = lo = max(0, pos - 400)
            for m in SENTENCE_END.finditer(text, lo, pos):
                start = m.end()
            m = SENTENCE_END.search(text, pos, pos + 400)
            end = sentence_end(m) if m else min(len(text), pos + 400)
            found = self._cache[pos] = (start, end)
        return found


def find_mentions(blocks, url: str, site_name: str | None, link_items) -> list:
    """(block element, offset, Mention fields) for each credited outlet, one per (outlet, sentence)."""
    if not blocks:
        return []
    own_domain, own_names = _own(url, site_name)
    doc = _Joined(blocks)
    hits, hint_starts = _scanner().find(doc.text)
    out: list = []
    seen: set = set()
    if hits:
        links_by_block = _links_by_block(doc, link_items)
        out.extend(_judge(doc, hits, own_domain, own_names, links_by_block, seen))
    out.extend(_unnamed(doc, seen, hint_starts))
    return out


_WORD_BEFORE = "@/#&.-_"  # an alias right after one of these is inside a handle, URL or name


class _Scanner:
    """Every alias of the gazetteer and every unnamed-source hint word in a text, in one pass of an
    Aho-Corasick automaton (ahocorasick-rs; overlapping matches included), then the alias hits
    that stand as words: not inside a word, a handle or a URL, the longest at each start, and
    none inside an earlier, longer one ("Associated Press", not also "Press")."""

    def __init__(self, by_alias: dict, hints):
        self.by_alias = by_alias
        self.n_aliases = len(by_alias)
        self.automaton = AhoCorasick([*by_alias, *hints])

    def find(self, text: str) -> tuple[list, list[int]]:
        """([(start, end, alias, Outlet)] in text order, [start of each hint, sorted])"""
        longest: dict = {}
        hint_starts = []
        n_aliases = self.n_aliases
        for i, start, end in self.automaton.find_matches_as_indexes(text, overlapping=True):
            if i >= n_aliases:
                hint_starts.append(start)
            elif end > longest.get(start, start) and _stands_alone(text, start, end):
                longest[start] = end
        hits = []
        last_end = -1
        for start in sorted(longest):
            if start >= last_end:
                end = last_end = longest[start]
                alias = text[start:end]
                hits.append((start, end, alias, self.by_alias[alias]))
        hint_starts.sort()
        return hits, hint_starts


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Not preceded by a letter, digit or one of _WORD_BEFORE; not followed by a letter, digit,
    "_", "-" or a "." that continues a word (a domain: "dpa.com")."""
    if start and (text[start - 1].isalnum() or text[start - 1] in _WORD_BEFORE):
        return False
    after = text[end:end + 2]
    return not after or not (after[0].isalnum() or after[0] in "_-" or (after[0] == "." and after[1:].isalnum()))


@lru_cache(maxsize=1)
def _scanner() -> _Scanner:
    return _Scanner(gazetteer(), UNNAMED_HINTS)


def _links_by_block(doc, link_items) -> dict:
    """Block element -> [(offset of the anchor text in the block's text, registrable domain)]."""
    blocks = {b.element: b for b in doc.blocks}
    out: dict = {}
    for el, fields, host in link_items:
        node = el
        while node is not None and node not in blocks:
            node = node.getparent()
        if node is None:
            continue
        at = blocks[node].text.find(fields["anchor_text"]) if fields["anchor_text"] else -1
        if at >= 0:
            out.setdefault(node, []).append((at, registrable_domain(host)))
    return out


def _judge(doc, hits, own_domain, own_names, links_by_block, seen) -> list:
    text = doc.text
    results: list = []
    accepted: list = []  # (hit, cue) of hits with their own cue, for list sharing
    pending: list = []
    for start, end, alias, outlet in hits:
        sent_start, sent_end = doc.sentence(start)
        raw_before = text[sent_start:start]
        before = raw_before.rstrip(QUOTES) + " " if raw_before.strip() else ""
        after = text[end:sent_end]
        if after[:1] in QUOTES and after[:1] != " ":
            after = after.lstrip(QUOTES[:-1])
        the = ARTICLE_BEFORE.search(before[-8:]) if before else None
        surface_start = start - len(the.group(0)) if the and text[start - len(the.group(0)):start] == the.group(0) else start
        before_surface = before[: len(before) - len(the.group(0))] if the else before
        single = " " not in alias.strip()
        tight = outlet.ambiguous and single
        if tight and outlet.name.startswith("The ") and not alias.startswith("The ") and not the:
            continue  # "Times" alone is not The Times
        tail = before_surface[-50:]
        low_tail = tail.lower()
        if (_has_any(low_tail, PHOTO_HINTS) and PHOTO_BEFORE.search(tail)) or PHOTO_AFTER.match(after):
            continue
        if _neighbour_blocks(before_surface, after, bool(the)):
            continue
        if _self(outlet, alias, own_domain, own_names):
            continue
        cue = _cue(before_surface, after, tight)
        hit = (surface_start, end, alias, outlet, sent_start, sent_end)
        if cue:
            accepted.append((hit, cue))
        else:
            pending.append(hit)
    # list sharing: "according to The Wrap and Deadline", "The Guardian, The Times and ..."
    changed = True
    while pending and changed and accepted:
        changed = False
        for hit in list(pending):
            for other, cue in accepted:
                lo, hi = (other, hit) if other[0] < hit[0] else (hit, other)
                if other[4] == hit[4] and LIST_JOIN.match(text[lo[1]:lo[1] + max(0, hi[0] - lo[1])]):
                    accepted.append((hit, cue))
                    pending.remove(hit)
                    changed = True
                    break
    for (start, end, alias, outlet, s0, s1), cue in sorted(accepted, key=lambda x: x[0][0]):
        key = (outlet.name, s0)
        if key in seen:
            continue
        seen.add(key)
        block, offset = doc.block_at(start)
        # a link to the outlet's site in the same sentence (offsets within the block's text)
        lo, hi = s0 - offset, s1 - offset
        outlet_domain = registrable_domain(outlet.domain)
        linked = any(lo <= at < hi and domain == outlet_domain
                     for at, domain in links_by_block.get(block.element, ()))
        results.append((block.element, start - offset, dict(
            name=outlet.name, surface=text[start:end], domain=outlet.domain, sentence=text[s0:s1].strip(),
            in_body=True, cue=cue, linked=linked)))
    return results


def _unnamed_matches(text: str, hint_starts: list[int]):
    """UNNAMED matches, searched only in the windows around hint words (merged when they overlap);
    `hint_starts` is the sorted start of every UNNAMED_HINTS occurrence."""
    back, ahead = UNNAMED_REACH
    windows: list = []
    for i in hint_starts:
        lo, hi = max(0, i - back), min(len(text), i + ahead)
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], hi)
        else:
            windows.append([lo, hi])
    last_end = -1
    for lo, hi in windows:
        for m in UNNAMED.finditer(text, lo, hi):
            if m.start() >= last_end:
                last_end = m.end()
                yield m


def _unnamed(doc, seen, hint_starts: list[int]) -> list:
    text = doc.text
    out = []
    for m in _unnamed_matches(text, hint_starts):
        s0, s1 = doc.sentence(m.start())
        before, after = text[s0:m.start()], text[m.end():s1]
        cue = None
        found = CUE_BEFORE.search(before[-160:])
        if found:
            cue = found.group("cue").lower()
        else:
            found = CUE_AFTER.match(after[:120])
            if found:
                cue = found.group("cue").lower()
        if cue is None:
            continue
        key = ("unnamed", s0)
        if key in seen:
            continue
        seen.add(key)
        block, offset = doc.block_at(m.start())
        out.append((block.element, m.start() - offset, dict(
            name=None, surface=m.group(0), domain=None, sentence=text[s0:s1].strip(),
            in_body=True, cue=cue, linked=False, unnamed=True)))
    return out
