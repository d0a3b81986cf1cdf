"""What a hostile or careless file or path cannot do: a backup with foreign schema objects,
an output aimed at the store, a device or a link out of the plan's folder, a file that is not
a store given as --db, a plan nested too deep or a day in year 9999 — each refused at every
door, with nothing changed."""

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
    result = cli("db", "restore", "--yes", str(crafted), code=65)
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
        "db", "restore", "--yes", str(hostile.crafted_store(good_backup, tmp_path, "view")), code=65
    )
    assert "a view 'everyone' that chefintro does not make" in result.stderr
    missing = hostile.crafted_store(good_backup, tmp_path, "missing_table")
    result = cli("db", "restore", "--yes", str(missing), code=65)
    assert "the table 'pairing' is missing" in result.stderr


def test_no_trigger_of_a_backup_fires_during_the_restore(
    store: Path, good_backup: Path, cli: Cli, tmp_path: Path
) -> None:
    crafted = hostile.crafted_store(good_backup, tmp_path, "trigger_on_audit_log")
    cli("db", "restore", "--yes", str(crafted), code=65)
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
    cli("db", "restore", "--yes", str(good_backup))
    old = tmp_path / "v1.db"
    old.write_bytes(FIXTURE.read_bytes())
    cli("db", "restore", "--yes", str(old))
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
    cli("--db", str(foreign), "db", "check", code=1)
    with sqlite3.connect(foreign) as connection:  # db check changed nothing in it
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    cli("--db", str(foreign), "agency", "list", code=1)
    assert _mode(foreign) == 0o644


def test_check_reports_the_mode_and_changes_nothing(store: Path, cli: Cli) -> None:
    store.chmod(0o644)
    report: Any = cli.json("db", "check")
    assert report["file_mode"] == "0o644"
    assert _mode(store) == 0o644
    cli("agency", "list")
    assert _mode(store) == 0o600


# --- 8. plan outputs stay inside the output folder, links resolved -----------------------


def _write_plan(folder: Path, body: str) -> Path:
    plan = folder / "plan.toml"
    plan.write_text(
        '[cohort]\nname = "2027"\nstart = 2027-01-26\nend = 2027-12-09\n' + body,
        encoding="utf-8",
    )
    return plan


@pytest.mark.parametrize(
    "outputs",
    [
        'workbook = "ut/chefintro.xlsx"',
        'calendar = "ut/dagar.ics"',
        'agencies = "ut/myndigheter"',
        'workbook = "direkt.xlsx"',
    ],
)
def test_plan_outputs_cannot_leave_the_output_folder_through_a_link(
    cli: Cli, tmp_path: Path, outputs: str
) -> None:
    plans = tmp_path / "plans"
    elsewhere = tmp_path / "elsewhere"
    plans.mkdir()
    elsewhere.mkdir()
    (plans / "ut").symlink_to(elsewhere, target_is_directory=True)
    (plans / "direkt.xlsx").symlink_to(elsewhere / "stolen.xlsx")
    plan = _write_plan(plans, f"[outputs]\n{outputs}\n")
    before = store_snapshot()
    for extra in ((), ("--dry-run",)):
        result = cli("cohort", "setup", str(plan), *extra, code=73)
        assert "outside the output folder" in result.stderr
    assert list(elsewhere.iterdir()) == []
    assert store_snapshot() == before


# --- 9. a deeply nested plan is bad data ----------------------------------------------


def test_a_deeply_nested_plan_is_bad_data(cli: Cli, tmp_path: Path) -> None:
    plan = hostile.deeply_nested_toml(tmp_path)
    result = cli("cohort", "setup", str(plan), code=65)
    assert "nested too deeply" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


# --- 10. sessions far outside their cohort are refused at every door --------------------


def test_the_session_date_rule() -> None:
    from datetime import date, datetime

    from chefintro.intake.sessions import SessionFacts, near_the_cohort

    def problem(start: datetime, end: datetime) -> bool:
        facts = SessionFacts("Dag", start, end, "2027", date(2027, 1, 26), date(2027, 12, 9))
        return any(finding.is_problem for finding in near_the_cohort(facts))

    assert not problem(datetime(2026, 1, 25, 9), datetime(2026, 1, 25, 10))  # a year before
    assert problem(datetime(2026, 1, 24, 9), datetime(2026, 1, 24, 10))
    assert not problem(datetime(2028, 12, 9, 9), datetime(2028, 12, 9, 10))  # a year after
    assert problem(datetime(2028, 12, 11, 9), datetime(2028, 12, 11, 10))
    assert problem(datetime(9999, 12, 31, 9), datetime(9999, 12, 31, 10))


