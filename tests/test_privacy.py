"""Personal data: export a person, erase a person, anonymise a cohort, and the audit log."""

from __future__ import annotations

import json
import os
import pty
import stat
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, store_snapshot

ASA = ("Åsa Öberg", "Asa.Oberg@CSN.se")
ORJAN = ("Örjan Sjöström", "orjan.sjostrom@bolagsverket.se")
ELISE = ("Élise Nordén", "elise.norden@lansstyrelsen.se")
ZACHARIAS = ("Zacharias Ek", "zacharias.ek@csn.se")
GORAN = ("Göran Lindqvist", "goran.lindqvist@bolagsverket.se")
EVERYONE = (ASA, ORJAN, ELISE, ZACHARIAS, GORAN)


def _fill() -> None:
    """Add to the `network` fixture a closed cohort 2026 with everything a person can have.

    2026 (closed): Åsa (adept) with Örjan (mentor), Élise (mentor); a programme day with
    attendance; a peer group. 2027 (current): Zacharias (adept) with Göran (mentor),
    Örjan (mentor). Exclusions: Örjan–Élise, Åsa–Zacharias.
    """
    from sqlmodel import select

    from chefintro.enums import (
        AttendanceStatus,
        CohortStatus,
        PairingState,
        ParticipantStatus,
        Role,
    )
    from chefintro.ids import id_of
    from chefintro.models import (
        Agency,
        Attendance,
        Cohort,
        Exclusion,
        Pairing,
        Participant,
        PeerGroup,
        PeerGroupMember,
        Person,
        ProgrammeSession,
    )
    from chefintro.registry import get_person
    from chefintro.store import open_store, resolve_location

    store = open_store(resolve_location(None))
    try:
        with store.transaction() as s:
            bv = s.exec(select(Agency).where(Agency.code == "BV")).one()
            s.add(
                Person(
                    name=GORAN[0],
                    email=GORAN[1],
                    email_key=GORAN[1],
                    agency_id=bv.id,  # type: ignore[arg-type]
                    field="Ekonomi",
                    manager_since=date(2012, 2, 1),
                )
            )
            s.flush()
            asa, orjan, elise, zacharias, goran = (get_person(db=s, email=e) for _, e in EVERYONE)
            asa.unit, asa.title, asa.location = "IT-avdelningen", "Enhetschef", "Sundsvall"
            s.add(asa)
            old = Cohort(
                name="2026",
                starts_on=date(2026, 1, 20),
                ends_on=date(2026, 6, 10),
                status=CohortStatus.CLOSED,
                closed_on=date(2026, 6, 11),
            )
            s.add(old)
            s.flush()
            new = s.exec(select(Cohort).where(Cohort.name == "2027")).one()

            def take_part(cohort: Cohort, person: Person, role: Role, **extra: Any) -> Participant:
                part = Participant(
                    cohort_id=cohort.id,  # type: ignore[arg-type]
                    person_id=person.id,  # type: ignore[arg-type]
                    agency_id=person.agency_id,
                    unit=person.unit,  # what every door records: the person as of the cohort
                    title=person.title,
                    role=role,
                    status=extra.pop("status", ParticipantStatus.ACTIVE),
                    **extra,
                )
                s.add(part)
                s.flush()
                return part

            p_asa = take_part(old, asa, Role.ADEPT, status=ParticipantStatus.COMPLETED)
            p_orjan = take_part(old, orjan, Role.MENTOR, capacity=2)
            p_elise = take_part(old, elise, Role.MENTOR)
            p_zach = take_part(
                new, zacharias, Role.ADEPT, preferred_mentors=[orjan.email_key, goran.email_key]
            )
            p_goran = take_part(new, goran, Role.MENTOR)
            take_part(new, orjan, Role.MENTOR)
            s.add(
                Pairing(
                    cohort_id=old.id,  # type: ignore[arg-type]
                    adept_id=p_asa.id,  # type: ignore[arg-type]
                    mentor_id=p_orjan.id,  # type: ignore[arg-type]
                    state=PairingState.ENDED,
                    locked=True,
                    score=110,
                    reasons={"same_field": 30, "wish": f"{ASA[0]} önskade {ORJAN[0]}"},
                )
            )
            s.add(
                Pairing(
                    cohort_id=new.id,  # type: ignore[arg-type]
                    adept_id=p_zach.id,  # type: ignore[arg-type]
                    mentor_id=p_goran.id,  # type: ignore[arg-type]
                    score=42,
                    reasons={"note": f"önskade {ORJAN[0]} <{ORJAN[1]}>, som var upptagen"},
                )
            )
            day = ProgrammeSession(
                cohort_id=old.id,  # type: ignore[arg-type]
                title="Kick-off",
                starts_at=datetime(2026, 1, 20, 9),
                ends_at=datetime(2026, 1, 20, 16),
                location="Bolagsverket, Sundsvall",
                host_agency_id=bv.id,
                uid="kickoff-2026@chefintro",
            )
            s.add(day)
            s.flush()
            for part, status in (
                (p_asa, AttendanceStatus.PRESENT),
                (p_orjan, AttendanceStatus.EXCUSED),
                (p_elise, AttendanceStatus.ABSENT),
            ):
                s.add(Attendance(session_id=day.id, participant_id=part.id, status=status))  # type: ignore[arg-type]
            group = PeerGroup(cohort_id=old.id, name="Grupp Norrsken")  # type: ignore[arg-type]
            s.add(group)
            s.flush()
            for part in (p_asa, p_elise):
                s.add(PeerGroupMember(group_id=group.id, participant_id=part.id))  # type: ignore[arg-type]
            a, b = sorted((id_of(orjan), id_of(elise)))
            s.add(Exclusion(person_a_id=a, person_b_id=b, reason="Tidigare kollegor på SPV"))
            a, b = sorted((id_of(asa), id_of(zacharias)))
            s.add(Exclusion(person_a_id=a, person_b_id=b, reason=f"Samma enhet som {ORJAN[0]}"))
    finally:
        store.dispose()


