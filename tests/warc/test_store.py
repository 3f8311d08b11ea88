"""The WARC stores (a local folder, an S3 bucket on a real SeaweedFS) and the uploader that moves
closed files from the crawler's disk into a store."""
from __future__ import annotations

import logging
import os

import pytest

from archiver.errors import UsageError
from archiver.locks import release, try_lock
from archiver.warc.reader import read_from, read_record
from archiver.warc.store import Conflict, LocalStore, S3Store, StoreError, local_copy, open_store
from archiver.warc.upload import Uploader, start_uploader
from archiver.warc.writer import WarcWriter
from tests.servers.s3 import client_env, dead_endpoint, s3_server, s3_store  # noqa: F401 - fixtures

from .test_writer import exchange


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch, tmp_path):
    """Whatever the developer's environment says, boto3 here talks to the loopback test server
    or to nothing."""
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_PROFILE", "ARCHIVER_S3_ENDPOINT", "ARCHIVER_STORE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in client_env(dead_endpoint(), tmp_path).items():
        monkeypatch.setenv(name, value)


def written(folder, n: int = 3, **kw) -> list:
    """A closed WARC (with its CDXJ) in folder/warcs, folder/indexes; returns its records."""
    writer = WarcWriter(folder / "warcs", folder / "indexes", **kw)
    records = [writer.write_exchange(exchange(url=f"http://127.0.0.1:9/{i}", body=os.urandom(300)))[0]
               for i in range(n)]
    writer.close()
    return records


# -- choosing a store -------------------------------------------------------------------------------

def test_open_store_reads_the_spec(tmp_path):
    local = open_store(None, tmp_path / "out")
    assert isinstance(local, LocalStore) and local.warc_dir == tmp_path / "out" / "warcs"
    assert open_store(str(tmp_path / "other")).index_dir == tmp_path / "other" / "indexes"
    s3 = open_store("s3://my-bucket/some/prefix/")
    assert isinstance(s3, S3Store) and (s3.bucket, s3.prefix, s3.url) == ("my-bucket", "some/prefix",
                                                                           "s3://my-bucket/some/prefix")
    assert s3.key("warcs", "a.warc.gz") == "some/prefix/warcs/a.warc.gz"
    bare = open_store("s3://my-bucket")
    assert bare.key("indexes", "a.warc.gz.cdxj") == "indexes/a.warc.gz.cdxj" and bare.url == "s3://my-bucket"
    assert open_store("s3://b1x/p", endpoint="http://127.0.0.1:9").client.meta.endpoint_url == "http://127.0.0.1:9"
    for bad in ("s3://", "s3:///prefix", "gs://bucket/p", "https://example.com/x"):
        with pytest.raises(UsageError):
            open_store(bad)


# -- a local folder ---------------------------------------------------------------------------------

def test_local_store_lists_reads_and_never_overwrites(tmp_path):
    records = written(tmp_path / "a")
    (tmp_path / "a" / "warcs" / "x.warc.gz.open").write_bytes(b"being written")
    store = LocalStore(tmp_path / "a")
    [name] = store.names()
    rec = records[1]
    data = store.read_range(name, rec.offset, rec.length)
    assert len(data) == rec.length and data[:2] == b"\x1f\x8b"
    assert read_from(store, name, rec.offset, rec.length) == read_record(store.path(name), rec.offset, rec.length)
    assert store.read_index(name).count("\n") == 3 and store.read_index("nothing.warc.gz") is None

    other = LocalStore(tmp_path / "b")
    assert other.put(store.path(name), name) == "uploaded"
    assert other.put_index(store.index_dir / (name + ".cdxj"), name) == "uploaded"
    assert other.put(store.path(name), name) == "present"   # a retry: same bytes
    impostor = tmp_path / "impostor.warc.gz"
    impostor.write_bytes(b"other bytes")
    with pytest.raises(Conflict):
        other.put(impostor, name)
    assert (other.warc_dir / name).read_bytes() == store.path(name).read_bytes()
    assert not [p for p in other.warc_dir.iterdir() if p.name.startswith(".put-")]


# -- an S3 bucket -----------------------------------------------------------------------------------

def test_s3_store_puts_lists_and_reads_ranges(s3_store, tmp_path):
    records = written(tmp_path / "a")
    local = LocalStore(tmp_path / "a")
    [name] = local.names()
    store = s3_store.store()
    assert store.names() == []
    assert store.put(local.path(name), name) == "uploaded"
    assert store.put_index(local.index_dir / (name + ".cdxj"), name) == "uploaded"
    assert s3_store.keys() == [f"indexes/{name}.cdxj", f"warcs/{name}"]
    assert store.names() == [name] and store.size(name) == local.size(name)
    for rec in records:
        assert store.read_range(name, rec.offset, rec.length) == local.read_range(name, rec.offset, rec.length)
        assert read_from(store, name, rec.offset, rec.length) == read_record(local.path(name), rec.offset, rec.length)
    assert store.read_index(name) == local.read_index(name) and store.read_index("x.warc.gz") is None
    with store.open(name) as body:
        assert body.read() == local.path(name).read_bytes()
    with local_copy(store, name, tmp_path) as copy:
        assert copy.read_bytes() == local.path(name).read_bytes()
    assert not copy.exists()  # the download goes when done
    with pytest.raises(StoreError, match="not in s3://"):
        store.size("missing.warc.gz")
    with pytest.raises(StoreError, match="not in s3://"):
        read_from(store, "missing.warc.gz", 0, 10)


