"""The change boundary: every command that changes data is journalled, every one that
removes, replaces or imports is undoable, and `db undo` names every command it undoes."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from chefintro.migrations import MIGRATIONS, SCHEMA_VERSION
from tests.conftest import Cli, store_snapshot
from tests.test_followup import ANNA, BO, CIA, DAN, EVA, FIA, _person, _set_today

HUGO = "hugo.mentor@lansstyrelsen.se"
SRC = Path(__file__).parent.parent / "src" / "chefintro"
#: The schema version before the command journal's migration.
BEFORE = next(m.version for m in MIGRATIONS if "command journal" in m.name) - 1


def _content() -> dict[str, list[tuple[object, ...]]]:
    """The store's rows, without the audit log (which records the undo itself)."""
    rows = store_snapshot()
    rows.pop("audit_log", None)
    return rows


@pytest.fixture
def year(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """Cohort 2025 on 16 June 2025: Anna–Eva, Bo–Fia, Cia–Dan active since 1 February, and
    Hugo, a mentor without an adept."""
    _set_today(monkeypatch, date(2025, 2, 1))
    for code, name in (
        ("CSN", "CSN"),
        ("BV", "Bolagsverket"),
        ("SPV", "Pensionsmyndigheten"),
        ("LST", "Länsstyrelsen"),
    ):
        cli("agency", "add", code, name)
    for name, email, agency in (
        ("Anna Adept", ANNA, "CSN"),
        ("Bo Adept", BO, "BV"),
        ("Cia Adept", CIA, "SPV"),
        ("Dan Mentor", DAN, "CSN"),
        ("Eva Mentor", EVA, "BV"),
        ("Fia Mentor", FIA, "SPV"),
        ("Hugo Mentor", HUGO, "LST"),
    ):
        _person(cli, name, email, agency)
    cli("cohort", "create", "2025", "--start", "2025-01-20", "--end", "2025-12-10")
    for email in (ANNA, BO, CIA):
        cli("participant", "add", email, "--role", "adept")
    for email in (DAN, EVA, FIA, HUGO):
        cli("participant", "add", email, "--role", "mentor")
    for adept, mentor in ((ANNA, EVA), (BO, FIA), (CIA, DAN)):
        cli("pair", "set", adept, mentor)
    cli("pair", "apply")
    _set_today(monkeypatch, date(2025, 6, 16))
    return cli


def test_undo_after_three_commands_names_all_it_undoes_one_snapshot_at_a_time(
    year: Cli,
) -> None:
    before_end = _content()
    year("pair", "end", ANNA, "--reason", "byter jobb", "--yes")
    after_end = _content()
    year("pair", "rematch", "--apply")
    assert "Hugo Mentor" in str(year.json("pair", "list"))
    year("pair", "meet", BO, "--date", "2025-06-10", "--minutes", "60")

    journal = year.json("db", "snapshots")
    assert [e["command"] for e in journal[:3]] == [
        "pair meet",
        "pair rematch --apply",
        "pair end",
    ]
    assert [e["next_undo"] for e in journal[:3]] == [True, True, False]
    assert journal[0]["snapshot"] is None  # a meeting is plain: journalled, no snapshot
    assert journal[1]["snapshot"] and journal[2]["snapshot"]
    for entry in journal:
        assert "@" not in entry["changed"] and "Anna" not in entry["changed"]

    first = year("db", "undo", "--yes")
    said = first.stderr
    assert "pair meet" in said and "pair rematch --apply" in said
    assert "pair end" not in said.split("Undid")[0]  # not among the commands it undoes
    assert "Undid 2 commands" in said
    assert _content() == after_end

    second = year("db", "undo", "--yes")
    assert "pair end" in second.stderr and "Undid 1 command" in second.stderr
    assert "pair meet" not in second.stderr
    assert _content() == before_end


def test_undo_asks_naming_every_command_and_declining_changes_nothing(
    year: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    year("pair", "end", ANNA, "--reason", "byter jobb", "--yes")
    year("pair", "meet", BO, "--date", "2025-06-10", "--minutes", "60")
    now = _content()
    assert "--yes" in year("db", "undo", code=1).stderr
    monkeypatch.setattr("chefintro.cli.common.stdin_is_terminal", lambda: True)
    declined = year("db", "undo", input="n\n", code=1)
    assert "pair meet" in declined.stderr and "pair end" in declined.stderr
    assert "these 2 commands" in declined.stderr
    assert _content() == now


@pytest.mark.parametrize(
    "command",
    [
        ("pair", "rematch", "--apply"),
        ("pair", "end", CIA, "--reason", "slutat", "--yes"),
        ("pair", "remove", CIA),
        ("pair", "suggest"),
        ("participant", "withdraw", BO, "--yes"),
        ("group", "form", "--size", "3", "--yes"),
        ("agency", "remove", "LST", "--force"),
        ("person", "remove", HUGO, "--force"),
        ("cohort", "close", "--yes", "--force"),
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_every_command_that_removes_or_replaces_is_undoable(
    year: Cli, command: tuple[str, ...]
) -> None:
    if command[:2] in (("pair", "rematch"), ("pair", "suggest")):  # a place to fill
        year("pair", "end", ANNA, "--reason", "byter jobb", "--yes")
    before = _content()
    year(*command)
    newest = year.json("db", "snapshots")[0]
    assert newest["command"].startswith(" ".join(command[:2]))
    assert newest["snapshot"], f"{' '.join(command)} left no undo snapshot"
    year("db", "undo", "--yes")
    assert _content() == before


def test_a_dry_run_and_a_refused_command_are_not_journalled(year: Cli, tmp_path: Path) -> None:
    journal = year.json("db", "snapshots")
    roster = tmp_path / "r.xlsx"
    year("roster", "export", str(roster))
    year("roster", "import", str(roster), "--dry-run")
    year("pair", "end", HUGO, "--reason", "x", "--yes", code=1)  # Hugo has no pair
    year("pair", "list")
    year("roster", "import", str(roster))  # the store already holds it: nothing changes
    assert year.json("db", "snapshots") == journal
    from openpyxl import load_workbook

    book = load_workbook(roster)  # HR adds an agency to the workbook
    book["Myndigheter"].append(["SKV", "Skatteverket", None])
    book.save(roster)
    book.close()
    year("roster", "import", str(roster))
    newest = year.json("db", "snapshots")[0]
    assert newest["command"] == "roster import" and newest["kind"] == "bulk"
    assert newest["snapshot"]


def test_no_command_decides_undo_and_no_service_rolls_back() -> None:
    """Undo is decided at the boundary from the services' marks, transactions are the
    commands': no cli module takes a snapshot (only db restore, which replaces the file),
    no module outside the store rolls a transaction back."""
    for module in (SRC / "cli").glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert "undoable" not in text, module.name
        if module.name != "db.py":
            assert "take_snapshot" not in text, module.name
    for module in SRC.rglob("*.py"):
        if "store" in module.relative_to(SRC).parts:
            continue
        assert ".rollback(" not in module.read_text(encoding="utf-8"), module


def test_snapshots_are_bounded_in_bytes(year: Cli, db_path: Path) -> None:
    size = db_path.stat().st_size
    year("settings", "set", "undo.max_mb", "1")
    assert size < 1024 * 1024 < 6 * size, f"a store of {size} bytes does not test the bound"
    for _ in range(6):
        year("group", "form", "--size", "3", "--yes")
    folder = db_path.with_name(db_path.name + ".snapshots")
    total = sum(p.stat().st_size for p in folder.glob("*.db"))
    assert total <= 1024 * 1024
    kept = [e for e in year.json("db", "snapshots") if e["snapshot"]]
    assert 1 <= len(kept) < 6
    assert year.json("db", "snapshots")[0]["snapshot"]  # the newest always stays


def _as_schema(path: Path, version: int) -> None:
    """Make a store file what chefintro made at ``version``: each table that differs from
    that version's schema rebuilt as it was then (the columns both have kept), tables
    added since dropped, and the version stamped."""
    from chefintro.store.reference import migrated_schema

    wanted = migrated_schema(version)
    tables = {name: sql for kind, name, _table, sql in wanted if kind == "table" and sql}
    indexes = [(name, table, sql) for kind, name, table, sql in wanted if kind == "index" and sql]
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=OFF")
    have = dict(connection.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    for name in have:
        if name not in tables and not name.startswith("sqlite_"):
            connection.execute(f"DROP TABLE {name}")
    for name, sql in tables.items():
        if name not in have or " ".join(have[name].split()) == sql:
            continue
        before = [row[1] for row in connection.execute(f"PRAGMA table_info({name})")]
        connection.execute(f"CREATE TABLE _old_{name} AS SELECT * FROM {name}")
        connection.execute(f"DROP TABLE {name}")
        connection.execute(sql)
        after = [row[1] for row in connection.execute(f"PRAGMA table_info({name})")]
        both = ", ".join(c for c in after if c in before)
        connection.execute(f"INSERT INTO {name} ({both}) SELECT {both} FROM _old_{name}")
        connection.execute(f"DROP TABLE _old_{name}")
        for _index, table, index_sql in indexes:
            if table == name:
                connection.execute(index_sql)
    connection.execute(
        "UPDATE schema_version SET version = ? WHERE version = (SELECT MAX(version) FROM "
        "schema_version)",
        (version,),
    )
    connection.execute("DELETE FROM schema_version WHERE version > ?", (version,))
    connection.close()


def test_an_older_store_upgrades_and_undo_names_a_snapshot_from_before_the_journal(
    year: Cli, db_path: Path
) -> None:
    """A store of the schema before the journal with a snapshot of its own: the upgrade adds the
    journal, and the first undo goes back to the old snapshot, saying so."""
    year("pair", "end", ANNA, "--reason", "byter jobb", "--yes")
    before_end_store = sorted(db_path.with_name(db_path.name + ".snapshots").glob("snapshot-*.db"))[
        -1
    ]
    old = db_path.with_name("old.db")
    shutil.copyfile(before_end_store, old)
    connection = sqlite3.connect(db_path)
    connection.execute("DROP TABLE command_journal")
    connection.execute(
        "UPDATE schema_version SET version = ? WHERE version = ?", (BEFORE, SCHEMA_VERSION)
    )
    connection.commit()
    connection.close()
    shutil.rmtree(db_path.with_name(db_path.name + ".snapshots"))
    folder = db_path.with_name(db_path.name + ".snapshots")
    folder.mkdir(mode=0o700)
    legacy = folder / "snapshot-20250601T120000000000.db"
    _as_schema(old, BEFORE)
    shutil.copyfile(old, legacy)
    legacy.with_suffix(".json").write_text(
        json.dumps({"command": "pair end", "taken_at": "2025-06-01T12:00:00"})
    )

    upgraded = year("pair", "meet", BO, "--date", "2025-06-10", "--minutes", "60")
    assert f"Upgraded the store from schema {BEFORE} to {SCHEMA_VERSION}" in upgraded.stderr
    assert [e["command"] for e in year.json("db", "snapshots")] == ["pair meet"]

    undone = year("db", "undo", "--yes")
    assert "pair meet" in undone.stderr
    assert "'pair end'" in undone.stderr and "journal" in undone.stderr
    pairs = year.json("pair", "list")
    assert any(p["adept"] == ANNA and p["state"] == "active" for p in pairs)


def test_the_snapshot_holds_the_store_before_the_command_in_rollback_journal_mode(
    year: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without WAL (network shares) the boundary still copies the state before the command:
    the command's writes stay out of the file until it commits."""
    monkeypatch.setenv("CHEFINTRO_NO_WAL", "1")
    monkeypatch.setenv("CHEFINTRO_BUSY_TIMEOUT_MS", "500")
    before = _content()
    year("pair", "end", ANNA, "--reason", "byter jobb", "--yes")
    assert _content() != before
    year("db", "undo", "--yes")
    assert _content() == before
