"""Issue 12: the attacks an outside trial found, each with the test that would have caught it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from tests import hostile
from tests.conftest import Cli, store_snapshot

FIXTURE = Path(__file__).parent / "data" / "store-v1.db"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store(cli: Cli, db_path: Path) -> Path:
    cli("init")
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("person", "add", "--name", "Åsa Öberg", "--email", "asa.oberg@csn.se", "--agency", "CSN")
    return db_path


@pytest.fixture
def good_backup(store: Path, cli: Cli, tmp_path: Path) -> Path:
    backup = tmp_path / "good.db"
    cli("db", "backup", str(backup))
    return backup


# --- 1. restore accepts exactly chefintro's schema ----------------------------------------


def test_the_reference_schema_is_the_same_built_from_the_models_or_by_the_migrations() -> None:
    from chefintro.store import SCHEMA_VERSION
    from chefintro.store.reference import migrated_schema, read_schema, reference_schema

    assert reference_schema(SCHEMA_VERSION) == migrated_schema(SCHEMA_VERSION)
    connection = sqlite3.connect(f"file:{FIXTURE}?mode=ro", uri=True)
    try:
        assert read_schema(connection) == reference_schema(1)
    finally:
        connection.close()


@pytest.mark.parametrize("name", sorted(hostile.CRAFTED_STORES))
def test_restore_refuses_a_backup_with_foreign_schema_objects(
    store: Path, good_backup: Path, cli: Cli, tmp_path: Path, name: str
) -> None:
    crafted = hostile.crafted_store(good_backup, tmp_path, name)
    digest = _digest(crafted)
    before = store_snapshot()
    result = cli("db", "restore", str(crafted), code=65)
    assert "its schema is not the one chefintro makes" in result.stderr
    assert "Traceback" not in result.stderr
    assert store_snapshot() == before
    assert _digest(crafted) == digest  # the user's file is untouched
    assert list(store.parent.glob("*.before-restore-*")) == []
    assert sorted(p.name for p in store.parent.iterdir() if p.name.endswith(".restore")) == []


def test_restore_names_what_differs(
    store: Path, good_backup: Path, cli: Cli, tmp_path: Path
) -> None:
    result = cli(
        "db", "restore", str(hostile.crafted_store(good_backup, tmp_path, "view")), code=65
    )
    assert "a view 'everyone' that chefintro does not make" in result.stderr
    missing = hostile.crafted_store(good_backup, tmp_path, "missing_table")
    result = cli("db", "restore", str(missing), code=65)
    assert "the table 'pairing' is missing" in result.stderr


def test_no_trigger_of_a_backup_fires_during_the_restore(
    store: Path, good_backup: Path, cli: Cli, tmp_path: Path
) -> None:
    crafted = hostile.crafted_store(good_backup, tmp_path, "trigger_on_audit_log")
    cli("db", "restore", str(crafted), code=65)
    connection = sqlite3.connect(crafted)
    try:
        assert connection.execute("SELECT * FROM setting WHERE key = 'fired'").fetchall() == []
    finally:
        connection.close()
    assert cli.json("settings", "list") is not None
    with sqlite3.connect(store) as live:
        assert live.execute("SELECT * FROM setting WHERE key = 'fired'").fetchall() == []


def test_restore_still_accepts_a_good_backup_and_an_older_one(
    store: Path, good_backup: Path, cli: Cli, tmp_path: Path
) -> None:
    cli("db", "restore", str(good_backup))
    old = tmp_path / "v1.db"
    old.write_bytes(FIXTURE.read_bytes())
    cli("db", "restore", str(old))
    assert cli.json("db", "check")["schema_differences"] == []


@pytest.mark.parametrize("name", ["trigger_keeping_erased_people", "view", "missing_table"])
def test_check_reports_foreign_schema_objects_in_the_store(
    store: Path, cli: Cli, name: str
) -> None:
    assert cli.json("db", "check")["schema_differences"] == []
    connection = sqlite3.connect(store)
    connection.executescript(hostile.CRAFTED_STORES[name])
    connection.commit()
    connection.close()
    result = cli("db", "check", "--json", code=1)
    import json

    report = json.loads(result.stdout)
    assert report["schema_differences"]
    assert any("schema is not the one chefintro makes" in p for p in report["problems"])
    human = cli("db", "check", code=1)
    assert "schema is not the one chefintro makes" in human.stderr


# --- 2. no writer replaces the store ------------------------------------------------------


def _writers(cli: Cli, target: Path, code: int) -> list[Any]:
    return [
        cli("roster", "export", str(target), code=code),
        cli("roster", "template", str(target), code=code),
        cli("session", "ics", str(target), code=code),
        cli("person", "export", "asa.oberg@csn.se", "--output", str(target), code=code),
        cli(
            "person",
            "export",
            "asa.oberg@csn.se",
            "--format",
            "xlsx",
            "--output",
            str(target),
            code=code,
        ),
    ]


@pytest.fixture
def with_cohort(store: Path, cli: Cli) -> Path:
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("cohort", "use", "2027")
    return store


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm", "-journal"])
def test_no_output_replaces_the_store_or_its_side_files(
    with_cohort: Path, cli: Cli, suffix: str
) -> None:
    target = with_cohort.with_name(with_cohort.name + suffix)
    before = store_snapshot()
    existed = target.exists()
    for result in _writers(cli, target, 73):
        assert "it is the store" in result.stderr
    assert store_snapshot() == before
    assert target.exists() == existed


def test_a_link_to_the_store_is_the_store(with_cohort: Path, cli: Cli, tmp_path: Path) -> None:
    link = tmp_path / "link.xlsx"
    link.symlink_to(with_cohort)
    hard = tmp_path / "hard.ics"
    os.link(with_cohort, hard)
    before = store_snapshot()
    cli("roster", "export", str(link), code=73)
    cli("session", "ics", str(hard), code=73)
    assert store_snapshot() == before


def test_check_destination_knows_the_opened_store(tmp_path: Path) -> None:
    from chefintro.errors import OutputError
    from chefintro.files import check_destination, protect_store
    from chefintro.store import open_store

    protect_store(None)
    location = tmp_path / "annan.db"
    opened = open_store(str(location))
    try:
        with pytest.raises(OutputError, match="it is the store"):
            check_destination(location.with_name("annan.db-wal"))
    finally:
        opened.dispose()
        protect_store(None)


# --- 3. no writer replaces a device, a FIFO or a socket -----------------------------------


def test_outputs_refuse_a_fifo(with_cohort: Path, cli: Cli, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    link = tmp_path / "link-to-pipe.ics"
    link.symlink_to(fifo)
    for target in (fifo, link):
        for result in _writers(cli, target, 73):
            assert "not a regular file" in result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert link.is_symlink()


def test_outputs_refuse_a_device(with_cohort: Path, cli: Cli, tmp_path: Path) -> None:
    null = Path(os.devnull)
    before = null.stat()
    result = cli("session", "ics", str(null), code=73)
    assert "not a regular file" in result.stderr
    cli("db", "backup", str(null), code=73)
    assert stat.S_ISCHR(null.stat().st_mode)
    assert null.stat().st_ino == before.st_ino


def test_outputs_refuse_a_socket(with_cohort: Path, cli: Cli, tmp_path: Path) -> None:
    import socket

    path = tmp_path / "s.ics"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        server.bind(str(path))
        assert "not a regular file" in cli("session", "ics", str(path), code=73).stderr
    finally:
        server.close()


# --- 5. --db never changes the mode of a file that is not a store -----------------------


def test_db_on_a_file_that_is_not_a_store_keeps_its_mode(cli: Cli, tmp_path: Path) -> None:
    other = tmp_path / "notes.txt"
    other.write_text("not a store\n", encoding="utf-8")
    other.chmod(0o644)
    cli("--db", str(other), "agency", "list", code=1)
    cli("--db", str(other), "db", "check", code=1)
    assert _mode(other) == 0o644
    foreign = tmp_path / "foreign.db"
    connection = sqlite3.connect(foreign)
    connection.execute("CREATE TABLE kunder (namn TEXT)")
    connection.commit()
    connection.close()
    foreign.chmod(0o644)
    cli("--db", str(foreign), "agency", "list", code=1)
    cli("--db", str(foreign), "db", "check", code=1)
    assert _mode(foreign) == 0o644


def test_check_reports_the_mode_and_changes_nothing(store: Path, cli: Cli) -> None:
    store.chmod(0o644)
    report: Any = cli.json("db", "check")
    assert report["file_mode"] == "0o644"
    assert _mode(store) == 0o644
    cli("agency", "list")
    assert _mode(store) == 0o600
