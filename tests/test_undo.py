"""Undo: snapshots before destructive and bulk commands, `db undo`, `db snapshots`, and
erasure reaching into every snapshot."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from tests.conftest import Cli, store_snapshot

ASA = "asa.oberg@csn.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"


def _content() -> dict[str, list[tuple[object, ...]]]:
    """The store's rows, without the audit log (which records the undo itself)."""
    rows = store_snapshot()
    rows.pop("audit_log", None)
    return rows


def _snapshotted(cli: Cli) -> list[str]:
    """The journalled commands that left an undo snapshot, newest first."""
    return [s["command"] for s in cli.json("db", "snapshots") if s["snapshot"]]


def _folder(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".snapshots")


@pytest.fixture
def cohort(cli: Cli) -> Cli:
    if cli.restore("test_undo.cohort"):
        return cli
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("person", "add", "--name", "Åsa Öberg", "--email", ASA, "--agency", "CSN")
    cli("person", "add", "--name", "Örjan Sjöström", "--email", ORJAN, "--agency", "BV")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("participant", "add", ASA, "--role", "adept")
    cli("participant", "add", ORJAN, "--role", "mentor")
    cli.keep("test_undo.cohort")
    return cli


def test_undo_puts_back_a_withdrawal(cohort: Cli, db_path: Path) -> None:
    before = _content()
    cohort("participant", "withdraw", ASA, "--yes")
    after = _content()
    assert after != before
    assert ("withdrawn" in str(after["participant"])) and "withdrawn" not in str(
        before["participant"]
    )

    assert _snapshotted(cohort) == ["participant withdraw"]

    result = cohort("db", "undo", "--yes")
    assert "participant withdraw" in result.stderr
    assert _content() == before
    # The undo is logged, and the snapshot is used up: nothing more to undo.
    assert "undo" in [e["action"] for e in cohort.json("db", "log")]
    assert _snapshotted(cohort) == []
    assert "nothing to undo" in cohort("db", "undo", "--yes", code=1).stderr


def test_undo_goes_back_one_command_at_a_time(cohort: Cli) -> None:
    start = _content()
    cohort("pair", "set", ASA, ORJAN)
    cohort("pair", "apply")
    applied = _content()
    cohort("participant", "withdraw", ASA, "--yes")
    assert _snapshotted(cohort) == ["participant withdraw", "pair apply", "pair set"]
    cohort("db", "undo", "--yes")
    assert _content() == applied
    cohort("db", "undo", "--yes")
    undone = _content()
    assert undone["pairing"] != applied["pairing"]
    assert "proposed" in str(undone["pairing"])
    assert undone["person"] == start["person"]