@pytest.fixture
def programme(network: Cli) -> Cli:
    if network.restore("test_privacy.programme"):
        return network
    _fill()
    network.keep("test_privacy.programme")
    return network


def _raw(db: Path) -> bytes:
    """The bytes of the store file and its write-ahead log, as a disk would hold them."""
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _no_personal_data(text: str) -> None:
    for name, email in EVERYONE:
        assert name not in text
        assert email.casefold() not in text.casefold()
    assert "@" not in text


# --- export -----------------------------------------------------------------------------


def test_export_gives_everything_about_one_person(programme: Cli, backend: str) -> None:
    result = programme("person", "export", "ORJAN.SJOSTROM@bolagsverket.se")
    data: Any = json.loads(result.stdout)
    assert data["person"] == {
        "name": ORJAN[0],
        "email": ORJAN[1],
        "agency": "BV",
        "agency_name": "Bolagsverket",
        "unit": None,
        "title": None,
        "field": "IT",
        "location": None,
        "manager_since": "2010-05-01",
    }
    first, second = data["participations"]
    assert (first["cohort"], first["role"], first["capacity"]) == ("2026", "mentor", 2)
    assert first["pairings"] == [
        {
            "adept": ASA[1],
            "adept_name": ASA[0],
            "adept_agency": "CSN",
            "mentor": ORJAN[1],
            "mentor_name": ORJAN[0],
            "mentor_agency": "BV",
            "state": "ended",
            "locked": True,
            "manual": False,
            "score": 110,
            "reasons": {"same_field": 30, "wish": f"{ASA[0]} önskade {ORJAN[0]}"},
            "created_at": first["pairings"][0]["created_at"],
            "started_on": None,
            "ended_on": None,
            "end_reason": None,
            "meetings": [],
            "agreement": None,
            "notes": [],
        }
    ]
    assert first["attendance"] == [
        {
            "session": "Kick-off",
            "kind": "training",
            "starts_at": "2026-01-20T09:00:00",
            "ends_at": "2026-01-20T16:00:00",
            "location": "Bolagsverket, Sundsvall",
            "status": "excused",
        }
    ]
    assert (second["cohort"], second["pairings"], second["attendance"]) == ("2027", [], [])
    assert data["exclusions"] == [
        {
            "other": ELISE[1],
            "other_name": ELISE[0],
            "other_agency": "LST-Y",
            "reason": "Tidigare kollegor på SPV",
        }
    ]
    asa: Any = json.loads(programme("person", "export", ASA[1]).stdout)
    assert asa["participations"][0]["peer_groups"] == ["Grupp Norrsken"]
    log: Any = programme.json("db", "log")
    assert [e["action"] for e in log] == ["export", "export"]
    _no_personal_data(json.dumps(log, ensure_ascii=False))


