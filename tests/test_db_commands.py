"""``chefintro init`` and ``db check | backup | restore | log`` on real files."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chefintro.migrations import SCHEMA_VERSION
from tests.conftest import Cli, store_snapshot

FIXTURE = Path(__file__).parent / "data" / "store-v1.db"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _codes(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [str(r[0]) for r in connection.execute("SELECT code FROM agency ORDER BY code")]
    finally:
        connection.close()


def _leftovers(folder: Path) -> list[str]:
    """Temporary files a command must not leave behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".restore")))


@pytest.fixture
def store(cli: Cli, db_path: Path) -> Path:
    cli("init")
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("person", "add", "--name", "Åsa Öberg", "--email", "asa.oberg@csn.se", "--agency", "CSN")
    return db_path


# --- init and check ---------------------------------------------------------------------


def test_init_creates_the_store_and_prints_its_schema_version(cli: Cli, db_path: Path) -> None:
    result = cli("init")
    assert f"Created the store (schema {SCHEMA_VERSION}, chefintro" in result.stderr
    assert result.stdout.strip() == str(db_path)
    assert _mode(db_path) == 0o600
    assert f"Store ready (schema {SCHEMA_VERSION}" in cli("init").stderr


def test_check_reports_a_healthy_store(cli: Cli, backend: str) -> None:
    cli("init")
    report: Any = cli.json("db", "check")
    assert report["ok"] is True
    assert (report["schema_version"], report["tool_schema_version"]) == (
        SCHEMA_VERSION,
        SCHEMA_VERSION,
    )
    assert report["problems"] == []
    if backend == "sqlite":
        assert report["backend"] == "sqlite"
        assert report["integrity"] == ["ok"]
        assert report["foreign_key_problems"] == []
        assert report["journal_mode"] == "wal"
        assert report["file_mode"] == "0o600"
    else:
        assert report["backend"] == "postgresql"
        assert report["journal_mode"] is None
    human = cli("db", "check")
    assert "Schema" in human.stdout
    assert "good order" in human.stderr


def test_check_does_not_create_a_missing_store(bare_cli: Cli, db_path: Path) -> None:
    result = bare_cli("db", "check", code=1)
    assert "no store" in result.stderr
    assert not db_path.exists()


def test_check_finds_rows_that_refer_to_nothing(store: Path, cli: Cli) -> None:
    connection = sqlite3.connect(store, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=OFF")
    connection.execute(
        "INSERT INTO person (name, email, email_key, agency_id) "
        "VALUES ('Ingen Myndighet', 'x@y.se', 'x@y.se', 999)"
    )
    connection.close()
    result = cli("db", "check", "--json", code=1)
    report = json.loads(result.stdout)
    assert report["ok"] is False
    assert report["foreign_key_problems"] == ["person row 2 refers to a missing agency row"]
    assert "1 row refers to rows that do not exist" in result.stderr


def test_check_finds_pairs_that_break_the_hard_rules(store: Path, cli: Cli) -> None:
    cli("person", "add", "--name", "Örjan Sjö", "--email", "orjan@bv.se", "--agency", "BV")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("participant", "add", "asa.oberg@csn.se", "--role", "adept")
    cli("participant", "add", "orjan@bv.se", "--role", "mentor")
    cli("pair", "set", "asa.oberg@csn.se", "orjan@bv.se")
    cli("db", "check")
    # Bypass the tool, as a hand-edited or damaged store would.
    connection = sqlite3.connect(store, isolation_level=None)
    connection.execute(
        "UPDATE participant SET agency_id = (SELECT id FROM agency WHERE code = 'BV')"
    )
    connection.execute("UPDATE participant SET capacity = 0 WHERE role = 'mentor'")
    connection.close()
    result = cli("db", "check", "--json", code=1)
    problems = " ".join(json.loads(result.stdout)["problems"])
    assert "same agency" in problems
    assert "more live pairs than their capacity" in problems


def test_check_finds_a_damaged_file(store: Path, cli: Cli) -> None:
    connection = sqlite3.connect(store)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_agency_code'"
    ).fetchone()[0]
    connection.close()
    data = bytearray(store.read_bytes())
    start = (root - 1) * page_size
    page = data[start : start + page_size]
    assert b"CSN" in page
    data[start : start + page_size] = page.replace(b"CSN", b"CSX")
    store.write_bytes(bytes(data))
    result = cli("db", "check", code=1)
    assert "integrity check found" in result.stderr
    assert "Traceback" not in result.stderr


# --- backup -----------------------------------------------------------------------------


