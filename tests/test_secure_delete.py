"""Deleted rows are overwritten because chefintro turns `secure_delete` on, on every connection.

SQLite's upstream default is off; some builds (this machine's among them) switch it on at
compile time, which would hide a missing PRAGMA. So every test here first makes new
connections start with it off, as an upstream build does, and then checks what the store's
own connections say.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chefintro.store import open_store, resolve_location
from tests.conftest import Cli


@pytest.fixture
def upstream_sqlite(monkeypatch: pytest.MonkeyPatch) -> list[sqlite3.Connection]:
    """Make every new SQLite connection start with secure_delete off; return them all."""
    original = sqlite3.dbapi2.connect
    opened: list[sqlite3.Connection] = []

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        connection: sqlite3.Connection = original(*args, **kwargs)
        connection.execute("PRAGMA secure_delete=OFF")
        opened.append(connection)
        return connection

    monkeypatch.setattr(sqlite3.dbapi2, "connect", connect)
    monkeypatch.setattr(sqlite3, "connect", connect)
    # The simulation itself works: a connection of our own now starts with it off.
    assert sqlite3.connect(":memory:").execute("PRAGMA secure_delete").fetchone() == (0,)
    opened.clear()
    return opened


def _secure_delete(connection: Any) -> int:
    cursor = connection.cursor()
    try:
        cursor.execute("PRAGMA secure_delete")
        row = cursor.fetchone()
    finally:
        cursor.close()
    return int(row[0])


@pytest.fixture
def store(cli: Cli, upstream_sqlite: list[sqlite3.Connection]) -> Iterator[Any]:
    cli("init")
    opened = open_store(resolve_location(None))
    try:
        yield opened
    finally:
        opened.dispose()


def test_every_store_connection_has_secure_delete_on(
    store: Any, upstream_sqlite: list[sqlite3.Connection]
) -> None:
    engine = store.engine
    # Several connections at once, so the pool must open new ones, then again after the
    # pool is emptied: the PRAGMA must be set on each, not once per store.
    first = [engine.raw_connection() for _ in range(3)]
    try:
        assert [_secure_delete(c.dbapi_connection) for c in first] == [1, 1, 1]
    finally:
        for connection in first:
            connection.close()
    engine.dispose()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    with store.transaction() as db:
        assert db.connection().exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    assert len(upstream_sqlite) >= 4  # the simulation really saw the store's connections


def test_cli_connections_have_secure_delete_on(
    cli: Cli, upstream_sqlite: list[sqlite3.Connection], db_path: Path
) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("person", "add", "--name", "Åsa Öberg", "--email", "asa@csn.se", "--agency", "CSN")
    cli("person", "remove", "asa@csn.se")
    assert upstream_sqlite  # the commands ran on connections that started with it off
    # The deleted person's address is not left in the file's free pages.
    assert b"asa@csn.se" not in db_path.read_bytes()
    for side in db_path.parent.glob(db_path.name + "-wal"):
        assert b"asa@csn.se" not in side.read_bytes()