def test_session_add_and_edit_refuse_year_9999(with_cohort: Path, cli: Cli) -> None:
    result = cli(
        "session",
        "add",
        "Kick-off",
        "--start",
        "9999-12-31 09:00",
        "--end",
        "9999-12-31 12:00",
        code=2,
    )
    assert "more than a year outside the cohort's dates" in result.stderr
    cli("session", "add", "Kick-off", "--start", "2027-01-26 09:00", "--end", "2027-01-26 12:00")
    cli("session", "edit", "1", "--start", "9999-01-26 09:00", code=2)
    assert cli.json("session", "list")[0]["starts_at"].startswith("2027-01-26")


def test_a_plan_with_a_year_9999_session_is_refused_before_anything_is_committed(
    cli: Cli, tmp_path: Path
) -> None:
    plan = _write_plan(
        tmp_path,
        '[[session]]\ntitle = "Uppstart"\nstart = 9999-01-26T09:00:00\n'
        'end = 9999-01-26T12:00:00\n[outputs]\ncalendar = "dagar.ics"\n',
    )
    before = store_snapshot()
    result = cli("cohort", "setup", str(plan), code=65)
    assert "more than a year outside the cohort's dates" in result.stderr
    assert store_snapshot() == before
    assert not (tmp_path / "dagar.ics").exists()


def test_a_roster_with_a_year_9999_session_is_a_located_problem(
    with_cohort: Path, cli: Cli, tmp_path: Path
) -> None:
    from datetime import datetime

    roster = hostile.openpyxl_workbook(
        tmp_path,
        "dagar.xlsx",
        {
            "Träffar": [
                ["Titel", "Typ", "Start", "Slut"],
                ["Uppstart", "kickoff", datetime(9999, 1, 26, 9), datetime(9999, 1, 26, 12)],
            ]
        },
    )
    result = cli("roster", "import", str(roster), code=65)
    assert "more than a year outside the cohort's dates" in result.stderr
    assert "row 2" in result.stderr


def test_no_calendar_write_fails_as_an_internal_error(cli: Cli, tmp_path: Path) -> None:
    from chefintro.cli.app import app

    cli("cohort", "create", "9999", "--start", "9999-01-04", "--end", "9999-12-31")
    cli("cohort", "use", "9999")
    cli("session", "add", "Sist", "--start", "9999-12-31 20:00", "--end", "9999-12-31 23:00")
    cli("cohort", "create", "0001", "--start", "0001-01-02", "--end", "0001-12-31")
    cli(
        "--cohort", "0001", "session", "add", "Först",
        "--start", "0001-01-02 09:00", "--end", "0001-01-02 10:00",
    )  # fmt: skip
    for cohort in ("9999", "0001"):
        target = tmp_path / f"{cohort}.ics"
        result = cli.runner.invoke(app, ["--cohort", cohort, "session", "ics", str(target)])
        assert result.exit_code in (0, 73), result.stderr
        assert "internal error" not in result.stderr


# --- 11. every plan value is checked in the plan's own problem list ----------------------


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("min_attendance = nan", "[cohort] min_attendance"),
        ("min_attendance = inf", "[cohort] min_attendance"),
        ("min_attendance = -0.5", "[cohort] min_attendance"),
        ("min_attendance = 1.5", "[cohort] min_attendance"),
    ],
)
def test_plan_values_are_range_checked_as_plan_problems(
    cli: Cli, tmp_path: Path, line: str, where: str
) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        f'[cohort]\nname = "2027"\nstart = 2027-01-26\nend = 2027-12-09\n{line}\n',
        encoding="utf-8",
    )
    result = cli("cohort", "setup", str(plan), code=65)
    assert where in result.stderr
    assert "--min-attendance" not in result.stderr


def test_plan_problems_include_cohort_dates_and_text(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[cohort]\nname = "2027\\u202e"\nstart = 2027-12-09\nend = 2027-01-26\n'
        'carry_over_from = "x\\u0000y"\n'
        '[roster]\nfiles = ["a\\u0000.xlsx"]\n'
        '[[session]]\ntitle = "Upp\\u001b[2Jstart"\nstart = 2027-01-26T09:00:00\n'
        'end = 2027-01-26T12:00:00\nlocation = "\\u2066Sundsvall"\n',
        encoding="utf-8",
    )
    result = cli("cohort", "setup", str(plan), code=65)
    for where in (
        "[cohort] name",
        "[cohort] end",
        "[cohort] carry_over_from",
        "[roster] files",
        "[session 1] title",
        "[session 1] location",
    ):
        assert where in result.stderr, where
    assert "\x1b" not in result.stderr


