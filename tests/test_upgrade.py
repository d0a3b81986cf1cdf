"""Upgrading a store made by an older chefintro: in place, after a backup, without loss."""

from __future__ import annotations

import hashlib
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

from chefintro.migrations import BASELINE_VERSION, MIGRATIONS, SCHEMA_VERSION
from tests.conftest import Cli, store_snapshot

FIXTURE = Path(__file__).parent / "data" / "store-v1.db"

Rows = dict[str, list[tuple[Any, ...]]]

#: Tables and pairing columns that later schemas added to the schema-1 store.
LATER_TABLES = {
    "audit_log",
    "command_journal",
    "meeting",
    "sent_message",
    "survey",
    "survey_question",
    "survey_answer",
}
LATER_PAIRING_COLUMNS = ("started_on", "ended_on", "end_reason")

# Every schema version a store made by the first release passes through when upgraded.
VERSIONS = [BASELINE_VERSION, *(m.version for m in MIGRATIONS)]


def _rows(path: Path) -> Rows:
    """Return every row of every table, read with plain sqlite3 (no chefintro code)."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            str(r[0])
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            t: connection.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables
        }
    finally:
        connection.close()


def _schema(path: Path) -> list[tuple[Any, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master "
            "WHERE name != 'sqlite_sequence' ORDER BY type, name"
        ).fetchall()
    finally:
        connection.close()


def _backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.name}.bak-v*"))


@pytest.fixture
def cli() -> Cli:
    """These tests open old stores themselves: no 'chefintro init' before the first command."""
    return Cli(init=False)


@pytest.fixture
def v1_store(db_path: Path) -> Path:
    """A copy of the schema-1 fixture as this test's store (the fixture itself stays as is)."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(FIXTURE, db_path)
    return db_path


def test_migrations_are_numbered_in_order_from_the_first_release() -> None:
    from chefintro import migrations, store

    versions = [m.version for m in migrations.MIGRATIONS]
    # Strictly increasing from the first release to the tool's schema. (Branches add
    # numbers in parallel; the merge closes any gap.)
    assert versions == sorted(set(versions))
    assert versions[0] == migrations.BASELINE_VERSION + 1
    assert versions[-1] == store.SCHEMA_VERSION
    assert all(m.name for m in migrations.MIGRATIONS)
    assert [m.version for m in migrations.pending(1)] == versions
    assert [m.version for m in migrations.pending(2)] == versions[1:]
    assert migrations.pending(store.SCHEMA_VERSION) == []


def test_the_fixture_is_a_schema_1_store_with_data(v1_store: Path) -> None:
    rows = _rows(v1_store)
    assert "audit_log" not in rows
    assert [v[0] for v in rows["schema_version"]] == [1]
    assert len(rows["person"]) == 7
    assert len(rows["pairing"]) == 4
    assert len(rows["attendance"]) == 7
    assert "Åsa Öberg" in {p[1] for p in rows["person"]}


def test_the_fixture_script_rebuilds_the_same_file(tmp_path: Path) -> None:
    rebuilt = tmp_path / "store-v1.db"
    script = FIXTURE.with_name("make_store_v1.py")
    subprocess.run([sys.executable, str(script), str(rebuilt)], check=True, timeout=60)
    assert rebuilt.read_bytes() == FIXTURE.read_bytes()