def test_export_to_files(programme: Cli, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    programme("person", "edit", ASA[1], "--unit", '=HYPERLINK("http://x")')
    json_file = tmp_path / "åsa.json"
    result = programme("person", "export", ASA[1], "--output", str(json_file))
    assert result.stdout == ""
    assert _mode(json_file) == 0o600
    assert json.loads(json_file.read_text("utf-8"))["person"]["name"] == ASA[0]

    xlsx = tmp_path / "åsa.xlsx"
    programme("person", "export", ASA[1], "--format", "xlsx", "--output", str(xlsx))
    assert _mode(xlsx) == 0o600
    book = load_workbook(xlsx)
    try:
        assert book.sheetnames == [
            "Person",
            "Deltagande",
            "Par",
            "Möten",
            "Närvaro",
            "Nätverksgrupper",
            "Enkätsvar",
            "Undantag",
            "Skickade meddelanden",
        ]
        about = {row[0]: row[1] for row in book["Person"].iter_rows(min_row=2, values_only=True)}
        assert about["Namn"] == ASA[0]
        unit = next(r for r in book["Person"].iter_rows(min_row=2) if r[0].value == "Enhet")[1]
        assert unit.data_type == "s"  # stored as text: never runs as a formula
        assert unit.value == '\'=HYPERLINK("http://x")'
        pairs = {r[0]: r[1:] for r in book["Par"].iter_rows(min_row=2, values_only=True)}
        assert (pairs["Adeptens namn"], pairs["Mentorns namn"]) == ((ASA[0],), (ORJAN[0],))
        attended = list(book["Närvaro"].iter_rows(min_row=2, values_only=True))
        assert attended == [
            (
                "2026",
                "Kick-off",
                "utbildning",
                datetime(2026, 1, 20, 9),
                datetime(2026, 1, 20, 16),
                "Bolagsverket, Sundsvall",
                "närvarande",
            )
        ]
        assert book["Par"].freeze_panes == "A2"
    finally:
        book.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["åsa.json", "åsa.xlsx"]


def test_export_errors_change_nothing(programme: Cli, tmp_path: Path) -> None:
    before = store_snapshot()
    assert "--output" in programme("person", "export", ASA[1], "--format", "xlsx", code=2).stderr
    programme("person", "export", "nobody@csn.se", code=1)
    missing = tmp_path / "saknas" / "x.json"
    assert (
        "does not exist"
        in programme("person", "export", ASA[1], "--output", str(missing), code=73).stderr
    )
    assert store_snapshot() == before


# --- erase ------------------------------------------------------------------------------


def test_erase_removes_the_person_and_everything_about_them(programme: Cli, backend: str) -> None:
    result = programme("person", "erase", ORJAN[1], "--yes")
    assert "Erased Örjan Sjöström" in result.stderr
    assert "2 participations" in result.stderr
    programme("person", "show", ORJAN[1], code=1)
    snapshot = store_snapshot()
    assert len(snapshot["participant"]) == 4
    assert len(snapshot["pairing"]) == 1  # Zacharias–Göran stays
    assert len(snapshot["attendance"]) == 2
    assert len(snapshot["exclusion"]) == 1
    assert len(snapshot["person"]) == 4
    dump = repr(snapshot)
    assert ORJAN[0] not in dump
    assert ORJAN[1] not in dump
    zach: Any = programme.json("participant", "list", "--role", "adept")
    assert zach[0]["preferred_mentors"] == [GORAN[1]]
    log: Any = programme.json("db", "log")
    assert [e["action"] for e in log] == ["erase"]
    assert "2 participations in cohorts 2026, 2027" in log[0]["detail"]
    _no_personal_data(log[0]["detail"])
    if backend == "postgres":
        assert "VACUUM FULL" in result.stderr


@pytest.mark.parametrize("reader", [False, True], ids=["alone", "with-idle-reader"])
def test_erased_bytes_are_gone_from_the_files(
    programme: Cli, backend: str, db_path: Path, reader: bool
) -> None:
    if backend != "sqlite":
        pytest.skip("the bytes of a SQLite file")
    import sqlite3

    # An idle connection keeps the write-ahead log from being removed on exit, so the
    # old page images stay in it unless erase empties it.
    idle = sqlite3.connect(db_path) if reader else None
    try:
        if idle is not None:
            idle.execute("SELECT count(*) FROM person").fetchone()
            programme("person", "edit", ORJAN[1], "--title", "Avdelningschef")
        before = _raw(db_path)
        assert ORJAN[0].encode() in before
        assert ORJAN[1].encode() in before
        programme("person", "erase", ORJAN[1], "--yes")
        after = _raw(db_path)
        for needle in (ORJAN[0], ORJAN[1], ORJAN[1].casefold(), "Sjöström"):
            assert needle.encode() not in after
        assert ASA[0].encode() in after
    finally:
        if idle is not None:
            idle.close()


def test_erase_without_a_terminal_needs_yes(programme: Cli) -> None:
    before = store_snapshot()
    result = programme("person", "erase", ASA[1], code=1, input="y\n")
    assert "--yes" in result.stderr
    assert store_snapshot() == before


def _erase_in_a_terminal(email: str, answer: str) -> tuple[int, str]:
    main, secondary = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "chefintro", "person", "erase", email],
            stdin=secondary,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )
        os.write(main, answer.encode() + b"\n")
        _, err = process.communicate(timeout=60)
    finally:
        os.close(main)
        os.close(secondary)
    return process.returncode, err


