"""URL -> resource resolution for the demo site (no sockets here, so it is easy to test).

The site is a file tree under ``site/``: the news site is served from ``site/`` itself and "the rest
of the web" from ``site/ext/<real host>/...``. ``site/_routes.json`` lists what a file tree cannot
express (redirects, forced 404s, transfer modes, extra headers); the rules below select files by
query parameter the way the real platform endpoints do (tweet-result by ``id``, oEmbed by ``url``,
Telegram by ``?embed=1``, Bluesky XRPC by ``uri``/``handle``).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email.utils import format_datetime
from datetime import datetime
from pathlib import Path
from typing import Callable

SITE_DIR = Path(__file__).resolve().parent / "site"
EXT_DIR_NAME = "ext"

# When nothing better is known (every file of the site was "published" that evening).
DEFAULT_LAST_MODIFIED = "Sun, 16 Mar 2025 18:30:00 GMT"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "application/javascript; charset=utf-8",
    ".jpg": "image/jpeg",
    ".png": "image/png",
}
_SPECIAL_TYPES = {"feed.xml": "application/rss+xml; charset=utf-8"}

Query = dict[str, list[str]]  # parse_qs output

HTML = _TYPES[".html"]
JSON = _TYPES[".json"]
TEXT = _TYPES[".txt"]


def content_type_for(path: Path) -> str:
    return _SPECIAL_TYPES.get(path.name) or _TYPES.get(path.suffix.lower(), "application/octet-stream")


def is_text(content_type: str) -> bool:
    """Text bodies get placeholder substitution (and are the ones worth compressing)."""
    return "charset=" in content_type


@dataclass(frozen=True)
class Resource:
    """What to answer: a status plus either a file or a literal body."""

    status: int
    file: Path | None = None
    body: bytes | None = None
    content_type: str | None = None          # None: derived from the file name
    headers: tuple[tuple[str, str], ...] = ()
    # "auto": gzip HTML of the news site when the client accepts it; "identity": never;
    # "chunked" / "chunked+gzip": Transfer-Encoding: chunked, without / with gzip.
    transfer: str = "auto"
    subs: tuple[tuple[str, str], ...] = ()  # extra placeholders, e.g. ("{{POST}}", "chan/1")
    last_modified: str = DEFAULT_LAST_MODIFIED

    def read(self) -> bytes:
        if self.body is not None:
            return self.body
        assert self.file is not None
        return self.file.read_bytes()

    def media_type(self) -> str:
        if self.content_type:
            return self.content_type
        return content_type_for(self.file) if self.file else TEXT


def _json(status: int, obj: object) -> Resource:
    return Resource(status, body=json.dumps(obj, separators=(",", ":")).encode(), content_type=JSON,
                    transfer="identity")


def _text(status: int, text: str, content_type: str = TEXT) -> Resource:
    return Resource(status, body=text.encode(), content_type=content_type, transfer="identity")


def _first(query: Query, name: str) -> str | None:
    values = query.get(name)
    return values[0] if values else None


def _http_date(iso: str) -> str:
    return format_datetime(datetime.fromisoformat(iso), usegmt=True)


Rule = Callable[[re.Match[str], Query], "Resource | None"]


@dataclass
class Router:
    site_dir: Path = SITE_DIR
    table: dict = field(init=False)
    articles: list[dict] = field(init=False)

    def __post_init__(self) -> None:
        self.table = json.loads((self.site_dir / "_routes.json").read_text(encoding="utf-8"))
        self.articles = json.loads((self.site_dir / "_articles.json").read_text(encoding="utf-8"))
        self._modified = {a["path"]: _http_date(a["modified"]) for a in self.articles}
        # Listings change whenever any article does.
        latest = _http_date(max(a["modified"] for a in self.articles))
        self._modified.update({"/": latest, "/index.html": latest, "/sitemap.xml": latest, "/feed.xml": latest})
        self.ext_dir = self.site_dir / EXT_DIR_NAME
        x = r"(?:[A-Za-z0-9_]{1,15}|i/web)"
        self._rules: list[tuple[re.Pattern[str], Rule]] = [
            (re.compile(r"/cdn\.syndication\.twimg\.com/tweet-result"), self._tweet_result),
            (re.compile(r"/publish\.twitter\.com/oembed"), self._twitter_oembed),
            (re.compile(rf"/(?:twitter\.com|x\.com|mobile\.twitter\.com)/{x}/status/(\d+)(?:/(?:photo|video)/\d+)?/?"),
             self._tweet_page),
            (re.compile(r"/pbs\.twimg\.com/media/([A-Za-z0-9_-]+)"), self._twimg_no_ext),
            (re.compile(r"/t\.me/(?:s/)?([A-Za-z0-9_]{4,32})/(\d+)/?"), self._telegram),
            (re.compile(r"/www\.youtube\.com/oembed"), self._youtube_oembed),
            (re.compile(r"/www\.youtube\.com/embed/([A-Za-z0-9_-]{11})"), self._youtube_page),
            (re.compile(r"/www\.youtube\.com/watch"), self._youtube_watch),
            (re.compile(r"/public\.api\.bsky\.app/xrpc/com\.atproto\.identity\.resolveHandle"), self._bsky_resolve),
            (re.compile(r"/public\.api\.bsky\.app/xrpc/app\.bsky\.feed\.getPostThread"), self._bsky_thread),
            (re.compile(r"/public\.api\.bsky\.app/xrpc/app\.bsky\.feed\.getPosts"), self._bsky_posts),
            (re.compile(r"/embed\.bsky\.app/oembed"), self._bsky_oembed),
            (re.compile(r"/cdn\.bsky\.app/img/[a-z_]+/plain/[^/]+/([a-z2-7]+)@(?:jpeg|webp|png)"), self._bsky_image),
            (re.compile(r"/bsky\.app/profile/([^/]+)/post/([a-z2-7]+)/?"), self._bsky_page),
            (re.compile(r"/bsky\.app/profile/([^/]+)/?"), self._bsky_profile),
        ]

    # ------------------------------------------------------------------ entry point
    def resolve(self, kind: str, path: str, query: Query) -> Resource:
        """``kind`` is "base" (the news site) or "ext" (platform endpoints and outlets)."""
        if kind == "base":
            return self._base(path)
        return self._ext(path, query)

    # ------------------------------------------------------------------ news site
    def _base(self, path: str) -> Resource:
        conf = self.table["base"]
        if path in conf["redirects"]:
            return self._redirect(conf["redirects"][path])
        hidden = path.startswith(f"/{EXT_DIR_NAME}/") or "/_" in path
        file = None if hidden or path in conf["not_found"] else self._file(self.site_dir, path)
        if file is None:
            return Resource(404, file=self.site_dir / "_404.html")
        headers = tuple((k, v) for k, v in conf["headers"].get(path, []))
        return Resource(200, file=file, headers=headers, transfer=conf["transfer"].get(path, "auto"),
                        last_modified=self._modified.get(path, DEFAULT_LAST_MODIFIED))

    # ------------------------------------------------------------------ the rest of the web
    def _ext(self, path: str, query: Query) -> Resource:
        conf = self.table["ext"]
        if path in conf["redirects"]:
            return self._redirect(conf["redirects"][path])
        if path in conf["not_found"]:
            return self._ext_404()
        for pattern, rule in self._rules:
            m = pattern.fullmatch(path)
            if m:
                found = rule(m, query)
                if found is not None:
                    return found
                break
        file = self._file(self.ext_dir, path)
        return Resource(200, file=file, transfer="identity") if file else self._ext_404()

    def _ext_404(self) -> Resource:
        return Resource(404, file=self.ext_dir / "_404.html", transfer="identity")

    def _ext_file(self, rel: str, status: int = 200, **kw: object) -> Resource | None:
        file = self._file(self.ext_dir, "/" + rel)
        return Resource(status, file=file, transfer="identity", **kw) if file else None

    def _redirect(self, spec: dict) -> Resource:
        location = spec["location"]
        body = (f'<head><noscript><META http-equiv="refresh" content="0;URL={location}"></noscript>'
                f"<title>{location}</title></head>")
        return Resource(spec["status"], body=body.encode(), content_type=HTML, transfer="identity",
                        headers=(("Location", location),))

    @staticmethod
    def _file(root: Path, path: str) -> Path | None:
        """The file for a URL path under root: exact, dir/index.html, or path + ".html"."""
        rel = path.lstrip("/")
        if "\x00" in rel or any(part == ".." for part in rel.split("/")):
            return None
        target = root / rel
        try:
            target.resolve().relative_to(root.resolve())
        except ValueError:
            return None
        if target.is_dir():
            target = target / "index.html"
        elif not target.exists() and not target.suffix:
            target = target.with_name(target.name + ".html")
        return target if target.is_file() else None

    # ------------------------------------------------------------------ X / Twitter (B.1)
    def _tweet_result(self, m: re.Match[str], query: Query) -> Resource:
        tid = _first(query, "id")
        if tid is None:
            return _json(400, {"error": "missing id"})
        if not re.fullmatch(r"\d{1,40}", tid):
            return _text(404, "Not Found")
        # An unknown id answers 200 with {} (react-tweet's "not found").
        return self._ext_file(f"cdn.syndication.twimg.com/tweet-result/{tid}.json") or \
            self._ext_file("cdn.syndication.twimg.com/tweet-result/_empty.json")

    def _twitter_oembed(self, m: re.Match[str], query: Query) -> Resource:
        url = _first(query, "url")
        if not url:
            return _text(400, "Bad Request")
        found = re.search(r"/status(?:es)?/(\d+)", url)
        hit = found and self._ext_file(f"publish.twitter.com/oembed/{found.group(1)}.json")
        return hit or _text(404, "Not Found")      # deleted/protected posts: 404

    def _tweet_page(self, m: re.Match[str], query: Query) -> Resource:
        return self._ext_file(f"twitter.com/status/{m.group(1)}.html") or self._ext_404()

    def _twimg_no_ext(self, m: re.Match[str], query: Query) -> Resource | None:
        # /media/<name>?format=jpg&name=orig has no extension in the path
        fmt = _first(query, "format") or "jpg"
        return self._ext_file(f"pbs.twimg.com/media/{m.group(1)}.{fmt}") or self._ext_404()

    # ------------------------------------------------------------------ Telegram (B.2)
    def _telegram(self, m: re.Match[str], query: Query) -> Resource:
        channel, post_id = m.group(1), m.group(2)
        embed = "embed" in query or "/s/" in m.group(0)
        name = f"t.me/{channel}/{post_id}" + (".embed.html" if embed else ".html")
        # A missing or deleted post still answers 200 with the error widget.
        return self._ext_file(name) or Resource(
            200, file=self.ext_dir / "t.me/_post_not_found.html", transfer="identity",
            subs=(("{{POST}}", f"{channel}/{post_id}"),))

    # ------------------------------------------------------------------ YouTube (B.6)
    def _youtube_oembed(self, m: re.Match[str], query: Query) -> Resource:
        url = _first(query, "url")
        if not url:
            return _text(400, "Bad Request")
        found = re.search(r"(?:[?&]v=|youtu\.be/|/embed/|/shorts/|/live/)([A-Za-z0-9_-]{11})", url)
        hit = found and self._ext_file(f"www.youtube.com/oembed/{found.group(1)}.json")
        return hit or _text(404, "Not Found")

    def _youtube_page(self, m: re.Match[str], query: Query) -> Resource:
        return self._ext_file(f"www.youtube.com/embed/{m.group(1)}.html") or self._ext_404()

    def _youtube_watch(self, m: re.Match[str], query: Query) -> Resource:
        vid = _first(query, "v") or ""
        ok = re.fullmatch(r"[A-Za-z0-9_-]{11}", vid)
        return (ok and self._ext_file(f"www.youtube.com/watch/{vid}.html")) or self._ext_404()

    # ------------------------------------------------------------------ Bluesky (B.3)
    def _did_for(self, actor: str) -> str | None:
        if actor.startswith("did:"):
            return actor
        file = self._file(self.ext_dir, f"/public.api.bsky.app/resolveHandle/{actor.lower()}.json")
        return json.loads(file.read_text(encoding="utf-8"))["did"] if file else None

    def _bsky_resolve(self, m: re.Match[str], query: Query) -> Resource:
        handle = _first(query, "handle")
        if not handle:
            return _json(400, {"error": "InvalidRequest", "message": 'Error: Params must have the property "handle"'})
        return self._ext_file(f"public.api.bsky.app/resolveHandle/{handle.lower()}.json") or \
            _json(400, {"error": "InvalidRequest", "message": "Unable to resolve handle"})

    def _thread_file(self, uri: str) -> Path | None:
        found = re.fullmatch(r"at://([^/]+)/app\.bsky\.feed\.post/([a-z2-7]+)", uri)
        did = found and self._did_for(found.group(1))
        if not did:
            return None
        return self._file(self.ext_dir, f"/public.api.bsky.app/getPostThread/{did.replace(':', '_')}/{found.group(2)}.json")

    def _bsky_thread(self, m: re.Match[str], query: Query) -> Resource:
        uri = _first(query, "uri")
        if not uri:
            return _json(400, {"error": "InvalidRequest", "message": 'Error: Params must have the property "uri"'})
        file = self._thread_file(uri)
        if file is None:
            return _json(400, {"error": "NotFound", "message": f"Post not found: {uri}"})
        return Resource(200, file=file, transfer="identity")

    def _bsky_posts(self, m: re.Match[str], query: Query) -> Resource:
        posts = []
        for uri in query.get("uris", [])[:25]:
            file = self._thread_file(uri)
            if file is not None:    # missing posts are silently omitted
                posts.append(json.loads(file.read_text(encoding="utf-8"))["thread"]["post"])
        return Resource(200, body=json.dumps({"posts": posts}, ensure_ascii=False, separators=(",", ":")).encode(),
                        content_type=JSON, transfer="identity")

    def _bsky_oembed(self, m: re.Match[str], query: Query) -> Resource:
        url = _first(query, "url") or ""
        found = re.search(r"bsky\.app/profile/[^/]+/post/([a-z2-7]+)", url)
        hit = found and self._ext_file(f"embed.bsky.app/oembed/{found.group(1)}.json")
        return hit or _text(404, "Not Found")

    def _bsky_image(self, m: re.Match[str], query: Query) -> Resource:
        return self._ext_file(f"cdn.bsky.app/img/{m.group(1)}.jpg") or self._ext_404()

    def _bsky_page(self, m: re.Match[str], query: Query) -> Resource:
        return self._ext_file(f"bsky.app/post/{m.group(2)}.html") or self._ext_404()

    def _bsky_profile(self, m: re.Match[str], query: Query) -> Resource:
        did = self._did_for(m.group(1))
        return (did and self._ext_file(f"bsky.app/profile/{did.replace(':', '_')}.html")) or self._ext_404()
