"""Archive-copy helpers: recognising links to archived copies, and reading the services' answers."""
from __future__ import annotations

import json

import pytest

from archiver import wayback


@pytest.mark.parametrize("link,original,service,stamp", [
    ("https://web.archive.org/web/20250316081245/https://www.bbc.co.uk/news/x",
     "https://www.bbc.co.uk/news/x", "wayback", "20250316081245"),
    ("http://web.archive.org/web/20250316id_/http://example.com/a?b=1", "http://example.com/a?b=1", "wayback", "20250316"),
    ("https://web.archive.org/web/20250316081245/https:/example.com/y", "https://example.com/y", "wayback", "20250316081245"),
    ("https://archive.org/web/20250316081245/example.com/z", "http://example.com/z", "wayback", "20250316081245"),
    ("https://archive.ph/2025.03.16-081245/https://www.reuters.com/x", "https://www.reuters.com/x",
     "archive.today", "20250316081245"),
    ("https://archive.today/newest/https://example.com/n", "https://example.com/n", "archive.today", None),
])
def test_links_to_archived_copies_name_their_original(link, original, service, stamp):
    found = wayback.copy_of(link)
    assert (found.url, found.service, found.timestamp, found.copy_url) == (original, service, stamp, link)


@pytest.mark.parametrize("link", ["https://archive.ph/AbC12", "https://archive.org/details/foo",
                                  "https://www.example.com/web/20250316/https://x.example/"])
def test_other_links_are_not_copies(link):
    assert wayback.copy_of(link) is None


def answer(data) -> bytes:
    return json.dumps(data).encode()


def test_availability_answers():
    closest = {"status": "200", "available": True, "timestamp": "20250831112539",
               "url": "http://web.archive.org/web/20250831112539/https://x.example/"}
    found = wayback.parse_availability("https://x.example/", 200, answer({"archived_snapshots": {"closest": closest}}))
    assert (found.status, found.copy_url, found.timestamp, found.detail) == (
        "available", "https://web.archive.org/web/20250831112539/https://x.example/", "20250831112539", None)
    redirect = dict(closest, status="302")
    assert "302" in wayback.parse_availability("u", 200, answer({"archived_snapshots": {"closest": redirect}})).detail
    assert wayback.parse_availability("u", 200, answer({"archived_snapshots": {}})).status == "missing"
    assert wayback.parse_availability("u", 503, b"busy").status == "error"
    assert "malformed" in wayback.parse_availability("u", 200, b"<html>").detail


def test_availability_url_quotes_the_cited_url():
    assert wayback.availability_url("https://x.example/a?b=1&c=2") == \
        "https://archive.org/wayback/available?url=https%3A%2F%2Fx.example%2Fa%3Fb%3D1%26c%3D2"


def test_save_page_now_submission_and_status():
    url, headers, body = wayback.save_request("https://x.example/a", "KEY:SECRET", "720h")
    assert url == "https://web.archive.org/save" and headers["Authorization"] == "LOW KEY:SECRET"
    assert b"if_not_archived_within=720h" in body and b"url=https%3A%2F%2Fx.example%2Fa" in body
    found, job = wayback.parse_save("u", 200, answer({"url": "u", "job_id": "spn2-1"}))
    assert (found.status, job) == ("submitted", "spn2-1")
    refused, job = wayback.parse_save("u", 200, answer({"message": "You have already reached the limit"}))
    assert (refused.status, job) == ("error", None) and "limit" in refused.detail
    assert wayback.parse_save("u", 401, b"")[0].status == "error"
    done = wayback.parse_save_status("u", 200, answer({"status": "success", "timestamp": "20251122093000",
                                                       "original_url": "https://x.example/a"}))
    assert (done.status, done.copy_url) == ("available", "https://web.archive.org/web/20251122093000/https://x.example/a")
    assert wayback.parse_save_status("u", 200, answer({"status": "pending", "job_id": "j"})).status == "submitted"
    failed = wayback.parse_save_status("u", 200, answer({"status": "error", "status_ext": "error:blocked-url"}))
    assert (failed.status, failed.detail) == ("error", "error:blocked-url")
