"""A throw-away PostgreSQL cluster for the tests: initdb into a temporary folder, pg_ctl start on
127.0.0.1 and a free port (durability off: it is thrown away), one fresh database per test, and
pg_ctl stop at the end of the session. Skipped only when the server binaries are not installed.

    from tests.servers.postgres import postgres_server, postgres_url  # noqa: F401
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import free_port, wait_until


def pg_bin() -> Path | None:
    """The newest server binaries: Debian keeps them in a versioned folder, off PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                      key=lambda p: [int(n) for n in p.parent.parent.name.split(".") if n.isdigit()])
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    return Path(found).parent if found else None


@dataclass
class PostgresServer:
    port: int
    folder: Path

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def accepts(self) -> bool:
        self.admin().close()
        return True

    def admin(self):
        """An autocommit connection to the maintenance database (CREATE/DROP DATABASE)."""
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                               autocommit=True, connect_timeout=5)


def _as_owner(args: list[str], owner: str | None) -> list[str]:
    # initdb refuses root: the cluster then belongs to the 'postgres' user
    return ["runuser", "-u", owner, "--", *args] if owner else args


_running: list[PostgresServer] = []  # one server a session, however many modules import the fixture


@pytest.fixture(scope="session")
def postgres_server():
    if _running:  # started through another module's import of this fixture; stopped by that one
        yield _running[0]
        return
    binaries = pg_bin()
    if binaries is None or not (binaries / "pg_ctl").exists():
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed "
                    "(Debian: apt-get install postgresql)")
    owner = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            raise RuntimeError("running as root, and there is no 'postgres' user to own the cluster") from None
        owner = "postgres"
    # Not under pytest's tmp_path: its parents are private to us, and the owner must get in.
    folder = Path(tempfile.mkdtemp(prefix="archiver-pg-"))
    folder.chmod(0o755)
    data, log = folder / "data", folder / "server.log"
    if owner:
        user = pwd.getpwnam(owner)
        os.chown(folder, user.pw_uid, user.pw_gid)
    port = free_port()
    started = False
    try:
        subprocess.run(_as_owner([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                  "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], owner),
                       check=True, capture_output=True, timeout=120)
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        started = True
        subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                                  "-o", options, "start"], owner), check=True, capture_output=True, timeout=90)
        server = PostgresServer(port, folder)
        wait_until(server.accepts, "PostgreSQL", log=log)
        _running.append(server)
        yield server
    except subprocess.CalledProcessError as exc:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{exc.cmd[-1]} failed: {exc.stderr.decode(errors='replace')}\n{tail}") from exc
    finally:
        _running.clear()
        if started:
            subprocess.run(_as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"], owner),
                           capture_output=True, timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database for one test: its SQLAlchemy URL. Dropped afterwards."""
    name = "test_" + uuid.uuid4().hex[:12]
    with postgres_server.admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_server.url(name)
    with postgres_server.admin() as conn:  # FORCE: a test may have left a connection open
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
