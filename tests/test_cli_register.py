"""The register commands: agencies, people, cohorts and participants."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from chefintro.clock import today as sweden_today
from tests.conftest import Cli, store_snapshot


def test_agency_lifecycle(cli: Cli, backend: str) -> None:
    cli("agency", "add", "csn", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    assert cli.json("agency", "list") == [
        {"code": "BV", "name": "Bolagsverket", "people": 0, "contact": None},
        {"code": "CSN", "name": "Centrala studiestödsnämnden", "people": 0, "contact": None},
    ]
    cli("agency", "edit", "bv", "--name", "Bolagsverket Sundsvall", "--code", "BOLV")
    shown: Any = cli.json("agency", "show", "BOLV")
    assert shown["name"] == "Bolagsverket Sundsvall"
    assert shown["contact"] is None
    cli("agency", "edit", "BOLV", "--contact", " hr@bolagsverket.se ")
    assert cli.json("agency", "show", "BOLV")["contact"] == "hr@bolagsverket.se"
    assert "not an e-mail" in cli("agency", "edit", "BOLV", "--contact", "hr", code=2).stderr
    cli("agency", "edit", "BOLV", "--contact", "")
    assert cli.json("agency", "show", "BOLV")["contact"] is None
    cli("agency", "show", "BV", code=1)
    cli("agency", "remove", "BOLV")
    assert [a["code"] for a in cli.json("agency", "list")] == ["CSN"]


def test_duplicate_agency_is_refused(cli: Cli) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    result = cli("agency", "add", "csn", "Annan", code=1)
    assert "already registered" in result.stderr
    assert result.stdout == ""


def test_bad_agency_code_is_a_usage_error(cli: Cli) -> None:
    result = cli("agency", "add", "C S N", "Namn", code=2)
    assert "not valid" in result.stderr


def test_person_email_is_the_key_in_any_case(network: Cli) -> None:
    before = store_snapshot()
    result = network(
        "person",
        "add",
        "--name",
        "Annan",
        "--email",
        " ASA.OBERG@csn.SE ",
        "--agency",
        "BV",
        code=1,
    )
    assert "already registered" in result.stderr
    assert "Traceback" not in result.stderr
    assert store_snapshot() == before
    shown: Any = network.json("person", "show", "asa.oberg@csn.se")
    assert shown["name"] == "Åsa Öberg"
    assert shown["email"] == "Asa.Oberg@CSN.se"


def test_names_are_stored_nfc(cli: Cli) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    nfd = unicodedata.normalize("NFD", "Åsa Öberg")
    cli("person", "add", "--name", nfd, "--email", "a@csn.se", "--agency", "CSN")
    shown: Any = cli.json("person", "show", "a@csn.se")
    assert shown["name"] == unicodedata.normalize("NFC", "Åsa Öberg")


def test_people_are_listed_in_swedish_order(network: Cli, backend: str) -> None:
    people: Any = network.json("person", "list")
    assert [p["name"] for p in people] == [
        "Élise Nordén",
        "Zacharias Ek",
        "Åsa Öberg",
        "Örjan Sjöström",
    ]
    csn: Any = network.json("person", "list", "--agency", "csn")
    assert {p["agency"] for p in csn} == {"CSN"}


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--name", "X", "--email", "x@bv.se", "--agency", "NOPE"], 1, "No agency"),
        (["--name", "X", "--email", "not-an-email", "--agency", "BV"], 2, "not an e-mail"),
        (["--name", "X", "--email", "x@bv.se"], 2, "--agency"),
        (
            [
                "--name",
                "X",
                "--email",
                "x@bv.se",
                "--agency",
                "BV",
                "--manager-since",
                "2020-13-01",
            ],
            2,
            "not a date",
        ),
        (["--name", "  ", "--email", "x@bv.se", "--agency", "BV"], 2, "needs a name"),
    ],
)
def test_bad_person_input_changes_nothing(
    network: Cli, args: list[str], code: int, message: str
) -> None:
    before = store_snapshot()
    result = network("person", "add", *args, code=code)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert store_snapshot() == before


def test_person_edit_and_clear(network: Cli) -> None:
    network(
        "person",
        "edit",
        "ASA.OBERG@CSN.SE",
        "--title",
        "Enhetschef",
        "--unit",
        "IT",
        "--email",
        "asa.oberg@csn.se",
    )
    shown: Any = network.json("person", "show", "asa.oberg@csn.se")
    assert (shown["title"], shown["unit"], shown["email"]) == (
        "Enhetschef",
        "IT",
        "asa.oberg@csn.se",
    )
    network("person", "edit", "asa.oberg@csn.se", "--clear", "unit")
    shown = network.json("person", "show", "asa.oberg@csn.se")
    assert shown["unit"] is None
    result = network(
        "person", "edit", "asa.oberg@csn.se", "--email", "elise.norden@lansstyrelsen.se", code=1
    )
    assert "belongs to" in result.stderr
    network("person", "edit", "asa.oberg@csn.se", code=2)


def test_removing_a_participant_or_used_agency_needs_force(network: Cli, backend: str) -> None:
    network("participant", "add", "asa.oberg@csn.se", "--role", "adept")
    result = network("person", "remove", "asa.oberg@csn.se", code=1)
    assert "--force" in result.stderr
    result = network("agency", "remove", "CSN", code=1)
    assert "still has 2 registered people" in result.stderr
    network("person", "remove", "asa.oberg@csn.se", "--force")
    network("person", "show", "asa.oberg@csn.se", code=1)
    assert network.json("participant", "list") == []
    network("agency", "remove", "CSN", "--force")
    assert [a["code"] for a in network.json("agency", "list")] == ["BV", "LST-Y"]


def test_cohort_create_use_show_close(cli: Cli, backend: str) -> None:
    cli("cohort", "create", "2026", "--start", "2026-01-20", "--end", "2026-12-10")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cohorts: Any = cli.json("cohort", "list")
    assert [(c["name"], c["current"]) for c in cohorts] == [("2026", True), ("2027", False)]
    cli("cohort", "use", "2027")
    assert cli.json("cohort", "show")["name"] == "2027"
    assert cli.json("--cohort", "2026", "cohort", "show")["name"] == "2026"
    cli("--cohort", "2026", "cohort", "close", "--yes")
    closed: Any = cli.json("cohort", "show", "2026")
    assert closed["status"] == "closed"
    assert closed["anonymise_due_on"] is not None
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09", code=1)
    cli("cohort", "create", "2028", "--start", "2028-02-01", "--end", "2028-01-01", code=2)
    cli("cohort", "use", "1999", code=1)


def test_commands_without_a_cohort_say_how_to_make_one(cli: Cli) -> None:
    result = cli("participant", "list", code=1)
    assert "cohort create" in result.stderr


def test_participants_with_eligibility_warnings(network: Cli, backend: str) -> None:
    add = network("participant", "add", "asa.oberg@csn.se", "--role", "adept")
    assert "asks for 6" not in add.stderr  # 10 months at the start: eligible
    add = network("participant", "add", "zacharias.ek@csn.se", "--role", "ADEPT")
    assert "7 months" in add.stderr or "asks for 6" not in add.stderr
    network("person", "add", "--name", "Ny Chef", "--email", "ny@bv.se", "--agency", "BV")
    add = network("participant", "add", "ny@bv.se", "--role", "adept")
    assert "unknown" in add.stderr
    add = network(
        "participant", "add", "elise.norden@lansstyrelsen.se", "--role", "mentor", "--capacity", "2"
    )
    assert add.stderr.count("Warning") == 0
    network(
        "person",
        "add",
        "--name",
        "Ung Mentor",
        "--email",
        "ung@bv.se",
        "--agency",
        "BV",
        "--manager-since",
        "2025-01-01",
    )
    add = network("participant", "add", "ung@bv.se", "--role", "mentor")
    assert "asks for 36" in add.stderr
    rows: Any = network.json("participant", "list")
    by_email = {r["email"]: r for r in rows}
    assert by_email["ung@bv.se"]["eligibility"] == "short"
    assert by_email["ny@bv.se"]["eligibility"] == "unknown"
    assert by_email["elise.norden@lansstyrelsen.se"]["capacity"] == 2
    assert {"name", "email", "agency", "role", "status"} <= set(rows[0])
    mentors: Any = network.json("participant", "list", "--role", "mentor")
    assert {m["role"] for m in mentors} == {"mentor"}
    listing = network("participant", "list")
    assert "asks for 36" in listing.stderr


def test_participant_errors(network: Cli) -> None:
    network("participant", "add", "asa.oberg@csn.se", "--role", "adept")
    before = store_snapshot()
    assert (
        "already in cohort"
        in network("participant", "add", "ASA.OBERG@csn.se", "--role", "adept", code=1).stderr
    )
    network("participant", "add", "nobody@csn.se", "--role", "adept", code=1)
    network("participant", "add", "orjan.sjostrom@bolagsverket.se", "--role", "boss", code=2)
    network(
        "participant",
        "add",
        "orjan.sjostrom@bolagsverket.se",
        "--role",
        "adept",
        "--capacity",
        "3",
        code=2,
    )
    assert store_snapshot() == before


def test_withdraw(network: Cli) -> None:
    network("participant", "add", "asa.oberg@csn.se", "--role", "adept")
    network("participant", "withdraw", "--yes", "asa.oberg@csn.se")
    rows: Any = network.json("participant", "list")
    assert rows[0]["status"] == "withdrawn"
    network("participant", "withdraw", "--yes", "asa.oberg@csn.se", code=1)


def test_settings_list_and_set(cli: Cli, backend: str) -> None:
    cli("settings", "set", "eligibility.adept_months", "12")
    values: Any = cli.json("settings", "list")
    by_key = {v["key"]: v for v in values}
    assert by_key["eligibility.adept_months"]["value"] == 12
    assert by_key["eligibility.mentor_months"]["value"] == 36
    cli("settings", "set", "nope", "1", code=1)
    cli("settings", "set", "weights.same_field", "many", code=2)
    # A negative weight counts against a criterion ("-5" is a value, not an option).
    cli("settings", "set", "weights.same_field", "-5")
    assert {v["key"]: v["value"] for v in cli.json("settings", "list")}["weights.same_field"] == -5
    out_of_range = cli("settings", "set", "weights.same_field", "-5000", code=2)
    assert "from -1000 to 1000" in out_of_range.stderr
    assert (
        "from 0 to 600" in cli("settings", "set", "eligibility.adept_months", "-1", code=2).stderr
    )


def test_agency_names_are_unique_in_any_case(cli: Cli) -> None:
    cli("agency", "add", "BV", "Bolagsverket")
    result = cli("agency", "add", "BOL", "bolagsverket", code=1)
    assert "already has the name" in result.stderr
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "edit", "CSN", "--name", "BOLAGSVERKET", code=1)


def test_only_init_creates_a_store(bare_cli: Cli, db_path: Path) -> None:
    first = bare_cli("agency", "list", code=1)
    assert "run chefintro init" in first.stderr
    assert not db_path.exists()
    bare_cli("init")
    assert "Created" not in bare_cli("agency", "list").stderr


def test_init_reports_creation_itself(cli: Cli) -> None:
    result = cli("init")
    assert result.stderr.count("Created") == 1


# --- closing a cohort that has not started, and clean messages for enum options ----------

ASA = "Asa.Oberg@CSN.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"


def _cohort(cli: Cli, name: str, start: date) -> None:
    cli("cohort", "create", name, "--start", str(start), "--end", str(start + timedelta(days=300)))


def test_closing_a_cohort_before_its_start_warns(cli: Cli) -> None:
    start = sweden_today() + timedelta(days=40)
    _cohort(cli, "framtid", start)
    result = cli("--cohort", "framtid", "cohort", "close", "--yes")
    assert "Closed cohort framtid" in result.stderr
    assert f"has not started yet (it starts {start})" in result.stderr
    statuses = {c["name"]: c["status"] for c in cli.json("cohort", "list")}
    assert statuses["framtid"] == "closed"


def test_closing_a_started_cohort_does_not_warn(cli: Cli) -> None:
    _cohort(cli, "pågår", sweden_today() - timedelta(days=10))
    result = cli("--cohort", "pågår", "cohort", "close", "--yes")
    assert "Warning" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["participant", "add", ASA, "--role", "boss"], "'boss' is not one of: adept, mentor."),
        (["participant", "list", "--role", "boss"], "'boss' is not one of: adept, mentor."),
        (
            ["session", "add", "D", "--start", "2027-03-10 09:00", "--end", "16:00"]
            + ["--kind", "party"],
            "'party' is not a kind of programme day; use uppstart, utbildning, föreläsning",
        ),
        (["session", "edit", "1", "--kind", "party"], "'party' is not a kind of programme day"),
        (
            ["session", "attend", "1", ASA, "--status", "maybe"],
            "'maybe' is not an attendance status; use närvarande, frånvarande",
        ),
    ],
)
def test_enum_options_give_a_plain_message(network: Cli, args: list[str], message: str) -> None:
    before = store_snapshot()
    result = network(*args, code=2)
    assert message in result.stderr
    assert "Value error" not in result.stderr
    assert store_snapshot() == before


def test_enum_options_stay_case_insensitive(network: Cli) -> None:
    network("participant", "add", ASA, "--role", "ADEPT")
    network("participant", "add", ORJAN, "--role", " Mentor ")
    roles = {r["email"]: r["role"] for r in network.json("participant", "list", "--role", "MENTOR")}
    assert roles == {ORJAN: "mentor"}
    network(
        "session", "add", "D", "--start", "2027-03-10 09:00", "--end", "16:00", "--kind", "Lecture"
    )
    sid = str(network.json("session", "list")[0]["id"])
    network("session", "attend", sid, ASA, "--status", "EXCUSED")
    assert network.json("session", "list")[0]["kind"] == "lecture"
