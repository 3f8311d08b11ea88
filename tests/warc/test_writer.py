"""The WARC writer on its own: records, links between them, rotation, revisits, CDXJ."""
from __future__ import annotations

import gzip
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archiver.errors import UsageError
from archiver.warc import cdxj
from archiver.warc import writer as writer_module
from archiver.warc.writer import HttpExchange, WarcWriter, warc_date

BIN = Path(sys.executable).parent


def exchange(url="http://127.0.0.1:9/a?x=1", body=b"<html>hello</html>", status=200, **kw) -> HttpExchange:
    headers = kw.pop("headers", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))])
    return HttpExchange(url=url, method="GET", request_target="/a?x=1",
                        request_headers=[("Accept", "*/*"), ("Host", "127.0.0.1:9")], request_body=b"",
                        status=status, response_headers=headers, body=body, ip_address="127.0.0.1",
                        date=warc_date(), **kw)


def records(path: Path):
    with open(path, "rb") as fh:
        for rec in ArchiveIterator(fh):
            yield rec.rec_type, rec.rec_headers, rec.content_stream().read()


def test_exchange_is_warcinfo_then_linked_response_and_request(tmp_path):
    writer = WarcWriter(tmp_path / "w", tmp_path / "i", info={"software": "test"})
    resp, req = writer.write_exchange(exchange())
    assert writer.current_name and (tmp_path / "w" / (writer.current_name + ".open")).exists()
    path = writer.close()
    assert path.name.endswith(".warc.gz") and not list((tmp_path / "w").glob("*.open"))
    got = list(records(path))
    assert [t for t, _, _ in got] == ["warcinfo", "response", "request"]
    info, response, request = (h for _, h, _ in got)
    assert info.get_header("WARC-Filename") == path.name
    assert response.protocol == "WARC/1.1"
    assert request.get_header("WARC-Concurrent-To") == response.get_header("WARC-Record-ID") == resp.record_id
    assert request.get_header("WARC-Date") == response.get_header("WARC-Date")
    assert response.get_header("WARC-Date").endswith("Z") and "." in response.get_header("WARC-Date")
    assert response.get_header("WARC-IP-Address") == "127.0.0.1"
    assert got[1][2] == b"<html>hello</html>"
    subprocess.run([BIN / "warcio", "check", str(path)], check=True)


def test_file_name_follows_the_convention(tmp_path):
    writer = WarcWriter(tmp_path / "w", tmp_path / "i", prefix="news", host="box")
    writer.write_exchange(exchange())
    name = writer.close().name
    prefix, stamp, serial, rest = name.split("-", 3)
    assert (prefix, len(stamp), serial, rest) == ("news", 14, "00000", "box.warc.gz")


def test_a_token_keeps_the_names_of_writers_sharing_a_store_apart(tmp_path):
    # two workers on one host, in one second, in folders of their own: only the token differs
    names = []
    for n, token in enumerate(("a1b2c3d4", "e5f6a7b8")):
        writer = WarcWriter(tmp_path / f"w{n}", tmp_path / f"i{n}", prefix="news", host="box", token=token)
        writer.write_exchange(exchange())
        names.append(writer.close().name)
    assert [name.split("-", 3)[3] for name in names] == ["box-a1b2c3d4.warc.gz", "box-e5f6a7b8.warc.gz"]


def test_on_close_gets_each_file_once_whole_at_rotation_and_at_the_end(tmp_path):
    closed = []

    def on_close(path):
        assert path.exists() and not path.with_name(path.name + ".open").exists()
        assert (tmp_path / "i" / (path.name + ".cdxj")).exists()  # its CDXJ is ready too
        closed.append(path)

    writer = WarcWriter(tmp_path / "w", tmp_path / "i", max_size=2000, on_close=on_close)
    for n in range(4):
        writer.write_exchange(exchange(url=f"http://127.0.0.1:9/{n}", body=os.urandom(1500)))
    assert len(closed) >= 2  # by rotation, while the writer goes on
    writer.close()
    writer.close()  # nothing open: not called again
    assert closed == writer.closed_files == sorted((tmp_path / "w").glob("*.warc.gz"))