def test_s3_store_never_overwrites_a_key(s3_store, tmp_path):
    written(tmp_path / "a")
    local = LocalStore(tmp_path / "a")
    [name] = local.names()
    store = s3_store.store()
    store.put(local.path(name), name)
    assert store.put(local.path(name), name) == "present"  # the same bytes again: nothing to do
    impostor = tmp_path / name
    impostor.write_bytes(b"not the same file")
    with pytest.raises(Conflict, match="not overwritten"):
        store.put(impostor, name)
    assert store.read_range(name, 0, 2) == b"\x1f\x8b"
    # and the store itself refuses, should two writers race past the check: every write is conditional
    from botocore.exceptions import ClientError
    with pytest.raises(ClientError, match="PreconditionFailed"):
        store.client.put_object(Bucket=store.bucket, Key=store.key("warcs", name), Body=b"late writer")


def test_big_files_go_up_in_parts_and_an_existing_key_is_not_replaced(s3_store, tmp_path):
    big = tmp_path / "big.warc.gz"
    big.write_bytes(os.urandom(11 * 1024 * 1024))
    store = s3_store.store(multipart_at=5 * 1024 * 1024)
    assert store.put(big, big.name) == "uploaded"
    head = store.client.head_object(Bucket=store.bucket, Key=store.key("warcs", big.name))
    assert head["ETag"].strip('"').endswith("-3")  # a multipart object: 3 parts
    assert store.read_range(big.name, 6 * 1024 * 1024, 100) == big.read_bytes()[6 * 1024 * 1024:][:100]
    big.write_bytes(os.urandom(11 * 1024 * 1024))
    with pytest.raises(Conflict):
        store.put(big, big.name)
    # past the check, the multipart upload's completion is conditional too
    store._head = lambda key: None
    with pytest.raises(StoreError):
        store.put(big, big.name)
    del store._head
    assert store.size(big.name) == 11 * 1024 * 1024
    assert head["ETag"] == store.client.head_object(Bucket=store.bucket, Key=store.key("warcs", big.name))["ETag"]


def test_bad_credentials_and_a_dead_endpoint_are_one_clear_error(s3_server):
    import boto3

    wrong = boto3.client("s3", endpoint_url=s3_server.endpoint, aws_access_key_id="nobody",
                         aws_secret_access_key="wrong-secret", region_name="us-east-1")
    with pytest.raises(StoreError, match="InvalidAccessKeyId|AccessDenied|SignatureDoesNotMatch"):
        S3Store(s3_server.new_bucket(), "p", client=wrong).names()
    with pytest.raises(StoreError, match="cannot reach"):
        S3Store("bucket", "p", endpoint=dead_endpoint()).names()


# -- the uploader -----------------------------------------------------------------------------------

def test_uploader_moves_closed_files_and_keeps_what_it_could_not_send(s3_store, tmp_path, caplog):
    written(tmp_path / "out", token="aaaa1111")
    written(tmp_path / "out", token="bbbb2222")
    warcs, indexes = tmp_path / "out" / "warcs", tmp_path / "out" / "indexes"
    names = sorted(p.name for p in warcs.glob("*.warc.gz"))

    dead = Uploader(S3Store(s3_store.bucket, "p", endpoint=dead_endpoint()), warcs, indexes)
    with caplog.at_level(logging.WARNING, logger="archiver.warc.upload"):
        assert dead.upload_all() == {name: "failed" for name in names}
    assert sorted(p.name for p in warcs.glob("*.warc.gz")) == names and len(list(indexes.glob("*.cdxj"))) == 2
    assert f"Could not upload {names[0]}" in caplog.text and "stays in" in caplog.text

    store = s3_store.store()
    uploader = Uploader(store, warcs, indexes)
    held = try_lock(warcs / (names[0] + ".upload.lock"))  # another process is sending this one
    try:
        assert uploader.upload(names[0]) == "skipped"
    finally:
        release(held, warcs / (names[0] + ".upload.lock"))
    assert uploader.upload_all() == {name: "uploaded" for name in names}
    assert store.names() == names and s3_store.keys("indexes") == [n + ".cdxj" for n in names]
    assert list(warcs.iterdir()) == [] and list(indexes.iterdir()) == []


def test_a_crawl_session_uploads_in_the_background_and_sweeps_leftovers(s3_store, tmp_path, monkeypatch):
    written(tmp_path / "out")  # left by an earlier session whose upload failed
    warcs, indexes = tmp_path / "out" / "warcs", tmp_path / "out" / "indexes"
    assert start_uploader("", warcs, indexes) is None
    assert start_uploader(str(tmp_path / "out"), warcs, indexes) is None  # the store is this folder
    monkeypatch.setattr("archiver.warc.upload.open_store", lambda spec, endpoint=None: s3_store.store())
    uploader = start_uploader(s3_store.url, warcs, indexes)
    writer = WarcWriter(warcs, indexes, max_size=2000, **uploader.writer_options())
    for n in range(4):
        writer.write_exchange(exchange(url=f"http://127.0.0.1:9/{n}", body=os.urandom(1500)))
    writer.close()
    outcomes = uploader.close()
    assert len(outcomes) == 1 + len(writer.closed_files) and set(outcomes.values()) == {"uploaded"}
    assert sorted(outcomes) == s3_store.store().names()
    assert all(writer.token in p.name for p in writer.closed_files)
    assert list(warcs.glob("*.warc.gz")) == [] and list(indexes.glob("*.cdxj")) == []