def test_backup_writes_a_private_self_contained_copy(store: Path, cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "säkerhetskopia.db"
    result = cli("db", "backup", str(target))
    assert "Backed up the store" in result.stderr
    assert _mode(target) == 0o600
    assert _codes(target) == ["BV", "CSN"]
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    assert _leftovers(tmp_path) == []
    entries: Any = cli.json("db", "log")
    assert [(e["action"], e["detail"]) for e in entries] == [
        ("backup", f"backup written (schema {SCHEMA_VERSION})")
    ]


def test_backup_replaces_an_older_backup(store: Path, cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    target.write_text("an old backup")
    cli("db", "backup", str(target))
    assert _codes(target) == ["BV", "CSN"]
    assert _mode(target) == 0o600
    assert _leftovers(tmp_path) == []


def test_backup_errors(store: Path, cli: Cli, tmp_path: Path) -> None:
    before = store_snapshot()
    result = cli("db", "backup", str(tmp_path / "saknas" / "backup.db"), code=73)
    assert "folder does not exist" in result.stderr
    cli("db", "backup", str(store), code=2)
    assert store_snapshot() == before


def test_backup_while_another_process_writes(store: Path, cli: Cli, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys, time\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE')\n"
            "c.execute(\"INSERT INTO agency (code, name) VALUES ('HALV', 'Ej klar')\")\n"
            "print('locked', flush=True)\n"
            "time.sleep(60)\n",
            str(store),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        target = tmp_path / "online.db"
        # The backup reads while the writer holds its lock; only the audit entry must wait,
        # and here it waits in vain.
        env = {**os.environ, "CHEFINTRO_BUSY_TIMEOUT_MS": "300"}
        result = subprocess.run(
            [sys.executable, "-m", "chefintro", "db", "backup", str(target)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    finally:
        holder.kill()
        holder.communicate()
    assert result.returncode == 0, result.stderr
    assert _codes(target) == ["BV", "CSN"]  # committed data only
    assert "could not record it" in result.stderr


def test_backup_and_restore_of_postgresql_explain_pg_tools(cli: Cli, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("PostgreSQL only")
    cli("init")
    before = store_snapshot()
    backup = cli("db", "backup", "backup.dump", code=1)
    assert "pg_dump --format=custom" in backup.stderr
    assert "pg_restore" in backup.stderr
    assert "+psycopg" not in backup.stderr
    restore = cli("db", "restore", "--yes", __file__, code=1)
    assert "pg_restore --clean" in restore.stderr
    assert store_snapshot() == before
    assert not Path("backup.dump").exists()


# --- restore ----------------------------------------------------------------------------


def test_restore_puts_a_backup_in_place_and_keeps_the_old_store(
    store: Path, cli: Cli, tmp_path: Path
) -> None:
    backup = tmp_path / "backup.db"
    cli("db", "backup", str(backup))
    cli("agency", "add", "SPV", "Statens tjänstepensionsverk")
    cli("person", "remove", "asa.oberg@csn.se")

    result = cli("db", "restore", "--yes", str(backup))
    assert "Restored the store" in result.stderr
    assert [a["code"] for a in cli.json("agency", "list")] == ["BV", "CSN"]
    assert [p["name"] for p in cli.json("person", "list")] == ["Åsa Öberg"]
    kept = sorted(store.parent.glob("chefintro.db.before-restore-*"))
    assert len(kept) == 1
    assert str(kept[0]) in result.stderr
    assert _mode(kept[0]) == 0o600
    assert _codes(kept[0]) == ["BV", "CSN", "SPV"]
    assert _mode(store) == 0o600
    assert _leftovers(store.parent) == []
    assert backup.exists()
    entries: Any = cli.json("db", "log")
    # The backup's own entry was written after the copy; it is carried over from the old store.
    assert [e["action"] for e in entries] == ["backup", "restore"]
    assert (
        entries[1]["detail"]
        == f"restored a backup (schema {SCHEMA_VERSION}); the previous store was kept beside it"
    )
    assert cli.json("db", "check")["ok"] is True


def test_restore_removes_stale_write_ahead_files(store: Path, cli: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    cli("db", "backup", str(backup))
    # A write-ahead log left by a crash belongs to the old file; applied to the restored
    # one it would corrupt it. Make a real one: a writer killed after committing.
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute(\"INSERT INTO agency (code, name) VALUES ('WAL', 'Bara i loggen')\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(store)], check=True, timeout=60)
    assert store.with_name(store.name + "-wal").stat().st_size > 0
    cli("db", "restore", "--yes", str(backup))
    assert [a["code"] for a in cli.json("agency", "list")] == ["BV", "CSN"]
    assert cli.json("db", "check")["ok"] is True
    kept = next(store.parent.glob("chefintro.db.before-restore-*"))
    assert _codes(kept) == ["BV", "CSN", "WAL"]


def test_restore_into_a_new_place(cli: Cli, store: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    cli("db", "backup", str(backup))
    elsewhere = tmp_path / "ny" / "chefintro.db"
    cli("--db", str(elsewhere), "db", "restore", "--yes", str(backup))
    assert _codes(elsewhere) == ["BV", "CSN"]
    assert list(elsewhere.parent.glob("*.before-restore-*")) == []


def test_restore_of_an_older_backup_upgrades_it(cli: Cli, store: Path, tmp_path: Path) -> None:
    old = tmp_path / "store-v1.db"
    shutil.copyfile(FIXTURE, old)
    cli("db", "restore", "--yes", str(old))
    assert len(cli.json("person", "list")) == 7
    assert len(list(store.parent.glob("chefintro.db.bak-v1-*"))) == 1
    assert cli.json("db", "check")["schema_version"] == SCHEMA_VERSION


def _not_sqlite(path: Path) -> None:
    path.write_text("Namn;E-post\nÅsa Öberg;asa.oberg@csn.se\n", encoding="utf-8")


def _foreign(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE kunder (namn TEXT)")
    connection.commit()
    connection.close()


def _newer(path: Path) -> None:
    shutil.copyfile(FIXTURE, path)
    connection = sqlite3.connect(path)
    connection.execute(
        "INSERT INTO schema_version VALUES (?, '3.0.0', '2030-01-01 00:00:00')",
        (SCHEMA_VERSION + 1,),
    )
    connection.commit()
    connection.close()


def _damaged(path: Path) -> None:
    shutil.copyfile(FIXTURE, path)
    connection = sqlite3.connect(path)
    page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    root = connection.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_person_email_key'"
    ).fetchone()[0]
    connection.close()
    data = bytearray(path.read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = data[start : start + page_size].replace(b"csn.se", b"csn.xx")
    path.write_bytes(bytes(data))


def _broken_references(path: Path) -> None:
    shutil.copyfile(FIXTURE, path)
    connection = sqlite3.connect(path)
    connection.execute("UPDATE participant SET person_id = 99 WHERE id = 1")
    connection.commit()
    connection.close()


def _truncated(path: Path) -> None:
    path.write_bytes(FIXTURE.read_bytes()[:5000])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_not_sqlite, "not a readable SQLite database"),
        (_foreign, "holds no chefintro store"),
        (_newer, f"newer chefintro (schema {SCHEMA_VERSION + 1})"),
        (_damaged, "it is damaged"),
        (_broken_references, "refer to rows that do not exist"),
        (_truncated, "not a"),
    ],
)
def test_restore_refuses_a_bad_file_and_leaves_the_store_alone(
    store: Path, cli: Cli, tmp_path: Path, make: Any, message: str
) -> None:
    bad = tmp_path / "dålig-kopia.db"
    make(bad)
    before = store_snapshot()
    result = cli("db", "restore", "--yes", str(bad), code=65)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert store_snapshot() == before
    assert list(store.parent.glob("*.before-restore-*")) == []
    assert _leftovers(store.parent) == []


def test_restore_of_a_missing_file_is_66(store: Path, cli: Cli, tmp_path: Path) -> None:
    before = store_snapshot()
    result = cli("db", "restore", "--yes", str(tmp_path / "finns-inte.db"), code=66)
    assert "no such file" in result.stderr
    assert store_snapshot() == before


def test_restore_refuses_while_the_store_is_in_use(store: Path, cli: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    cli("db", "backup", str(backup))
    cli("agency", "add", "SPV", "Statens tjänstepensionsverk")
    other = sqlite3.connect(store)  # another chefintro with the store open
    try:
        other.execute("SELECT count(*) FROM agency").fetchone()
        result = subprocess.run(
            [sys.executable, "-m", "chefintro", "db", "restore", "--yes", str(backup)],
            capture_output=True,
            text=True,
            env={**os.environ, "CHEFINTRO_BUSY_TIMEOUT_MS": "300"},
            timeout=60,
        )
    finally:
        other.close()
    assert result.returncode == 75, result.stderr
    assert "in use" in result.stderr
    assert _codes(store) == ["BV", "CSN", "SPV"]
    assert list(store.parent.glob("*.before-restore-*")) == []


# --- log --------------------------------------------------------------------------------


def test_log_is_empty_at_first(cli: Cli, backend: str) -> None:
    cli("init")
    assert cli.json("db", "log") == []
    assert "Action" in cli("db", "log").stdout


def test_restore_reads_a_copied_store_together_with_its_write_ahead_log(
    store: Path, cli: Cli, tmp_path: Path
) -> None:
    idle = sqlite3.connect(store)  # keeps the log beside the file, as a live store has it
    try:
        idle.execute("SELECT count(*) FROM agency").fetchone()
        cli("agency", "add", "SPV", "Statens tjänstepensionsverk")
        copy = tmp_path / "kopia.db"
        shutil.copyfile(store, copy)
        shutil.copyfile(store.with_name(store.name + "-wal"), tmp_path / "kopia.db-wal")
    finally:
        idle.close()
    assert copy.with_name("kopia.db-wal").stat().st_size > 0
    cli("agency", "remove", "SPV")
    cli("db", "restore", "--yes", str(copy))
    assert [a["code"] for a in cli.json("agency", "list")] == ["BV", "CSN", "SPV"]
