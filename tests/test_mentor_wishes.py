"""A mentor's wished field (issue 34): taken by command and roster, scored with its own
weight, explained, and heard as the mentor's side in 'pair stability'.

The cohort is test_stability's: Åsa (IT, first wish Märta) and Björn (HR, Sundsvall) from
CSN; Märta (HR, Sundsvall) and Örjan (IT) as mentors. The best pairs are Åsa–Örjan and
Björn–Märta, and without wishes of the mentors Åsa and Märta would both rather have each
other (a blocking pair).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from tests import hostile
from tests.conftest import Cli

ASA, BJORN = "asa.oberg@csn.se", "bjorn.ek@csn.se"
MARTA, ORJAN = "marta.sjo@bolagsverket.se", "orjan.berg@spv.se"


def _people(cli: Cli) -> None:
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("agency", "add", "SPV", "Statens tjänstepensionsverk")
    people = [
        ("Åsa Öberg", ASA, "CSN", "IT", "Umeå", "2026-03-01"),
        ("Björn Ek", BJORN, "CSN", "HR", "Sundsvall", "2026-03-01"),
        ("Märta Sjö", MARTA, "BV", "HR", "Sundsvall", "2010-01-01"),
        ("Örjan Berg", ORJAN, "SPV", "IT", "Luleå", "2010-01-01"),
    ]
    for name, email, agency, field, town, since in people:
        cli(
            "person", "add", "--name", name, "--email", email, "--agency", agency,
            "--field", field, "--location", town, "--manager-since", since,
        )  # fmt: skip
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")


def _cohort(cli: Cli, *, marta: str | None = None, orjan: str | None = None) -> None:
    _people(cli)
    cli("participant", "add", ASA, "--role", "adept", "--prefer", MARTA)
    cli("participant", "add", BJORN, "--role", "adept")
    for email, wish in ((MARTA, marta), (ORJAN, orjan)):
        cli("participant", "add", email, "--role", "mentor",
            *(["--wished-field", wish] if wish else []))  # fmt: skip


def _pairs(rows: list[dict[str, Any]]) -> dict[str, str]:
    return {p["adept"]: p["mentor"] for p in rows}


def test_a_mentors_wish_is_scored_and_explained(cli: Cli) -> None:
    _cohort(cli, marta="hr ")  # Björn's field, typed loosely
    mentor = {p["email"]: p for p in cli.json("participant", "list")}[MARTA]
    assert mentor["wished_field"] == "hr"
    pairs = {p["adept"]: p for p in cli.json("pair", "suggest")}
    assert pairs[BJORN]["mentor"] == MARTA
    assert pairs[BJORN]["reasons"]["mentor_field"] == 30
    explained: Any = cli.json("pair", "explain", BJORN)
    assert explained["pairs"][0]["reasons"]["mentor_field"] == 30
    assert "mentor field" in cli("pair", "explain", BJORN).stdout
    cli("settings", "set", "weights.mentor_field", "5")
    pairs = {p["adept"]: p for p in cli.json("pair", "suggest")}
    assert pairs[BJORN]["reasons"]["mentor_field"] == 5


def test_a_mentor_who_wishes_for_another_adept_does_not_block(cli: Cli) -> None:
    # Märta wishes for an HR adept: she would rather keep Björn than take Åsa.
    _cohort(cli, marta="HR")
    assert _pairs(cli.json("pair", "suggest")) == {ASA: ORJAN, BJORN: MARTA}
    assert cli.json("pair", "stability")["blocking"] == []


def test_a_mentors_wish_does_not_count_as_the_adepts(cli: Cli) -> None:
    # Örjan wishes for an IT adept, which adds 30 to Åsa–Örjan; Åsa herself still ranks
    # Märta (her first wish) above Örjan, and Märta still wants her: a blocking pair.
    _cohort(cli, orjan="IT")
    assert _pairs(cli.json("pair", "suggest")) == {ASA: ORJAN, BJORN: MARTA}
    [blocking] = cli.json("pair", "stability")["blocking"]
    assert (blocking["adept"], blocking["mentor"]) == (ASA, MARTA)
    assert blocking["adept_score"] == blocking["score"]  # Märta states no wish
    own = {p["adept"]: p for p in cli.json("pair", "list")}[ASA]
    assert own["reasons"]["mentor_field"] == 30
    assert blocking["current_score"] == own["score"] - 30
    assert blocking["adept_score"] > blocking["current_score"]


def test_a_mentors_wished_field_comes_in_through_the_roster(cli: Cli, tmp_path: Path) -> None:
    _people(cli)
    cli("cohort", "use", "2027")
    header = ["Namn", "E-post", "Myndighet", "Roll", "Chef sedan", "Önskat område"]
    rows = [
        ["Åsa Öberg", ASA, "CSN", "adept", date(2026, 3, 1), "Juridik"],
        ["Märta Sjö", f'"Märta Sjö" <{MARTA}>', "BV", "mentor", date(2010, 1, 1), "HR"],
    ]
    title = ["Chefsintroduktion 2027 – deltagare"]
    workbook = hostile.openpyxl_workbook(
        tmp_path, "deltagare.xlsx", {"Blad1": [title, header, *rows]}
    )
    cli("roster", "import", str(workbook))
    wished = {p["email"]: p["wished_field"] for p in cli.json("participant", "list")}
    assert wished == {ASA: "Juridik", MARTA: "HR"}


def test_a_mentor_still_cannot_rank_mentors(cli: Cli) -> None:
    _people(cli)
    result = cli("participant", "add", MARTA, "--role", "mentor", "--prefer", ORJAN, code=2)
    assert "Preferred mentors are for adepts; a mentor may wish for a field." in result.stderr
