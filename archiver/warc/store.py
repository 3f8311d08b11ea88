"""Where closed WARC files live: a local folder (the default: OUT, with warcs/ and indexes/) or
any S3-API bucket (`s3://bucket/prefix`, with PREFIX/warcs/NAME and PREFIX/indexes/NAME.cdxj).

Both stores have the same few methods, so `show`, `export`, `wacz` and `reindex` read through
either. The index keeps only the WARC file name of each record, so one index serves whichever
store holds the files. A name is never replaced in a store: WARCs are evidence.

The S3 endpoint comes from ARCHIVER_S3_ENDPOINT, else from boto3's own AWS_ENDPOINT_URL_S3 /
AWS_ENDPOINT_URL; credentials from boto3's usual chain.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from ..errors import UsageError, WarcError
from .writer import OPEN_SUFFIX

WARC_SUFFIX = ".warc.gz"
CDXJ_SUFFIX = ".cdxj"
MULTIPART_AT = 64 * 1024 * 1024   # bytes: larger files go up (and down) in parts of this size


class StoreError(WarcError):
    """The store cannot be reached, refused a request, or holds something else under a name."""


class Conflict(StoreError):
    """The name is taken in the store by other content: never overwritten."""


class Store(Protocol):
    url: str

    def names(self) -> list[str]: ...
    def size(self, name: str) -> int: ...
    def read_range(self, name: str, offset: int, length: int) -> bytes: ...
    def open(self, name: str) -> BinaryIO: ...
    def download(self, name: str, dest: Path) -> None: ...
    def read_index(self, name: str) -> str | None: ...
    def put(self, path: Path, name: str) -> str: ...
    def put_index(self, path: Path, name: str) -> str: ...


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_store(spec: str | None, out: str | Path | None = None, *, endpoint: str | None = None) -> Store:
    """`s3://bucket/prefix` -> S3Store; a folder (default: the archive folder OUT) -> LocalStore."""
    if not spec:
        if out is None:
            raise UsageError("no store: give --store or --out")
        return LocalStore(Path(out))
    if spec.startswith("s3://"):
        bucket, _, prefix = spec[len("s3://"):].partition("/")
        if not bucket:
            raise UsageError(f"--store wants s3://bucket/prefix, got {spec!r}")
        return S3Store(bucket, prefix.strip("/"), endpoint=endpoint)
    if "://" in spec:
        raise UsageError(f"--store: only s3://bucket/prefix or a local folder, got {spec!r}")
    return LocalStore(Path(spec))


@contextmanager
def local_copy(store: Store, name: str, scratch: Path | None = None) -> Iterator[Path]:
    """A WARC of the store as a local file for code that needs one: the file itself when the
    store is local, else a download removed on leaving."""
    if isinstance(store, LocalStore):
        yield store.path(name)
        return
    folder = Path(tempfile.mkdtemp(prefix="archiver-", dir=scratch))
    try:
        store.download(name, folder / name)
        yield folder / name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# -- a local folder ---------------------------------------------------------------------------------

class LocalStore:
    """ROOT/warcs/*.warc.gz with ROOT/indexes/*.cdxj: the archive folder a crawl writes."""

    def __init__(self, root: Path, warc_dir: Path | None = None, index_dir: Path | None = None):
        self.root = Path(root)
        self.warc_dir = Path(warc_dir) if warc_dir else self.root / "warcs"
        self.index_dir = Path(index_dir) if index_dir else self.root / "indexes"
        self.url = str(self.warc_dir)

    def path(self, name: str) -> Path:
        path = self.warc_dir / name
        if not path.exists() and path.with_name(name + OPEN_SUFFIX).exists():
            return path.with_name(name + OPEN_SUFFIX)  # the file a running crawl is still writing
        return path

    def names(self) -> list[str]:
        return sorted(p.name for p in self.warc_dir.glob("*" + WARC_SUFFIX) if p.is_file())

    def size(self, name: str) -> int:
        try:
            return self.path(name).stat().st_size
        except OSError as exc:
            raise WarcError(f"cannot read {self.warc_dir / name}: {exc.strerror}") from exc

    def read_range(self, name: str, offset: int, length: int) -> bytes:
        path = self.path(name)
        try:
            with open(path, "rb") as fh:
                fh.seek(offset)
                return fh.read(length)
        except OSError as exc:
            raise WarcError(f"cannot read {path}: {exc.strerror}") from exc

    def open(self, name: str) -> BinaryIO:
        try:
            return open(self.path(name), "rb")
        except OSError as exc:
            raise WarcError(f"cannot read {self.warc_dir / name}: {exc.strerror}") from exc

    def download(self, name: str, dest: Path) -> None:
        shutil.copyfile(self.path(name), dest)

    def read_index(self, name: str) -> str | None:
        path = self.index_dir / (name + CDXJ_SUFFIX)
        return path.read_text("utf-8") if path.exists() else None

    def put(self, path: Path, name: str) -> str:
        return self._put(Path(path), self.warc_dir / name)

    def put_index(self, path: Path, name: str) -> str:
        return self._put(Path(path), self.index_dir / (name + CDXJ_SUFFIX))

    @staticmethod
    def _put(source: Path, target: Path) -> str:
        """Copy beside the target, then link it in: os.link fails rather than replace a file."""
        if target.exists():
            if sha256_file(target) == sha256_file(source):
                return "present"
            raise Conflict(f"{target} exists with other content: not overwritten")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".put-")
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            os.link(tmp, target)
        except FileExistsError:
            raise Conflict(f"{target} appeared while copying: not overwritten") from None
        finally:
            os.unlink(tmp)
        return "uploaded"


# -- an S3-API bucket -------------------------------------------------------------------------------

def s3_client(endpoint: str | None = None):
    """A boto3 S3 client: endpoint from the argument or ARCHIVER_S3_ENDPOINT, else boto3's own
    configuration (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS itself)."""
    import boto3
    from botocore.config import Config

    endpoint = endpoint or os.environ.get("ARCHIVER_S3_ENDPOINT") or None
    custom = endpoint or os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    config = Config(connect_timeout=10, read_timeout=120, retries={"max_attempts": 3, "mode": "standard"},
                    # self-hosted stores (SeaweedFS, Ceph, Garage) rarely have per-bucket host names
                    s3={"addressing_style": "path"} if custom else {})
    return boto3.client("s3", endpoint_url=endpoint, config=config)


def _if_none_match(params, **_):
    """Every write of ours is conditional: the store itself refuses to replace an object (S3
    conditional writes; the check before the upload is only a fast path)."""
    params.setdefault("IfNoneMatch", "*")


def _code(exc) -> str:
    """The S3 error code of a botocore ClientError, also when boto3's transfer manager has
    wrapped it (S3UploadFailedError keeps it only as the exception it was raised from)."""
    while exc is not None:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code")
        if code:
            return str(code)
        exc = exc.__cause__ or exc.__context__
    return ""


class S3Store:
    def __init__(self, bucket: str, prefix: str = "", *, endpoint: str | None = None, client=None,
                 multipart_at: int = MULTIPART_AT):
        from boto3.s3.transfer import TransferConfig

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}".rstrip("/")
        self.client = client or s3_client(endpoint)
        for operation in ("PutObject", "CompleteMultipartUpload"):
            self.client.meta.events.register(f"before-parameter-build.s3.{operation}", _if_none_match)
        self.transfer = TransferConfig(multipart_threshold=multipart_at, multipart_chunksize=multipart_at,
                                       max_concurrency=4)

    def key(self, kind: str, name: str) -> str:
        return "/".join(p for p in (self.prefix, kind, name) if p)

    @contextmanager
    def _errors(self, what: str):
        """boto3's exceptions as one line that says what could not be done, and where."""
        from boto3.exceptions import Boto3Error
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            yield
        except (ClientError, Boto3Error) as exc:
            code = _code(exc)
            if code in ("NoSuchKey", "404", "NotFound"):
                raise StoreError(f"{what}: not in {self.url}") from exc
            raise StoreError(f"{what} in {self.url}: {code or exc}") from exc
        except BotoCoreError as exc:
            raise StoreError(f"{what}: cannot reach {self.url} ({exc})") from exc

    def names(self) -> list[str]:
        folder = self.key("warcs", "") + "/"
        found = []
        with self._errors("listing the WARC files"):
            for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=folder):
                found += [o["Key"][len(folder):] for o in page.get("Contents", [])]
        return sorted(n for n in found if n.endswith(WARC_SUFFIX) and "/" not in n)

    def _head(self, key: str) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _code(exc) in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def size(self, name: str) -> int:
        with self._errors(f"WARC {name}"):
            head = self._head(self.key("warcs", name))
        if head is None:
            raise StoreError(f"WARC {name}: not in {self.url}")
        return int(head["ContentLength"])

    def read_range(self, name: str, offset: int, length: int) -> bytes:
        """One ranged GET: a record is read without fetching its file."""
        if length <= 0:
            return b""
        with self._errors(f"WARC {name}"):
            answer = self.client.get_object(Bucket=self.bucket, Key=self.key("warcs", name),
                                            Range=f"bytes={offset}-{offset + length - 1}")
            return answer["Body"].read()

    def open(self, name: str) -> BinaryIO:
        with self._errors(f"WARC {name}"):
            return self.client.get_object(Bucket=self.bucket, Key=self.key("warcs", name))["Body"]

    def download(self, name: str, dest: Path) -> None:
        with self._errors(f"WARC {name}"):
            self.client.download_file(self.bucket, self.key("warcs", name), str(dest), Config=self.transfer)

    def read_index(self, name: str) -> str | None:
        from botocore.exceptions import ClientError

        with self._errors(f"CDXJ of {name}"):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self.key("indexes", name + CDXJ_SUFFIX))
            except ClientError as exc:
                if _code(exc) in ("NoSuchKey", "404", "NotFound"):
                    return None
                raise
            return answer["Body"].read().decode("utf-8")

    def put(self, path: Path, name: str) -> str:
        return self._put(Path(path), self.key("warcs", name))

    def put_index(self, path: Path, name: str) -> str:
        return self._put(Path(path), self.key("indexes", name + CDXJ_SUFFIX))

    def _put(self, path: Path, key: str) -> str:
        """Upload (multipart when big), never over an existing key, then check the stored size.
        Returns "uploaded", or "present" when the same bytes (by sha256) are there already: a
        retry after an upload whose local clean-up did not happen."""
        from boto3.exceptions import S3UploadFailedError
        from botocore.exceptions import ClientError

        digest, size = sha256_file(path), path.stat().st_size
        where = f"{self.bucket}/{key}"
        with self._errors(f"uploading {path.name}"):
            head = self._head(key)
            if head is None:
                try:
                    self.client.upload_file(str(path), self.bucket, key, Config=self.transfer,
                                            ExtraArgs={"Metadata": {"sha256": digest}})
                except (ClientError, S3UploadFailedError) as exc:
                    if _code(exc) not in ("PreconditionFailed", "ConditionalRequestConflict"):
                        raise
                    head = self._head(key)  # written by another worker meanwhile
                    if head is None:
                        raise
            if head is not None:
                if head.get("Metadata", {}).get("sha256") == digest and int(head["ContentLength"]) == size:
                    return "present"
                raise Conflict(f"s3://{where} exists with other content: not overwritten")
            stored = self._head(key)
        if stored is None or int(stored["ContentLength"]) != size:
            got = "nothing" if stored is None else f"{stored['ContentLength']} bytes"
            raise StoreError(f"upload of {path.name} not verified: s3://{where} holds {got}, not {size} bytes")
        return "uploaded"