def test_an_older_store_is_upgraded_in_place_after_a_backup(cli: Cli, v1_store: Path) -> None:
    before = _rows(v1_store)
    result = cli("init")
    assert f"Upgraded the store from schema 1 to {SCHEMA_VERSION}" in result.stderr
    assert "moves made before this upgrade were never recorded" in " ".join(result.stderr.split())
    assert result.stdout.strip() == str(v1_store)

    backups = _backups(v1_store)
    assert len(backups) == 1
    assert backups[0].name.startswith("chefintro.db.bak-v1-")
    assert stat.S_IMODE(backups[0].stat().st_mode) == 0o600
    assert str(backups[0]) in result.stderr
    assert _rows(backups[0]) == before

    after = _rows(v1_store)
    assert after.pop("audit_log") == []
    assert after.pop("command_journal") == []
    assert after.pop("sent_message") == []
    for table in ("pair_agreement", "pair_note", "agency_letter"):  # schema 10
        assert after.pop(table) == []
    assert after.pop("meeting") == []
    assert after.pop("listing_consent") == []
    for table in ("pair_proposal", "mentor_wish"):  # schema 12
        assert after.pop(table) == []
    for table in ("survey", "survey_question", "survey_answer"):
        assert after.pop(table, []) == []
    versions = after.pop("schema_version")
    assert [v[0] for v in versions] == VERSIONS
    assert versions[0] == before.pop("schema_version")[0]
    # Pairs keep every value; the new columns follow the old ones. Active and ended pairs
    # started on their cohort's first day, as far as the store can tell.
    starts = {row[0]: row[2] for row in before["cohort"]}
    old_pairs, new_pairs = before.pop("pairing"), after.pop("pairing")
    assert [row[:10] for row in new_pairs] == old_pairs
    for row in new_pairs:
        state, started_on, ended_on, end_reason = row[4], row[10], row[11], row[12]
        assert started_on == (starts[row[1]] if state in ("active", "ended") else None)
        assert (ended_on, end_reason) == (None, None)
    # Schema 6 keeps removed days as cancelled: every existing day is not cancelled.
    sessions = after.pop("programme_session")
    assert [row[:-1] for row in sessions] == before.pop("programme_session")
    assert {row[-1] for row in sessions} == {0}
    # Schema 4 gave agencies an empty contact column.
    assert after.pop("agency") == [(*row, None) for row in before.pop("agency")]
    # Schema 7: each participant keeps the agency, unit and title their person had then.
    person_rows = {row[0]: row for row in before["person"]}
    assert after.pop("participant") == [
        (*row, person_rows[row[2]][4], person_rows[row[2]][5], person_rows[row[2]][6])
        for row in before.pop("participant")
    ]
    # Schema 9 gave the groups of the day one formation: the store kept no other.
    assert after.pop("peergroup") == [(*row, "before-9") for row in before.pop("peergroup")]
    assert after == before

    # Every value still reads through the models: dates, JSON, booleans.
    snapshot = store_snapshot()
    assert {t: len(r) for t, r in snapshot.items() if t in after} == {
        t: len(r) for t, r in after.items()
    }
    people: Any = cli.json("person", "list")
    assert [p["name"] for p in people][-2:] == ["Åsa Öberg", "Örjan Sjöström"]
    participants: Any = cli.json("--cohort", "2026", "participant", "list")
    assert {p["email"] for p in participants} >= {"zacharias.ek@csn.se"}
    zacharias = next(p for p in participants if p["email"] == "zacharias.ek@csn.se")
    assert zacharias["preferred_mentors"] == ["bjorn.akesson@hovratten.se"]
    assert cli.json("db", "check")["ok"] is True

    again = cli("init")
    assert f"Store ready (schema {SCHEMA_VERSION}" in again.stderr
    assert len(_backups(v1_store)) == 1


def test_any_command_upgrades_an_older_store(cli: Cli, v1_store: Path) -> None:
    cohorts: Any = cli.json("cohort", "list")
    assert [c["name"] for c in cohorts] == ["2025", "2026"]
    assert [v[0] for v in _rows(v1_store)["schema_version"]] == VERSIONS
    assert len(_backups(v1_store)) == 1


def test_a_fresh_store_has_exactly_the_schema_of_an_upgraded_one(
    cli: Cli, v1_store: Path, tmp_path: Path
) -> None:
    cli("init")
    fresh = tmp_path / "fresh.db"
    cli("--db", str(fresh), "init")
    assert _schema(fresh) == _schema(v1_store)


def _reflect(engine: Any) -> dict[str, Any]:
    from sqlalchemy import inspect

    inspector = inspect(engine)
    result: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        result[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default"))
                for c in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"], str(f.get("options")))
                for f in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"] or "", tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
        }
    return result