def test_a_plan_min_attendance_of_zero_is_kept(cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[cohort]\nname = "2027"\nstart = 2027-01-26\nend = 2027-12-09\nmin_attendance = 0\n',
        encoding="utf-8",
    )
    cli("cohort", "setup", str(plan))
    assert cli.json("cohort", "show")["min_attendance"] == 0


# --- 12. one text rule for every front door; nothing raw reaches the terminal -----------


@pytest.mark.parametrize("name", sorted(hostile.HOSTILE_TEXT))
def test_the_command_line_refuses_what_the_roster_refuses(
    store: Path, cli: Cli, tmp_path: Path, name: str
) -> None:
    text = hostile.HOSTILE_TEXT[name]
    before = store_snapshot()
    for args in (
        ("person", "add", "--name", text, "--email", "b@csn.se", "--agency", "CSN"),
        ("person", "edit", "asa.oberg@csn.se", "--name", text),
        ("person", "edit", "asa.oberg@csn.se", "--unit", text),
        ("agency", "add", "SPV", text),
        ("agency", "edit", "CSN", "--name", text),
        ("agency", "edit", "CSN", "--contact", text),
        ("cohort", "create", text, "--start", "2027-01-26", "--end", "2027-12-09"),
        ("settings", "set", "programme.coordinator", text),
        ("settings", "set", "mail.from", text),
    ):
        result = cli(*args, code=2)
        assert "invisible control character" in result.stderr, args
    assert store_snapshot() == before

    roster = hostile.xlsxwriter_workbook(
        tmp_path,
        "r.xlsx",
        {
            "Deltagare": [
                ["Namn", "E-post", "Myndighet", "Roll"],
                [text, "b@csn.se", "CSN", "adept"],
            ]
        },
    )
    assert "invisible control character" in cli("roster", "import", str(roster), code=65).stderr


def test_control_characters_stored_earlier_are_not_printed(store: Path, cli: Cli) -> None:
    with sqlite3.connect(store) as connection:
        connection.execute(
            "UPDATE person SET name = ?, unit = ? WHERE email = 'asa.oberg@csn.se'",
            ("Åsa \x1b[2J\x1b]0;pwned\x07Öberg\u202e", "IT\x9b31m"),
        )
    for args in (("person", "list"), ("person", "show", "asa.oberg@csn.se")):
        out = cli(*args).stdout
        assert "Åsa" in out
        assert not any(c in out for c in "\x1b\x07\u202e\x9b"), repr(out)
    listed = cli("person", "list", "--json").stdout
    assert not any(c in listed for c in "\x1b\x07\u202e\x9b")
    import json

    assert json.loads(listed)[0]["name"] == "Åsa \x1b[2J\x1b]0;pwned\x07Öberg\u202e"


# --- 13. no scratch file with names in the system temp folder --------------------------


def test_exports_keep_scratch_files_beside_the_target(
    with_cohort: Path, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    from openpyxl.workbook.workbook import Workbook

    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    out = tmp_path / "ut"
    out.mkdir()
    seen: list[list[tuple[Path, int, int]]] = []
    save = Workbook.save

    def spying_save(self: Any, filename: Any) -> None:
        # Every sheet's rows are in scratch files now, as when the export is killed.
        seen.append(
            [
                (p, _mode(p), _mode(p.parent))
                for p in sorted(out.rglob("*"))
                if p.is_file() and p.parent != out
            ]
        )
        assert list(system_temp.iterdir()) == []
        save(self, filename)

    monkeypatch.setattr(Workbook, "save", spying_save)
    cli("roster", "export", str(out / "roster.xlsx"))
    cli("person", "export", "asa.oberg@csn.se", "--format", "xlsx", "--output", str(out / "p.xlsx"))
    assert len(seen) == 2
    for scratch in seen:
        assert scratch
        for path, mode, folder_mode in scratch:
            assert path.parent.parent == out
            assert (mode, folder_mode) == (0o600, 0o700)
    assert sorted(p.name for p in out.iterdir()) == ["p.xlsx", "roster.xlsx"]
    assert list(system_temp.iterdir()) == []
