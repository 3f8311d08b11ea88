"""Embedded posts, all platforms and shapes of reference Part A (A.0 selector table).

One XPath (compiled once) returns every candidate element in document order; each is read by a
small handler for its markup. Results are keyed by (platform, post_id) so that the iframe and
the blockquote of the same post give one embed, keeping the richer claim.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from .. import platforms
from ..model import PostRef
from ..platforms import bluesky, instagram, mastodon, telegram, tiktok, twitter, vk, youtube
from ..urls import absolute
from .parse import fragment, squash, squash_keep_lines, text_with_breaks, text_of

_EMBED_DIV_CLASSES = ("twitter-tweet", "fb-post", "fb-video", "flourish-embed", "rll-youtube-player",
                      "wp-block-embed__wrapper", "tiktok-embed", "instagram-media", "bluesky-embed",
                      "text-post-media", "reddit-embed", "mastodon-embed", "telegram-post", "cmplz-placeholder")
_DIV_HINT = re.compile("|".join(re.escape(c) for c in _EMBED_DIV_CLASSES))
# AMP components _amp reads; listed so that the walk below can name every tag it wants.
AMP_TAGS = ("amp-twitter", "amp-instagram", "amp-youtube", "amp-facebook", "amp-facebook-post",
            "amp-facebook-video", "amp-tiktok", "amp-vimeo", "amp-dailymotion", "amp-soundcloud",
            "amp-reddit", "amp-vk", "amp-iframe", "amp-bluesky", "amp-gist")
_CANDIDATE_TAGS = ("iframe", "blockquote", "div", "script", "lite-youtube", *AMP_TAGS)


@lru_cache(maxsize=8192)
def _embed_class(cls: str) -> bool:
    # cached: a page repeats its div classes many times, and the regex tries every position
    return _DIV_HINT.search(cls) is not None


def candidates(root) -> list:
    """Elements that may be embeds, in document order. lxml's tag-filtered walk runs in C, so
    Python looks only at the few hundred elements with a candidate tag."""
    out = []
    for el in root.iter(*_CANDIDATE_TAGS):
        tag = el.tag
        if tag == "div":
            cls = el.get("class")
            if cls and _embed_class(cls):
                out.append(el)
                continue
            ident = el.get("id")
            if (ident and ident.startswith(("vk_post_", "datawrapper-vis-"))) or el.get("data-instgrm-permalink"):
                out.append(el)
        elif tag == "blockquote":
            if el.get("class") or el.get("data-telegram-post") or el.get("data-instgrm-permalink") or el.get("cite"):
                out.append(el)
        elif tag == "script":
            if el.get("data-telegram-post"):
                out.append(el)
        else:
            out.append(el)
    return out


# Small subtrees (one embed) are walked by lxml's tag-filtered iter: cheaper there than an XPath
# call, whose set-up costs more than the walk.
def _links(el) -> list:
    """The <a href> under el, in document order."""
    return [a for a in el.iter("a") if a.get("href") is not None]


def _first(el, tag: str):
    """The first <tag> under el, or None."""
    return next(el.iter(tag), None)


# Attributes that hold an iframe's real URL under lazy-loading wrappers (A.0).
URL_ATTRS = ("src", "data-src", "data-lazy-src", "data-litespeed-src", "data-original", "data-url",
             "data-lazy", "data-iframe-src", "data-embed-src",
             "data-src-cmplz", "data-cmplz-src", "data-cookieblock-src")  # consent managers (Complianz, Cookiebot)
SHORT_MEDIA = re.compile(r"^https?://(?:t\.co|pic\.twitter\.com|pic\.x\.com)/", re.I)
BYLINE = re.compile(r"[—–-]\s*(?P<name>[^\n()]{0,80}?)\s*\(\s*@(?P<handle>[A-Za-z0-9_]{1,15})\s*\)", re.S)
IG_SHARED = re.compile(r"shared by\s+(?P<name>.*?)\s*\(@(?P<handle>[A-Za-z0-9._]{1,30})\)|shared by\s+@(?P<h2>[A-Za-z0-9._]{1,30})", re.S)
AT_HANDLE = re.compile(r"@([A-Za-z0-9._-]{1,60})")


@dataclass
class Found:
    """One embed as read from the page, before positions are assigned."""

    ref: PostRef
    shape: str
    element: object
    claim_text: str | None = None
    claim_author: str | None = None
    claim_date: str | None = None
    media_links: tuple[str, ...] = ()
    resolve_url: str | None = None

    def richness(self) -> int:
        return (2 * bool(self.claim_text) + bool(self.claim_date) + bool(self.claim_author)
                + bool(self.ref.handle))


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def match(url: str | None, base: str) -> PostRef | None:
    """A post ref for an embed URL (relative or protocol-relative as pages write them)."""
    full = absolute("https:" + url.strip() if url and url.strip().startswith("//") else url or "", base)
    if not full:
        return None
    found = platforms.match_url(full)
    if found is not None:
        return found
    # An iframe's /@user/<id>/embed is Mastodon on any instance, even one the registry can't list.
    parts = urlsplit(full)
    if parts.path.rstrip("/").endswith("/embed") and "/@" in parts.path:
        return mastodon.match_url(parts._replace(netloc=_host(full)))
    return None


def _twitter_snippet(el, base: str) -> Found | None:
    status = None
    for a in reversed(_links(el)):
        ref = match(a.get("href"), base)
        if ref is not None and ref.platform == "twitter" and ref.post_id:
            status = (a, ref)
            break
    if status is None:
        tid = el.get("data-tweet-id") or el.get("data-tweetid")
        if tid and tid.isdigit():
            return Found(match(twitter.post_url(tid, None), base), "snippet", el)
        return None  # a share button or an empty shell: not an embed
    link, ref = status
    found = Found(ref, "snippet", el)
    para = _first(el, "p")
    if para is not None:
        found.claim_text = squash_keep_lines(text_with_breaks(para)) or None
        found.media_links = tuple(dict.fromkeys(
            a.get("href").strip() for a in _links(para) if SHORT_MEDIA.match(a.get("href").strip())))
    date = squash(text_of(link))
    if date and any(ch.isdigit() for ch in date):
        found.claim_date = date
    byline = BYLINE.search(_after_paragraph(el, para))
    if byline:
        found.claim_author = squash(byline.group("name")) or None
        if ref.handle is None:
            ref = twitter.match_url(urlsplit(twitter.post_url(ref.post_id, byline.group("handle"))))
            found.ref = ref
    return found


def _after_paragraph(el, para) -> str:
    """The text of a blockquote after its <p>: the '— Name (@handle)' byline lives there."""
    if para is None:
        return text_of(el)
    text = text_of(el)
    inner = text_of(para)
    at = text.find(inner)
    return text[at + len(inner):] if at >= 0 else text


def _instagram(el, base: str, shape: str = "snippet") -> Found | None:
    url = el.get("data-instgrm-permalink") or el.get("src") or el.get("data-src")
    ref = match(url, base) if url else None
    if ref is None:
        for a in _links(el):
            ref = match(a.get("href"), base)
            if ref is not None:
                break
    if ref is None or ref.platform != "instagram":
        return None
    found = Found(ref, shape, el)
    text = squash(text_of(el))
    shared = IG_SHARED.search(text)
    if shared:
        handle = shared.group("handle") or shared.group("h2")
        found.ref = PostRef(ref.platform, ref.url, ref.post_id, handle)
        found.claim_author = squash(shared.group("name") or "") or None
    for p in el.iter("p"):
        t = squash_keep_lines(text_with_breaks(p))
        if t and not t.startswith(("A post shared by", "View this post on Instagram")) and "shared by" not in t[:40]:
            found.claim_text = t
            break
    time = _first(el, "time")
    if time is not None:
        found.claim_date = squash(text_of(time)) or time.get("datetime")
    return found


def _tiktok(el, base: str) -> Found | None:
    ref = match(el.get("cite"), base)
    if ref is None and el.get("data-video-id"):
        ref = tiktok.video_ref(el.get("data-video-id"))
    if ref is None:
        return None
    found = Found(ref, "snippet", el)
    section = el.find(".//section")
    if section is not None:
        found.claim_text = squash_keep_lines(text_with_breaks(section)) or None
    return found


def _bluesky(el, base: str) -> Found | None:
    text = text_of(el)
    handle = None
    links = _links(el)
    for a in links:
        m = AT_HANDLE.search(text_of(a) or "")
        if m and "/post/" not in a.get("href", ""):
            handle = m.group(1)
    uri = el.get("data-bluesky-uri")
    ref = bluesky.from_at_uri(uri, handle) if uri else None
    if ref is None:
        for a in reversed(links):
            ref = match(a.get("href"), base)
            if ref is not None and ref.platform == "bluesky":
                break
        else:
            return None
    found = Found(ref, "snippet", el)
    para = _first(el, "p")
    if para is not None:
        found.claim_text = squash_keep_lines(text_with_breaks(para)) or None
    if links and "/post/" in links[-1].get("href", ""):
        found.claim_date = squash(text_of(links[-1])) or None
    byline = re.search(r"[—–]\s*(.*?)\s*\(", text[text.rfind("\u2014") if "\u2014" in text else 0:])
    if byline:
        found.claim_author = squash(byline.group(1)) or None
    return found


def _first_link_ref(el, base: str, platform: str, attr: str | None = None) -> PostRef | None:
    if attr and el.get(attr):
        ref = match(el.get(attr), base)
        if ref is None and platform == "mastodon":
            full = absolute(el.get(attr), base) or ""
            parts = urlsplit(full)
            ref = mastodon.match_url(parts._replace(netloc=(parts.hostname or "").lower()))
        if ref is not None:
            return ref
    for a in _links(el):
        ref = match(a.get("href"), base)
        if ref is not None and (ref.platform == platform or platform == "any"):
            return ref
    return None


def _generic_snippet(el, base: str, platform: str, attr: str | None) -> Found | None:
    ref = _first_link_ref(el, base, platform, attr)
    if ref is None:
        return None
    found = Found(ref, "snippet", el)
    if platform == "reddit":
        links = _links(el)
        found.claim_text = squash(text_of(links[0])) if links else None
    elif platform == "facebook":
        found.claim_text = squash_keep_lines(text_with_breaks(el)) or None
    return found


def _blockquote(el, base: str) -> Found | None:
    cls = el.get("class") or ""
    if "twitter-tweet" in cls or "twitter-video" in cls:
        return _twitter_snippet(el, base)
    if "instagram-media" in cls or el.get("data-instgrm-permalink"):
        return _instagram(el, base)
    if "tiktok-embed" in cls:
        return _tiktok(el, base)
    if "bluesky-embed" in cls:
        return _bluesky(el, base)
    if "mastodon-embed" in cls:
        return _generic_snippet(el, base, "mastodon", "data-embed-url") or _generic_snippet(el, base, "truthsocial", "data-embed-url")
    if "text-post-media" in cls:
        return _generic_snippet(el, base, "threads", "data-text-post-permalink")
    if "reddit-embed" in cls or "reddit-card" in cls:
        return _generic_snippet(el, base, "reddit", None)
    if el.get("data-telegram-post"):
        ref = telegram.from_widget_attr(el.get("data-telegram-post"))
        return Found(ref, "snippet", el, claim_text=squash(text_of(el)) or None) if ref else None
    if "fb-xfbml-parse-ignore" in cls:
        ref = match(el.get("cite"), base) or _first_link_ref(el, base, "facebook")
        if ref is not None:
            return Found(ref, "snippet", el, claim_text=squash_keep_lines(text_with_breaks(el)) or None)
    return None


def _iframe(el, base: str, shape: str = "iframe") -> Found | None:
    tid = el.get("data-tweet-id")
    if tid and tid.isdigit():
        return Found(match(twitter.post_url(tid, None), base), shape, el)
    for attr in URL_ATTRS:
        value = el.get(attr)
        if value and not value.startswith(("javascript:", "about:", "data:")):
            ref = match(value, base)
            if ref is not None:
                return Found(ref, shape, el)
    srcdoc = el.get("srcdoc")
    if srcdoc and len(srcdoc) > 30:
        frag = fragment(srcdoc)
        if frag is None:
            return None
        inner = detect(frag, base, srcdoc_depth=1)
        if inner:
            inner[0].element = el
            inner[0].shape = shape
            return inner[0]
    return None


def _amp(el, base: str) -> Found | None:
    tag = el.tag
    get = el.get
    ref = None
    if tag == "amp-twitter":
        tid = get("data-tweetid")
        if tid and tid.isdigit():
            ref = match(twitter.post_url(tid, None), base)
            placeholder = el.find(".//blockquote")
            if placeholder is not None:
                inner = _twitter_snippet(placeholder, base)
                if inner is not None and inner.ref.post_id == tid:
                    inner.element, inner.shape = el, "amp"
                    return inner
    elif tag == "amp-instagram":
        code = get("data-shortcode") or get("shortcode")
        ref = instagram.from_shortcode(code) if code else None
    elif tag in ("amp-youtube",):
        ref = youtube.video_ref(get("data-videoid") or get("video-id") or "")
    elif tag in ("amp-facebook", "amp-facebook-post", "amp-facebook-video"):
        ref = match(get("data-href"), base)
    elif tag == "amp-tiktok":
        value = get("data-src") or ""
        ref = tiktok.video_ref(value) if value.isdigit() else match(value, base)
    elif tag == "amp-vimeo" and (get("data-videoid") or "").isdigit():
        ref = match(f"https://player.vimeo.com/video/{get('data-videoid')}", base)
    elif tag == "amp-dailymotion" and get("data-videoid"):
        ref = match(f"https://www.dailymotion.com/video/{get('data-videoid')}", base)
    elif tag == "amp-soundcloud":
        if get("data-trackid"):
            ref = match(f"https://api.soundcloud.com/tracks/{get('data-trackid')}", base)
        elif get("data-playlistid"):
            ref = match(f"https://api.soundcloud.com/playlists/{get('data-playlistid')}", base)
    elif tag == "amp-reddit":
        ref = match(get("data-src"), base)
    elif tag == "amp-vk" and get("data-owner-id") and get("data-post-id"):
        ref = vk.post_ref(get("data-owner-id"), get("data-post-id"))
    elif tag in ("amp-iframe", "amp-bluesky", "amp-gist"):
        return _iframe(el, base, "amp")
    return Found(ref, "amp", el) if ref is not None else None


def _div(el, base: str) -> Found | None:
    cls = el.get("class") or ""
    ident = el.get("id") or ""
    if "fb-post" in cls.split() or "fb-video" in cls.split():
        ref = match(el.get("data-href") or el.get("data-uri"), base)
        if ref is None:
            return None
        found = Found(ref, "snippet", el)
        inner = el.find(".//blockquote")
        if inner is not None:
            found.claim_text = squash_keep_lines(text_with_breaks(inner)) or None
        return found
    if "flourish-embed" in cls and el.get("data-src"):
        item = el.get("data-src").split("?")[0].strip("/")
        ref = match(f"https://public.flourish.studio/{item}/", base)
        return Found(ref, "snippet", el) if ref else None
    if "rll-youtube-player" in cls:
        ref = youtube.video_ref(el.get("data-id") or "") or match(el.get("data-src"), base)
        return Found(ref, "iframe", el) if ref else None
    if ident.startswith("datawrapper-vis-"):
        ref = match(f"https://datawrapper.dwcdn.net/{ident[len('datawrapper-vis-'):]}/", base)
        return Found(ref, "snippet", el) if ref else None
    if ident.startswith("vk_post_"):
        owner, _, post = ident[len("vk_post_"):].rpartition("_")
        if owner.lstrip("-").isdigit() and post.isdigit():
            return Found(vk.post_ref(owner, post), "snippet", el)
        return None
    if "wp-block-embed__wrapper" in cls:
        return _cms(el, base)
    if "cmplz-placeholder" in cls:  # consent placeholder holding the blocked iframe's URL
        return _iframe(el, base)
    # div forms of the blockquote snippets (some CMSs rewrite the tag)
    if "twitter-tweet" in cls.split() or "twitter-tweet-rendered" in cls:
        iframe = el.find(".//iframe")
        if iframe is not None:
            return None  # handled as the iframe itself
        return _twitter_snippet(el, base)
    return _blockquote(el, base) if any(c in cls for c in _EMBED_DIV_CLASSES[6:]) else None


def _cms(el, base: str) -> Found | None:
    """WordPress wrapper holding only the post URL (the theme did not expand it, A.13)."""
    if el.find(".//iframe") is not None or el.find(".//blockquote") is not None:
        return None  # the expanded markup is read by its own handler
    text = squash(text_of(el))
    links = _links(el)
    url = None
    if len(links) == 1 and squash(text_of(links[0])) in (text, ""):
        url = links[0].get("href")
    elif not links and text.startswith("http") and " " not in text:
        url = text
    ref = match(url, base) if url else None
    return Found(ref, "cms", el) if ref is not None else None


def _element(el, base: str) -> Found | None:
    tag = el.tag
    if not isinstance(tag, str):
        return None
    if tag == "blockquote":
        return _blockquote(el, base)
    if tag == "iframe":
        return _iframe(el, base)
    if tag == "div":
        found = _div(el, base)
        if found is None and el.get("data-instgrm-permalink"):
            return _instagram(el, base)
        return found
    if tag.startswith("amp-"):
        return _amp(el, base)
    if tag == "lite-youtube":
        ref = youtube.video_ref(el.get("videoid") or "")
        return Found(ref, "iframe", el) if ref else None
    if tag == "script":
        ref = telegram.from_widget_attr(el.get("data-telegram-post") or "")
        return Found(ref, "snippet", el) if ref else None
    if el.get("data-instgrm-permalink"):
        return _instagram(el, base)
    return None


def detect(root, base: str, srcdoc_depth: int = 0) -> list[Found]:
    """Every embed element under root, in document order (not yet de-duplicated)."""
    out: list[Found] = []
    for el in candidates(root):
        if srcdoc_depth and el.tag == "iframe" and el.get("srcdoc"):
            continue  # one level of srcdoc is enough
        found = _element(el, base)
        if found is not None and found.ref is not None and found.ref.post_id:
            out.append(found)
    return out


# --- script state (last resort) ---------------------------------------------------------

# Keys whose value is an embedded post's URL or id in CMS / Next.js state.
EMBED_KEYS = frozenset({"embedurl", "embed_url", "tweeturl", "tweet_url", "posturl", "post_url",
                        "instagramurl", "youtubeurl", "videourl", "socialurl", "oembedurl"})
TYPE_KEYS = ("type", "__typename", "_type", "component", "provider", "providerName", "embedType")
EMBED_TYPES = re.compile(r"embed|tweet|twitter|instagram|tiktok|youtube|social|bluesky|telegram|oembed", re.I)
URL_VALUE_KEYS = ("url", "href", "src", "permalink", "link", "embedUrl", "uri")
_STATE_HINTS = ("twitter.com", "x.com/", "instagram.com", "tiktok.com", "youtube.com", "youtu.be", "bsky.app", "t.me/")
MAX_STATE = 3_000_000


def from_script_state(root, base: str) -> list[Found]:
    out: list[Found] = []
    # //script[@id='__NEXT_DATA__' or @type='application/json'] by a tag-filtered walk (the
    # XPath predicate, evaluated on every element, cost several times more)
    for script in root.iter("script"):
        if script.get("id") != "__NEXT_DATA__" and script.get("type") != "application/json":
            continue
        text = script.text or ""
        if len(text) > MAX_STATE or not any(h in text for h in _STATE_HINTS):
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        for url in _state_urls(data):
            if url.lstrip().startswith("<"):
                frag = fragment(url)
                if frag is None:
                    continue
                for f in detect(frag, base, srcdoc_depth=1):
                    f.element, f.shape = script, "script"
                    out.append(f)
                continue
            ref = match(url, base)
            if ref is not None and ref.post_id:
                out.append(Found(ref, "script", script))
    return out


def _state_urls(data):
    """URLs (or embed HTML) under known embed keys of a JSON tree (iterative: no recursion limit)."""
    stack = [data]
    seen = 0
    while stack and seen < 200_000:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            typed = any(isinstance(node.get(k), str) and EMBED_TYPES.search(node.get(k)) for k in TYPE_KEYS)
            for key, value in node.items():
                if isinstance(value, str):
                    low = key.lower()
                    if low in EMBED_KEYS or (typed and key in URL_VALUE_KEYS):
                        yield value
                    elif typed and low in ("html", "embedhtml", "embed_html", "markup") and "<" in value:
                        yield value
                elif isinstance(value, (dict, list)):
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, (dict, list)))