def test_upgrade_from_schema_1_matches_a_fresh_store_on_every_backend(backend: str) -> None:
    from sqlmodel import SQLModel

    from chefintro import models
    from chefintro.store import make_engine, open_store, resolve_location

    location = resolve_location(None)
    fresh = open_store(location)
    assert fresh.schema.created
    expected = _reflect(fresh.engine)
    SQLModel.metadata.drop_all(fresh.engine)
    fresh.dispose()

    engine = make_engine(location)
    v1_tables = [t for t in SQLModel.metadata.sorted_tables if t.name not in LATER_TABLES]
    with engine.begin() as connection:
        SQLModel.metadata.create_all(connection, tables=v1_tables)
        connection.exec_driver_sql("ALTER TABLE agency DROP COLUMN contact")
        for column in LATER_PAIRING_COLUMNS:
            connection.exec_driver_sql(f"ALTER TABLE pairing DROP COLUMN {column}")
        connection.exec_driver_sql("ALTER TABLE peergroup DROP COLUMN formation")
        connection.execute(
            models.SchemaVersion.__table__.insert().values(  # type: ignore[attr-defined]
                version=1, tool_version="0.1.0", applied_at=models.utcnow()
            )
        )
        connection.execute(
            models.Agency.__table__.insert().values(  # type: ignore[attr-defined]
                code="HNN", name="Hovrätten för nedre Norrland"
            )
        )
    engine.dispose()

    upgraded = open_store(location)
    try:
        assert upgraded.schema.upgraded_from == 1
        assert upgraded.schema.version == SCHEMA_VERSION
        assert (upgraded.schema.backup is not None) == (backend == "sqlite")
        assert _reflect(upgraded.engine) == expected
    finally:
        upgraded.dispose()
    assert store_snapshot()["agency"][0][1:] == ("HNN", "Hovrätten för nedre Norrland", None)


def test_a_store_from_a_newer_chefintro_is_refused_and_left_alone(cli: Cli, db_path: Path) -> None:
    cli("init")
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("INSERT INTO schema_version VALUES (99, '9.0.0', '2031-01-01 00:00:00')")
    connection.close()
    # Read with plain sqlite3: chefintro itself refuses to open this store.
    before = _rows(db_path)
    result = cli("agency", "list", code=1)
    assert "made by a newer chefintro (schema 99)" in result.stderr
    assert "Upgrade chefintro to use it" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert _rows(db_path) == before
    assert _backups(db_path) == []
    report = cli("db", "check", code=1)
    assert "newer chefintro" in report.stderr


def test_a_failing_upgrade_leaves_the_store_at_its_old_schema(cli: Cli, v1_store: Path) -> None:
    # A stray table with the new table's name makes migration 2 fail half-way.
    connection = sqlite3.connect(v1_store)
    with connection:
        connection.execute("CREATE TABLE audit_log (note TEXT)")
    connection.close()
    before = _rows(v1_store)
    result = cli("agency", "list", code=1)
    assert "Upgrading the store to schema 2" in result.stderr
    assert "left unchanged" in result.stderr
    assert "Traceback" not in result.stderr
    assert _rows(v1_store) == before
    assert len(_backups(v1_store)) == 1


def test_two_processes_upgrading_at_once_upgrade_once(v1_store: Path) -> None:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "chefintro", "init"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=60) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], results
    assert [v[0] for v in _rows(v1_store)["schema_version"]] == VERSIONS
    assert sum("Upgraded the store" in err for _, err in results) == 1


def test_any_command_says_when_it_upgraded_the_store(cli: Cli, v1_store: Path) -> None:
    result = cli("agency", "list", "--json")
    assert f"Upgraded the store from schema 1 to {SCHEMA_VERSION}" in result.stderr
    assert "backed up to" in result.stderr
    assert isinstance(json.loads(result.stdout), list)


