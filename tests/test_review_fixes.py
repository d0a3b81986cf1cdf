"""Reviewed defects: pair remove/set, preferences, session dates, closing early, enum options."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.conftest import Cli, store_snapshot

ASA = "Asa.Oberg@CSN.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"
ELISE = "elise.norden@lansstyrelsen.se"
ZACH = "zacharias.ek@csn.se"
BO = "bo.ek@lansstyrelsen.se"


def _pairs(cli: Cli) -> dict[str, dict[str, Any]]:
    return {p["adept"]: p for p in cli.json("pair", "list")}


def _add_bo(cli: Cli) -> None:
    cli("person", "add", "--name", "Bo Ek", "--email", BO, "--agency", "LST-Y", "--field", "IT")


# --- 1. pair remove given a mentor ---------------------------------------------------------


def test_pair_remove_with_a_mentor_lists_their_adepts(network: Cli) -> None:
    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", ZACH, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor", "--capacity", "2")
    network("participant", "add", ELISE, "--role", "mentor")
    network("pair", "set", ASA, ORJAN)
    network("pair", "set", ZACH, ORJAN)
    before = store_snapshot()
    result = network("pair", "remove", ORJAN, code=1)
    assert "has no pair" not in result.stderr
    assert "is a mentor in cohort 2027" in result.stderr
    assert "adept's e-mail" in result.stderr
    assert f"Åsa Öberg ({ASA})" in result.stderr
    assert f"Zacharias Ek ({ZACH})" in result.stderr
    free = network("pair", "remove", ELISE, code=1)
    assert "no adepts in cohort 2027" in free.stderr
    assert store_snapshot() == before


def test_pair_remove_with_an_unpaired_adept_still_says_no_pair(network: Cli) -> None:
    network("participant", "add", ASA, "--role", "adept")
    assert "has no pair in cohort 2027" in network("pair", "remove", ASA, code=1).stderr


# --- 2. pair set at capacity ---------------------------------------------------------------


def _three_adepts(cli: Cli, orjan_capacity: int) -> None:
    _add_bo(cli)
    for email in (ASA, ZACH, BO):
        cli("participant", "add", email, "--role", "adept")
    cli("participant", "add", ORJAN, "--role", "mentor", "--capacity", str(orjan_capacity))
    cli("participant", "add", ELISE, "--role", "mentor")


def test_pair_set_displaces_the_lowest_scoring_proposal(network: Cli) -> None:
    _three_adepts(network, orjan_capacity=2)
    suggested = {p["adept"]: p for p in network.json("pair", "suggest")}
    assert len(suggested) == 3
    # Bo (LST-Y) cannot have Élise (LST-Y): Örjan has Bo and one CSN adept.
    with_elise = next(a for a, p in suggested.items() if p["mentor"] == ELISE)
    with_orjan = [p for p in suggested.values() if p["mentor"] == ORJAN]
    assert len(with_orjan) == 2
    lowest = min(with_orjan, key=lambda p: (p["score"], p["adept"].casefold()))

    result = network("pair", "set", with_elise, ORJAN)
    assert (
        f"{lowest['adept_name']} ({lowest['adept']}) was unpaired to make room; run "
        "'pair suggest' to place them again." in result.stderr
    )
    pairs = _pairs(network)
    assert lowest["adept"] not in pairs
    assert pairs[with_elise]["mentor"] == ORJAN
    assert pairs[with_elise]["manual"] is True
    assert sorted(p["mentor"] for p in pairs.values()) == [ORJAN, ORJAN]
    unplaced = [u["email"] for u in network.json("pair", "unmatched") if u["role"] == "adept"]
    assert unplaced == [lowest["adept"]]


def test_pair_set_without_displacement_gives_no_warning(network: Cli) -> None:
    _three_adepts(network, orjan_capacity=2)
    result = network("pair", "set", ASA, ORJAN)
    assert "unpaired" not in result.stderr


@pytest.mark.parametrize("how", ["manual", "locked", "active"])
def test_pair_set_is_refused_when_capacity_is_not_a_suggestion(network: Cli, how: str) -> None:
    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", ZACH, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor")
    if how == "manual":
        network("pair", "set", ASA, ORJAN)
    elif how == "locked":
        network("pair", "set", ASA, ORJAN, "--lock")
    else:
        network("pair", "suggest")
        network("pair", "apply")
    taken = next(iter(_pairs(network)))
    other = ZACH if taken.casefold() == ASA.casefold() else ASA
    before = store_snapshot()
    result = network("pair", "set", other, ORJAN, code=1)
    assert "capacity" in result.stderr
    assert "unpaired" not in result.stderr
    assert store_snapshot() == before


def test_set_pair_result_is_truthy_and_carries_the_pair(network: Cli) -> None:
    from chefintro import pairing
    from chefintro.cohorts import get_cohort
    from chefintro.store import open_store, resolve_location

    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor")
    store = open_store(resolve_location(None))
    try:
        with store.transaction() as db:
            cohort = get_cohort(db=db, name="2027")
            result = pairing.set_pair(db=db, cohort=cohort, adept_email=ASA, mentor_email=ORJAN)
            assert result
            assert result.info.mentor == ORJAN
            assert (result.displaced, result.warning) == (None, None)
    finally:
        store.dispose()


# --- 3. preferred mentors ------------------------------------------------------------------


def test_prefer_warns_about_mentors_that_cannot_count(network: Cli) -> None:
    network("participant", "add", ELISE, "--role", "mentor")
    network("participant", "add", ZACH, "--role", "adept")
    result = network(
        "participant",
        "add",
        ASA,
        "--role",
        "adept",
        "--prefer",
        ORJAN,
        "--prefer",
        ZACH,
        "--prefer",
        ELISE,
        "--prefer",
        "nobody@spv.se",
    )
    err = result.stderr
    assert "Added Åsa Öberg" in err
    assert f"Örjan Sjöström ({ORJAN}) is not a mentor in cohort 2027" in err
    assert f"Zacharias Ek ({ZACH}) is not a mentor in cohort 2027" in err
    assert f"Zacharias Ek ({ZACH}) is of Åsa Öberg's own agency" in err
    assert "nobody@spv.se is not registered" in err
    assert "Élise" not in err
    rows = {r["email"]: r for r in network.json("participant", "list")}
    assert ASA in rows


def test_prefer_of_a_good_mentor_gives_no_warning(network: Cli) -> None:
    network("participant", "add", ORJAN, "--role", "mentor")
    result = network("participant", "add", ASA, "--role", "adept", "--prefer", ORJAN)
    assert "Warning" not in result.stderr


def test_prefer_same_agency_mentor_warns(network: Cli) -> None:
    network("participant", "add", ZACH, "--role", "mentor")
    result = network("participant", "add", ASA, "--role", "adept", "--prefer", ZACH)
    assert "own agency" in result.stderr
    assert "not a mentor" not in result.stderr


# --- 4. session dates outside the cohort ---------------------------------------------------

OUTSIDE = "outside cohort 2027 (2027-01-26 – 2027-12-09)"


def test_session_outside_the_cohort_is_accepted_with_a_warning(network: Cli) -> None:
    inside = network("session", "add", "Dag", "--start", "2027-03-10 09:00", "--end", "16:00")
    assert "outside" not in inside.stderr
    late = network("session", "add", "Sen", "--start", "2028-03-10 09:00", "--end", "16:00")
    assert OUTSIDE in late.stderr
    early = network("session", "add", "Tidig", "--start", "2027-01-25 09:00", "--end", "16:00")
    assert OUTSIDE in early.stderr
    titles = [s["title"] for s in network.json("session", "list")]
    assert titles == ["Tidig", "Dag", "Sen"]


def test_session_edit_outside_the_cohort_warns(network: Cli) -> None:
    network("session", "add", "Dag", "--start", "2027-03-10 09:00", "--end", "16:00")
    sid = str(network.json("session", "list")[0]["id"])
    moved = network("session", "edit", sid, "--start", "2026-12-01 09:00")
    assert OUTSIDE in moved.stderr
    assert network.json("session", "list")[0]["starts_at"] == "2026-12-01T09:00:00"
    back = network("session", "edit", sid, "--start", "2027-03-10 09:00")
    assert "outside" not in back.stderr


# --- 5. closing a cohort that has not started -----------------------------------------------


def _cohort(cli: Cli, name: str, start: date) -> None:
    cli("cohort", "create", name, "--start", str(start), "--end", str(start + timedelta(days=300)))


def test_closing_a_cohort_before_its_start_warns(cli: Cli) -> None:
    start = date.today() + timedelta(days=40)
    _cohort(cli, "framtid", start)
    result = cli("--cohort", "framtid", "cohort", "close", "--yes")
    assert "Closed cohort framtid" in result.stderr
    assert f"has not started yet (it starts {start})" in result.stderr
    statuses = {c["name"]: c["status"] for c in cli.json("cohort", "list")}
    assert statuses["framtid"] == "closed"


def test_closing_a_started_cohort_does_not_warn(cli: Cli) -> None:
    _cohort(cli, "pågår", date.today() - timedelta(days=10))
    result = cli("--cohort", "pågår", "cohort", "close", "--yes")
    assert "Warning" not in result.stderr


# --- 6. session list shows the counts of future sessions --------------------------------------


def test_session_list_table_matches_json_for_a_future_session(network: Cli) -> None:
    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor")
    start = date.today() + timedelta(days=30)
    network("session", "add", "Framtid", "--start", f"{start} 09:00", "--end", "16:00")
    sid = str(network.json("session", "list")[0]["id"])
    network("session", "attend", sid, ASA, ORJAN, "--status", "present")
    row = network.json("session", "list")[0]
    assert (row["held"], row["present"], row["excused"], row["absent"]) == (False, 2, 0, 0)
    table = network("session", "list").stdout
    line = next(line for line in table.splitlines() if "Framtid" in line)
    cells = [c.strip() for c in line.split("│")[1:-1]]
    assert cells[-3:] == ["2", "0", "0"]


# --- 7. clean messages for enum options ------------------------------------------------------


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
