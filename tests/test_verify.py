"""The comparison behind `archiver verify`: what embedding does to a post's text is undone, and
each way a post can fail to stand gets its own verdict."""
from __future__ import annotations

from datetime import date

import pytest

from archiver.verify import compare, normalise, parse_claim_date, same_text, word_diff

OK = {"status": "ok", "text": "Talks resume on Monday in Riyadh. https://t.co/AbC123", "created_at": "2025-03-16T09:12:44.000Z"}


@pytest.mark.parametrize("shown,actual", [
    ("Talks resume on Monday in Riyadh. pic.twitter.com/AbC123", "Talks resume on Monday in Riyadh. https://t.co/AbC123"),
    ("Talks &amp; a deal 🎉 https://t.co/x", "Talks & a deal https://t.co/y"),
    ("“Quoted” — said the envoy", '"Quoted" - said the envoy'),
    ("Talks resume on Monday in Riy…", "Talks resume on Monday in Riyadh, officials said."),
    ("Talks resume on Monday ... ", "Talks resume on Monday in Riyadh."),
    ("A post with a photo\n\n[image or embed]", "A post with a photo"),
    ("Read more at example.com/some-long-p…", "Read more at https://example.com/some-long-path"),
    ("Talks   resume\non Monday", "Talks resume on Monday"),
])
def test_what_embedding_does_to_a_text_is_not_an_edit(shown, actual):
    assert same_text(shown, actual) == (True, None)


def test_an_edit_is_reported_word_by_word():
    agree, diff = same_text("Troops will leave on Monday", "Troops will stay until Friday")
    assert not agree and diff == "Troops will [-leave on Monday-] {+stay until Friday+}"
    assert word_diff(["a", "b"], ["a", "b", "c"]) == "a b {+c+}"


def test_a_truncated_text_must_still_be_the_beginning():
    assert same_text("Talks resume on Tuesday in…", "Talks resume on Monday in Riyadh.")[0] is False


def test_normalise_reports_truncation():
    assert normalise("Russia’s… pic.twitter.com/gnQ2SJcZjv") == (["Russia's"], True)
    assert normalise(None) == ([], False)


@pytest.mark.parametrize("shown,expected", [
    ("March 16, 2025", date(2025, 3, 16)), ("Mar. 16, 2025", date(2025, 3, 16)), ("16 March 2025", date(2025, 3, 16)),
    ("16. März 2025", date(2025, 3, 16)), ("16 de marzo de 2025", date(2025, 3, 16)), ("16 mars 2025", date(2025, 3, 16)),
    ("2025-03-16T10:00:00Z", date(2025, 3, 16)), ("yesterday", None), ("February 30, 2025", None), (None, None),
])
def test_claim_dates_in_the_forms_articles_show(shown, expected):
    assert parse_claim_date(shown) == expected


def test_unchanged_and_edited():
    assert compare({"text": "Talks resume on Monday in Riyadh.", "date": "March 16, 2025"}, OK).verdict == "unchanged"
    edited = compare({"text": "Talks resume on Tuesday in Riyadh."}, OK)
    assert (edited.verdict, edited.diff) == ("edited", "Talks resume on [-Tuesday-] {+Monday+} in Riyadh.")


@pytest.mark.parametrize("status,verdict", [
    ("deleted", "deleted"), ("not_found", "deleted"), ("suspended", "suspended"), ("protected", "protected"),
    ("age_restricted", "protected"), ("unavailable", "unavailable"), ("needs_auth", "needs_auth"),
    ("error", "not_captured"),
])
def test_a_post_that_is_not_there_gets_its_own_verdict(status, verdict):
    gone = {"status": status, "created_at": "2025-03-16T09:12:44.000Z", "detail": "tombstone"}
    result = compare({"text": "whatever", "date": "March 16, 2025"}, gone)
    assert result.verdict == verdict and result.flags == []


def test_never_captured():
    assert compare({"text": "x"}, None).verdict == "not_captured"


def test_date_mismatch_also_for_a_deleted_post_from_its_snowflake_time():
    deleted = {"status": "deleted", "created_at": "2025-03-16T09:12:44.000Z"}
    result = compare({"text": "x", "date": "March 2, 2025"}, deleted)
    assert (result.verdict, result.flags) == ("deleted", ["date_mismatch"])
    # a day either way is time zones, not a mismatch
    assert compare({"text": OK["text"], "date": "March 17, 2025"}, OK).flags == []


def test_a_recheck_compares_the_capture_with_the_post_now():
    live = dict(OK, text="Talks resume on Monday in Jeddah. https://t.co/AbC123")
    result = compare({"text": None}, OK, live)
    assert (result.verdict, result.diff) == ("edited", "Talks resume on Monday in [-Riyadh.-] {+Jeddah.+}")
    assert compare({"text": None}, OK, dict(OK, status="deleted")).verdict == "deleted"
