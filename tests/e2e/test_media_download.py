"""--media: a video post's file downloaded with yt-dlp (from loopback here) and kept in the WARC
as a resource record, with what yt-dlp reported beside it; a failure is recorded, not fatal."""
from __future__ import annotations

import json

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.platforms import get, match_url

from ..conftest import run_json
from .recorded import RecordedPlatforms

VIDEO = "https://vimeo.com/76979871"
BROKEN = "https://vimeo.com/76979872"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(2048)
ARTICLE = f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Clip</title>
<meta property="og:type" content="article"></head><body><article><h1>Clip</h1><div class="entry-content">
<p>The footage, <a href="{VIDEO}">published on Monday</a>, shows the convoy crossing the bridge at dawn
before the strike, according to the people who filmed it from the riverbank.</p>
<p>A <a href="{BROKEN}">second clip</a> was taken down within hours of being posted, and could not be
verified by the time this article was published.</p></div></article></body></html>"""


def recorded_answers() -> dict:
    answers = {}
    for url, media in ((VIDEO, [{"status": 200, "headers": {"Content-Type": "video/mp4"}, "body": MP4}]),
                       (BROKEN, [{"status": 404, "headers": {"Content-Type": "text/html"}, "body": "gone"}])):
        post = match_url(url)
        for capture in get(post.platform).capture_requests(post):
            if capture.role == "post":
                answers[capture.url] = [{"status": 200, "headers": {"Content-Type": "application/json"}, "body": {
                    "type": "video", "version": "1.0", "provider_name": "Vimeo", "title": "Convoy at dawn",
                    "author_name": "Riverbank", "author_url": "https://vimeo.com/riverbank",
                    "thumbnail_url": "https://i.vimeocdn.com/video/1_640.jpg", "video_id": int(post.post_id)}}]
            else:
                answers[capture.url] = media  # the page is what yt-dlp is pointed at
    return answers


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    with RecordedPlatforms({}, pages={"clip": ARTICLE}) as server:
        server.responses.update(recorded_answers())
        out = tmp_path_factory.mktemp("media")
        run_json("crawl", *server.article_urls(), "--out", str(out), "--loopback-only", "--allow-private",
                 "--media", *server.endpoint_args())
        yield out


def warc_records(out) -> list:
    found = []
    for path in sorted((out / "warcs").glob("*.warc.gz")):
        with path.open("rb") as f:
            for record in ArchiveIterator(f):
                found.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"),
                              record.rec_headers.get_header("Content-Type"),
                              record.rec_headers.get_header("WARC-Refers-To"),
                              record.rec_headers.get_header("WARC-Record-ID"), record.content_stream().read()))
    return found


def test_the_video_is_a_resource_record_with_yt_dlps_report(archive):
    records = warc_records(archive)
    resources = [r for r in records if r[0] == "resource"]
    assert [r[5] for r in resources] == [MP4]
    assert resources[0][2] == "video/mp4"
    [report] = [json.loads(r[5]) for r in records
                if r[0] == "metadata" and r[1] == "urn:embed-archiver:media:vimeo:76979871"]
    assert report["post_url"] == VIDEO and report["tool"] == "yt-dlp" and report["extractor"] == "generic"
    assert [r[3] for r in records if r[1] == "urn:embed-archiver:media:vimeo:76979871"] == [resources[0][4]]


def test_a_failed_download_is_recorded_and_the_crawl_goes_on(archive):
    failures = [r[5].decode() for r in warc_records(archive)
                if r[0] == "metadata" and r[1] == BROKEN and r[2] == "application/warc-fields"]
    assert len(failures) == 1 and failures[0].startswith("fetch-error: yt-dlp:") and "404" in failures[0]


def test_the_warc_with_resource_records_passes_warcio_and_fastwarc(archive):
    import subprocess
    import sys
    from pathlib import Path

    bin_dir = Path(sys.executable).parent
    for path in sorted((archive / "warcs").glob("*.warc.gz")):
        subprocess.run([bin_dir / "warcio", "check", str(path)], check=True, capture_output=True)
        subprocess.run([bin_dir / "fastwarc", "check", "-p", "-q", str(path)], check=True, capture_output=True)
