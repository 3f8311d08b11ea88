"""Helpers for extraction tests: wrap a fragment in a small article page and extract it."""
from __future__ import annotations

from pathlib import Path

import pytest

from archiver.extract import extract_strict

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_URL = "https://news.example.com/2025/03/16/story.html"


def article(body: str, *, head: str = "", after: str = "", before: str = "") -> bytes:
    """A page with site chrome around an article whose body holds `body`."""
    filler = " ".join(["The council met on Tuesday to discuss the budget and the new school plan."] * 4)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Story</title>{head}</head>
<body><header class="site-header"><nav class="main-nav"><a href="/">Home</a>
<a href="https://www.example.org/partner">Partner</a></nav></header>
{before}
<main><article><h1>Story headline</h1><div class="entry-content">
<p>{filler}</p>
{body}
<p>{filler}</p>
</div></article></main>
{after}
<footer class="site-footer"><a href="https://twitter.com/examplenews">Follow us</a>
<a href="https://www.instagram.com/examplenews/">Instagram</a>
<a href="https://www.threads.net/@examplenews">Threads</a>
<a href="https://www.tiktok.com/@examplenews">TikTok</a></footer>
</body></html>""".encode("utf-8")


@pytest.fixture
def run():
    def _run(body: str, url: str = PAGE_URL, **kw):
        return extract_strict(article(body, **kw), url)
    return _run


def embed_keys(refs) -> list[tuple[str, str | None]]:
    return [(e.platform, e.post_id) for e in refs.embeds]
