"""A throw-away Redis on a loopback port: no persistence, stopped by PID at the end."""
from __future__ import annotations

import itertools
import shutil
import subprocess

import pytest

from . import free_port, stop, wait_until


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; .ci/run installs it)")
    home = tmp_path_factory.mktemp("redis")
    port = free_port()
    log = home / "redis.log"
    process = subprocess.Popen([binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "",
                                "--appendonly", "no", "--dir", str(home), "--daemonize", "no",
                                "--logfile", str(log)])
    import redis

    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        wait_until(client.ping, "redis-server", process=process, log=log)
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        stop(process)


_databases = itertools.cycle(range(16))


@pytest.fixture
def redis_url(redis_server):
    """A Redis database of its own for one test (emptied before use)."""
    import redis

    url = f"{redis_server}/{next(_databases)}"
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()
    return url
