"""The coordinator's words (issue 30): what a change of pairs leaves behind, one rule for
output folders and cohort arguments, a pasted contact, and English that agrees with its
numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chefintro.words import article, listing, noun, plural
from tests.conftest import Cli, store_snapshot


@pytest.fixture
def paired(cli: Cli) -> Cli:
    """Cohort 2027: two CSN adepts, one BV mentor with two places, one SPV mentor."""
    cli("agency", "add", "CSN", "Centrala studiestödsnämnden")
    cli("agency", "add", "BV", "Bolagsverket")
    cli("agency", "add", "SPV", "Statens tjänstepensionsverk")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    for name, email, agency in (
        ("Åsa Öberg", "asa@csn.se", "CSN"),
        ("Zoë Ågren", "zoe@csn.se", "CSN"),
        ("Örjan Sjöström", "orjan@bolagsverket.se", "BV"),
        ("Lena Ek", "lena@spv.se", "SPV"),
    ):
        cli("person", "add", "--name", name, "--email", email, "--agency", agency)
    cli("participant", "add", "asa@csn.se", "--role", "adept")
    cli("participant", "add", "zoe@csn.se", "--role", "adept")
    cli("participant", "add", "orjan@bolagsverket.se", "--role", "mentor", "--capacity", "2")
    cli("participant", "add", "lena@spv.se", "--role", "mentor")
    return cli


# --- who is left without a mentor, whose place is free ----------------------------------


def test_pair_apply_after_exclude_names_the_adept_left_without_a_mentor(paired: Cli) -> None:
    paired("pair", "set", "asa@csn.se", "orjan@bolagsverket.se")
    paired("pair", "set", "zoe@csn.se", "lena@spv.se")
    excluded = paired("pair", "exclude", "zoe@csn.se", "lena@spv.se", "--reason", "jäv")
    assert "Left without a mentor: Zoë Ågren (zoe@csn.se)" in excluded.stderr
    assert "Lena Ek (lena@spv.se): 1 of 1 place free" in excluded.stderr
    applied = paired("pair", "apply")
    assert "1 pair is now active" in applied.stderr
    assert "Still without a mentor: Zoë Ågren (zoe@csn.se)" in applied.stderr


def test_withdraw_says_the_pair_ended_and_whose_place_is_free(paired: Cli) -> None:
    paired("pair", "set", "asa@csn.se", "orjan@bolagsverket.se")
    paired("pair", "set", "zoe@csn.se", "orjan@bolagsverket.se")
    paired("pair", "apply")
    result = paired("participant", "withdraw", "asa@csn.se", "--yes")
    assert "Withdrew Åsa Öberg (asa@csn.se) from cohort 2027; 1 pair ended." in result.stderr
    assert "Örjan Sjöström (orjan@bolagsverket.se): 1 of 2 places free" in result.stderr
    mentor = paired("participant", "withdraw", "orjan@bolagsverket.se", "--yes")
    assert "Left without a mentor: Zoë Ågren (zoe@csn.se)" in mentor.stderr
    assert "Free mentor place" not in mentor.stderr  # a withdrawn mentor's places are not free


def test_pair_remove_says_the_same(paired: Cli) -> None:
    paired("pair", "set", "asa@csn.se", "orjan@bolagsverket.se")
    removed = paired("pair", "remove", "asa@csn.se")
    assert "Left without a mentor: Åsa Öberg (asa@csn.se)" in removed.stderr
    assert "Örjan Sjöström (orjan@bolagsverket.se): 2 of 2 places free" in removed.stderr


# --- one rule for --out, one argument style for cohorts, a pasted contact -----------------


def test_certificate_out_creates_its_folder(paired: Cli, tmp_path: Path) -> None:
    out = tmp_path / "intyg" / "2027"
    paired("certificate", "--out", str(out))
    assert out.is_dir()
    a_file = tmp_path / "fil.txt"
    a_file.write_text("x")
    assert "not a folder" in paired("certificate", "--out", str(a_file), code=73).stderr


def test_cohort_close_takes_the_name_like_reopen(paired: Cli) -> None:
    paired("cohort", "create", "2026", "--start", "2026-01-26", "--end", "2026-12-09")
    paired("cohort", "close", "2026", "--yes")
    cohorts = {c["name"]: c["status"] for c in paired.json("cohort", "list")}
    assert cohorts["2026"] == "closed" and cohorts["2027"] != "closed"
    paired("cohort", "reopen", "2026")
    paired("--cohort", "2026", "cohort", "close", "--yes")  # the old form still works
    paired("cohort", "reopen", "2026")
    before = store_snapshot()
    paired("--cohort", "2027", "cohort", "close", "2026", "--yes", code=2)
    assert store_snapshot() == before


def test_agency_contact_takes_a_pasted_outlook_address(paired: Cli) -> None:
    result = paired("agency", "edit", "BV", "--contact", "HR <hr@bolagsverket.se>;")
    assert "Agency BV: Bolagsverket; contact hr@bolagsverket.se." in result.stderr
    assert paired.json("agency", "show", "BV")["contact"] == "hr@bolagsverket.se"
    paired("agency", "edit", "BV", "--contact", "HR <hr@a.se>, <hr@b.se>", code=2)


# --- English that agrees with its numbers -------------------------------------------------


def test_plural_helper() -> None:
    assert plural(1, "month") == "1 month"
    assert plural(0, "month") == "0 months"
    assert plural(2, "person", "people") == "2 people"
    assert plural(3, "entry") == "3 entries"
    assert plural(1_200, "row") == "1,200 rows"
    assert noun(1, "has", "have") == "has" and noun(2, "has") == "have"
    assert article("attendance status") == "an" and article("mentor") == "a"
    assert listing(["A", "B", "C"]) == "A, B and C"
    assert listing(["A"]) == "A"
    assert listing([f"P{i}" for i in range(12)], limit=10).endswith("P9 and 2 more")


def test_pair_explain_does_not_call_an_equal_score_lower(paired: Cli) -> None:
    paired("pair", "set", "asa@csn.se", "orjan@bolagsverket.se")
    explanation: Any = paired.json("pair", "explain", "asa@csn.se")
    for alternative in explanation["alternatives"]:
        score = alternative["score"]
        assert f"({score} against {score})" not in alternative["why_not"]


def test_an_attendance_word_is_an_attendance_status(paired: Cli, tmp_path: Path) -> None:
    from chefintro.roster.read.cells import BadCell, status_cell

    with pytest.raises(BadCell) as refused:
        status_cell("kanske")
    assert "is not an attendance status" in str(refused.value)


def test_no_message_says_s_in_brackets_or_one_months(paired: Cli) -> None:
    paired("person", "edit", "asa@csn.se", "--manager-since", "2026-12-26")
    listed = paired("participant", "list")
    assert "(s)" not in listed.stderr + listed.stdout
    assert "1 month at the cohort's start" in listed.stderr