def test_a_schema_8_store_keeps_its_message_records_by_stable_identity(
    cli: Cli, v1_store: Path, tmp_path: Path
) -> None:
    from sqlalchemy import create_engine, text

    from chefintro import migrations

    # The fixture brought to schema 8 as chefintro would have had it, with records of the
    # messages it sent, named by row ids as schemas 4 to 8 did.
    engine = create_engine(f"sqlite:///{v1_store}")
    with engine.begin() as connection:
        for migration in migrations.MIGRATIONS:
            if migration.version <= 8:
                migration.apply(connection)
                connection.execute(
                    text("INSERT INTO schema_version VALUES (:v, '0.6.0', '2026-02-01 08:00:00')"),
                    {"v": migration.version},
                )
        sent = [
            ("intro", 2, "pair:3", 7),  # the 2026 pair: adept person 7, mentor person 3
            ("intro", 2, "pair:3", 3),
            ("groups", 2, "group:2", 7),  # 2026's group: participants 5, 8 (persons 7, 5)
            ("groups", 2, "group:2", 5),
            ("reminder", 2, "session:3", 5),
            ("intro", 1, "pair:99", 1),  # a pair the store no longer has
        ]
        for kind, cohort, key, person in sent:
            connection.execute(
                text(
                    "INSERT INTO sent_message (kind, cohort_id, subject_key, person_id, sent_at) "
                    "VALUES (:kind, :cohort, :key, :person, '2026-02-03 10:00:00')"
                ),
                {"kind": kind, "cohort": cohort, "key": key, "person": person},
            )
    engine.dispose()

    result = cli("init")
    assert f"Upgraded the store from schema 8 to {SCHEMA_VERSION}" in result.stderr
    rows = _rows(v1_store)["sent_message"]
    members = hashlib.sha256(b"5,8").hexdigest()[:16]  # group 2's participants
    at = "2026-02-03 10:00:00.000000"
    assert [row[1:] for row in rows] == [
        ("intro", 2, "pair:7:3", 7, at, "sent"),
        ("intro", 2, "pair:7:3", 3, at, "sent"),
        ("groups", 2, f"group:before-9:{members}", 7, at, "sent"),
        ("groups", 2, f"group:before-9:{members}", 5, at, "sent"),
        ("reminder", 2, "session:s1-2026@chefintro", 5, at, "sent"),
        ("intro", 1, "pair:99", 1, at, "sent"),
    ]
    # The kept records still say what went: nothing is written again.
    out = str(tmp_path / "utkast")
    intro = cli("--cohort", "2026", "message", "intro", "--out", out)
    assert "No introduction is left to write (1 already sent" in intro.stderr
    groups = cli("--cohort", "2026", "message", "groups", "--out", out)
    assert "No peer-group letter is left to write (1 already sent" in groups.stderr


def test_a_store_before_schema_12_keeps_its_meetings_as_ordinary_ones(
    cli: Cli, v1_store: Path
) -> None:
    from sqlalchemy import create_engine, text

    from chefintro import migrations

    # The fixture as chefintro had it before schema 11, with two meetings of a pair.
    engine = create_engine(f"sqlite:///{v1_store}")
    with engine.begin() as connection:
        for migration in migrations.MIGRATIONS:
            if migration.version < 11:
                migration.apply(connection)
                connection.execute(
                    text("INSERT INTO schema_version VALUES (:v, '0.7.0', '2026-02-01 08:00:00')"),
                    {"v": migration.version},
                )
        pair = connection.execute(text("SELECT min(id) FROM pairing")).scalar_one()
        for day, minutes in (("2026-03-02", 60), ("2026-04-06", None)):
            connection.execute(
                text("INSERT INTO meeting (pairing_id, held_on, minutes) VALUES (:p, :d, :m)"),
                {"p": pair, "d": day, "m": minutes},
            )
    engine.dispose()
    last = max(m.version for m in migrations.MIGRATIONS if m.version < 11)

    result = cli("init")
    assert f"Upgraded the store from schema {last} to {SCHEMA_VERSION}" in result.stderr
    rows = _rows(v1_store)
    assert [row[1:] for row in rows["meeting"]] == [
        (pair, "2026-03-02", 60, None),
        (pair, "2026-04-06", None, None),
    ]
    assert rows["listing_consent"] == []