def test_erase_in_a_terminal_asks_first(programme: Cli) -> None:
    before = store_snapshot()
    code, err = _erase_in_a_terminal(ASA[1], "n")
    assert code == 1
    assert "This erases Åsa Öberg" in err
    assert "Nothing was changed" in err
    assert store_snapshot() == before
    code, err = _erase_in_a_terminal(ASA[1], "y")
    assert code == 0, err
    assert "Erased Åsa Öberg" in err
    programme("person", "show", ASA[1], code=1)


def test_erase_of_an_unknown_person(programme: Cli) -> None:
    before = store_snapshot()
    programme("person", "erase", "nobody@csn.se", "--yes", code=1)
    assert store_snapshot() == before


# --- anonymise --------------------------------------------------------------------------


def test_anonymise_archives_then_pseudonymises(
    programme: Cli, backend: str, tmp_path: Path, db_path: Path
) -> None:
    from openpyxl import load_workbook

    archive = tmp_path / "arkiv-2026.xlsx"
    result = programme("cohort", "anonymise", "--yes", "2026", "--archive", str(archive))
    assert "Archived cohort 2026" in result.stderr
    assert "2 people pseudonymised, 1 kept" in result.stderr

    assert _mode(archive) == 0o600
    book = load_workbook(archive)
    try:
        people = list(book["Deltagare"].iter_rows(min_row=2, values_only=True))
        assert [(p[0], p[3]) for p in people] == [
            (ASA[0], "adept"),
            (ELISE[0], "mentor"),
            (ORJAN[0], "mentor"),
        ]
        assert people[0][4] == "IT-avdelningen"
        pairs = list(book["Par"].iter_rows(min_row=2, values_only=True))
        assert pairs == [(ASA[1], ORJAN[1], "ja", ASA[0], ORJAN[0], "avslutat", 110)]
        assert [p[12] for p in people] == ["slutfört", "aktiv", "aktiv"]  # Swedish status
        header = next(book["Närvaro"].iter_rows(max_row=1, values_only=True))
        assert header == ("E-post", "Kick-off (2026-01-20 09:00)")
        attendance = {r[0]: r[1] for r in book["Närvaro"].iter_rows(min_row=2, values_only=True)}
        assert attendance == {
            ASA[1]: "närvarande",
            ELISE[1]: "frånvarande",
            ORJAN[1]: "anmält förhinder",
        }
    finally:
        book.close()

    listed: Any = programme.json("person", "list")
    by_email = {p["email"]: p for p in listed}
    assert ORJAN[1] in by_email  # also a mentor in 2027: keeps his data
    assert ASA[1] not in by_email and ELISE[1] not in by_email
    first, second = by_email["anon-0001@invalid"], by_email["anon-0002@invalid"]
    assert first["name"] == "Deltagare 0001"
    assert (first["agency"], first["field"], first["manager_since"]) == ("CSN", "IT", "2026-01-01")
    assert (first["unit"], first["title"], first["location"]) == (None, None, None)
    assert (second["name"], second["agency"], second["field"]) == ("Deltagare 0002", "LST-Y", "HR")
    assert second["manager_since"] == "2015-01-01"
    shown: Any = programme.json("cohort", "show", "2026")
    assert shown["status"] == "anonymised"
    assert (shown["adepts"], shown["mentors"]) == (1, 2)
    participants: Any = programme.json("--cohort", "2026", "participant", "list")
    assert {p["name"] for p in participants} == {"Deltagare 0001", "Deltagare 0002", ORJAN[0]}
    # What a pseudonymised person was in the cohort (unit, title) goes with their name.
    asa = next(p for p in participants if p["name"] == "Deltagare 0001")
    assert (asa["unit"], asa["title"]) == (None, None)
    assert "IT-avdelningen" not in repr(store_snapshot()["participant"])
    snapshot = store_snapshot()
    assert len(snapshot["exclusion"]) == 0
    assert len(snapshot["attendance"]) == 3
    dump = repr(snapshot)
    for name, email in (ASA, ELISE):
        assert name not in dump
        assert email not in dump
    if backend == "sqlite":
        raw = _raw(db_path)
        for name, email in (ASA, ELISE):
            assert name.encode() not in raw
            assert email.encode() not in raw
        assert ORJAN[0].encode() in raw
    log: Any = programme.json("db", "log")
    assert [e["action"] for e in log] == ["anonymise"]
    assert log[0]["detail"].startswith("cohort 2026: 2 people pseudonymised, 1 kept")
    _no_personal_data(log[0]["detail"])

    again = programme(
        "cohort", "anonymise", "--yes", "2026", "--archive", str(tmp_path / "b.xlsx"), code=1
    )
    assert "already anonymised" in again.stderr
    assert not (tmp_path / "b.xlsx").exists()
    # No one left to write to: each kind of letter says so, and writes nothing.
    sessions: Any = programme.json("--cohort", "2026", "session", "list")
    for kind in (["intro"], ["groups"], ["reminder", str(sessions[0]["id"])]):
        refused = programme(
            "--cohort", "2026", "message", *kind, "--out", str(tmp_path / "brev"), code=1
        )
        assert " ".join(refused.stderr.split()) == (
            "Error: Cohort 2026 is anonymised; it has no one to write to."
        ), kind
    assert not (tmp_path / "brev").exists()


