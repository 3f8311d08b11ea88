"""The index tests run against both back-ends: a SQLite file, and a fresh database on a throw-away
PostgreSQL server (skipped, with the reason, when PostgreSQL is not installed)."""
from __future__ import annotations

import pytest

from archiver.index import open_index
from tests.servers.postgres import postgres_server, postgres_url  # noqa: F401


@pytest.fixture(params=["sqlite", "postgresql"])
def index_url(request, tmp_path) -> str:
    """Where a new, empty index goes: a SQLite path, or a PostgreSQL URL."""
    if request.param == "sqlite":
        return str(tmp_path / "index.sqlite")
    return request.getfixturevalue("postgres_url")  # started only when a PostgreSQL test runs


@pytest.fixture
def index(index_url):
    idx = open_index(index_url)
    yield idx
    idx.close()
