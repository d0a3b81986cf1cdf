"""The store survives crashes and concurrent use, and keeps its files private.

Every test here runs real processes against a real SQLite file: a writer killed with
SIGKILL in the middle of a transaction, two writers at once, a store held busy.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, store_snapshot

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and file modes")

# Opens the store like chefintro does, writes COUNT agencies in one transaction, reports,
# waits PAUSE seconds, commits and reports again.
WRITER = """
import sys, time
from sqlalchemy import insert
from chefintro.models import Agency
from chefintro.store import open_store

location, prefix, count, pause = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
store = open_store(location)
with store.transaction() as db:
    rows = [
        {"code": f"{prefix}{n}", "name": f"Myndigheten för prov nummer {n} " + "åäö" * 50}
        for n in range(count)
    ]
    db.connection().execute(insert(Agency), rows)
    print("written", time.time(), flush=True)
    time.sleep(pause)
print("committed", time.time(), flush=True)
store.dispose()
"""

# Holds the store's write lock (an uncommitted insert) until killed.
HOLDER = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("INSERT INTO agency (code, name) VALUES ('LÅST', 'Håller låset')")
print("locked", flush=True)
time.sleep(60)
"""


def _start(code: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or dict(os.environ),
    )


def _wait_for(process: subprocess.Popen[str], word: str) -> list[str]:
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith(word):
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"expected {word!r}, got {line!r}; stderr: {err}")
    return line.split()


def _chefintro(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chefintro", *args],
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=60,
    )


def _integrity(path: Path) -> list[Any]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def store(cli: Cli, db_path: Path) -> Path:
    cli("init")
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    return db_path


@pytest.mark.parametrize("journal", ["wal", "delete"])
def test_a_writer_killed_mid_transaction_leaves_the_store_as_it_was(
    store: Path, journal: str, monkeypatch: pytest.MonkeyPatch, cli: Cli
) -> None:
    if journal == "delete":
        monkeypatch.setenv("CHEFINTRO_NO_WAL", "1")
    before = store_snapshot()
    writer = _start(WRITER, str(store), "K", "20000", "30")
    try:
        _wait_for(writer, "written")
        # The transaction is big enough to spill to disk: the crash hits a real write.
        if journal == "wal":
            assert store.with_name(store.name + "-wal").stat().st_size > 1_000_000
        else:
            assert store.with_name(store.name + "-journal").exists()
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.communicate()
    assert writer.returncode == -signal.SIGKILL
    assert _integrity(store) == [("ok",)]
    assert store_snapshot() == before
    codes = [a["code"] for a in cli.json("agency", "list")]
    assert codes == ["BV", "CSN"]
    assert cli.json("db", "check")["ok"] is True


def test_two_writers_at_once_both_succeed_the_later_one_waiting(store: Path, cli: Cli) -> None:
    first = _start(WRITER, str(store), "A", "300", "1.5")
    try:
        _wait_for(first, "written")
        started = time.time()
        second = _start(WRITER, str(store), "B", "300", "0")
        out_second, err_second = second.communicate(timeout=60)
        out_first, err_first = first.communicate(timeout=60)
    finally:
        for process in (first,):
            if process.poll() is None:
                process.kill()
    assert first.returncode == 0, err_first
    assert second.returncode == 0, err_second
    first_committed = float(out_first.split()[-1])
    second_written = float(out_second.split()[1])
    # The second writer could only start its transaction after the first committed.
    assert second_written >= first_committed > started
    codes = {a["code"] for a in cli.json("agency", "list")}
    assert len(codes) == 602
    assert {"A0", "A299", "B0", "B299"} <= codes
    assert _integrity(store) == [("ok",)]


def test_a_store_held_busy_beyond_the_timeout_exits_75(store: Path) -> None:
    before = store_snapshot()
    holder = _start(HOLDER, str(store))
    try:
        _wait_for(holder, "locked")
        env = {**os.environ, "CHEFINTRO_BUSY_TIMEOUT_MS": "300"}
        started = time.monotonic()
        result = _chefintro("agency", "add", "SPV", "Statens tjänstepensionsverk", env=env)
        elapsed = time.monotonic() - started
    finally:
        holder.kill()
        holder.communicate()
    assert result.returncode == 75, result.stderr
    assert "busy" in result.stderr
    assert "Try again" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert elapsed < 8  # the overridden timeout, not the default 10 s
    assert store_snapshot() == before


def test_the_busy_timeout_is_the_default_when_the_variable_is_nonsense(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chefintro.store import BUSY_TIMEOUT_MS, busy_timeout_ms

    monkeypatch.setenv("CHEFINTRO_BUSY_TIMEOUT_MS", "soon")
    assert busy_timeout_ms() == BUSY_TIMEOUT_MS
    monkeypatch.setenv("CHEFINTRO_BUSY_TIMEOUT_MS", "250")
    assert busy_timeout_ms() == 250


def test_chefintro_no_wal_uses_the_rollback_journal(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHEFINTRO_NO_WAL", "1")
    cli("init")
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    report: Any = cli.json("db", "check")
    assert report["journal_mode"] == "delete"
    assert report["ok"] is True
    assert any("rollback journal" in note for note in report["notes"])
    assert not db_path.with_name(db_path.name + "-wal").exists()


def test_wal_falls_back_to_the_rollback_journal_where_it_is_unsupported(
    cli: Cli, tmp_path: Path
) -> None:
    # SQLite's dot-file locking VFS has no shared memory, like many network file systems:
    # asking it for WAL keeps the rollback journal, and the store must still work.
    path = tmp_path / "dotfile.db"
    url = f"sqlite:///file:{path}?vfs=unix-dotfile&uri=true"
    cli("--db", url, "init")
    cli("--db", url, "agency", "add", "CSN", "Centrala studiestödsnämnden")
    assert [a["code"] for a in cli.json("--db", url, "agency", "list")] == ["CSN"]
    report: Any = cli.json("--db", url, "db", "check")
    assert report["journal_mode"] == "delete"
    assert report["ok"] is True
    assert not path.with_name(path.name + "-wal").exists()
    assert _mode(path) == 0o600


def test_store_files_are_private_whatever_the_umask(db_path: Path) -> None:
    code = """
import os, stat, sys
from pathlib import Path
os.umask(0)
from chefintro.models import Agency
from chefintro.store import open_store
path = Path(sys.argv[1])
store = open_store(str(path))
with store.transaction() as db:
    db.add(Agency(code="CSN", name="Centrala studiestödsnämnden"))
for suffix in ("", "-wal", "-shm"):
    side = path.with_name(path.name + suffix)
    print(suffix or "db", oct(stat.S_IMODE(side.stat().st_mode)))
store.dispose()
"""
    result = subprocess.run(
        [sys.executable, "-c", code, str(db_path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    modes = dict(line.split() for line in result.stdout.splitlines())
    assert modes == {"db": "0o600", "-wal": "0o600", "-shm": "0o600"}


def test_an_existing_store_readable_by_others_is_made_private(cli: Cli, db_path: Path) -> None:
    cli("init")
    db_path.chmod(0o644)
    report: Any = cli.json("db", "check")
    assert report["file_mode"] == "0o644"
    assert any("readable by others" in note for note in report["notes"])
    assert _mode(db_path) == 0o644  # the check reports it and changes nothing
    db_path.chmod(0o640)
    cli("agency", "list")
    assert _mode(db_path) == 0o600