def test_undo_asks_first_and_needs_yes_without_a_terminal(
    cohort: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cohort("participant", "withdraw", ASA, "--yes")
    withdrawn = _content()
    refused = cohort("db", "undo", code=1)
    assert "--yes" in refused.stderr
    assert _content() == withdrawn
    monkeypatch.setattr("chefintro.cli.common.stdin_is_terminal", lambda: True)
    declined = cohort("db", "undo", input="n\n", code=1)
    assert "participant withdraw" in declined.stderr  # says which command, and when
    assert _content() == withdrawn
    cohort("db", "undo", input="y\n")
    assert "withdrawn" not in str(_content()["participant"])


def test_snapshots_are_private_beside_the_store_and_the_last_ten_kept(
    cohort: Cli, db_path: Path
) -> None:
    for _ in range(6):  # each changes the pairs: twelve snapshots
        cohort("pair", "set", ASA, ORJAN)
        cohort("pair", "remove", ASA)
    folder = _folder(db_path)
    assert folder.parent == db_path.parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    files = sorted(folder.glob("snapshot-*.db"))
    assert len(files) == 10
    for file in files:
        assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert len(_snapshotted(cohort)) == 10


def test_after_more_than_ten_commands_undo_steps_back_through_the_newest_ten(
    cohort: Cli,
) -> None:
    for day in range(1, 13):
        start = f"2027-02-{day:02d} 09:00"
        cohort("session", "add", f"Dag {day}", "--start", start, "--end", "12:00")
    before_each = []
    for session in cohort.json("session", "list"):
        before_each.append(_content())
        cohort("session", "remove", str(session["id"]))
    assert len(before_each) == 12
    assert _snapshotted(cohort) == ["session remove"] * 10
    # Each undo goes back over one removal, newest first, as far as the ten snapshots reach.
    for expected in reversed(before_each[2:]):
        cohort("db", "undo", "--yes")
        assert _content() == expected
    assert "nothing to undo" in cohort("db", "undo", "--yes", code=1).stderr


def test_a_refused_command_leaves_no_snapshot(cohort: Cli) -> None:
    cohort("participant", "withdraw", ORJAN, "--yes")
    cohort("participant", "withdraw", ORJAN, "--yes", code=1)  # already withdrawn
    assert len(_snapshotted(cohort)) == 1


def test_a_roster_import_takes_a_snapshot_a_dry_run_none(cohort: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    roster = tmp_path / "r.xlsx"
    cohort("roster", "export", str(roster))
    book = load_workbook(roster)  # HR adds an agency: the import has something to change
    book["Myndigheter"].append(["SKV", "Skatteverket", None])
    book.save(roster)
    book.close()
    cohort("roster", "import", str(roster), "--dry-run")
    assert _snapshotted(cohort) == []
    cohort("roster", "import", str(roster))
    assert _snapshotted(cohort) == ["roster import"]
    # db undo names it by what it changed, sheet by sheet (added +, updated ~).
    undone = cohort("db", "undo", "--yes").stderr.splitlines()[1]
    assert undone.endswith(
        "  roster import: roster imported (Myndigheter +1 ~0, Deltagare +0 ~0, Träffar +0 ~0, "
        "Par +0 ~0, Närvaro +0 ~0, Möten +0 ~0)"
    ), undone


def _bytes_of_snapshots(db_path: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(_folder(db_path).glob("*.db"))]


def test_erasing_a_person_removes_them_from_every_snapshot(cohort: Cli, db_path: Path) -> None:
    cohort("pair", "set", ASA, ORJAN)
    cohort("pair", "apply")
    cohort("participant", "withdraw", ORJAN, "--yes")
    cohort("db", "undo", "--yes")  # leaves a before-undo copy too
    cohort("participant", "withdraw", ORJAN, "--yes")
    snapshots = _bytes_of_snapshots(db_path)
    assert len(snapshots) >= 3
    needles = [s.encode() for s in ("Örjan Sjöström", ORJAN, "sjostrom")]
    assert all(any(n in b for b in snapshots) for n in needles)

    result = cohort("person", "erase", ORJAN, "--yes")
    assert "snapshot" in result.stderr
    for data in _bytes_of_snapshots(db_path):
        for needle in needles:
            assert needle not in data
    # Åsa is still in them: undo still works for everything else.
    assert any(b"asa.oberg" in b for b in _bytes_of_snapshots(db_path))
    cohort("db", "undo", "--yes")
    assert ORJAN not in str(store_snapshot()["person"])


def test_anonymising_a_cohort_anonymises_every_snapshot(
    cohort: Cli, db_path: Path, tmp_path: Path
) -> None:
    cohort("pair", "set", ASA, ORJAN)
    cohort("pair", "apply")
    cohort("cohort", "close", "--yes", "--force")
    result = cohort(
        "cohort", "anonymise", "2027", "--archive", str(tmp_path / "arkiv.xlsx"), "--yes"
    )
    assert "snapshot" in result.stderr
    snapshots = _bytes_of_snapshots(db_path)
    assert snapshots
    for data in snapshots:
        for needle in ("Åsa Öberg", ASA, "Örjan Sjöström", ORJAN):
            assert needle.encode() not in data


def test_a_postgresql_store_has_no_undo(cli: Cli, backend: str) -> None:
    if backend != "postgres":
        pytest.skip("about PostgreSQL")
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    result = cli("db", "undo", "--yes", code=1)
    assert "PostgreSQL" in result.stderr
    assert "pg_dump" in result.stderr or "backups" in result.stderr
    assert "PostgreSQL" in cli("db", "snapshots", code=1).stderr


# --- no store is made by reading ------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ("person", "list"),
        ("cohort", "show"),
        ("report", "overview"),
        ("db", "check"),
        ("db", "log"),
        ("agency", "add", "CSN", "CSN"),
    ],
)
def test_a_read_command_never_creates_a_store(
    bare_cli: Cli, db_path: Path, command: tuple[str, ...]
) -> None:
    result = bare_cli(*command, code=1)
    assert str(db_path) in result.stderr.replace("\n", "")
    assert "run chefintro init" in result.stderr
    assert not db_path.exists()


def test_db_path_says_the_store_does_not_exist_yet(bare_cli: Cli, db_path: Path) -> None:
    result = bare_cli("db", "path")
    assert result.stdout.strip() == str(db_path)
    assert "does not exist yet" in result.stderr
    assert not db_path.exists()
    bare_cli("init")
    assert "does not exist" not in bare_cli("db", "path").stderr


