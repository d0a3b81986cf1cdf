"""A mentor's own wishes (issue 34): wished towns and adepts scored with their own weights
and explained, adepts not to mentor kept as exclusions ("jäv" or the reason given), by
command and by roster (HR's Swedish columns, and an export read back unchanged).

The people are test_consent's: Åsa (CSN, IT, Umeå) and Björn (CSN, HR, Sundsvall) are
adepts; Märta (BV, HR, Sundsvall), Örjan (SPV, IT, Luleå) and Karin (SPV, law, Umeå)
mentors. Without wishes the best pairs are Åsa–Örjan and Björn–Märta.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import hostile
from tests.conftest import Cli, store_snapshot
from tests.test_consent import ASA, BJORN, KARIN, MARTA, ORJAN, TODAY, everyone
from tests.test_followup import _set_today


@pytest.fixture
def people(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """The agencies, the five people and cohort 2027, nobody in it yet."""
    _set_today(monkeypatch, TODAY)
    if cli.restore("test_mentor_side.people"):
        return cli
    everyone(cli)
    cli.keep("test_mentor_side.people")
    return cli


def _adepts(cli: Cli) -> None:
    cli("participant", "add", ASA, "--role", "adept")
    cli("participant", "add", BJORN, "--role", "adept")


def _listed(cli: Cli) -> dict[str, dict[str, Any]]:
    return {p["email"]: p for p in cli.json("participant", "list")}


def _pairs(cli: Cli) -> dict[str, dict[str, Any]]:
    return {p["adept"]: p for p in cli.json("pair", "suggest")}


def test_a_mentors_wished_adept_found_by_name_is_scored_and_explained(people: Cli) -> None:
    _adepts(people)
    added = people(
        "participant", "add", KARIN, "--role", "mentor", "--wish-adept", "björn ek",
        "--wished-location", " umeå ",
    )  # fmt: skip
    assert "Karin Lund: wished towns: – → umeå; wished adepts: – → Björn Ek." in added.stderr
    people("participant", "add", MARTA, "--role", "mentor")
    people("participant", "add", ORJAN, "--role", "mentor")
    karin = _listed(people)[KARIN]
    assert (karin["wished_locations"], karin["wished_adepts"]) == (["umeå"], [BJORN])
    pairs = _pairs(people)
    assert pairs[BJORN]["mentor"] == KARIN
    assert pairs[BJORN]["reasons"]["mentor_wish"] == 40
    # Åsa lives in Umeå, the town Karin wished for: her side of the score with Karin.
    explained: Any = people.json("pair", "explain", ASA)
    assert {a["mentor"]: a["score"] for a in explained["alternatives"]}[KARIN] == 40
    assert "mentor wish" in people("pair", "explain", BJORN).stdout
    people("settings", "set", "weights.mentor_wish", "0")
    people("settings", "set", "weights.mentor_location", "0")
    assert _pairs(people)[BJORN]["mentor"] == MARTA


def _mentors_once(cli: Cli) -> None:
    for email in (MARTA, ORJAN, KARIN):
        cli("participant", "add", email, "--role", "mentor")


def test_an_adept_not_to_mentor_is_an_exclusion_for_every_hard_rule(people: Cli) -> None:
    _adepts(people)
    people("participant", "add", MARTA, "--role", "mentor", "--not-adept", "Björn Ek")
    people("participant", "add", ORJAN, "--role", "mentor")
    people("participant", "add", KARIN, "--role", "mentor")
    [exclusion] = store_snapshot()["exclusion"]
    assert exclusion[3] == "jäv"
    assert "excluded" in people("pair", "set", BJORN, MARTA, code=1).stderr
    assert _pairs(people)[BJORN]["mentor"] != MARTA
    people("pair", "apply")
    # A live pair with an adept not to mentor is undone, and 'db undo' takes it back.
    before = store_snapshot()
    live = {a: p["mentor"] for a, p in _pairs(people).items()}
    mentor = live[ASA]
    result = people("participant", "wishes", mentor, "--not-adept", "asa.oberg@csn.se (chef)")
    assert "not to mentor: – → Åsa Öberg (chef)" in result.stderr
    assert "1 pair with an adept not to mentor undone." in result.stderr
    assert "Left without a mentor: Åsa Öberg" in result.stderr
    reasons = sorted(str(row[3]) for row in store_snapshot()["exclusion"])
    assert reasons == ["chef", "jäv"]
    people("db", "undo", "--yes")
    after = store_snapshot()
    for table in ("exclusion", "pairing", "mentor_wish"):
        assert after[table] == before[table], table


def test_wishes_change_from_to_and_clear(people: Cli) -> None:
    _adepts(people)
    _mentors_once(people)
    first = people("participant", "wishes", ORJAN, "--wished-location", "Umeå",
                   "--wished-location", "Luleå", "--wish-adept", ASA)  # fmt: skip
    assert "Örjan Berg: wished towns: – → Umeå, Luleå; wished adepts: – → Åsa Öberg." in (
        first.stderr
    )
    second = people("participant", "wishes", ORJAN, "--wish-adept", BJORN)
    assert "wished adepts: Åsa Öberg → Björn Ek." in second.stderr
    assert _listed(people)[ORJAN]["wished_locations"] == ["Umeå", "Luleå"]  # kept
    same = people("participant", "wishes", ORJAN, "--wish-adept", BJORN)
    assert "Örjan Berg's wishes are unchanged." in same.stderr
    cleared = people("participant", "wishes", ORJAN, "--clear")
    assert "wished towns: Umeå, Luleå → –; wished adepts: Björn Ek → –." in cleared.stderr
    assert store_snapshot()["mentor_wish"] == []


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("participant", "wishes", ASA, "--wished-location", "Umeå"), 2, "are a mentor's"),
        (("participant", "add", BJORN, "--role", "adept", "--wish-adept", ASA), 2, "a mentor's"),
        (("participant", "wishes", "nobody@csn.se", "--wish-adept", ASA), 1, "No person"),
    ],
    ids=["adept-wishes", "adept-added-with-wishes", "unknown-mentor"],
)
def test_a_refused_wish_changes_nothing(
    people: Cli, args: tuple[str, ...], code: int, message: str
) -> None:
    people("participant", "add", ASA, "--role", "adept")
    people("participant", "add", ORJAN, "--role", "mentor")
    before = store_snapshot()
    assert message in people(*args, code=code).stderr
    after = store_snapshot()
    after.pop("command_journal"), before.pop("command_journal")
    assert after == before


def test_a_name_that_finds_no_one_adept_is_left_out_with_a_warning(people: Cli) -> None:
    _adepts(people)
    people("person", "add", "--name", "Åsa Öberg", "--email", "asa.oberg@bolagsverket.se",
           "--agency", "BV")  # fmt: skip
    people("participant", "add", "asa.oberg@bolagsverket.se", "--role", "adept")
    _mentors_once(people)
    result = people("participant", "wishes", KARIN, "--wish-adept", "Åsa Öberg",
                    "--wish-adept", "Nils Holm", "--wish-adept", MARTA)  # fmt: skip
    assert "names 'Åsa Öberg', but 2 adepts of cohort 2027 have that name" in result.stderr
    assert "names 'Nils Holm', but no adept of cohort 2027 has that name" in result.stderr
    assert f"names {MARTA}, who is not an adept of cohort 2027" in result.stderr
    assert store_snapshot()["mentor_wish"] == []


# --- the roster ---------------------------------------------------------------------------


def test_hr_types_the_mentors_wishes_in_swedish_and_an_export_reads_back_unchanged(
    people: Cli, tmp_path: Path
) -> None:
    people("cohort", "use", "2027")
    header = ["Namn", "E-post", "Myndighet", "Roll", "Önskade orter", "Önskade adepter", "Jäv"]
    rows = [
        ["Åsa Öberg", ASA, "CSN", "adept", None, None, None],
        ["Björn Ek", BJORN, "CSN", "adept", None, None, None],
        ["Märta Sjö", MARTA, "BV", "mentor", "Umeå, Luleå", "Åsa Öberg", None],
        ["Örjan Berg", ORJAN, "SPV", "mentor", None, None,
         "Björn Ek (tidigare chef, 2019–2022); asa.oberg@csn.se"],
        ["Karin Lund", KARIN, "SPV", "mentor", None, None, None],
    ]  # fmt: skip
    workbook = hostile.openpyxl_workbook(tmp_path, "deltagare.xlsx", {"Blad1": [header, *rows]})
    imported = people("roster", "import", str(workbook))
    assert "Önskad ort: (tomt) → Umeå; Luleå" in imported.stdout + imported.stderr
    listed = _listed(people)
    assert (listed[MARTA]["wished_locations"], listed[MARTA]["wished_adepts"]) == (
        ["Umeå", "Luleå"],
        [ASA],
    )
    reasons = sorted(str(row[3]) for row in store_snapshot()["exclusion"])
    assert reasons == ["jäv", "tidigare chef, 2019–2022"]
    exported = tmp_path / "export.xlsx"
    people("roster", "export", str(exported))
    again = people("roster", "import", str(exported), "--dry-run")
    assert "Deltagare: 5 rows unchanged" in again.stdout + again.stderr
    # The same workbook in a store that has the people but no cohort members yet.
    before = store_snapshot()
    people("db", "undo", "--yes")  # back before the first import
    people("roster", "import", str(exported))
    after = store_snapshot()
    for table in ("mentor_wish", "exclusion"):
        assert sorted(r[1:] for r in after[table]) == sorted(r[1:] for r in before[table])


@pytest.mark.parametrize("column", ["Önskad ort", "Önskade adepter", "Jäv"])
def test_a_mentors_wishes_on_an_adepts_row_refuse_the_file(
    people: Cli, tmp_path: Path, column: str
) -> None:
    people("cohort", "use", "2027")
    header = ["Namn", "E-post", "Myndighet", "Roll", column]
    rows = [["Åsa Öberg", ASA, "CSN", "adept", "Björn Ek"]]
    workbook = hostile.openpyxl_workbook(tmp_path, "d.xlsx", {"Deltagare": [header, *rows]})
    before = store_snapshot()
    result = people("roster", "import", str(workbook), code=65)
    said = " ".join((result.stdout + result.stderr).split())
    # The problem is placed in the column it is about.
    assert f"sheet 'Deltagare', row 2, column '{column}': Wished towns, wished adepts and" in said
    assert store_snapshot() == before


def test_the_mentors_wishes_are_erased_with_the_adept_they_name(people: Cli) -> None:
    _adepts(people)
    _mentors_once(people)
    people("participant", "wishes", KARIN, "--wish-adept", ASA, "--wished-location", "Umeå")
    assert len(store_snapshot()["mentor_wish"]) == 2
    people("person", "erase", ASA, "--yes")
    assert [row[2:4] for row in store_snapshot()["mentor_wish"]] == [("location", "Umeå")]


def test_a_command_and_a_roster_row_say_the_same_of_a_wish(people: Cli, tmp_path: Path) -> None:
    _adepts(people)
    command = people("participant", "add", KARIN, "--role", "mentor", "--wish-adept", "Nils Holm")
    said = "Karin Lund names 'Nils Holm', but no adept of cohort 2027 has that name"
    assert said in command.stderr
    header = ["Namn", "E-post", "Myndighet", "Roll", "Önskade adepter"]
    rows = [["Örjan Berg", ORJAN, "SPV", "mentor", "Nils Holm"]]
    workbook = hostile.openpyxl_workbook(tmp_path, "d.xlsx", {"Deltagare": [header, *rows]})
    roster = people("roster", "import", str(workbook))
    assert "Deltagare row 2: Örjan Berg names 'Nils Holm', but no adept of cohort 2027" in (
        roster.stdout + roster.stderr
    )
