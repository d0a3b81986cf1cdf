"""Pairing through the command line: suggest, apply, set, lock, exclude, explain, history."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli, store_snapshot

AGENCIES = [("CSN", "Centrala studiestödsnämnden"), ("BV", "Bolagsverket"), ("SPV", "SPV")]
# (name, email, agency, role, field, town)
PEOPLE = [
    ("Åsa Öberg", "asa@csn.se", "CSN", "adept", "IT", "Sundsvall"),
    ("Björn Ek", "bjorn@csn.se", "CSN", "adept", "HR", "Härnösand"),
    ("Cecilia Ås", "cecilia@bv.se", "BV", "adept", "juridik", "Sundsvall"),
    ("Märta Sjö", "marta@bv.se", "BV", "mentor", "IT", "Sundsvall"),
    ("Örjan Berg", "orjan@spv.se", "SPV", "mentor", "HR", "Härnösand"),
    ("Élise Lund", "elise@csn.se", "CSN", "mentor", "juridik", "Sundsvall"),
]


def _setup(cli: Cli, order: list[int] | None = None, cohort: str = "2027") -> None:
    for code, name in AGENCIES:
        cli("agency", "add", code, name)
    for index in order or range(len(PEOPLE)):
        name, email, agency, _, field, town = PEOPLE[index]
        cli(
            "person",
            "add",
            "--name",
            name,
            "--email",
            email,
            "--agency",
            agency,
            "--field",
            field,
            "--location",
            town,
            "--manager-since",
            "2010-01-01",
        )
    cli("cohort", "create", cohort, "--start", f"{cohort}-01-26", "--end", f"{cohort}-12-09")
    for index in order or range(len(PEOPLE)):
        _, email, _, role, _, _ = PEOPLE[index]
        cli("participant", "add", email, "--role", role)


def _pairs(cli: Cli) -> dict[str, str]:
    return {p["adept"]: p["mentor"] for p in cli.json("pair", "list")}


def test_suggest_gives_the_best_cross_agency_pairs(cli: Cli, backend: str) -> None:
    _setup(cli)
    suggested: Any = cli.json("pair", "suggest")
    pairs = {p["adept"]: p for p in suggested}
    assert {k: v["mentor"] for k, v in pairs.items()} == {
        "asa@csn.se": "marta@bv.se",  # same field and town
        "bjorn@csn.se": "orjan@spv.se",  # same field and town
        "cecilia@bv.se": "elise@csn.se",  # same field and town
    }
    for p in suggested:
        assert p["adept_agency"] != p["mentor_agency"]
        assert p["state"] == "proposed"
        assert p["reasons"]["same_field"] > 0
        assert p["score"] == sum(p["reasons"].values())
    assert set(suggested[0]) >= {
        "adept",
        "adept_agency",
        "mentor",
        "mentor_agency",
        "state",
        "locked",
        "score",
    }
    cli("pair", "apply")
    assert {p["state"] for p in cli.json("pair", "list")} == {"active"}


def test_same_pairs_whatever_order_people_were_entered(
    cli: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup(cli)
    first = {p["adept"]: p["mentor"] for p in cli.json("pair", "suggest")}
    order = list(range(len(PEOPLE)))
    random.Random(7).shuffle(order)
    monkeypatch.setenv("CHEFINTRO_DB", str(db_path.with_name("shuffled.db")))
    cli("init")
    _setup(cli, order)
    second = {p["adept"]: p["mentor"] for p in cli.json("pair", "suggest")}
    assert first == second


def test_manual_pair_breaking_a_rule_is_refused(cli: Cli, backend: str) -> None:
    _setup(cli)
    before = store_snapshot()
    result = cli("pair", "set", "asa@csn.se", "elise@csn.se", code=1)
    assert "same agency" in result.stderr
    cli("pair", "set", "asa@csn.se", "bjorn@csn.se", code=1)  # an adept is not a mentor
    cli("pair", "set", "asa@csn.se", "nobody@x.se", code=1)
    assert store_snapshot() == before


def test_locked_pair_survives_resuggest(cli: Cli, backend: str) -> None:
    _setup(cli)
    cli("pair", "set", "asa@csn.se", "orjan@spv.se", "--lock")
    pairs = {p["adept"]: p for p in cli.json("pair", "suggest")}
    assert pairs["asa@csn.se"]["mentor"] == "orjan@spv.se"
    assert pairs["asa@csn.se"]["locked"] is True
    assert pairs["bjorn@csn.se"]["mentor"] == "marta@bv.se"
    again = {p["adept"]: p["mentor"] for p in cli.json("pair", "suggest")}
    assert again == {k: v["mentor"] for k, v in pairs.items()}


def test_capacity_is_respected_for_manual_pairs(cli: Cli) -> None:
    _setup(cli)
    cli("pair", "set", "asa@csn.se", "orjan@spv.se")
    result = cli("pair", "set", "bjorn@csn.se", "orjan@spv.se", code=1)
    assert "capacity" in result.stderr


def test_exclusion_removes_the_pair(cli: Cli, backend: str) -> None:
    _setup(cli)
    cli("pair", "suggest")
    result = cli("pair", "exclude", "asa@csn.se", "marta@bv.se", "--reason", "jäv")
    assert "undone" in result.stderr
    pairs = {p["adept"]: p["mentor"] for p in cli.json("pair", "suggest")}
    assert pairs.get("asa@csn.se") != "marta@bv.se"
    explanation: Any = cli.json("pair", "explain", "asa@csn.se")
    why = {a["mentor"]: a["why_not"] for a in explanation["alternatives"]}
    assert why["marta@bv.se"] == "forbidden: excluded (jäv)"
    assert why["elise@csn.se"] == "forbidden: same agency"
    cli("pair", "set", "asa@csn.se", "marta@bv.se", code=1)
    cli("pair", "exclude", "asa@csn.se", "marta@bv.se", "--reason", "igen", code=1)


def test_pairs_do_not_repeat_across_cohorts(cli: Cli, backend: str) -> None:
    _setup(cli, cohort="2026")
    cli("pair", "suggest")
    cli("pair", "apply")
    cli("cohort", "close", "--yes")
    cli("cohort", "create", "2027", "--start", "2027-01-26", "--end", "2027-12-09")
    cli("cohort", "use", "2027")
    for _, email, _, role, _, _ in PEOPLE:
        cli("participant", "add", email, "--role", role)
    result = cli("pair", "set", "asa@csn.se", "marta@bv.se", code=1)
    assert "earlier cohort" in result.stderr
    new = {p["adept"]: p["mentor"] for p in cli.json("pair", "suggest")}
    assert new["asa@csn.se"] != "marta@bv.se"
    assert new["bjorn@csn.se"] != "orjan@spv.se"
    cli("pair", "remove", "asa@csn.se")
    for adept, mentor in new.items():
        if mentor == "marta@bv.se":
            cli("pair", "remove", adept)
    cli("pair", "set", "asa@csn.se", "marta@bv.se", "--allow-repeat")
    repeat = {p["adept"]: p["mentor"] for p in cli.json("pair", "suggest", "--allow-repeat")}
    assert repeat["asa@csn.se"] == "marta@bv.se"


def test_unmatched_gives_reasons(cli: Cli) -> None:
    _setup(cli)
    cli("person", "add", "--name", "Extra Adept", "--email", "extra@spv.se", "--agency", "SPV")
    cli("participant", "add", "extra@spv.se", "--role", "adept")
    cli("pair", "suggest")
    rows: Any = cli.json("pair", "unmatched")
    adepts = [r for r in rows if r["role"] == "adept"]
    assert len(adepts) == 1
    assert "capacity" in adepts[0]["reason"] or "forbidden" in adepts[0]["reason"]
    cli("participant", "withdraw", "--yes", "asa@csn.se")
    rows = cli.json("pair", "unmatched")
    mentors = [r for r in rows if r["role"] == "mentor"]
    assert mentors and all(r["free_slots"] >= 1 and r["reason"] for r in mentors)


def test_explain_and_remove(cli: Cli) -> None:
    _setup(cli)
    cli("pair", "suggest")
    explanation: Any = cli.json("pair", "explain", "cecilia@bv.se")
    assert explanation["pairs"][0]["mentor"] == "elise@csn.se"
    assert explanation["pairs"][0]["reasons"]["same_field"] > 0
    assert any(
        a["why_not"].startswith(("lower score", "taken", "forbidden"))
        for a in explanation["alternatives"]
    )
    human = cli("pair", "explain", "cecilia@bv.se")
    assert "Next-best mentors" in human.stdout
    mentor: Any = cli.json("pair", "explain", "elise@csn.se")
    assert mentor["role"] == "mentor"
    cli("pair", "remove", "cecilia@bv.se")
    assert "cecilia@bv.se" not in _pairs(cli)
    cli("pair", "remove", "cecilia@bv.se", code=1)


@pytest.mark.parametrize("command", [["pair", "list"], ["pair", "unmatched"]])
def test_pair_commands_need_a_cohort(cli: Cli, command: list[str]) -> None:
    assert "cohort" in cli(*command, code=1).stderr


# --- pair remove, pair set at capacity, preferred mentors -----------------------------------

ASA = "Asa.Oberg@CSN.se"
ORJAN = "orjan.sjostrom@bolagsverket.se"
ELISE = "elise.norden@lansstyrelsen.se"
ZACH = "zacharias.ek@csn.se"
BO = "bo.ek@lansstyrelsen.se"


def _pairs_by_adept(cli: Cli) -> dict[str, dict[str, Any]]:
    return {p["adept"]: p for p in cli.json("pair", "list")}


def _add_bo(cli: Cli) -> None:
    cli("person", "add", "--name", "Bo Ek", "--email", BO, "--agency", "LST-Y", "--field", "IT")


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
    # In Swedish order: Å comes after Z.
    assert f"Their adepts: Zacharias Ek ({ZACH}), Åsa Öberg ({ASA})." in result.stderr
    free = network("pair", "remove", ELISE, code=1)
    assert "no adepts in cohort 2027" in free.stderr
    assert store_snapshot() == before


def test_pair_remove_with_a_mentor_named_by_name_lists_their_adepts(network: Cli) -> None:
    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor")
    network("pair", "set", ASA, ORJAN)
    result = network("pair", "remove", "örjan sjöström", code=1)
    assert "örjan sjöström is a mentor in cohort 2027" in result.stderr
    assert f"Their adepts: Åsa Öberg ({ASA})." in result.stderr


def test_pair_remove_of_a_mentor_lists_all_their_adepts_and_its_undo_names_it(
    network: Cli, backend: str
) -> None:
    zacharias = "zacharias.ek@csn.se"
    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", zacharias, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor", "--capacity", "2")
    network("pair", "set", ASA, ORJAN)
    network("pair", "set", zacharias, ORJAN)
    refused = network("pair", "remove", ORJAN, code=1)
    listed = " ".join(refused.stderr.split())
    # In Swedish order (Å after Z), the addresses as they were given.
    assert f"Their adepts: Zacharias Ek ({zacharias}), Åsa Öberg ({ASA})." in listed
    network("pair", "remove", ASA)
    if backend == "sqlite":  # undo keeps snapshots of SQLite stores only
        undone = network("db", "undo", "--yes")
        assert undone.stderr.splitlines()[1].endswith("  pair remove: a pair removed")
        assert len(network.json("pair", "list")) == 2


def test_pair_remove_ends_an_active_pair_today_and_says_why(network: Cli) -> None:
    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor")
    network("pair", "set", ASA, ORJAN)
    network("pair", "apply")
    assert "ended" in network("pair", "remove", ASA).stderr
    assert network.json("pair", "list") == []
    (ended,) = network.json("pair", "list", "--all")
    assert (ended["state"], ended["end_reason"]) == ("ended", "removed with 'pair remove'")
    # The cohort has not started: the pair ends the day it was to start, never before it.
    assert ended["ended_on"] == ended["since"] == "2027-01-26"


def test_a_suggested_pair_records_when_it_was_proposed(network: Cli) -> None:
    from datetime import UTC, datetime, timedelta

    network("participant", "add", ASA, "--role", "adept")
    network("participant", "add", ORJAN, "--role", "mentor")
    before = datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=1)
    network("pair", "suggest")
    exported: Any = json.loads(network("person", "export", ASA).stdout)
    (pair,) = exported["participations"][0]["pairings"]
    assert (pair["state"], pair["locked"], pair["manual"]) == ("proposed", False, False)
    proposed = datetime.fromisoformat(pair["created_at"]).replace(tzinfo=None)
    assert before <= proposed <= datetime.now(UTC).replace(tzinfo=None)


def test_pair_remove_with_an_unpaired_adept_still_says_no_pair(network: Cli) -> None:
    network("participant", "add", ASA, "--role", "adept")
    assert "has no pair in cohort 2027" in network("pair", "remove", ASA, code=1).stderr


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
    pairs = _pairs_by_adept(network)
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
    taken = next(iter(_pairs_by_adept(network)))
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
    kept = "who is not a mentor of cohort 2027; the wish is kept but plays no part"
    assert f"Åsa Öberg wishes for {ORJAN}, {kept}" in err
    assert f"Åsa Öberg wishes for {ZACH}, {kept}" in err  # an adept, not a mentor
    assert f"Åsa Öberg wishes for nobody@spv.se, {kept}" in err
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
    assert "who is from the same agency (CSN)" in result.stderr
    assert "not a mentor" not in result.stderr
