"""Media players and data visualisations whose item is a video, track, chart or map rather than
a post: Vimeo, Dailymotion, Spotify, SoundCloud, Giphy, Flourish, Datawrapper, Google Maps.
Each is a small platform with the same interface; they share this module because each is only
a URL pattern plus, for the players, a public oEmbed endpoint (reference A.11, B.9).

Vimeo, Dailymotion, Spotify and SoundCloud are captured: oEmbed (the snapshot) and the item's
public page (recorded as evidence). Giphy, Flourish, Datawrapper and Google Maps are not: the
crawler records their URL as a plain page.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
import re
from urllib.parse import SplitResult, quote, unquote, urlsplit

from ..model import PostRef, PostSnapshot
from .base import CaptureRequest, path_segments, query, ref
from .oembed import endpoint_url, handle_from_url, parse_oembed


class _UrlPlatform:
    """A platform recognised by URL shape alone."""

    def __init__(self, name: str, hosts: tuple[str, ...], matcher):
        self.NAME = name
        self.HOSTS = hosts
        self._matcher = matcher

    def match_url(self, parts: SplitResult) -> PostRef | None:
        return self._matcher(parts, path_segments(parts))


class _OEmbedPlatform(_UrlPlatform):
    """A URL-shaped platform captured through its public oEmbed endpoint plus the item's page."""

    def __init__(self, name: str, hosts: tuple[str, ...], matcher, oembed: str, *,
                 params: dict[str, str] | None = None,
                 page: Callable[[PostRef], str] = lambda post: post.url,
                 has_handle: bool = True,
                 refused: tuple[str, str] = ("unavailable", "the item is private or embedding is restricted")):
        super().__init__(name, hosts, matcher)
        self.OEMBED = oembed
        self._params = params or {}
        self._page = page
        self._has_handle = has_handle
        self._refused = refused

    def capture_requests(self, post: PostRef, tokens: Mapping[str, str] | None = None) -> list[CaptureRequest]:
        return [CaptureRequest(endpoint_url(self.OEMBED, post.url, **self._params), "post"),
                CaptureRequest(self._page(post), "page")]

    def parse(self, post: PostRef, url: str, status: int, body: bytes) -> PostSnapshot:
        """title as text, author_name, thumbnail_url as media; the handle is the author URL's
        single path segment (vimeo.com/<name>, soundcloud.com/<name>)."""
        def handle(data) -> str | None:
            return handle_from_url(data.get("author_url")) if self._has_handle else None
        return parse_oembed(self.NAME, post, url, status, body, refused=self._refused, handle=handle)


VIMEO_HASH = re.compile(r"^[0-9a-f]{6,}$")


def _vimeo(parts, seg):
    ids = [s for s in seg if s.isdigit()]
    if not ids:
        return None
    after = seg[seg.index(ids[0]) + 1:]
    # an unlisted video's privacy hash: player ?h=<hash>, or the canonical vimeo.com/<id>/<hash>
    h = query(parts, "h") or (after[0] if after and VIMEO_HASH.match(after[0]) else None)
    url = f"https://vimeo.com/{ids[0]}" + (f"/{h}" if h else "")
    return ref("vimeo", url, ids[0])


def _dailymotion(parts, seg):
    host = parts.hostname or ""
    video = None
    if host == "dai.ly" and seg:
        video = seg[0]
    elif "video" in seg and seg.index("video") + 1 < len(seg):
        video = seg[seg.index("video") + 1].split("_")[0]
    elif seg[-1:] == ["player.html"] or (seg and seg[0] == "player"):
        video = query(parts, "video")
    return ref("dailymotion", f"https://www.dailymotion.com/video/{video}", video) if video else None


SPOTIFY_TYPES = ("track", "album", "playlist", "episode", "show", "artist")


def _spotify(parts, seg):
    seg = [s for s in seg if s not in ("embed", "embed-podcast") and not s.startswith("intl-")]
    if len(seg) >= 2 and seg[0] in SPOTIFY_TYPES:
        return ref("spotify", f"https://open.spotify.com/{seg[0]}/{seg[1]}", seg[1])
    return None


SOUNDCLOUD_API = re.compile(r"api\.soundcloud\.com/(tracks|playlists)/(\d+)")