def test_an_empty_postgresql_database_is_not_made_a_store_by_reading(
    bare_cli: Cli, backend: str
) -> None:
    if backend != "postgres":
        pytest.skip("about PostgreSQL")
    assert "run chefintro init" in bare_cli("person", "list", code=1).stderr
    bare_cli("init")
    bare_cli("person", "list")


# --- erasure through a crash ------------------------------------------------------------


def _files_with(folder: Path, needles: list[bytes]) -> list[str]:
    return [
        p.name
        for p in folder.rglob("*")
        if p.is_file() and any(n in p.read_bytes() for n in needles)
    ]


def test_an_erasure_cut_off_before_its_commit_is_finished_by_the_next_command(
    cohort: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill after the copies are scrubbed and before the store commits: the pending record
    makes the next command finish the erasure, and say so."""
    from chefintro.privacy import pending

    cohort("pair", "set", ASA, ORJAN)
    cohort("participant", "withdraw", ORJAN, "--yes")
    needles = [s.encode() for s in ("Örjan Sjöström", ORJAN)]
    scrub = pending.scrub_all

    def scrub_then_die(*args: object, **kwargs: object) -> int:
        scrub(*args, **kwargs)  # type: ignore[arg-type]
        raise KeyboardInterrupt  # stands for the kill: the store's transaction never commits

    monkeypatch.setattr(pending, "scrub_all", scrub_then_die)
    cohort("person", "erase", ORJAN, "--yes", code=130)
    monkeypatch.setattr(pending, "scrub_all", scrub)
    assert ORJAN in str(store_snapshot()["person"])  # not committed
    assert db_path.with_name(db_path.name + ".pending-privacy").exists()

    finished = cohort("person", "list")
    assert "erasure was interrupted; it is finished now" in finished.stderr
    assert ORJAN not in finished.stdout
    assert ORJAN not in str(store_snapshot()["person"])
    assert not db_path.with_name(db_path.name + ".pending-privacy").exists()
    assert _files_with(db_path.parent, needles) == []
    newest = cohort.json("db", "snapshots")[0]
    assert (newest["command"], newest["kind"]) == ("finishing an interrupted erase", "erasure")
    cohort("db", "undo", "--yes")
    assert ORJAN not in str(store_snapshot()["person"])


def test_undo_past_an_erasure_says_the_person_stays_erased(cohort: Cli) -> None:
    cohort("participant", "withdraw", ASA, "--yes")
    cohort("person", "erase", ORJAN, "--yes")
    result = cohort("db", "undo", "--yes")
    lines = [" ".join(line.split()) for line in result.stderr.splitlines()]
    assert any(
        line.endswith("person erase: one person erased (not undone: erasures stay)")
        for line in lines
    ), lines
    assert "participant withdraw" in result.stderr
    assert ORJAN not in str(store_snapshot()["person"])
    assert "withdrawn" not in str(store_snapshot()["participant"])


def test_erasure_reaches_the_copies_kept_by_restore(
    cohort: Cli, db_path: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "kopia.db"
    cohort("db", "backup", str(backup))
    cohort("db", "restore", str(backup), "--yes")
    kept = list(db_path.parent.glob("chefintro.db.before-restore-*"))
    assert kept and any(ORJAN.encode() in p.read_bytes() for p in kept)
    cohort("person", "erase", ORJAN, "--yes")
    assert _files_with(db_path.parent, [ORJAN.encode(), "Örjan".encode()]) == []
    assert ORJAN.encode() in backup.read_bytes()  # the user's own backup is theirs to keep


def test_nothing_to_undo_says_why(cli: Cli, backend: str) -> None:
    """No snapshot ever, or only commands that take none (an agency added): each said."""
    if backend != "sqlite":
        pytest.skip("db undo exists on SQLite stores only")
    fresh = cli("db", "undo", "--yes", code=1)
    assert fresh.stderr == (
        "Error: There is nothing to undo: no snapshot has been taken (snapshots are taken "
        "before commands that remove, replace or import data).\n"
    )
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    plain = cli("db", "undo", "--yes", code=1)
    assert plain.stderr == (
        "Error: There is nothing to undo: none of the 1 journalled command left a snapshot "
        "(snapshots are taken before commands that remove, replace or import data, and the "
        "oldest are dropped; 'chefintro db snapshots' lists them).\n"
    )


def test_pair_suggest_is_undone_under_its_own_words(cohort: Cli) -> None:
    cohort("pair", "suggest")
    undone = cohort("db", "undo", "--yes").stderr.splitlines()[1]
    assert undone.endswith("  pair suggest: pair proposals replaced"), undone
