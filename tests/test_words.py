"""The coordinator's words: Swedish and English kinds and statuses, Swedish times, clearing a
mark, and the one vocabulary the roster, the command line and the plan share."""

from __future__ import annotations

from pathlib import Path

import pytest

from chefintro import enums
from chefintro.roster import columns
from tests.conftest import Cli

ASA = "asa.oberg@csn.se"


@pytest.fixture
def year(cli: Cli) -> Cli:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("person", "add", "--name", "Åsa Öberg", "--email", ASA, "--agency", "CSN")
    cli("cohort", "create", "2027", "--start", "2020-01-26", "--end", "2099-12-09")
    cli("participant", "add", ASA, "--role", "adept")
    return cli


def test_the_roster_uses_the_one_table_of_words() -> None:
    assert columns.KIND_WORDS is enums.KIND_WORDS
    assert columns.STATUS_WORDS is enums.STATUS_WORDS
    assert columns.ROLE_WORDS is enums.ROLE_WORDS


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("uppstart", "kickoff"),
        ("Utbildning", "training"),
        ("föreläsning", "lecture"),
        ("nätverksträff", "network"),
        ("NÄTVERK", "network"),
        ("avslutning", "closing"),
        ("kick-off", "kickoff"),
        ("closing", "closing"),
    ],
)
def test_session_kinds_in_swedish_and_english(year: Cli, word: str, kind: str) -> None:
    year("session", "add", "Dag", "--start", "2030-02-01 09:00", "--end", "16:00", "--kind", word)
    assert year.json("session", "list")[0]["kind"] == kind


def test_a_wrong_kind_names_the_words(year: Cli) -> None:
    result = year(
        "session",
        "add",
        "Dag",
        "--start",
        "2030-02-01 09:00",
        "--end",
        "16:00",
        "--kind",
        "fika",
        code=2,
    )
    assert "uppstart" in result.stderr and "nätverk" in result.stderr


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2030-02-01 9:00", "16:00", ("2030-02-01T09:00:00", "2030-02-01T16:00:00")),
        ("2030-02-01 09.00", "16.30", ("2030-02-01T09:00:00", "2030-02-01T16:30:00")),
        ("2030-02-01 9.00", "2030-02-01 9.45", ("2030-02-01T09:00:00", "2030-02-01T09:45:00")),
    ],
)
def test_times_as_swedes_write_them(
    year: Cli, start: str, end: str, expected: tuple[str, str]
) -> None:
    year("session", "add", "Dag", "--start", start, "--end", end)
    row = year.json("session", "list")[0]
    assert (row["starts_at"], row["ends_at"]) == expected


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("närvarande", "present"),
        ("Frånvarande", "absent"),
        ("anmält förhinder", "excused"),
        ("förhinder", "excused"),
        ("present", "present"),
        ("excused", "excused"),
    ],
)
def test_attendance_statuses_in_swedish_and_english(year: Cli, word: str, status: str) -> None:
    year("session", "add", "Dag", "--start", "2020-02-01 09:00", "--end", "16:00")
    year("session", "attend", "1", ASA, "--status", word)
    row = year.json("session", "list")[0]
    assert row[status] == 1


@pytest.mark.parametrize("how", [("--status", "none"), ("--clear",), ("--status", "ingen")])
def test_an_attendance_mark_can_be_cleared(year: Cli, how: tuple[str, ...]) -> None:
    year("session", "add", "Dag", "--start", "2020-02-01 09:00", "--end", "16:00")
    year("session", "attend", "1", ASA, "--status", "närvarande")
    result = year("session", "attend", "1", ASA, *how)
    assert "Cleared" in result.stderr
    row = year.json("session", "list")[0]
    assert (row["present"], row["absent"], row["excused"]) == (0, 0, 0)


def test_a_wrong_status_says_what_works(year: Cli) -> None:
    year("session", "add", "Dag", "--start", "2020-02-01 09:00", "--end", "16:00")
    result = year("session", "attend", "1", ASA, "--status", "sjuk", code=2)
    assert "närvarande" in result.stderr and "an attendance status" in result.stderr
    missing = year("session", "attend", "1", ASA, code=2)
    assert "--clear" in missing.stderr


def test_the_plan_takes_swedish_kinds(bare_cli: Cli, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[cohort]\nname = "2030"\nstart = 2030-01-26\nend = 2030-12-09\n\n'
        '[[session]]\ntitle = "Träff"\nkind = "Nätverksträff"\n'
        "start = 2030-02-01T09:00:00\nend = 2030-02-01T16:00:00\n",
        encoding="utf-8",
    )
    bare_cli("cohort", "setup", str(plan), "--out", str(tmp_path / "out"))  # creates the store
    assert bare_cli.json("session", "list")[0]["kind"] == "network"
