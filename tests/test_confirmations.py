"""Destructive commands ask on a terminal, take --yes, and refuse without either; pairs,
closed cohorts and withdrawals are never lost without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Cli, store_snapshot

ASA = "asa.oberg@csn.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"
ELISE = "elise.norden@lansstyrelsen.se"
ZACH = "zacharias.ek@csn.se"


@pytest.fixture
def year(cli: Cli) -> Cli:
    """Cohort 2027 (already begun) with two adepts, two mentors, a held and a coming day."""
    if cli.restore("test_confirmations.year"):
        return cli
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("agency", "add", "LST", "Länsstyrelsen")
    for name, email, agency in (
        ("Åsa Öberg", ASA, "CSN"),
        ("Örjan Sjöström", ORJAN, "BV"),
        ("Élise Nordén", ELISE, "LST"),
        ("Zacharias Ek", ZACH, "CSN"),
    ):
        cli("person", "add", "--name", name, "--email", email, "--agency", agency)
    cli("cohort", "create", "2027", "--start", "2020-01-26", "--end", "2099-12-09")
    cli("participant", "add", ASA, "--role", "adept")
    cli("participant", "add", ZACH, "--role", "adept")
    cli("participant", "add", ORJAN, "--role", "mentor")
    cli("participant", "add", ELISE, "--role", "mentor")
    cli("session", "add", "Kick-off", "--start", "2020-02-01 09:00", "--end", "16:00")
    cli("session", "add", "Avslutning", "--start", "2099-12-01 09:00", "--end", "16:00")
    cli("session", "attend", "1", ASA, "--status", "present")
    cli("group", "form", "--size", "2")
    cli.keep("test_confirmations.year")
    return cli


def _rows() -> dict[str, list[tuple[object, ...]]]:
    rows = store_snapshot()
    rows.pop("audit_log", None)
    return rows


@pytest.mark.parametrize(
    "command",
    [
        ("group", "form", "--size", "2"),
        ("cohort", "close", "--force"),
        ("participant", "withdraw", ASA),
        ("session", "remove", "1", "--force"),
        ("person", "erase", ASA),
    ],
)
def test_without_a_terminal_and_without_yes_nothing_happens(
    year: Cli, command: tuple[str, ...]
) -> None:
    before = _rows()
    result = year(*command, code=1)
    assert "needs a confirmation" in result.stderr
    assert "--yes" in result.stderr
    assert _rows() == before


def test_restore_and_anonymise_need_a_confirmation(year: Cli, tmp_path: Path) -> None:
    backup = tmp_path / "b.db"
    year("db", "backup", str(backup))
    assert "--yes" in year("db", "restore", str(backup), code=1).stderr
    year("cohort", "close", "--force", "--yes")
    before = _rows()
    archive = tmp_path / "a.xlsx"
    result = year("cohort", "anonymise", "2027", "--archive", str(archive), code=1)
    assert "not due for anonymising until" in result.stderr
    assert "--yes" in result.stderr
    assert not archive.exists()
    assert _rows() == before


def test_on_a_terminal_the_answer_decides(year: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("chefintro.cli.common.stdin_is_terminal", lambda: True)
    before = _rows()
    declined = year("participant", "withdraw", ASA, input="n\n", code=1)
    assert "Åsa Öberg" in declined.stderr
    assert "Nothing was changed" in declined.stderr
    assert _rows() == before
    year("participant", "withdraw", ASA, input="y\n")
    statuses = {p["email"]: p["status"] for p in year.json("participant", "list")}
    assert statuses[ASA] == "withdrawn"


def test_forming_groups_the_first_time_does_not_ask(cli: Cli) -> None:
    cli("agency", "add", "CSN", "CSN")
    cli("agency", "add", "BV", "BV")
    cli("person", "add", "--name", "A", "--email", "a@csn.se", "--agency", "CSN")
    cli("person", "add", "--name", "B", "--email", "b@bv.se", "--agency", "BV")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("participant", "add", "a@csn.se", "--role", "adept")
    cli("participant", "add", "b@bv.se", "--role", "adept")
    cli("group", "form", "--size", "2")  # no groups yet: nothing to lose
    cli("group", "form", "--size", "2", code=1)


def test_removing_a_session_without_attendance_does_not_ask(year: Cli) -> None:
    year("session", "remove", "2")


# --- pair set -----------------------------------------------------------------------------


def test_pair_set_never_replaces_an_active_pair_silently(year: Cli) -> None:
    year("pair", "set", ASA, ORJAN)
    year("pair", "apply")
    before = _rows()
    refused = year("pair", "set", ASA, ELISE, code=1)
    assert "Åsa Öberg (CSN)" in refused.stderr
    assert "Örjan Sjöström (BV)" in refused.stderr
    assert "active" in refused.stderr and "--replace" in refused.stderr
    assert _rows() == before
    year("pair", "set", ASA, ELISE, "--replace")
    pairs = year.json("pair", "list")
    assert [(p["mentor"], p["state"]) for p in pairs if p["adept"] == ASA] == [(ELISE, "proposed")]
    # The active pair ended and stays as history.
    assert "ended" in str(_rows()["pairing"])


def test_pair_set_never_replaces_a_locked_pair_silently(year: Cli) -> None:
    year("pair", "set", ASA, ORJAN, "--lock")
    refused = year("pair", "set", ASA, ELISE, code=1)
    assert "locked" in refused.stderr and "--replace" in refused.stderr
    # Setting the same pair again keeps the lock.
    year("pair", "set", ASA, ORJAN)
    assert year.json("pair", "list")[0]["locked"] is True
    # A plain proposal is replaced without a word, as before.
    year("pair", "set", ZACH, ELISE)
    year("pair", "set", ZACH, ORJAN, code=1)  # Örjan is at capacity with a locked pair
    year("pair", "set", ASA, ELISE, "--replace", code=1)  # Élise is taken by a manual pair


def test_setting_an_active_pair_again_keeps_it_active(year: Cli) -> None:
    year("pair", "set", ASA, ORJAN)
    year("pair", "apply")
    year("pair", "set", ASA, ORJAN, "--lock")
    pair = year.json("pair", "list")[0]
    assert (pair["state"], pair["locked"]) == ("active", True)


# --- cohort close / reopen, participant reinstate ---------------------------------------


def test_cohort_close_is_refused_while_days_are_ahead(year: Cli) -> None:
    refused = year("cohort", "close", "--yes", code=1)
    assert "Avslutning (2099-12-01 09:00" in refused.stderr
    assert "--force" in refused.stderr
    assert year.json("cohort", "show")["status"] == "active"
    year("cohort", "close", "--yes", "--force")
    assert year.json("cohort", "show")["status"] == "closed"


def test_a_cohort_whose_only_day_ahead_was_cancelled_closes_without_force(year: Cli) -> None:
    year("session", "remove", "2")  # Avslutning, the one day ahead, is cancelled
    result = year("cohort", "close", "--yes")
    assert "Closed cohort 2027." in result.stderr
    assert year.json("cohort", "show")["status"] == "closed"


def test_participant_reinstate_refuses_a_closed_cohort(year: Cli) -> None:
    year("participant", "withdraw", ASA, "--yes")
    year("cohort", "close", "--yes", "--force")
    before = _rows()
    refused = year("participant", "reinstate", ASA, code=1)
    assert "Cohort 2027 is closed; it can no longer change" in refused.stderr
    assert _rows() == before


def test_a_closed_cohort_can_be_reopened_but_not_an_anonymised_one(
    year: Cli, tmp_path: Path
) -> None:
    year("cohort", "close", "--yes", "--force")
    year("cohort", "reopen", "2027")
    info = year.json("cohort", "show")
    assert (info["status"], info["closed_on"]) == ("active", None)
    assert "not closed" in year("cohort", "reopen", "2027", code=1).stderr
    year("cohort", "close", "--yes", "--force")
    year("cohort", "anonymise", "2027", "--archive", str(tmp_path / "a.xlsx"), "--yes")
    assert "anonymised" in year("cohort", "reopen", "2027", code=1).stderr


def test_a_withdrawal_can_be_undone(year: Cli) -> None:
    year("pair", "set", ASA, ORJAN)
    year("participant", "withdraw", ASA, "--yes")
    year("participant", "reinstate", ASA)
    people = {p["email"]: p["status"] for p in year.json("participant", "list")}
    assert people[ASA] == "active"
    assert "not withdrawn" in year("participant", "reinstate", ASA, code=1).stderr
    year("pair", "set", ASA, ORJAN)  # can be paired again