def _soundcloud(parts, seg):
    if (parts.hostname or "").startswith("w.") or seg[:1] == ["player"]:
        found = SOUNDCLOUD_API.search(unquote(query(parts, "url") or ""))
        if found:
            return ref("soundcloud", f"https://api.soundcloud.com/{found.group(1)}/{found.group(2)}",
                       found.group(2))
        return None
    found = SOUNDCLOUD_API.search(parts.geturl())
    if found:
        return ref("soundcloud", f"https://api.soundcloud.com/{found.group(1)}/{found.group(2)}", found.group(2))
    if len(seg) >= 2 and seg[0] not in ("discover", "search", "you", "pages"):
        return ref("soundcloud", f"https://soundcloud.com/{seg[0]}/{'/'.join(seg[1:])}", None, seg[0])
    return None


GIPHY_ID = re.compile(r"([A-Za-z0-9]{8,32})$")


def _giphy(parts, seg):
    gif = None
    if seg[:1] == ["embed"] and len(seg) >= 2:
        gif = seg[1]
    elif seg[:1] in (["gifs"], ["stickers"]) and len(seg) >= 2:
        found = GIPHY_ID.search(seg[1].rsplit("-", 1)[-1])
        gif = found.group(1) if found else None
    elif seg[:1] == ["media"] and len(seg) >= 2:
        gif = seg[-2] if seg[-1].endswith((".gif", ".webp", ".mp4")) and len(seg) >= 3 else seg[1]
    return ref("giphy", f"https://giphy.com/gifs/{gif}", gif) if gif else None


def _flourish(parts, seg):
    for kind in ("visualisation", "story"):
        if kind in seg and seg.index(kind) + 1 < len(seg) and seg[seg.index(kind) + 1].isdigit():
            item = f"{kind}/{seg[seg.index(kind) + 1]}"
            return ref("flourish", f"https://public.flourish.studio/{item}/", item)
    return None


DW_ID = re.compile(r"^[A-Za-z0-9]{5}$")


def _datawrapper(parts, seg):
    if seg and DW_ID.match(seg[0]):
        version = f"{seg[1]}/" if len(seg) >= 2 and seg[1].isdigit() else ""
        return ref("datawrapper", f"https://datawrapper.dwcdn.net/{seg[0]}/{version}", seg[0])
    return None


def _googlemaps(parts, seg):
    is_embed = "embed" in seg or query(parts, "output") == "embed"
    if not (seg[:1] == ["maps"] or (parts.hostname or "").startswith("maps.")) or not is_embed:
        return None
    item = query(parts, "pb") or query(parts, "q") or query(parts, "mid")
    url = urlsplit(parts.geturl())._replace(fragment="").geturl()
    return ref("googlemaps", url, item) if item else None


def _soundcloud_page(post: PostRef) -> str:
    """api.soundcloud.com URLs need a client id: the public page is the player the article showed."""
    if post.url.startswith("https://api.soundcloud.com/"):
        return f"https://w.soundcloud.com/player/?url={quote(post.url, safe='')}"
    return post.url


# Endpoints from iamcal/oembed providers (reference B.9; Dailymotion: providers/dailymotion.yml).
vimeo = _OEmbedPlatform("vimeo", ("vimeo.com",), _vimeo, "https://vimeo.com/api/oembed.json",
                        refused=("unavailable", "the video is private or may only be embedded on other sites"))
dailymotion = _OEmbedPlatform("dailymotion", ("dailymotion.com", "dai.ly"), _dailymotion,
                              "https://www.dailymotion.com/services/oembed", params={"format": "json"},
                              refused=("unavailable", "the video is private or restricted"))
spotify = _OEmbedPlatform("spotify", ("open.spotify.com", "spotify.link"), _spotify,
                          "https://open.spotify.com/oembed", has_handle=False)
# SoundCloud's oEmbed takes soundcloud.com and api.soundcloud.com track URLs [unverified for the latter]
soundcloud = _OEmbedPlatform("soundcloud", ("soundcloud.com",), _soundcloud, "https://soundcloud.com/oembed",
                             params={"format": "json"}, page=_soundcloud_page,
                             refused=("unavailable", "the track is private or its owner disabled embedding"))
giphy = _UrlPlatform("giphy", ("giphy.com",), _giphy)
flourish = _UrlPlatform("flourish", ("flo.uri.sh", "public.flourish.studio", "flourish.studio"), _flourish)
datawrapper = _UrlPlatform("datawrapper", ("datawrapper.dwcdn.net", "dwcdn.net"), _datawrapper)
googlemaps = _UrlPlatform("googlemaps", ("google.com", "maps.google.com"), _googlemaps)

# Giphy has an oEmbed (iamcal/oembed GIPHY.yml) but the reference does not document it; its page is
# recorded as a plain page.
ALL = (vimeo, dailymotion, spotify, soundcloud, giphy, flourish, datawrapper, googlemaps)