def test_rotation_keeps_pairs_together_and_every_file_valid(tmp_path):
    writer = WarcWriter(tmp_path / "w", tmp_path / "i", max_size=2000)
    for n in range(6):
        writer.write_exchange(exchange(url=f"http://127.0.0.1:9/{n}", body=os.urandom(1500)))  # incompressible
    writer.close()
    files = sorted((tmp_path / "w").glob("*.warc.gz"))
    assert len(files) >= 3
    for path in files:
        kinds = [t for t, _, _ in records(path)]
        assert kinds[0] == "warcinfo"
        assert kinds[1:] == ["response", "request"] * ((len(kinds) - 1) // 2)
        subprocess.run([BIN / "warcio", "check", str(path)], check=True)
    assert len(list((tmp_path / "i").glob("*.cdxj"))) == len(files)


def test_identical_payload_becomes_a_revisit(tmp_path):
    writer = WarcWriter(tmp_path / "w", tmp_path / "i")
    first, _ = writer.write_exchange(exchange())
    second, _ = writer.write_exchange(exchange())
    path = writer.close()
    assert second.record_type == "revisit" and second.refers_to == first.record_id
    revisit = [h for t, h, _ in records(path) if t == "revisit"][0]
    assert revisit.get_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert revisit.get_header("WARC-Refers-To-Target-URI") == first.url
    assert revisit.get_header("WARC-Payload-Digest") == first.payload_digest


def test_the_session_remembers_only_the_latest_captures_and_asks_the_index_for_older_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(writer_module, "SEEN_CACHE", 2)   # memory stays flat however long the crawl
    asked = []
    writer = WarcWriter(tmp_path / "w", tmp_path / "i", dedup=lambda digest, url: asked.append(url))
    firsts = [writer.write_exchange(exchange(url=f"http://127.0.0.1:9/{n}", body=b"x" * n))[0] for n in (1, 2, 3)]
    asked.clear()
    again_3, _ = writer.write_exchange(exchange(url="http://127.0.0.1:9/3", body=b"xxx"))
    again_1, _ = writer.write_exchange(exchange(url="http://127.0.0.1:9/1", body=b"x"))
    writer.close()
    assert again_3.record_type == "revisit" and again_3.refers_to == firsts[2].record_id and asked == [
        "http://127.0.0.1:9/1"]                           # the recent one from memory, the oldest from the index
    assert again_1.record_type == "response"              # (this index had nothing to say)


def test_error_responses_are_never_deduplicated(tmp_path):
    writer = WarcWriter(tmp_path / "w", tmp_path / "i")
    writer.write_exchange(exchange(status=404))
    again, _ = writer.write_exchange(exchange(status=404))
    writer.close()
    assert again.record_type == "response"


def test_metadata_record_has_no_payload_digest_and_refers_to_its_subject(tmp_path):
    writer = WarcWriter(tmp_path / "w", tmp_path / "i")
    resp, _ = writer.write_exchange(exchange())
    meta = writer.write_metadata("urn:test:x", json.dumps({"a": 1}).encode(), "application/json",
                                 refers_to=resp.record_id, concurrent_to=resp.record_id)
    path = writer.close()
    headers = [h for t, h, _ in records(path) if t == "metadata"][0]
    assert headers.get_header("WARC-Payload-Digest") is None
    assert headers.get_header("WARC-Block-Digest")
    assert headers.get_header("WARC-Refers-To") == resp.record_id
    assert meta.url == "urn:test:x"


def test_body_is_stored_as_received_still_gzip_encoded(tmp_path):
    body = gzip.compress(b"<p>compressed</p>")
    writer = WarcWriter(tmp_path / "w", tmp_path / "i")
    writer.write_exchange(exchange(body=body, headers=[("Content-Encoding", "gzip"),
                                                       ("Content-Length", str(len(body)))]))
    path = writer.close()
    with open(path, "rb") as fh:
        stored = [r.raw_stream.read() for r in ArchiveIterator(fh) if r.rec_type == "response"]
    assert stored == [body]                           # stored: the bytes that came over the wire
    assert [c for t, _, c in records(path) if t == "response"][0] == b"<p>compressed</p>"


def test_cdxj_sort_in_runs_gives_the_byte_order_of_a_full_sort(tmp_path):
    rng = random.Random(7)
    lines = [f"com,example)/{rng.choice(['a', 'ab', 'b', 'é', 'Z', 'a/b'])}{rng.randrange(50)} 2025{rng.randrange(10**9):09d} "
             + json.dumps({"n": i}) for i in range(500)]
    (tmp_path / "open").write_text("".join(line + "\n" for line in lines), "utf-8")
    cdxj.sort_file(tmp_path / "open", tmp_path / "sorted", run_lines=7)   # 72 runs merged
    assert (tmp_path / "sorted").read_bytes().splitlines() == sorted(line.encode() for line in lines)
    (tmp_path / "empty").write_bytes(b"")
    cdxj.sort_file(tmp_path / "empty", tmp_path / "none")
    assert (tmp_path / "none").read_bytes() == b""
    assert not list(tmp_path.glob("*.tmp"))


def test_cdxj_is_sorted_and_points_at_the_records(tmp_path):
    writer = WarcWriter(tmp_path / "w", tmp_path / "i")
    for n in (3, 1, 2):
        writer.write_exchange(exchange(url=f"http://127.0.0.1:9/{n}", body=b"x" * n))
    path = writer.close()
    lines = (tmp_path / "i" / (path.name + ".cdxj")).read_bytes().splitlines()
    assert lines == sorted(lines) and len(lines) == 3
    data = path.read_bytes()
    for key, _ts, fields in cdxj.read(tmp_path / "i" / (path.name + ".cdxj")):
        member = data[int(fields["offset"]):int(fields["offset"]) + int(fields["length"])]
        assert gzip.decompress(member).startswith(b"WARC/1.1\r\n")
        assert key.startswith("1,0,0,127:9)/")  # SURT of the loopback host


@pytest.mark.parametrize("level", [0, 1, 6, 12])
def test_gzip_level_is_configurable_and_each_record_is_its_own_member(tmp_path, level):
    writer = WarcWriter(tmp_path / "w", tmp_path / "i", gzip_level=level)
    resp, req = writer.write_exchange(exchange())
    path = writer.close()
    data = path.read_bytes()
    assert gzip.decompress(data[resp.offset:resp.offset + resp.length]).startswith(b"WARC/1.1")
    assert req.offset == resp.offset + resp.length


@pytest.mark.parametrize("level", [-2, 13])
def test_a_gzip_level_out_of_range_is_refused_before_anything_is_written(tmp_path, level):
    with pytest.raises(UsageError, match="gzip level"):
        WarcWriter(tmp_path / "w", tmp_path / "i", gzip_level=level)
    assert not (tmp_path / "w").exists()


def test_a_leftover_another_worker_recovers_between_the_listing_and_the_lock_is_skipped(tmp_path, monkeypatch):
    writer = WarcWriter(tmp_path / "w", tmp_path / "i")
    writer.write_exchange(exchange())
    path = writer.close()
    leftover = path.with_name(path.name + writer_module.OPEN_SUFFIX)
    path.rename(leftover)  # a killed crawl's file
    real_try_lock = writer_module.try_lock

    def another_worker_first(lock_path):
        leftover.rename(path)  # the other worker recovered it and let go of its lock
        return real_try_lock(lock_path)

    monkeypatch.setattr(writer_module, "try_lock", another_worker_first)
    assert writer_module.recover_open_files(tmp_path / "w", tmp_path / "i") == []
    with open(path, "rb") as fh:
        assert [rec.rec_type for rec in ArchiveIterator(fh)] == ["warcinfo", "response", "request"]
    assert not list((tmp_path / "w").glob("*.lock"))
