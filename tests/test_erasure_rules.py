"""Erasing one person removes exactly their rows: everyone else's pairs, attendance and
groups stay, and the message counts what went."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

from tests.conftest import Cli

PEOPLE = [
    ("Åsa Öberg", "asa@csn.se", "CSN", "adept"),
    ("Björn Ek", "bjorn@csn.se", "CSN", "adept"),
    ("Märta Sjö", "marta@bv.se", "BV", "mentor"),
    ("Örjan Berg", "orjan@spv.se", "SPV", "mentor"),
]


def _year(cli: Cli) -> list[str]:
    for code in ("CSN", "BV", "SPV"):
        cli("agency", "add", code, f"Myndighet {code}")
    for name, email, agency, _ in PEOPLE:
        cli("person", "add", "--name", name, "--email", email, "--agency", agency)
    cli("cohort", "create", "2025", "--start", "2025-01-20", "--end", "2025-12-10")
    cli("cohort", "use", "2025")
    for _, email, _, role in PEOPLE:
        cli("participant", "add", email, "--role", role)
    cli("pair", "set", "asa@csn.se", "marta@bv.se")
    cli("pair", "set", "bjorn@csn.se", "orjan@spv.se")
    cli("pair", "apply")
    cli("pair", "exclude", "asa@csn.se", "orjan@spv.se", "--reason", "samma ledningsgrupp")
    for month in ("02", "03"):
        cli("session", "add", f"Dag {month}", "--start", f"2025-{month}-10 09:00", "--end", "16:00")
    ids = [str(s["id"]) for s in cli.json("session", "list")]
    emails = [email for _, email, _, _ in PEOPLE]
    for sid in ids:
        cli("session", "attend", sid, *emails, "--status", "present")
    cli("group", "form", "--size", "2", "--include-mentors")
    return ids


def _group_members(cli: Cli) -> set[str]:
    groups: Any = cli.json("group", "list")
    return {m["email"] for g in groups for m in g["members"]}


def test_erasing_one_person_leaves_everyone_else_intact(cli: Cli) -> None:
    _year(cli)
    assert _group_members(cli) == {email for _, email, _, _ in PEOPLE}

    result = cli("person", "erase", "asa@csn.se", "--yes")
    assert (
        "Erased Åsa Öberg <asa@csn.se>: 1 participation in cohort 2025, 1 pairing, "
        "2 attendance records, 1 exclusion, 1 peer-group membership, "
        "0 survey answers."
    ) in result.stderr

    cli("person", "show", "asa@csn.se", code=1)
    pairs = {(p["adept"], p["mentor"], p["state"]) for p in cli.json("pair", "list")}
    assert pairs == {("bjorn@csn.se", "orjan@spv.se", "active")}
    report: Any = cli.json("report", "attendance")
    attended = {r["email"]: r["attended"] for r in report["participants"]}
    assert attended == {"bjorn@csn.se": 2, "marta@bv.se": 2, "orjan@spv.se": 2}
    assert _group_members(cli) == {"bjorn@csn.se", "marta@bv.se", "orjan@spv.se"}
    # Marta lost her adept and may be paired again; the exclusion went with Åsa.
    assert {r["email"] for r in cli.json("pair", "unmatched")} == {"marta@bv.se"}


def test_erasing_a_mentor_counts_all_their_pairs(cli: Cli) -> None:
    _year(cli)
    cli("participant", "add", "bjorn@csn.se", "--role", "adept", code=1)  # already in
    result = cli("person", "erase", "orjan@spv.se", "--yes")
    assert "1 pairing, 2 attendance records, 1 exclusion" in result.stderr
    pairs = {(p["adept"], p["mentor"]) for p in cli.json("pair", "list")}
    assert pairs == {("asa@csn.se", "marta@bv.se")}


def _pairing_reasons(db_path: Path) -> dict[str, Any]:
    """The stored reasons of every pair, by adept e-mail (read from the store file)."""
    with closing(sqlite3.connect(db_path)) as connection:
        rows = connection.execute(
            "SELECT person.email, pairing.reasons FROM pairing "
            "JOIN participant ON participant.id = pairing.adept_id "
            "JOIN person ON person.id = participant.person_id"
        ).fetchall()
    return {email: json.loads(reasons) for email, reasons in rows}


def _register(cli: Cli, *people: tuple[str, str, str]) -> None:
    """Agencies CSN and BV, and ``people`` (name, e-mail, agency code) in the register."""
    for code in ("CSN", "BV"):
        cli("agency", "add", code, f"Myndighet {code}")
    for name, email, agency in people:
        cli("person", "add", "--name", name, "--email", email, "--agency", agency)


def test_erasing_removes_the_person_from_other_peoples_rows(cli: Cli, db_path: Path) -> None:
    _register(
        cli,
        ("Åsa Öberg", "asa@csn.se", "CSN"),
        ("Björn Ek", "bjorn@csn.se", "CSN"),
        ("Märta Sjö", "marta@bv.se", "BV"),
        ("Ola", "ola@bv.se", "BV"),  # a three-letter name is still found in free text
    )
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("participant", "add", "marta@bv.se", "--role", "mentor")
    cli("participant", "add", "ola@bv.se", "--role", "mentor")
    cli("participant", "add", "asa@csn.se", "--role", "adept")
    wishes = ["--prefer", "ola@bv.se", "--prefer", "marta@bv.se"]
    cli("participant", "add", "bjorn@csn.se", "--role", "adept", *wishes)
    cli("pair", "set", "asa@csn.se", "marta@bv.se")
    cli("pair", "exclude", "bjorn@csn.se", "marta@bv.se", "--reason", "Ola sa: OLA@BV.SE vet")
    with closing(sqlite3.connect(db_path)) as connection:
        note = {"note": ["Ola föreslog", ["Kontakt: ola@bv.se, OLA"]], "n": 3}
        connection.execute(
            "UPDATE pairing SET reasons = json_set(reasons, '$.extra', json(?))",
            (json.dumps(note),),
        )
        connection.commit()
    kept_before = _pairing_reasons(db_path)["asa@csn.se"]["breakdown"]

    cli("person", "erase", "ola@bv.se", "--yes")

    reasons = _pairing_reasons(db_path)["asa@csn.se"]
    assert reasons["breakdown"] == kept_before
    assert reasons["extra"] == {
        "note": ["[raderad] föreslog", ["Kontakt: [raderad], [raderad]"]],
        "n": 3,
    }
    exported: Any = json.loads(cli("person", "export", "bjorn@csn.se").stdout)
    assert [e["reason"] for e in exported["exclusions"]] == ["[raderad] sa: [raderad] vet"]
    people: Any = cli.json("participant", "list")
    wished = {p["email"]: p["preferred_mentors"] for p in people}
    assert wished["bjorn@csn.se"] == ["marta@bv.se"]


def test_a_name_shorter_than_three_letters_is_not_cut_out_of_other_words(cli: Cli) -> None:
    """Erasing "Bo" removes his address from others' rows, but his two-letter name is not a
    search word: it would cut "Bo" out of "bokade" and every other word that holds it."""
    _register(
        cli,
        ("Bo", "bo.lind@bv.se", "BV"),
        ("Björn Ek", "bjorn@csn.se", "CSN"),
        ("Märta Sjö", "marta@bv.se", "BV"),
    )
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("participant", "add", "bjorn@csn.se", "--role", "adept")
    cli("participant", "add", "marta@bv.se", "--role", "mentor")
    reason = "Bo bokade om; fråga bo.lind@bv.se"
    cli("pair", "exclude", "bjorn@csn.se", "marta@bv.se", "--reason", reason)

    cli("person", "erase", "bo.lind@bv.se", "--yes")

    exported: Any = json.loads(cli("person", "export", "bjorn@csn.se").stdout)
    assert [e["reason"] for e in exported["exclusions"]] == ["Bo bokade om; fråga [raderad]"]