def test_anonymising_the_last_cohort_of_a_person_continues_the_numbers(
    programme: Cli, tmp_path: Path
) -> None:
    programme("cohort", "anonymise", "--yes", "2026", "--archive", str(tmp_path / "a.xlsx"))
    programme("--cohort", "2027", "cohort", "close", "--yes")
    programme("cohort", "anonymise", "--yes", "2027", "--archive", str(tmp_path / "b.xlsx"))
    names = {p["name"] for p in programme.json("person", "list")}
    assert names == {f"Deltagare {n:04d}" for n in range(1, 6)}
    assert len(programme.json("db", "log")) == 2


def test_anonymise_refuses_an_open_cohort_and_existing_archives(
    programme: Cli, tmp_path: Path
) -> None:
    before = store_snapshot()
    archive = tmp_path / "arkiv.xlsx"
    result = programme("cohort", "anonymise", "--yes", "2027", "--archive", str(archive), code=1)
    assert "only a closed cohort" in result.stderr
    assert not archive.exists()
    archive.write_bytes(b"an earlier archive")
    result = programme("cohort", "anonymise", "--yes", "2026", "--archive", str(archive), code=73)
    assert "already exists" in result.stderr
    assert archive.read_bytes() == b"an earlier archive"
    missing = tmp_path / "saknas" / "arkiv.xlsx"
    programme("cohort", "anonymise", "--yes", "2026", "--archive", str(missing), code=73)
    programme("cohort", "anonymise", "--yes", "1999", "--archive", str(tmp_path / "x.xlsx"), code=1)
    assert store_snapshot() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["arkiv.xlsx"]


def test_cohort_list_marks_cohorts_past_their_retention_date(programme: Cli) -> None:
    from sqlmodel import select

    from chefintro.models import Cohort
    from chefintro.store import open_store, resolve_location

    listing = programme("cohort", "list")
    assert "past due" not in listing.stdout
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as s:
            cohort = s.exec(select(Cohort).where(Cohort.name == "2026")).one()
            cohort.closed_on = date(2020, 1, 15)
            s.add(cohort)
    finally:
        store.dispose()
    listing = programme("cohort", "list")
    assert "2022-01-15 ! past due" in listing.stdout
    assert "cohort anonymise 2026 --archive FILE" in listing.stderr
    rows: Any = programme.json("cohort", "list")
    assert rows[0]["anonymise_due_on"] == "2022-01-15"


def test_the_audit_log_never_holds_personal_data(
    programme: Cli, backend: str, tmp_path: Path
) -> None:
    programme("person", "export", ASA[1], "--output", str(tmp_path / "asa.json"))
    programme("person", "erase", ZACHARIAS[1], "--yes")
    programme("cohort", "anonymise", "--yes", "2026", "--archive", str(tmp_path / "arkiv.xlsx"))
    log: Any = programme.json("db", "log")
    assert [e["action"] for e in log] == ["export", "erase", "anonymise"]
    _no_personal_data(json.dumps(log, ensure_ascii=False))
    human = programme("db", "log")
    assert "anonymise" in human.stdout
    assert all(datetime.fromisoformat(e["at"]) for e in log)
